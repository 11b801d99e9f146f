import { eq } from "drizzle-orm";
import { dataSubjects } from "../../../schema";
import type { Fulfil } from "./fulfil";

/** Correction of incomplete, inaccurate or outdated data (LGPD art. 18 III). */
export const correctSubject: Fulfil = async ({ tx, request, data, now, audit }) => {
  // Requests recorded before the API was camelCase stored `display_name`.
  const correction = (request.details.correction ?? {}) as {
    email?: string;
    displayName?: string;
    display_name?: string;
  };
  const displayName = correction.displayName ?? correction.display_name;
  await tx
    .update(dataSubjects)
    .set({
      ...(correction.email ? { email: correction.email.trim().toLowerCase() } : {}),
      ...(displayName ? { displayName } : {}),
      updatedAt: now,
    })
    .where(eq(dataSubjects.id, data.subject.id));
  await audit("privacy.corrected", { type: "data_subject", id: data.subject.id }, { fields: Object.keys(correction) });
  return { outcome: { corrected: Object.keys(correction) } };
};
