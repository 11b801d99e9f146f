import { and, eq, isNull } from "drizzle-orm";
import { memberships, mfaRecoveryCodes, refreshTokens, tenants, users } from "../../../schema";
import type { Role } from "../../../schema/memberships";
import { decryptSecret } from "../../lib/aead";
import { sha256Hex } from "../../lib/crypto";
import { actAsUser, type Transaction } from "../../lib/db";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import { AppError, UnauthorizedError } from "../../lib/errors";
import { hashPassword, needsRehash, verifyPassword } from "../../lib/passwords";
import { verifyTotp } from "../../lib/totp";
import { type AuditActor, requireUser, type Scope } from "../../scope";
import { claimInvitation, INVITATION_INVALID, joinInvitedRoles } from "./invitation-roles";
import { membershipActive } from "./membership-status";
import {
  assertNotLockedOut,
  type LoginClient,
  type LockoutSubject,
  lockoutSubject,
  recordFailure,
  recordSuccess,
} from "./lockout";
import { updateOwnAccount } from "./own-account";
import { throttle } from "./throttle";
import { tenantNotBeforeKey, userNotBeforeKey } from "../trust-signals";
import {
  ACCESS_TOKEN_SECONDS,
  type AccessClaims,
  type AccessTokenInput,
  issueAccessToken,
  issueMfaToken,
  issueSiteSession,
  REVOCATION_MEMORY_SECONDS,
  SITE_SESSION_SECONDS,
  verifyMfaToken,
} from "./tokens";

/** Refresh tokens: idle lifetime per rotation, and an absolute limit from the original sign-in. */
export const REFRESH_IDLE_SECONDS = 14 * 86400;
export const REFRESH_ABSOLUTE_SECONDS = 30 * 86400;
/**
 * Consecutive wrong second factors per account, across MFA challenges, before the second factor is locked.
 * NIST SP 800-63B §5.2.2 asks verifiers to limit consecutive failed attempts on one account to no more than
 * 100; each challenge already stops at five guesses, but a new password sign-in issues a new challenge, so
 * without this bound a stolen password would buy about 50 guesses a minute. 10 in a fixed 15-minute window
 * keeps a 6-digit TOTP (three accepted codes a step) at about one success in 33,000 per window while a user
 * who mistypes a few times is never locked; it is the same threshold and duration as the password lockout.
 */
export const MFA_LOCKOUT_THRESHOLD = 10;
export const MFA_LOCKOUT_SECONDS = 15 * 60;

