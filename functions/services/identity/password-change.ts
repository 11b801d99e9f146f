import { and, eq, isNull } from "drizzle-orm";
import { refreshTokens } from "../../../schema";
import type { ContentLocale } from "../../contract";
import type { Transaction } from "../../lib/db";
import { assertAcceptablePassword } from "../../lib/password-policy";
import { hashPassword } from "../../lib/passwords";
import type { Scope } from "../../scope";
import { enqueueEmail } from "../outbox";
import { userNotBeforeKey } from "../trust-signals";
import { updateOwnAccount } from "./own-account";
import { revocationSecond } from "./sessions";
import { REVOCATION_MEMORY_SECONDS } from "./tokens";

/** Where the e-mails a password change sends point to, and their language. */
export interface MailContext {
  origin: string;
  locale: ContentLocale;
}

/**
 * Puts a new password on an account inside the transaction of the change (a reset with an e-mailed token, or the
 * owner's own change with the current password), which must already act as the owner (schema/users.ts). The
 * password follows NIST SP 800-63B (lib/password-policy.ts); a refused one throws and changes nothing. Every
 * session of the account ends, in every tenant: the account's not-before instant (checked on refresh) and its Redis
 * key (checked by every request) are set to `now`, and its refresh tokens here revoked. The "password changed" notice is
 * queued in the same transaction. The caller audits the change; a session it starts afterwards for the person
 * making the change (createSession with `tokensValidAfter: now`) is stamped after the revocation and survives it.
 */
export async function replacePassword(
  scope: Scope,
  tx: Transaction,
  input: {
    user: { id: string; email: string };
    password: string;
    now: Date;
    reason: "password_reset" | "password_changed";
    mail: MailContext;
  },
): Promise<{ sessionsRevoked: number }> {
  const { user, now } = input;
  assertAcceptablePassword(input.password, { email: user.email });
  await updateOwnAccount(tx, user.id, { passwordHash: await hashPassword(input.password), tokensValidAfter: now });
  const revoked = await tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: input.reason })
    .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  await enqueueEmail(scope, tx, {
    to: user.email,
    locale: input.mail.locale,
    message: {
      template: "password-changed",
      data: { tenantName: scope.tenant.name, origin: input.mail.origin, changedAt: now.toISOString() },
    },
  });
  // Before the commit, so a Redis failure leaves the old password in place rather than old tokens alive.
  await scope.redis.set(userNotBeforeKey(user.id), String(revocationSecond(now)), { ex: REVOCATION_MEMORY_SECONDS });
  return { sessionsRevoked: revoked.length };
}
