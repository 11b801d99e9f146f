import { and, eq } from "drizzle-orm";
import { memberships, users } from "../../schema";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import type { MailLocale, MailMessage } from "./mail/messages";
import { enqueueEmail } from "./outbox";

/**
 * Queues `message` to every active compliance officer of the tenant (the encarregado, LGPD art. 41) in `tx`, so
 * the alert exists if and only if the change that raises it commits. `dedupeKey` (suffixed per recipient) makes
 * an alert repeated by a job queue at most once. Returns how many were queued.
 */
export async function mailComplianceOfficers(
  scope: Scope,
  tx: Transaction,
  input: { locale: MailLocale; message: MailMessage; dedupeKey?: string },
): Promise<number> {
  const officers = await tx
    .selectDistinct({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.role, "compliance_officer"), eq(memberships.status, "active"), eq(users.status, "active")),
    );
  let queued = 0;
  for (const officer of officers) {
    const id = await enqueueEmail(scope, tx, {
      to: officer.email,
      locale: input.locale,
      message: input.message,
      ...(input.dedupeKey ? { dedupeKey: `${input.dedupeKey}:${officer.email}` } : {}),
    });
    if (id) queued += 1;
  }
  return queued;
}