/** The second factor of this account is locked after too many wrong codes; answered like the password lockout. */
export class MfaLockedError extends AppError {
  readonly status = 429;
  readonly code = "mfa_locked";
  readonly title = "Too many requests";
  constructor(retryAfterSeconds: number) {
    super("Too many wrong codes. Two-factor sign-in is locked for a few minutes.", {
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

// A hash of a random password nobody knows. Unknown accounts are checked against it so that an unknown email
// and a wrong password cost the same time (no account enumeration by timing).
const DUMMY_HASH =
  "pbkdf2-sha256$100000$86ac064263b018d49cb968d71a639efd$010f32adeb1e511156b23abdb642b29a93f4c8fc51ee41e273bac2ffd1dfc0e5";

/**
 * Tokens carry whole-second `iat`s, so a revocation instant is rounded up to the next second: every token
 * issued up to and including that second is void, and tokens issued afterwards are stamped no earlier than it.
 */
export function revocationSecond(instant: Date | null): number {
  return instant ? Math.ceil(instant.getTime() / 1000) : 0;
}

const INVALID_CREDENTIALS = (): UnauthorizedError =>
  new UnauthorizedError("invalid_credentials", "The email or password is incorrect.");

/** The token answer, with OAuth 2.0's field names (RFC 6749 §5.1), the one exception to the API's camelCase. */
export interface SessionTokens {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  /** The opaque refresh token, for the HttpOnly cookie only; never in a JSON body. */
  refreshToken: string;
}

/** A reader's session on the public site: the cookie's value, its CSRF token and lifetime. No refresh token. */
export interface SiteSession {
  token: string;
  userId: string;
  csrf: string;
  expiresIn: number;
}

/** Where a sign-in happens: the API (bearer token and refresh cookie) or the public site (a session cookie). */
export type SignInSurface = "api" | "site";

export type LoginResult =
  | { kind: "session"; session: SessionTokens }
  | { kind: "site_session"; session: SiteSession }
  | { kind: "mfa_required"; mfaToken: string }
  | { kind: "mfa_enrolment_required"; enrolmentToken: string };

/** A sign-in that is complete: the session of its surface. */
export type SignedIn = Extract<LoginResult, { kind: "session" | "site_session" }>;

/**
 * Per-minute throttles: per IP whatever the account, and per (account, client), so that requests from
 * elsewhere cannot use up the owner's allowance; the per-account backstop is the lockout's (lockout.ts).
 */
async function throttleLogin(scope: Scope, ipHash: string, subject: LockoutSubject): Promise<void> {
  await throttle(
    scope,
    [
      { prefix: "login-ip", tokens: 30, window: "1 m", key: `${scope.tenant.id}:${ipHash}` },
      {
        prefix: "login-account",
        tokens: 10,
        window: "1 m",
        key: `${scope.tenant.id}:${subject.accountKey}:${subject.clientKey}`,
      },
    ],
    "Too many sign-in attempts. Wait a minute and try again.",
  );
}

async function rolesOf(tx: Transaction, tenantId: string, userId: string): Promise<Role[]> {
  const rows = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), eq(memberships.status, "active")));
  return rows.map((row) => row.role);
}

/**
 * Whether the tenant's sign-in policy requires a second factor of this member: one of their roles is in the
 * tenant's `mfa_required_roles` (admin, medical reviewer and compliance officer unless an admin changed it).
 */
export async function mfaRequiredFor(tx: Transaction, tenantId: string, roles: readonly Role[]): Promise<boolean> {
  const [tenant] = await tx
    .select({ mfaRequiredRoles: tenants.mfaRequiredRoles })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .limit(1);
  // No policy row to read is treated as the strictest policy (fail closed).
  if (!tenant) return true;
  return roles.some((role) => tenant.mfaRequiredRoles.includes(role));
}

/** What a new session's token says: the member's active roles here, stamped after any revocation of them. */
async function sessionInput(
  tx: Transaction,
  scope: Scope,
  user: { id: string; tokensValidAfter: Date | null },
  amr: string[],
  authTime: Date,
): Promise<AccessTokenInput> {
  const roles = await rolesOf(tx, scope.tenant.id, user.id);
  if (roles.length === 0) throw INVALID_CREDENTIALS();
  // A change to the membership here (roles, suspension) refuses tokens up to its second (members.ts): a session
  // started in that same second is stamped after it, as after a logout-all.
  const tenantRevoked = Number(await scope.redis.get(tenantNotBeforeKey(scope.tenant.id, user.id))) || 0;
  return {
    userId: user.id,
    tenantId: scope.tenant.id,
    roles,
    amr,
    authTime: Math.floor(authTime.getTime() / 1000),
    issuedNoEarlierThan: Math.max(revocationSecond(user.tokensValidAfter), tenantRevoked),
  };
}

export async function createSession(
  tx: Transaction,
  scope: Scope,
  user: { id: string; tokensValidAfter: Date | null },
  amr: string[],
  authTime: Date,
  familyId: string = crypto.randomUUID(),
): Promise<SessionTokens> {
  const input = await sessionInput(tx, scope, user, amr, authTime);
  const refreshToken = toBase64Url(randomBytes(32));
  const now = Date.now();
  const absoluteEnd = authTime.getTime() + REFRESH_ABSOLUTE_SECONDS * 1000;
  await tx.insert(refreshTokens).values({
    tenantId: scope.tenant.id,
    userId: user.id,
    familyId,
    tokenHash: await sha256Hex(refreshToken),
    amr,
    authTime,
    expiresAt: new Date(Math.min(now + REFRESH_IDLE_SECONDS * 1000, absoluteEnd)),
  });
  const { token } = await issueAccessToken(scope.section("auth"), input);
  return { access_token: token, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, refreshToken };
}

/**
 * A session on the public site: a signed token of its own type (tokens.ts), revoked like an access token (its id
 * denied at sign-out; the account's and the membership's not-before instants), with no refresh token behind it.
 */
export async function createSiteSession(
  tx: Transaction,
  scope: Scope,
  user: { id: string; tokensValidAfter: Date | null },
  amr: string[],
  authTime: Date,
): Promise<SiteSession> {
  const input = await sessionInput(tx, scope, user, amr, authTime);
  const { token, claims } = await issueSiteSession(scope.section("auth"), input);
  return { token, userId: user.id, csrf: claims.csrf, expiresIn: SITE_SESSION_SECONDS };
}

/** Who a sign-in event names: the account signing in, not the request's (anonymous) actor. */
export const asUser = (id: string): { as: AuditActor } => ({ as: { type: "user", id } });

/** Starts the session of the sign-in's surface for a proved account, audited as `auth.login`. */
async function startSession(
  tx: Transaction,
  scope: Scope,
  user: { id: string; tokensValidAfter: Date | null },
  amr: string[],
  options: { surface: SignInSurface; details?: Record<string, unknown> },
): Promise<SignedIn> {
  const result: SignedIn =
    options.surface === "site"
      ? { kind: "site_session", session: await createSiteSession(tx, scope, user, amr, new Date()) }
      : { kind: "session", session: await createSession(tx, scope, user, amr, new Date()) };
  const surface = options.surface === "site" ? { surface: "site" } : {};
  await scope.audit(tx, "auth.login", null, { amr, ...options.details, ...surface }, asUser(user.id));
  return result;
}

/** What sign-in needs to know about the client, computed by the handler (lib/client.ts). */
export interface LoginInput {
  email: string;
  password: string;
  /** Hashes of the client's IP address and of the device id it presented (null: none), for the lockout. */
  client: LoginClient;
  /** The hash of the client's device id (the device cookie), issued at sign-in when it had none. */
  deviceHash: string;
  /** The API's session (default) or the public site's. */
  surface?: SignInSurface;
}

/**
 * What a correct password leads to, in the transaction that checked it: a cheaper stored hash is upgraded, then the
 * account's second factor is challenged, or the enrolment the tenant's policy requires is opened, or the session
 * starts. Sign-in takes this way, and so does an invitation that an existing account accepts by signing in.
 */
export async function continueSignIn(
  tx: Transaction,
  scope: Scope,
  user: typeof users.$inferSelect,
  password: string,
  options: { surface?: SignInSurface; invitationId?: string } = {},
): Promise<LoginResult> {
  const auth = scope.section("auth");
  // Someone accepting an invitation with a second factor is not a member here until the code is confirmed, so their
  // account row is not theirs to write in this tenant yet: the next sign-in upgrades the hash.
  if (user.passwordHash && needsRehash(user.passwordHash) && !options.invitationId) {
    // The password just proved the owner: only their own transaction may change the account (schema/users.ts).
    await actAsUser(tx, user.id);
    await updateOwnAccount(tx, user.id, { passwordHash: await hashPassword(password) });
  }
  if (user.mfaEnabledAt) {
    await scope.audit(tx, "auth.mfa_challenged", null, {}, asUser(user.id));
    const invitation = options.invitationId ? { invitationId: options.invitationId } : {};
    return { kind: "mfa_required", mfaToken: await issueMfaToken(auth, user.id, scope.tenant.id, "mfa", invitation) };
  }
  // A role that reads PHI without a second factor: no session yet, only a short-lived token that opens the
  // enrolment steps (least privilege); the session starts once a factor is confirmed (accounts.ts).
  const roles = await rolesOf(tx, scope.tenant.id, user.id);
  if (roles.length > 0 && (await mfaRequiredFor(tx, scope.tenant.id, roles))) {
    await scope.audit(tx, "auth.mfa_enrolment_required", null, { roles }, asUser(user.id));
    return {
      kind: "mfa_enrolment_required",
      enrolmentToken: await issueMfaToken(auth, user.id, scope.tenant.id, "enrol"),
    };
  }
  return startSession(tx, scope, user, ["pwd"], { surface: options.surface ?? "api" });
}

/** Step one of sign-in: email and password, throttled, locked out after repeated failures (lockout.ts). */
export async function login(scope: Scope, input: LoginInput): Promise<LoginResult> {
  // Read first: a deployment without a valid auth configuration refuses before counting or auditing anything.
  scope.section("auth");
  const email = input.email.trim().toLowerCase();
  const subject = await lockoutSubject(scope.tenant.id, email, input.client);
  await throttleLogin(scope, input.client.ipHash, subject);
  await assertNotLockedOut(scope, subject);

  const result = await scope.transaction(async (tx) => {
    // Only a person signs in: a service account (no password) acts through its API tokens alone.
    const [user] = await tx
      .select()
      .from(users)
      .where(and(eq(users.email, email), eq(users.kind, "person")))
      .limit(1);
    const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
    const disabled = user && passwordOk && !(await membershipActive(tx, scope.tenant.id, user.id));
    if (!user || !passwordOk || user.status !== "active" || disabled) {
      const count = await recordFailure(scope, subject);
      // An unknown email names nobody: the event stays anonymous.
      await scope.audit(
        tx,
        "auth.login_failed",
        null,
        {
          reason: user && passwordOk ? "disabled" : "invalid_credentials",
          failures: count.failures,
          accountFailures: count.accountFailures,
          locked: count.locked,
          slowedSeconds: count.slowedSeconds,
        },
        user ? asUser(user.id) : { as: { type: "anonymous", id: null } },
      );
      // The audit event must survive the refusal, so the transaction commits and the error is thrown after it.
      return { kind: "failed" as const };
    }
    await recordSuccess(scope, subject, input.deviceHash);
    return continueSignIn(tx, scope, user, input.password, { surface: input.surface ?? "api" });
  });
  if (result.kind === "failed") throw INVALID_CREDENTIALS();
  return result;
}

/** A recovery code as handed out at enrolment: two groups of five, upper case. */
export const RECOVERY_CODE = /^[A-Z0-9]{5}-[A-Z0-9]{5}$/;

/** Spends one unused recovery code of the user (stored as SHA-256); false when there is no such code. */
export async function consumeRecoveryCode(tx: Transaction, userId: string, code: string): Promise<boolean> {
  const used = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, await sha256Hex(code)),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return used.length > 0;
}

