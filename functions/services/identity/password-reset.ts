import { and, eq, gt, isNull } from "drizzle-orm";
import { passwordResets, users } from "../../../schema";
import { sha256Hex } from "../../lib/crypto";
import { actAsUser } from "../../lib/db";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import { GoneError } from "../../lib/errors";
import type { Scope } from "../../scope";
import { enqueueEmail } from "../outbox";
import { accountKeyOf } from "./lockout";
import { membershipActive } from "./membership-status";
import { type MailContext, replacePassword } from "./password-change";
import { asUser } from "./sessions";
import { throttle, limiter } from "./throttle";

/** How long a reset link works (OWASP Forgot Password cheat sheet: short-lived, single use). */
export const PASSWORD_RESET_SECONDS = 30 * 60;
/** Reset e-mails per address per window: enough for a lost message, too few to flood an inbox. */
const RESET_MAILS_PER_ADDRESS = 3;

/**
 * Asks for a reset link. The answer is the same whether or not the address belongs to an active member here, and
 * so is the work: the token is made and hashed, the account looked up and the request audited either way; only a
 * member's request stores the hash and queues the e-mail (with the token sealed) in that transaction. Throttled per
 * client (429) and per address: past three e-mails in fifteen minutes, a request for the address queues nothing
 * and answers the same, so nobody can flood a person's inbox or learn whether they have an account.
 */
export async function requestPasswordReset(
  scope: Scope,
  input: { email: string; ipHash: string; mail: MailContext },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await throttle(
    scope,
    [{ prefix: "reset-ip", tokens: 5, window: "1 m", key: `${scope.tenant.id}:${input.ipHash}` }],
    "Too many requests. Wait a minute and try again.",
  );
  const accountKey = await accountKeyOf(scope.tenant.id, email);
  const byAddress = await limiter(scope, "reset-address", RESET_MAILS_PER_ADDRESS, "15 m").limit(accountKey);
  const token = toBase64Url(randomBytes(32));
  const tokenHash = await sha256Hex(token);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_SECONDS * 1000);
  await scope.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, status: users.status })
      .from(users)
      // A service account has no password to reset (schema/users.ts `kind`): it is answered as an unknown address.
      .where(and(eq(users.email, email), eq(users.kind, "person")))
      .limit(1);
    const member = user?.status === "active" && (await membershipActive(tx, scope.tenant.id, user.id));
    if (!user || !member || !byAddress.success) {
      await scope.audit(tx, "auth.password_reset_requested", null, { queued: false });
      return;
    }
    // One link at a time: a new request spends the earlier ones.
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResets.tenantId, scope.tenant.id),
          eq(passwordResets.userId, user.id),
          isNull(passwordResets.usedAt),
        ),
      );
    await tx.insert(passwordResets).values({ tenantId: scope.tenant.id, userId: user.id, tokenHash, expiresAt });
    const outboxId = await enqueueEmail(scope, tx, {
      to: email,
      locale: input.mail.locale,
      message: {
        template: "password-reset",
        data: { tenantName: scope.tenant.name, origin: input.mail.origin, expiresAt: expiresAt.toISOString() },
        secret: token,
      },
    });
    await scope.audit(tx, "auth.password_reset_requested", { type: "user", id: user.id }, { queued: true, outboxId });
  });
}

const RESET_INVALID = (): GoneError =>
  new GoneError("reset_token_invalid", "This link was used, has expired or is not valid. Ask for a new one.");

/**
 * Sets a new password with a reset token: single use (spent in the statement that finds it), 30 minutes, for an
 * active member of this tenant. The password follows NIST SP 800-63B (lib/password-policy.ts); a refused one
 * leaves the token unspent. Every session of the account ends, in every tenant: the account's not-before instant
 * (checked on refresh) and its Redis key (checked by every request) are set, and this tenant's refresh tokens are
 * revoked. Audited, and a notice is queued to the address in the same transaction.
 */
export async function confirmPasswordReset(
  scope: Scope,
  input: { token: string; password: string; ipHash: string; mail: MailContext },
): Promise<void> {
  await throttle(
    scope,
    [{ prefix: "reset-confirm-ip", tokens: 10, window: "1 m", key: `${scope.tenant.id}:${input.ipHash}` }],
    "Too many attempts. Wait a minute and try again.",
  );
  const tokenHash = await sha256Hex(input.token);
  const now = new Date();
  const userId = await scope.transaction(async (tx) => {
    const [reset] = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResets.tokenHash, tokenHash),
          eq(passwordResets.tenantId, scope.tenant.id),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, now),
        ),
      )
      .returning({ id: passwordResets.id, userId: passwordResets.userId });
    if (!reset) return null;
    const [user] = await tx.select().from(users).where(eq(users.id, reset.userId)).limit(1);
    if (!user || user.status !== "active" || !(await membershipActive(tx, scope.tenant.id, user.id))) return null;
    // The token proved the owner: only their own transaction may change the account (schema/users.ts).
    await actAsUser(tx, user.id);
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(
        and(
          eq(passwordResets.tenantId, scope.tenant.id),
          eq(passwordResets.userId, user.id),
          isNull(passwordResets.usedAt),
        ),
      );
    const { sessionsRevoked } = await replacePassword(scope, tx, {
      user,
      password: input.password,
      now,
      reason: "password_reset",
      mail: input.mail,
    });
    await scope.audit(
      tx,
      "user.password_reset",
      { type: "user", id: user.id },
      { resetId: reset.id, sessionsRevoked },
      asUser(user.id),
    );
    return user.id;
  });
  if (!userId) throw RESET_INVALID();
}
