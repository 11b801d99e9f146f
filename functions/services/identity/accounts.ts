import { and, eq } from "drizzle-orm";
import { memberships, mfaRecoveryCodes, professionalCredentials, users } from "../../../schema";
import type { CredentialStatus } from "../../../schema/professional-credentials";
import { encryptSecret, decryptSecret } from "../../lib/aead";
import { sha256Hex } from "../../lib/crypto";
import { withTenant } from "../../lib/db";
import { randomBytes, toBase32 } from "../../lib/encoding";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from "../../lib/errors";
import { hashPassword, verifyPassword } from "../../lib/passwords";
import { assertAcceptablePassword } from "../../lib/password-policy";
import type { UserActor } from "../../lib/actor";
import { otpauthUri, verifyTotp } from "../../lib/totp";
import { appendAudit } from "../audit";
import type { IdentityDeps } from "./deps";
import { revokeAllSessions } from "./sessions";

type AccountDeps = Pick<IdentityDeps, "db" | "redis" | "auth" | "tenant" | "requestId">;

export interface CredentialView {
  crm_number: string;
  crm_uf: string;
  rqe: string[];
  specialty: string | null;
  status: CredentialStatus;
  note: string | null;
  reviewed_at: string | null;
}

export interface Me {
  id: string;
  email: string;
  display_name: string;
  roles: string[];
  mfa_enabled: boolean;
  credential: CredentialView | null;
}

function viewCredential(row: typeof professionalCredentials.$inferSelect | undefined): CredentialView | null {
  if (!row) return null;
  return {
    crm_number: row.crmNumber,
    crm_uf: row.crmUf,
    rqe: row.rqe,
    specialty: row.specialty,
    status: row.status,
    note: row.note,
    reviewed_at: row.reviewedAt?.toISOString() ?? null,
  };
}

export async function getMe(deps: AccountDeps, principal: UserActor): Promise<Me> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    const roles = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, deps.tenant.id), eq(memberships.userId, user.id)));
    const [credential] = await tx
      .select()
      .from(professionalCredentials)
      .where(and(eq(professionalCredentials.tenantId, deps.tenant.id), eq(professionalCredentials.userId, user.id)));
    return {
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      roles: roles.map((r) => r.role),
      mfa_enabled: user.mfaEnabledAt !== null,
      credential: viewCredential(credential),
    };
  });
}

export async function changePassword(
  deps: AccountDeps,
  principal: UserActor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  await withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw new ForbiddenError("invalid_current_password", "The current password is not correct.");
    }
    assertAcceptablePassword(input.newPassword, { email: user.email });
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: new Date() })
      .where(eq(users.id, user.id));
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: user.id,
      action: "user.password_changed",
      requestId: deps.requestId,
    });
  });
}

/** Starts TOTP enrolment: a new secret, stored encrypted and inactive until a code from it is confirmed. */
export async function startMfaEnrolment(
  deps: AccountDeps,
  principal: UserActor,
): Promise<{ secret: string; otpauth_uri: string }> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user) throw new UnauthorizedError();
    if (user.mfaEnabledAt) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
    const secret = toBase32(randomBytes(20));
    await tx
      .update(users)
      .set({
        mfaSecretEncrypted: await encryptSecret(secret, deps.auth.mfaEncryptionKey, user.id),
        updatedAt: new Date(),
      })
      .where(eq(users.id, user.id));
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: user.id,
      action: "user.mfa_enrolment_started",
      requestId: deps.requestId,
    });
    return { secret, otpauth_uri: otpauthUri(secret, user.email, "Vitalis") };
  });
}