export interface MfaInput {
  mfaToken: string;
  code: string;
  /** A hash of the client's device characteristics, remembered as known for the device-familiarity signal. */
  deviceHash: string;
  /** The API's session (default) or the public site's, as at the password step. */
  surface?: SignInSurface;
}

/** A second factor refused inside its transaction, which rolls back; counted and audited after it. */
class SecondFactorRefused extends Error {
  constructor(readonly reason: "no_mfa" | "wrong_code" | "replayed" | "disabled") {
    super(reason);
  }
}

/** Redis keys of the per-account second-factor lockout, which spans challenges. */
const mfaKeys = (tenantId: string, userId: string): { fail: string; lock: string } => ({
  fail: `vitalis:mfa-fail:${tenantId}:${userId}`,
  lock: `vitalis:mfa-lock:${tenantId}:${userId}`,
});

/**
 * Counts one second-factor attempt for the account before the code is checked, so that parallel guesses
 * cannot pass a check-then-count race. Refuses once the account's second factor is locked.
 */
async function reserveMfaAttempt(scope: Scope, keys: { fail: string; lock: string }): Promise<number> {
  const lockTtl = await scope.redis.ttl(keys.lock);
  if (lockTtl > 0) throw new MfaLockedError(lockTtl);
  const attempts = await scope.redis.incr(keys.fail);
  if (attempts === 1) await scope.redis.expire(keys.fail, MFA_LOCKOUT_SECONDS);
  // Only parallel guesses racing the one that engaged the lock get here.
  if (attempts > MFA_LOCKOUT_THRESHOLD) throw new MfaLockedError(MFA_LOCKOUT_SECONDS);
  return attempts;
}

