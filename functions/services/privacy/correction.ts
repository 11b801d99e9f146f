import { eq } from "drizzle-orm";
import { dataSubjects } from "../../../schema";
import type { Fulfil } from "./fulfil";

/** Correction of incomplete, inaccurate or outdated data (LGPD art. 18 III). */
export const correctSubject: Fulfil = async ({ tx, request, data, now, audit }) => {
  const correction = (request.details.correction ?? {}) as { email?: string; display_name?: string };
  await tx
    .update(dataSubjects)
    .set({
      ...(correction.email ? { email: correction.email.trim().toLowerCase() } : {}),
      ...(correction.display_name ? { displayName: correction.display_name } : {}),
      updatedAt: now,
    })
    .where(eq(dataSubjects.id, data.subject.id));
  await audit("privacy.corrected", { type: "data_subject", id: data.subject.id }, { fields: Object.keys(correction) });
  return { outcome: { corrected: Object.keys(correction) } };
};