function newRecoveryCode(): string {
  const text = toBase32(randomBytes(7)).slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5, 10)}`;
}

/** Confirms enrolment with a first code; returns ten one-time recovery codes, shown once and stored hashed. */
export async function confirmMfaEnrolment(
  deps: AccountDeps,
  principal: UserActor,
  code: string,
): Promise<{ recovery_codes: string[] }> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId)).limit(1);
    if (!user?.mfaSecretEncrypted) throw new ConflictError("mfa_not_started", "Start two-step verification first.");
    if (user.mfaEnabledAt) throw new ConflictError("mfa_already_enabled", "Two-step verification is already on.");
    const secret = await decryptSecret(user.mfaSecretEncrypted, deps.auth.mfaEncryptionKey, user.id);
    const step = await verifyTotp(secret, code.trim());
    if (step === null) throw new UnauthorizedError("invalid_mfa_code", "The code is not correct.");
    await deps.redis.set(`vitalis:totp-used:${user.id}:${step}`, "1", { nx: true, ex: 120 });
    const codes = Array.from({ length: 10 }, newRecoveryCode);
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
    await tx
      .insert(mfaRecoveryCodes)
      .values(await Promise.all(codes.map(async (c) => ({ userId: user.id, codeHash: await sha256Hex(c) }))));
    await tx.update(users).set({ mfaEnabledAt: new Date(), updatedAt: new Date() }).where(eq(users.id, user.id));
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: user.id,
      action: "user.mfa_enabled",
      requestId: deps.requestId,
    });
    return { recovery_codes: codes };
  });
}

export interface CredentialInput {
  crmNumber: string;
  crmUf: string;
  rqe: string[];
  specialty?: string | undefined;
}

/** A physician declares their CRM (and RQE); it waits for an admin's verification. */
export async function submitCredential(
  deps: AccountDeps,
  principal: UserActor,
  input: CredentialInput,
): Promise<CredentialView> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const values = {
      tenantId: deps.tenant.id,
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
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: principal.userId,
      action: "credential.submitted",
      targetType: "user",
      targetId: principal.userId,
      requestId: deps.requestId,
      details: { crm: `${input.crmNumber}/${input.crmUf}`, rqe: input.rqe },
    });
    return viewCredential(row)!;
  });
}

/** An admin verifies or rejects a credential, with a note; the change and its previous state are audited. */
export async function reviewCredential(
  deps: AccountDeps,
  admin: UserActor,
  userId: string,
  input: { status: Exclude<CredentialStatus, "pending">; note: string },
): Promise<CredentialView> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [current] = await tx
      .select()
      .from(professionalCredentials)
      .where(and(eq(professionalCredentials.tenantId, deps.tenant.id), eq(professionalCredentials.userId, userId)))
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
      .where(and(eq(professionalCredentials.tenantId, deps.tenant.id), eq(professionalCredentials.userId, userId)))
      .returning();
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: admin.userId,
      action: "credential.reviewed",
      targetType: "user",
      targetId: userId,
      requestId: deps.requestId,
      details: {
        from: current.status,
        to: input.status,
        note: input.note,
        crm: `${current.crmNumber}/${current.crmUf}`,
      },
    });
    return viewCredential(row)!;
  });
}

/** Disables a member: no new sign-ins, and every token they hold is void at once. */
export async function disableUser(deps: AccountDeps, admin: UserActor, userId: string): Promise<void> {
  if (userId === admin.userId) throw new ConflictError("cannot_disable_self", "You cannot disable your own account.");
  const found = await withTenant(deps.db, deps.tenant.id, async (tx) => {
    const updated = await tx
      .update(users)
      .set({ status: "disabled", updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning({ id: users.id });
    if (updated.length > 0) {
      await appendAudit(tx, {
        tenantId: deps.tenant.id,
        actorType: "user",
        actorId: admin.userId,
        action: "user.disabled",
        targetType: "user",
        targetId: userId,
        requestId: deps.requestId,
      });
    }
    return updated.length > 0;
  });
  if (!found) throw new NotFoundError("No such member.");
  await revokeAllSessions(deps, userId, { id: admin.userId, reason: "user_disabled" });
}