/**
 * Step two: a TOTP code (or a one-time recovery code) for the MFA token from step one, on the API or the site. When
 * the challenge continues an invitation's acceptance (invitations.ts), the invitation's roles join here, after the
 * code, in the transaction that starts the session.
 */
export async function completeMfa(scope: Scope, input: MfaInput): Promise<SignedIn> {
  const auth = scope.section("auth");
  const challenge = await verifyMfaToken(auth, input.mfaToken, scope.tenant.id);
  // Five guesses per challenge: a 6-digit code must not be brute-forced within the token's lifetime.
  const attempts = await scope.redis.incr(`vitalis:mfa-attempts:${challenge.jti}`);
  if (attempts === 1) await scope.redis.expire(`vitalis:mfa-attempts:${challenge.jti}`, 600);
  if (attempts > 5)
    throw new UnauthorizedError("invalid_mfa_token", "Too many wrong codes. Start again with your password.");
  // And at most MFA_LOCKOUT_THRESHOLD refused codes in a row per account across challenges (recovery codes and
  // replays included); only a correct second factor resets the count.
  const keys = mfaKeys(scope.tenant.id, challenge.userId);
  const failures = await reserveMfaAttempt(scope, keys);

  const code = input.code.trim().toUpperCase();
  // A refused code rolls its transaction back (an invitation claimed below stays open); the refusal is counted and
  // audited after it, in a transaction of its own.
  const outcome = await scope
    .transaction(async (tx) => {
      // An invitation the challenge continues is claimed first: the person it names becomes visible to this
      // transaction (schema/users.ts, users_read) even before they are a member here.
      const invitation = challenge.invitationId
        ? await claimInvitation(tx, scope, { id: challenge.invitationId })
        : null;
      // Revoked or spent while the code was asked: nothing joins.
      if (challenge.invitationId && !invitation) throw INVITATION_INVALID();
      const [user] = await tx.select().from(users).where(eq(users.id, challenge.userId)).limit(1);
      const disabled = !user || (!invitation && !(await membershipActive(tx, scope.tenant.id, user.id)));
      if (!user || user.status !== "active" || disabled || !user.mfaSecretEncrypted || !user.mfaEnabledAt)
        throw new SecondFactorRefused("no_mfa");
      let method: "otp" | "recovery";
      if (RECOVERY_CODE.test(code)) {
        if (!(await consumeRecoveryCode(tx, user.id, code))) throw new SecondFactorRefused("wrong_code");
        method = "recovery";
      } else {
        const secret = await decryptSecret(user.mfaSecretEncrypted, auth.mfaEncryptionKey, user.id);
        const step = await verifyTotp(secret, code);
        if (step === null) throw new SecondFactorRefused("wrong_code");
        // RFC 6238 §5.2: a code is accepted once; the same step again is a replay.
        const fresh = await scope.redis.set(`vitalis:totp-used:${user.id}:${step}`, "1", { nx: true, ex: 120 });
        if (fresh !== "OK") throw new SecondFactorRefused("replayed");
        method = "otp";
      }
      if (invitation) {
        const joined = await joinInvitedRoles(tx, scope, { invitation, userId: user.id, outcome: "attached" });
        if (joined.status !== "active") throw new SecondFactorRefused("disabled");
      }
      const amr = method === "otp" ? ["pwd", "otp", "mfa"] : ["pwd", "mfa"];
      await scope.redis.sadd(`vitalis:devices:${user.id}`, input.deviceHash);
      const signedIn = await startSession(tx, scope, user, amr, {
        surface: input.surface ?? "api",
        details: { recoveryCodeUsed: method === "recovery" },
      });
      return { ok: true as const, signedIn };
    })
    .catch((error: unknown) => {
      if (!(error instanceof SecondFactorRefused)) throw error;
      return { ok: false as const, reason: error.reason };
    });
  if (!outcome.ok) {
    const locked = failures >= MFA_LOCKOUT_THRESHOLD;
    if (locked) {
      await scope.redis.set(keys.lock, "1", { ex: MFA_LOCKOUT_SECONDS });
      // The count outlives the lock's start as long as the lock, so guesses racing this one stay refused.
      await scope.redis.expire(keys.fail, MFA_LOCKOUT_SECONDS);
    }
    await scope.transaction(async (tx) => {
      await scope.audit(tx, "auth.mfa_failed", null, { reason: outcome.reason, failures }, asUser(challenge.userId));
      if (locked) {
        await scope.audit(
          tx,
          "auth.mfa_locked",
          null,
          { failures, lockSeconds: MFA_LOCKOUT_SECONDS },
          asUser(challenge.userId),
        );
      }
    });
    if (outcome.reason === "replayed")
      throw new UnauthorizedError("mfa_code_replayed", "This code was already used. Wait for the next one.");
    throw new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
  }
  // A correct second factor ends the run of failures.
  await scope.redis.del(keys.fail);
  return outcome.signedIn;
}

