import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { memberships, refreshTokens, users } from "../../../schema";
import type { MembershipStatus, Role } from "../../../schema/memberships";
import type { CredentialStatus } from "../../../schema/professional-credentials";
import { hasRole } from "../../lib/actor";
import type { Transaction } from "../../lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import type { Member, MemberPage, MemberQuery, MemberStatus } from "../../shapes/members";
import { tenantNotBeforeKey } from "../trust-signals";
import { revocationSecond } from "./sessions";
import { REVOCATION_MEMORY_SECONDS } from "./tokens";

/**
 * A tenant's say over its people: who is a member, with which roles, active or suspended. Users are global (a
 * physician may write for two clinics), so every change here touches this tenant's membership only, ends the
 * member's sessions in this tenant only, and is audited. A tenant keeps at least one active admin.
 */

/** Only a tenant's admins manage its members (the routes' `protect()` says so too). */
function requireAdmin(scope: Scope): void {
  const actor = requireUser(scope);
  if (!hasRole(actor, "admin")) throw new ForbiddenError();
}

const LAST_ADMIN = (): ConflictError =>
  new ConflictError(
    "last_admin",
    "This is the clinic's last active admin. Make someone else an admin before removing, demoting or suspending them.",
  );

interface MemberRow extends Record<string, unknown> {
  user_id: string;
  email: string;
  display_name: string;
  kind: "person" | "service";
  roles: Role[];
  suspended: boolean;
  mfa_enabled: boolean;
  credential_status: CredentialStatus | null;
  joined_at: Date | string;
  total: number;
}

function viewMember(row: MemberRow): Member {
  return {
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    kind: row.kind,
    roles: [...row.roles].sort(),
    status: row.suspended ? "suspended" : "active",
    mfaEnabled: row.mfa_enabled,
    credentialStatus: row.credential_status,
    joinedAt: new Date(row.joined_at).toISOString(),
  };
}

/** `%` and `_` in a search are literal characters, not LIKE wildcards. */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function memberSelect(
  tenantId: string,
  filter: { userId?: string; role?: Role; status?: MemberStatus; q?: string },
): ReturnType<typeof sql> {
  const where = [sql`m.tenant_id = ${tenantId}`];
  if (filter.userId) where.push(sql`m.user_id = ${filter.userId}`);
  if (filter.q) {
    const pattern = `%${likeLiteral(filter.q)}%`;
    where.push(sql`(u.email ilike ${pattern} or vitalis_unaccent(u.display_name) ilike vitalis_unaccent(${pattern}))`);
  }
  const having = [sql`true`];
  if (filter.role) having.push(sql`bool_or(m.role = ${filter.role})`);
  // Any disabled row makes the membership suspended (fail closed, like membership-status.ts).
  if (filter.status === "suspended") having.push(sql`bool_or(m.status = 'disabled')`);
  if (filter.status === "active") having.push(sql`not bool_or(m.status = 'disabled')`);
  return sql`
    select u.id as user_id, u.email, u.display_name, u.kind, array_agg(m.role order by m.role) as roles,
           bool_or(m.status = 'disabled') as suspended, u.mfa_enabled_at is not null as mfa_enabled,
           pc.status as credential_status, min(m.created_at) as joined_at, (count(*) over ())::int as total
      from memberships m
      join users u on u.id = m.user_id
      left join professional_credentials pc on pc.tenant_id = m.tenant_id and pc.user_id = m.user_id
     where ${sql.join(where, sql` and `)}
     group by u.id, pc.status
    having ${sql.join(having, sql` and `)}`;
}

/** The tenant's members, by name, filtered by role, status and a piece of name or e-mail; one page at a time. */
export async function listMembers(scope: Scope, query: MemberQuery): Promise<MemberPage> {
  requireAdmin(scope);
  return scope.transaction(async (tx) => {
    const offset = (query.page - 1) * query.pageSize;
    const result = await tx.execute<MemberRow>(sql`
      ${memberSelect(scope.tenant.id, query)}
      order by lower(u.display_name), u.id
      limit ${query.pageSize} offset ${offset}`);
    return {
      items: result.rows.map(viewMember),
      total: result.rows[0]?.total ?? (offset > 0 ? await countMembers(tx, scope.tenant.id, query) : 0),
      page: query.page,
      pageSize: query.pageSize,
    };
  });
}

