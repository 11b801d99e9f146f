import { and, eq, isNull } from "drizzle-orm";
import { consents } from "../../../schema";
import type { Fulfil } from "./fulfil";

/**
 * Withdrawal of consent (LGPD art. 8 §5 and art. 18 IX): free and immediate, for one purpose or all; the
 * retention sweep deletes the record later.
 */
export const withdrawSubjectConsents: Fulfil = async ({ tx, request, data, now, audit }) => {
  const purpose = typeof request.details.purpose === "string" ? request.details.purpose : null;
  let withdrawn = 0;
  for (const row of data.subjectConsents) {
    if (row.withdrawnAt || (purpose && row.purpose !== purpose)) continue;
    await tx
      .update(consents)
      .set({ withdrawnAt: now })
      .where(and(eq(consents.id, row.id), isNull(consents.withdrawnAt)));
    await audit("consent.withdrawn", { type: "consent", id: row.id }, { purpose: row.purpose, version: row.version });
    withdrawn += 1;
  }
  return { outcome: { withdrawn } };
};