/**
 * Rotates a refresh token. A token that was already rotated or revoked means someone replayed it: the
 * whole family is revoked and the event audited (RFC 9700 §4.14.2).
 */
export async function refreshSession(scope: Scope, input: { refreshToken: string }): Promise<SessionTokens> {
  const tokenHash = await sha256Hex(input.refreshToken);
  const outcome = await scope.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.tokenHash, tokenHash))
      .limit(1)
      .for("update");
    if (!row) return { ok: false as const, reason: "unknown" };
    if (row.rotatedAt || row.revokedAt) {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date(), revokedReason: "reuse_detected" })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      await scope.audit(tx, "auth.refresh_reuse_detected", null, { familyId: row.familyId }, asUser(row.userId));
      return { ok: false as const, reason: "reused" };
    }
    const [user] = await tx.select().from(users).where(eq(users.id, row.userId)).limit(1);
    const voidedByLogoutAll = user?.tokensValidAfter && user.tokensValidAfter.getTime() > row.createdAt.getTime();
    const disabled = !user || !(await membershipActive(tx, scope.tenant.id, user.id));
    if (!user || user.status !== "active" || disabled || voidedByLogoutAll || row.expiresAt.getTime() <= Date.now()) {
      return { ok: false as const, reason: "expired" };
    }
    // A password-only session of a member the policy now requires a factor of ends here: signing in again
    // leads to the enrolment.
    if (!row.amr.includes("mfa")) {
      const roles = await rolesOf(tx, scope.tenant.id, user.id);
      if (await mfaRequiredFor(tx, scope.tenant.id, roles)) return { ok: false as const, reason: "mfa_required" };
    }
    await tx.update(refreshTokens).set({ rotatedAt: new Date() }).where(eq(refreshTokens.id, row.id));
    const session = await createSession(tx, scope, user, row.amr, row.authTime, row.familyId);
    return { ok: true as const, session };
  });
  if (!outcome.ok) throw new UnauthorizedError("invalid_refresh_token", "Your session has ended. Sign in again.");
  return outcome.session;
}

