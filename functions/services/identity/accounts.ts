import { and, asc, eq, isNull } from "drizzle-orm";
import { memberships, mfaRecoveryCodes, professionalCredentials, refreshTokens, users } from "../../../schema";
import type { CredentialStatus } from "../../../schema/professional-credentials";
import { encryptSecret, decryptSecret } from "../../lib/aead";
import { sha256Hex } from "../../lib/crypto";
import { randomBytes, toBase32 } from "../../lib/encoding";
import { actAsUser, type Transaction } from "../../lib/db";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from "../../lib/errors";
import { verifyPassword } from "../../lib/passwords";
import { otpauthUri, verifyTotp } from "../../lib/totp";
import { requireUser, type Scope } from "../../scope";
import type { ContentLocale } from "../../contract";
import { hasRole } from "../../lib/actor";
import type { CredentialQueueItem } from "../../shapes/members";
import { enqueueEmail } from "../outbox";
import type { CredentialInput, CredentialView, MfaConfirmation, MfaEnrolment, Me } from "../../shapes/account";
import { assertNotLockedOut, type LoginClient, lockoutSubject, recordFailure, recordSuccess } from "./lockout";
import {
  asUser,
  consumeRecoveryCode,
  createSession,
  RECOVERY_CODE,
  revocationSecond,
  type SessionTokens,
} from "./sessions";
import { ENROLMENT_TOKEN_SECONDS, issueAccessToken, REVOCATION_MEMORY_SECONDS, verifyMfaToken } from "./tokens";
import { userNotBeforeKey } from "../trust-signals";
import { updateOwnAccount } from "./own-account";
import { type MailContext, replacePassword } from "./password-change";

// A hash of a random password nobody knows: an account without a password is checked against it (same cost).
const DUMMY_HASH =
  "pbkdf2-sha256$100000$86ac064263b018d49cb968d71a639efd$010f32adeb1e511156b23abdb642b29a93f4c8fc51ee41e273bac2ffd1dfc0e5";

export type { CredentialView, Me } from "../../shapes/account";

function viewCredential(row: typeof professionalCredentials.$inferSelect | undefined): CredentialView | null {
  if (!row) return null;
  return {
    crmNumber: row.crmNumber,
    crmUf: row.crmUf,
    rqe: row.rqe,
    specialty: row.specialty,
    status: row.status,
    note: row.note,
    reviewedAt: row.reviewedAt?.toISOString() ?? null,
  };
}

/** The signed-in user: their roles in this tenant, MFA state and professional credential. */
export async function getMe(scope: Scope): Promise<Me> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    const roles = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, scope.tenant.id), eq(memberships.userId, user.id)));
    const [credential] = await tx
      .select()
      .from(professionalCredentials)
      .where(and(eq(professionalCredentials.tenantId, scope.tenant.id), eq(professionalCredentials.userId, user.id)));
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      roles: roles.map((r) => r.role),
      mfaEnabled: user.mfaEnabledAt !== null,
      credential: viewCredential(credential),
    };
  });
}

/**
 * The signed-in user changes their own password with the current one (a wrong one counts towards the sign-in
 * lockout, like every other re-authentication). Like a reset (replacePassword), every session of the account
 * ends and the "password changed" notice is queued; the session making the change goes on in a new one, started
 * in the same transaction and stamped after the revocation.
 */
export async function changePassword(
  scope: Scope,
  input: { currentPassword: string; newPassword: string; client: LoginClient; mail: MailContext },
): Promise<SessionTokens> {
  const principal = requireUser(scope);
  const now = new Date();
  const outcome = await scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    const subject = await lockoutSubject(scope.tenant.id, user.email, input.client);
    await assertNotLockedOut(scope, subject);
    if (!(await verifyPassword(input.currentPassword, user.passwordHash ?? DUMMY_HASH))) {
      const count = await recordFailure(scope, subject);
      await scope.audit(tx, "user.password_change_refused", null, {
        reason: "invalid_current_password",
        failures: count.failures,
        locked: count.locked,
      });
      // The audit event must survive the refusal, so the transaction commits and the error is thrown after it.
      return null;
    }
    await recordSuccess(scope, subject);
    const { sessionsRevoked } = await replacePassword(scope, tx, {
      user,
      password: input.newPassword,
      now,
      reason: "password_changed",
      mail: input.mail,
    });
    await scope.audit(tx, "user.password_changed", null, { sessionsRevoked });
    return createSession(
      tx,
      scope,
      { id: user.id, tokensValidAfter: now },
      principal.amr,
      new Date(principal.authTime * 1000),
    );
  });
  if (!outcome) throw new ForbiddenError("invalid_current_password", "The current password is not correct.");
  return outcome;
}

