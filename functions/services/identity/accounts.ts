import { and, eq } from "drizzle-orm";
import { memberships, mfaRecoveryCodes, professionalCredentials, users } from "../../../schema";
import type { CredentialStatus } from "../../../schema/professional-credentials";
import { encryptSecret, decryptSecret } from "../../lib/aead";
import { sha256Hex } from "../../lib/crypto";
import { randomBytes, toBase32 } from "../../lib/encoding";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from "../../lib/errors";
import { hashPassword, verifyPassword } from "../../lib/passwords";
import { assertAcceptablePassword } from "../../lib/password-policy";
import { otpauthUri, verifyTotp } from "../../lib/totp";
import { requireUser, type Scope } from "../../scope";
import type { CredentialInput, CredentialView, MfaEnrolment, Me, RecoveryCodes } from "../../shapes/account";
import { revokeAllSessions } from "./sessions";

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

export async function changePassword(
  scope: Scope,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const principal = requireUser(scope);
  await scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw new ForbiddenError("invalid_current_password", "The current password is not correct.");
    }
    assertAcceptablePassword(input.newPassword, { email: user.email });
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: new Date() })
      .where(eq(users.id, user.id));
    await scope.audit(tx, "user.password_changed");
  });
}

/** Starts TOTP enrolment: a new secret, stored encrypted and inactive until a code from it is confirmed. */
export async function startMfaEnrolment(scope: Scope): Promise<MfaEnrolment> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    if (user.mfaEnabledAt) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
    const secret = toBase32(randomBytes(20));
    await tx
      .update(users)
      .set({
        mfaSecretEncrypted: await encryptSecret(secret, scope.section("auth").mfaEncryptionKey, user.id),
        updatedAt: new Date(),
      })
      .where(eq(users.id, user.id));
    await scope.audit(tx, "user.mfa_enrolment_started");
    return { secret, otpauthUri: otpauthUri(secret, user.email, "Vitalis") };
  });
}

function newRecoveryCode(): string {
  const text = toBase32(randomBytes(7)).slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5, 10)}`;
}

/** Confirms enrolment with a first code; returns ten one-time recovery codes, shown once and stored hashed. */
export async function confirmMfaEnrolment(scope: Scope, input: { code: string }): Promise<RecoveryCodes> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user?.mfaSecretEncrypted) throw new ConflictError("mfa_not_started", "Start two-step verification first.");
    if (user.mfaEnabledAt) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
    const secret = await decryptSecret(user.mfaSecretEncrypted, scope.section("auth").mfaEncryptionKey, user.id);
    const step = await verifyTotp(secret, input.code.trim());
    if (step === null) throw new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
    await scope.redis.set(`vitalis:totp-used:${user.id}:${step}`, "1", { nx: true, ex: 120 });
    const codes = Array.from({ length: 10 }, newRecoveryCode);
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
    await tx
      .insert(mfaRecoveryCodes)
      .values(await Promise.all(codes.map(async (c) => ({ userId: user.id, codeHash: await sha256Hex(c) }))));
    await tx.update(users).set({ mfaEnabledAt: new Date(), updatedAt: new Date() }).where(eq(users.id, user.id));
    await scope.audit(tx, "user.mfa_enabled");
    return { recoveryCodes: codes };
  });
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

/** An admin verifies or rejects a credential, with a note; the change and its previous state are audited. */
export async function reviewCredential(
  scope: Scope,
  input: { userId: string; status: Exclude<CredentialStatus, "pending">; note: string },
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
    await scope.audit(
      tx,
      "credential.reviewed",
      { type: "user", id: userId },
      {
        from: current.status,
        to: input.status,
        note: input.note,
        crm: `${current.crmNumber}/${current.crmUf}`,
      },
    );
    return viewCredential(row)!;
  });
}

/** Disables a member: no new sign-ins, and every token they hold is void at once. */
export async function disableUser(scope: Scope, input: { userId: string }): Promise<void> {
  const admin = requireUser(scope);
  const { userId } = input;
  if (userId === admin.userId) throw new ConflictError("cannot_disable_self", "You cannot disable your own account.");
  const found = await scope.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ status: "disabled", updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning({ id: users.id });
    if (updated.length > 0) await scope.audit(tx, "user.disabled", { type: "user", id: userId });
    return updated.length > 0;
  });
  if (!found) throw new NotFoundError("No such member.");
  await revokeAllSessions(scope, { userId, reason: "user_disabled" });
}