export interface LogoutInput {
  /** The access token being ended: denied by its id until it expires. */
  accessToken: Pick<AccessClaims, "jti" | "exp">;
  /** The refresh cookie, when the client sent it: its family is revoked. */
  refreshToken: string | undefined;
}

/** Ends the signed-in user's session: the access token is denied until it expires, and the refresh family revoked. */
export async function logout(scope: Scope, input: LogoutInput): Promise<void> {
  const user = requireUser(scope);
  const ttl = Math.max(1, input.accessToken.exp - Math.floor(Date.now() / 1000) + 30);
  await scope.redis.set(`vitalis:deny:${input.accessToken.jti}`, "1", { ex: ttl });
  await scope.transaction(async (tx) => {
    if (input.refreshToken) {
      const [row] = await tx
        .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, await sha256Hex(input.refreshToken)))
        .limit(1);
      if (row && row.userId === user.userId) {
        await tx
          .update(refreshTokens)
          .set({ revokedAt: new Date(), revokedReason: "logout" })
          .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
      }
    }
    await scope.audit(tx, "auth.logout");
  });
}

/**
 * Logout-all: voids every token the signed-in user holds, at once: a not-before instant in the database (checked
 * on refresh) and in Redis (checked on every request until the last access token issued before it has expired).
 * Disabling someone else everywhere is the platform operator's (services/platform/users.ts).
 */
export async function revokeAllSessions(scope: Scope, input: { userId: string }): Promise<void> {
  const { userId } = input;
  const now = new Date();
  await scope.transaction(async (tx) => {
    await updateOwnAccount(tx, userId, { tokensValidAfter: now, updatedAt: now });
    await tx
      .update(refreshTokens)
      .set({ revokedAt: now, revokedReason: "logout_all" })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
    await scope.audit(tx, "auth.logout_all", { type: "user", id: userId });
  });
  await scope.redis.set(userNotBeforeKey(userId), String(revocationSecond(now)), { ex: REVOCATION_MEMORY_SECONDS });
}