/** A new secret waiting for its first code while the enrolled one stays in force (replacement only). */
const pendingKey = (userId: string): string => `vitalis:mfa-pending:${userId}`;
const PENDING_SECONDS = 15 * 60;

type EnrolmentRefusal = "invalid_current_password" | "mfa_code_required" | "invalid_mfa_code" | "mfa_code_replayed";

/** A current TOTP code (accepted once) or an unused recovery code (spent) of the enrolled factor. */
async function checkCurrentFactor(
  tx: Transaction,
  scope: Scope,
  user: typeof users.$inferSelect,
  raw: string,
): Promise<EnrolmentRefusal | null> {
  const code = raw.trim().toUpperCase();
  if (RECOVERY_CODE.test(code)) {
    return (await consumeRecoveryCode(tx, user.id, code)) ? null : "invalid_mfa_code";
  }
  const secret = await decryptSecret(user.mfaSecretEncrypted!, scope.section("auth").mfaEncryptionKey, user.id);
  const step = await verifyTotp(secret, code);
  if (step === null) return "invalid_mfa_code";
  const fresh = await scope.redis.set(`vitalis:totp-used:${user.id}:${step}`, "1", { nx: true, ex: 120 });
  return fresh === "OK" ? null : "mfa_code_replayed";
}

function enrolmentRefused(reason: EnrolmentRefusal): Error {
  switch (reason) {
    case "invalid_current_password":
      return new ForbiddenError("invalid_current_password", "The current password is not correct.");
    case "mfa_code_required":
      return new UnauthorizedError(
        "mfa_code_required",
        "Two-step verification is on: enter a current code (or a recovery code) to replace it.",
      );
    case "mfa_code_replayed":
      return new UnauthorizedError("mfa_code_replayed", "This code was already used. Wait for the next one.");
    case "invalid_mfa_code":
      return new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
  }
}

/**
 * Starts TOTP enrolment: a new secret, inactive until a code from it is confirmed. It takes the current
 * password (a stolen access token alone must not bind the attacker's authenticator), and once a factor is
 * enrolled also a current code of it to replace it. A wrong password counts towards the sign-in lockout, for
 * the client it came from (lockout.ts).
 */
export async function startMfaEnrolment(
  scope: Scope,
  input: { currentPassword: string; code?: string | undefined; client: LoginClient },
): Promise<MfaEnrolment> {
  const principal = requireUser(scope);
  const outcome = await scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    const subject = await lockoutSubject(scope.tenant.id, user.email, input.client);
    await assertNotLockedOut(scope, subject);
    const passwordOk = await verifyPassword(input.currentPassword, user.passwordHash ?? DUMMY_HASH);
    let refusal: EnrolmentRefusal | null = passwordOk ? null : "invalid_current_password";
    if (!refusal && user.mfaEnabledAt) {
      refusal = input.code ? await checkCurrentFactor(tx, scope, user, input.code) : "mfa_code_required";
    }
    if (refusal) {
      const count = refusal === "mfa_code_required" ? null : await recordFailure(scope, subject);
      await scope.audit(tx, "user.mfa_enrolment_refused", null, {
        reason: refusal,
        failures: count?.failures ?? 0,
        locked: count?.locked ?? false,
        slowedSeconds: count?.slowedSeconds ?? 0,
      });
      // The audit event must survive the refusal, so the transaction commits and the error is thrown after it.
      return { ok: false as const, refusal };
    }
    await recordSuccess(scope, subject);
    const secret = toBase32(randomBytes(20));
    const encrypted = await encryptSecret(secret, scope.section("auth").mfaEncryptionKey, user.id);
    if (user.mfaEnabledAt) {
      await scope.redis.set(pendingKey(user.id), encrypted, { ex: PENDING_SECONDS });
    } else {
      await updateOwnAccount(tx, user.id, { mfaSecretEncrypted: encrypted });
    }
    await scope.audit(tx, "user.mfa_enrolment_started", null, { replacing: user.mfaEnabledAt !== null });
    return { ok: true as const, enrolment: { secret, otpauthUri: otpauthUri(secret, user.email, "Vitalis") } };
  });
  if (!outcome.ok) throw enrolmentRefused(outcome.refusal);
  return outcome.enrolment;
}

