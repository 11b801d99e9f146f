import { and, eq, isNull } from "drizzle-orm";
import { memberships, refreshTokens, tenants, users } from "../../../schema";
import { enterTenant, type Transaction } from "../../lib/db";
import { NotFoundError } from "../../lib/errors";
import type { PlatformScope } from "../../scope";
import type { UserByEmail, UserStatusChange } from "../../shapes/platform";
import { revocationSecond } from "../identity/sessions";
import { REVOCATION_MEMORY_SECONDS } from "../identity/tokens";
import { userNotBeforeKey } from "../trust-signals";

/**
 * Disables a person everywhere (a compromised account): `users.status` becomes `disabled`, so sign-in, second
 * factor and refresh refuse them in every tenant; every refresh token of theirs is revoked, and the user-wide
 * not-before key makes `protect()` refuse every access token already issued. One transaction; one audit event in
 * each tenant they belong to, with the operator's reason. A tenant can only disable its own membership
 * (POST /api/users/{id}/disable); this is the platform operator's act.
 */
export async function disableUserEverywhere(platform: PlatformScope, input: UserByEmail): Promise<UserStatusChange> {
  const now = new Date();
  return platform.clients.db.transaction(async (tx) => {
    const user = await findUser(tx, input.email);
    await tx
      .update(users)
      .set({ status: "disabled", tokensValidAfter: now, updatedAt: now })
      .where(eq(users.id, user.id));
    const revoked = await tx
      .update(refreshTokens)
      .set({ revokedAt: now, revokedReason: "user_disabled" })
      .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)))
      .returning({ tenantId: refreshTokens.tenantId });
    const audited = await auditInEachTenant(platform, tx, user.id, "user.disabled", (tenantId) => ({
      reason: input.reason,
      sessionsRevoked: revoked.filter((row) => row.tenantId === tenantId).length,
    }));
    // Before the commit, so a Redis failure leaves the account active rather than its tokens alive (fail closed).
    await platform.clients.redis.set(userNotBeforeKey(user.id), String(revocationSecond(now)), {
      ex: REVOCATION_MEMORY_SECONDS,
    });
    return {
      userId: user.id,
      email: user.email,
      status: "disabled",
      tenants: audited,
      sessionsRevoked: revoked.length,
    };
  });
}

/**
 * Lifts a global disable: the person may sign in again wherever their membership is active (a tenant's own
 * disable of their membership stays). Their old sessions stay revoked. Audited in each tenant they belong to.
 */
export async function enableUserEverywhere(platform: PlatformScope, input: UserByEmail): Promise<UserStatusChange> {
  return platform.clients.db.transaction(async (tx) => {
    const user = await findUser(tx, input.email);
    await tx.update(users).set({ status: "active", updatedAt: new Date() }).where(eq(users.id, user.id));
    const audited = await auditInEachTenant(platform, tx, user.id, "user.enabled", () => ({ reason: input.reason }));
    return { userId: user.id, email: user.email, status: "active", tenants: audited, sessionsRevoked: 0 };
  });
}

async function findUser(tx: Transaction, email: string): Promise<{ id: string; email: string }> {
  const [user] = await tx
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  if (!user) throw new NotFoundError("No account has this e-mail address.");
  return user;
}

/** Appends `action` to the chain of every tenant the person belongs to, inside `tx`; returns their slugs. */
async function auditInEachTenant(
  platform: PlatformScope,
  tx: Transaction,
  userId: string,
  action: string,
  details: (tenantId: string) => Record<string, unknown>,
): Promise<string[]> {
  const memberOf = await tx
    .selectDistinct({ id: tenants.id, slug: tenants.slug, name: tenants.name })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(tenants.slug);
  for (const tenant of memberOf) {
    await enterTenant(tx, tenant.id);
    await platform.forTenant(tenant).audit(tx, action, { type: "user", id: userId }, details(tenant.id));
  }
  return memberOf.map((tenant) => tenant.slug);
}