/** The count of a filter when the page asked for lies past its end (the window count came back with no row). */
async function countMembers(tx: Transaction, tenantId: string, query: MemberQuery): Promise<number> {
  const result = await tx.execute<{ n: number }>(
    sql`select count(*)::int as n from (${memberSelect(tenantId, query)}) as matching`,
  );
  return result.rows[0]?.n ?? 0;
}

async function memberView(tx: Transaction, tenantId: string, userId: string): Promise<Member> {
  const result = await tx.execute<MemberRow>(memberSelect(tenantId, { userId }));
  const row = result.rows[0];
  if (!row) throw new NotFoundError("No such member.");
  return viewMember(row);
}

/** The person's role rows here, locked against a concurrent change of the tenant's admins; 404 when none. */
async function lockedMembership(
  tx: Transaction,
  tenantId: string,
  userId: string,
): Promise<{ roles: Role[]; status: MembershipStatus }> {
  // One change to a tenant's admins at a time: two admins demoting each other at once must not leave none.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`vitalis:members:${tenantId}`}, 0))`);
  const rows = await tx
    .select({ role: memberships.role, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
  if (rows.length === 0) throw new NotFoundError("No such member.");
  return {
    roles: rows.map((row) => row.role).sort(),
    status: rows.some((row) => row.status === "disabled") ? "disabled" : "active",
  };
}

/**
 * Refuses a change that would leave the tenant without an active admin: the person is one now, and nobody else
 * is. Call it after `lockedMembership`, whose lock makes the count stand until the transaction ends.
 */
async function assertAnotherActiveAdmin(
  tx: Transaction,
  tenantId: string,
  userId: string,
  current: { roles: Role[]; status: MembershipStatus },
): Promise<void> {
  if (!current.roles.includes("admin") || current.status !== "active") return;
  const result = await tx.execute<{ n: number }>(sql`
    select count(distinct m.user_id)::int as n
      from memberships m join users u on u.id = m.user_id
     where m.tenant_id = ${tenantId} and m.role = 'admin' and m.user_id <> ${userId} and u.status = 'active'
       and not exists (select 1 from memberships d
                        where d.tenant_id = m.tenant_id and d.user_id = m.user_id and d.status = 'disabled')`);
  if ((result.rows[0]?.n ?? 0) === 0) throw LAST_ADMIN();
}

/**
 * Ends the person's sessions in this tenant: its refresh tokens are revoked, and access tokens issued up to now
 * are refused by `protect()` (the per-tenant not-before key its one script reads). The key is set before the
 * transaction commits, so a Redis failure leaves the change undone rather than the old tokens alive (fail closed).
 * Their sessions in other tenants are untouched.
 */
async function endSessionsHere(
  tx: Transaction,
  scope: Scope,
  userId: string,
  reason: "membership_suspended" | "membership_removed" | "roles_changed",
): Promise<number> {
  const now = new Date();
  const revoked = await tx
    .update(refreshTokens)
    .set({ revokedAt: now, revokedReason: reason })
    .where(
      and(
        eq(refreshTokens.tenantId, scope.tenant.id),
        eq(refreshTokens.userId, userId),
        isNull(refreshTokens.revokedAt),
      ),
    )
    .returning({ id: refreshTokens.id });
  await scope.redis.set(tenantNotBeforeKey(scope.tenant.id, userId), String(revocationSecond(now)), {
    ex: REVOCATION_MEMORY_SECONDS,
  });
  return revoked.length;
}

/**
 * Gives the member exactly `roles` here. Access tokens carry roles, so the member's tokens for this tenant end
 * and they sign in again to get the new ones. A suspended member stays suspended with the new roles.
 */
export async function changeMemberRoles(scope: Scope, input: { userId: string; roles: Role[] }): Promise<Member> {
  requireAdmin(scope);
  const { userId } = input;
  const wanted = [...new Set(input.roles)].sort();
  return scope.transaction(async (tx) => {
    const current = await lockedMembership(tx, scope.tenant.id, userId);
    // A service account is an author and nothing else (schema/users.ts `kind`; a trigger holds the same line).
    const [principal] = await tx.select({ kind: users.kind }).from(users).where(eq(users.id, userId)).limit(1);
    if (principal?.kind === "service" && wanted.join() !== "author") {
      throw new ConflictError("service_account_roles", "A service account holds the author role only.");
    }
    const added = wanted.filter((role) => !current.roles.includes(role));
    const removed = current.roles.filter((role) => !wanted.includes(role));
    if (added.length === 0 && removed.length === 0) return memberView(tx, scope.tenant.id, userId);
    if (removed.includes("admin")) await assertAnotherActiveAdmin(tx, scope.tenant.id, userId, current);
    // New rows first: memberships_attach accepts a role for a person who is a member here already.
    if (added.length > 0) {
      await tx
        .insert(memberships)
        .values(added.map((role) => ({ tenantId: scope.tenant.id, userId, role, status: current.status })));
    }
    if (removed.length > 0) {
      await tx
        .delete(memberships)
        .where(
          and(
            eq(memberships.tenantId, scope.tenant.id),
            eq(memberships.userId, userId),
            inArray(memberships.role, removed),
          ),
        );
    }
    const sessionsRevoked = await endSessionsHere(tx, scope, userId, "roles_changed");
    await scope.audit(
      tx,
      "membership.roles_changed",
      { type: "user", id: userId },
      { from: current.roles, to: wanted, sessionsRevoked },
    );
    return memberView(tx, scope.tenant.id, userId);
  });
}

/**
 * Removes the person from this tenant: every role row goes, their sessions here end. Their account, their other
 * tenants and what they wrote here stay (content keeps its author; schema/users.ts lets the tenant still see a
 * person who wrote for it).
 */
export async function removeMember(scope: Scope, input: { userId: string }): Promise<void> {
  requireAdmin(scope);
  const { userId } = input;
  await scope.transaction(async (tx) => {
    const current = await lockedMembership(tx, scope.tenant.id, userId);
    await assertAnotherActiveAdmin(tx, scope.tenant.id, userId, current);
    await tx.delete(memberships).where(and(eq(memberships.tenantId, scope.tenant.id), eq(memberships.userId, userId)));
    const sessionsRevoked = await endSessionsHere(tx, scope, userId, "membership_removed");
    await scope.audit(
      tx,
      "membership.removed",
      { type: "user", id: userId },
      { roles: current.roles, sessionsRevoked },
    );
  });
}

/**
 * Suspends the person's membership here (every role row of it): sign-in, second factor and refresh in this tenant
 * refuse them, and their sessions here end at once. Their account and their other tenants are untouched: only a
 * platform operator disables a person everywhere (users.status).
 */
export async function suspendMember(scope: Scope, input: { userId: string }): Promise<void> {
  requireAdmin(scope);
  const admin = requireUser(scope);
  const { userId } = input;
  if (userId === admin.userId) {
    throw new ConflictError("cannot_suspend_self", "You cannot suspend yourself: ask another admin.");
  }
  await scope.transaction(async (tx) => {
    const current = await lockedMembership(tx, scope.tenant.id, userId);
    await assertAnotherActiveAdmin(tx, scope.tenant.id, userId, current);
    await setMembershipStatus(tx, scope.tenant.id, userId, "disabled");
    const sessionsRevoked = await endSessionsHere(tx, scope, userId, "membership_suspended");
    await scope.audit(
      tx,
      "membership.suspended",
      { type: "user", id: userId },
      { roles: current.roles, sessionsRevoked },
    );
  });
}

/** Lifts a suspension: the person may sign in here again (audited). */
export async function resumeMember(scope: Scope, input: { userId: string }): Promise<void> {
  requireAdmin(scope);
  await scope.transaction(async (tx) => {
    const current = await lockedMembership(tx, scope.tenant.id, input.userId);
    await setMembershipStatus(tx, scope.tenant.id, input.userId, "active");
    await scope.audit(tx, "membership.resumed", { type: "user", id: input.userId }, { roles: current.roles });
  });
}

async function setMembershipStatus(
  tx: Transaction,
  tenantId: string,
  userId: string,
  status: MembershipStatus,
): Promise<void> {
  await tx
    .update(memberships)
    .set({ status })
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}