function newRecoveryCode(): string {
  const text = toBase32(randomBytes(7)).slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5, 10)}`;
}

/**
 * Turns on `encryptedSecret` as the account's factor: ten new recovery codes (returned once, stored hashed),
 * and every session issued before `now` ends (refresh families revoked, tokens before `now` refused).
 */
async function enableFactor(
  tx: Transaction,
  user: typeof users.$inferSelect,
  encryptedSecret: string,
  now: Date,
): Promise<string[]> {
  const replacing = user.mfaEnabledAt !== null;
  const codes = Array.from({ length: 10 }, newRecoveryCode);
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
  await tx
    .insert(mfaRecoveryCodes)
    .values(await Promise.all(codes.map(async (c) => ({ userId: user.id, codeHash: await sha256Hex(c) }))));
  await updateOwnAccount(tx, user.id, {
    mfaSecretEncrypted: encryptedSecret,
    mfaEnabledAt: now,
    tokensValidAfter: now,
    updatedAt: now,
  });
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: replacing ? "mfa_replaced" : "mfa_enabled" })
    .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)));
  return codes;
}

/** After `enableFactor` commits: access tokens issued up to `now` are refused (the check logout-all relies on). */
async function refuseTokensBefore(scope: Scope, userId: string, now: Date): Promise<void> {
  await scope.redis.set(userNotBeforeKey(userId), String(revocationSecond(now)), { ex: REVOCATION_MEMORY_SECONDS });
}

/**
 * Confirms enrolment (or the replacement of the enrolled factor) with a first code of the new secret; returns
 * ten one-time recovery codes, shown once and stored hashed. Every other session of the account ends: its
 * refresh tokens are revoked and access tokens issued before now refused; the caller's session goes on with
 * the fresh access token in the answer.
 */
export async function confirmMfaEnrolment(scope: Scope, input: { code: string }): Promise<MfaConfirmation> {
  const principal = requireUser(scope);
  const auth = scope.section("auth");
  const now = new Date();
  const recoveryCodes = await scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user?.mfaSecretEncrypted) throw new ConflictError("mfa_not_started", "Start two-step verification first.");
    const replacing = user.mfaEnabledAt !== null;
    const pending = replacing ? await scope.redis.get<string>(pendingKey(user.id)) : user.mfaSecretEncrypted;
    if (!pending) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
    const secret = await decryptSecret(pending, auth.mfaEncryptionKey, user.id);
    const step = await verifyTotp(secret, input.code.trim());
    if (step === null) throw new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
    await scope.redis.set(`vitalis:totp-used:${user.id}:${step}`, "1", { nx: true, ex: 120 });
    const codes = await enableFactor(tx, user, pending, now);
    await scope.audit(tx, replacing ? "user.mfa_replaced" : "user.mfa_enabled");
    return codes;
  });
  await scope.redis.del(pendingKey(principal.userId));
  await refuseTokensBefore(scope, principal.userId, now);
  const { token } = await issueAccessToken(auth, {
    userId: principal.userId,
    tenantId: scope.tenant.id,
    roles: principal.roles,
    amr: principal.amr,
    authTime: principal.authTime,
    issuedNoEarlierThan: revocationSecond(now),
  });
  return { recoveryCodes, accessToken: token };
}

// ---- Enrolment forced at sign-in by the tenant's policy ------------------------------------------------

/** The account an enrolment token names, which must still be active and without a second factor. */
async function enrollingUser(tx: Transaction, userId: string): Promise<typeof users.$inferSelect> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user || user.status !== "active") {
    throw new UnauthorizedError("invalid_mfa_token", "The sign-in step expired. Start again with your password.");
  }
  if (user.mfaEnabledAt) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
  return user;
}

/**
 * Step two of a sign-in the policy stopped: a new TOTP secret for the account named by the enrolment token
 * (the password was checked when it was issued, at most ten minutes ago). It opens nothing else.
 */
export async function startForcedEnrolment(scope: Scope, input: { enrolmentToken: string }): Promise<MfaEnrolment> {
  const auth = scope.section("auth");
  const step = await verifyMfaToken(auth, input.enrolmentToken, scope.tenant.id, "enrol");
  return scope.transaction(async (tx) => {
    const user = await enrollingUser(tx, step.userId);
    // The enrolment token proves the password: only the owner's own transaction may change the account (schema/users.ts).
    await actAsUser(tx, user.id);
    const secret = toBase32(randomBytes(20));
    const encrypted = await encryptSecret(secret, auth.mfaEncryptionKey, user.id);
    await updateOwnAccount(tx, user.id, { mfaSecretEncrypted: encrypted });
    await scope.audit(tx, "user.mfa_enrolment_started", null, { replacing: false, forced: true }, asUser(user.id));
    return { secret, otpauthUri: otpauthUri(secret, user.email, "Vitalis") };
  });
}

/**
 * Step three: a first code of the new secret turns the factor on and starts the session, with `otp` and `mfa`
 * in its `amr`. Five codes per enrolment token, and each token completes one enrolment.
 */
export async function confirmForcedEnrolment(
  scope: Scope,
  input: { enrolmentToken: string; code: string; deviceHash: string },
): Promise<{ recoveryCodes: string[]; session: SessionTokens }> {
  const auth = scope.section("auth");
  const step = await verifyMfaToken(auth, input.enrolmentToken, scope.tenant.id, "enrol");
  const attemptsKey = `vitalis:mfa-attempts:${step.jti}`;
  const attempts = await scope.redis.incr(attemptsKey);
  if (attempts === 1) await scope.redis.expire(attemptsKey, ENROLMENT_TOKEN_SECONDS);
  if (attempts > 5) {
    throw new UnauthorizedError("invalid_mfa_token", "Too many wrong codes. Start again with your password.");
  }
  const now = new Date();
  const outcome = await scope.transaction(async (tx) => {
    const user = await enrollingUser(tx, step.userId);
    if (!user.mfaSecretEncrypted) throw new ConflictError("mfa_not_started", "Start two-step verification first.");
    const secret = await decryptSecret(user.mfaSecretEncrypted, auth.mfaEncryptionKey, user.id);
    const totpStep = await verifyTotp(secret, input.code.trim());
    if (totpStep === null) return { ok: false as const, userId: user.id };
    await scope.redis.set(`vitalis:totp-used:${user.id}:${totpStep}`, "1", { nx: true, ex: 120 });
    await actAsUser(tx, user.id);
    const recoveryCodes = await enableFactor(tx, user, user.mfaSecretEncrypted, now);
    const amr = ["pwd", "otp", "mfa"];
    const session = await createSession(tx, scope, { id: user.id, tokensValidAfter: now }, amr, now);
    await scope.redis.sadd(`vitalis:devices:${user.id}`, input.deviceHash);
    await scope.audit(tx, "user.mfa_enabled", null, { forced: true }, asUser(user.id));
    await scope.audit(tx, "auth.login", null, { amr }, asUser(user.id));
    return { ok: true as const, recoveryCodes, session };
  });
  if (!outcome.ok) {
    await scope.transaction((tx) =>
      scope.audit(
        tx,
        "user.mfa_enrolment_refused",
        null,
        { reason: "invalid_mfa_code", forced: true },
        asUser(outcome.userId),
      ),
    );
    throw new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
  }
  await refuseTokensBefore(scope, step.userId, now);
  return { recoveryCodes: outcome.recoveryCodes, session: outcome.session };
}

/** A physician declares their CRM (and RQE); it waits for an admin's verification. */
export async function submitCredential(scope: Scope, input: CredentialInput): Promise<CredentialView> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const values = {
      tenantId: scope.tenant.id,
      userId: principal.userId,
      crmNumber: input.crmNumber,
      crmUf: input.crmUf,
      rqe: input.rqe,
      specialty: input.specialty ?? null,
      status: "pending" as const,
      note: null,
      reviewedBy: null,
      reviewedAt: null,
      updatedAt: new Date(),
    };
    const [row] = await tx
      .insert(professionalCredentials)
      .values(values)
      .onConflictDoUpdate({ target: [professionalCredentials.tenantId, professionalCredentials.userId], set: values })
      .returning();
    await scope.audit(
      tx,
      "credential.submitted",
      { type: "user", id: principal.userId },
      { crm: `${input.crmNumber}/${input.crmUf}`, rqe: input.rqe },
    );
    return viewCredential(row)!;
  });
}

/**
 * The credential queue: the tenant's members' declared CRM/UF and RQE in one status (pending by default), oldest
 * first, for an admin to check against the councils' registers.
 */
export async function listCredentials(
  scope: Scope,
  input: { status: CredentialStatus },
): Promise<CredentialQueueItem[]> {
  if (!hasRole(requireUser(scope), "admin")) throw new ForbiddenError();
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select({ credential: professionalCredentials, email: users.email, displayName: users.displayName })
      .from(professionalCredentials)
      .innerJoin(users, eq(users.id, professionalCredentials.userId))
      .where(
        and(eq(professionalCredentials.tenantId, scope.tenant.id), eq(professionalCredentials.status, input.status)),
      )
      .orderBy(asc(professionalCredentials.updatedAt));
    const roles = await tx
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.tenantId, scope.tenant.id));
    return rows.map(({ credential, email, displayName }) => ({
      userId: credential.userId,
      displayName,
      email,
      roles: roles
        .filter((row) => row.userId === credential.userId)
        .map((row) => row.role)
        .sort(),
      council: credential.council,
      crmNumber: credential.crmNumber,
      crmUf: credential.crmUf,
      rqe: credential.rqe,
      specialty: credential.specialty,
      status: credential.status,
      note: credential.note,
      submittedAt: credential.updatedAt.toISOString(),
      reviewedAt: credential.reviewedAt?.toISOString() ?? null,
    }));
  });
}

/**
 * An admin verifies or rejects a credential, with a note; the change and its previous state are audited, and the
 * physician is told by e-mail (queued in the same transaction).
 */
export async function reviewCredential(
  scope: Scope,
  input: {
    userId: string;
    status: Exclude<CredentialStatus, "pending">;
    note: string;
    mail: { origin: string; locale: ContentLocale };
  },
): Promise<CredentialView> {
  const admin = requireUser(scope);
  const { userId } = input;
  return scope.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(professionalCredentials)
      .where(and(eq(professionalCredentials.tenantId, scope.tenant.id), eq(professionalCredentials.userId, userId)))
      .for("update");
    if (!current) throw new NotFoundError("This person has not submitted a credential.");
    const [row] = await tx
      .update(professionalCredentials)
      .set({
        status: input.status,
        note: input.note,
        reviewedBy: admin.userId,
        reviewedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(professionalCredentials.tenantId, scope.tenant.id), eq(professionalCredentials.userId, userId)))
      .returning();
    const [person] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
    const outboxId = person
      ? await enqueueEmail(scope, tx, {
          to: person.email,
          locale: input.mail.locale,
          message: {
            template: "credential-reviewed",
            data: { tenantName: scope.tenant.name, origin: input.mail.origin, status: input.status, note: input.note },
          },
        })
      : null;
    await scope.audit(
      tx,
      "credential.reviewed",
      { type: "user", id: userId },
      {
        from: current.status,
        to: input.status,
        note: input.note,
        crm: `${current.crmNumber}/${current.crmUf}`,
        outboxId,
      },
    );
    return viewCredential(row)!;
  });
}
