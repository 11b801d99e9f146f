import { and, asc, eq } from "drizzle-orm";
import { memberships, users } from "../../../schema";
import { hasRole } from "../../lib/actor";
import type { Transaction } from "../../lib/db";
import { ForbiddenError, NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";

/**
 * Service accounts: a tenant's integrations as principals of their own (schema/users.ts, `kind = 'service'`), so
 * what an integration drafts has an author that is not a person and its tokens outlive whoever set it up. Only the
 * tenant's admins, in a session (never through a token), make and list them; an admin suspends, resumes or removes
 * one as any member (members.ts), which stops its tokens at once. It holds the `author` role only.
 */
export interface ServiceAccountView {
  id: string;
  name: string;
  status: "active" | "disabled";
  createdAt: string;
}

/** An admin in a session: service accounts and their tokens are never managed by a token. */
export function requireAdminSession(scope: Scope): void {
  const actor = requireUser(scope);
  if (actor.apiToken) throw new ForbiddenError("token_not_allowed", "An API token cannot manage API tokens.");
  if (!hasRole(actor, "admin")) throw new ForbiddenError();
}

/** Makes a service account here with the `author` role (audited). */
export async function createServiceAccount(scope: Scope, input: { name: string }): Promise<ServiceAccountView> {
  requireAdminSession(scope);
  const id = crypto.randomUUID();
  const createdAt = new Date();
  await scope.transaction(async (tx) => {
    // No RETURNING: the row is checked against users_read before it has an xmin (design notes, "Data"). The address
    // is a name under `.invalid` (RFC 2606): unique as the column requires, and no mail or sign-in ever reaches it.
    await tx.insert(users).values({
      id,
      email: `service-${id}@service.invalid`,
      displayName: input.name,
      passwordHash: null,
      kind: "service",
      createdAt,
    });
    await tx.insert(memberships).values({ tenantId: scope.tenant.id, userId: id, role: "author", status: "active" });
    await scope.audit(tx, "service_account.created", { type: "user", id }, { name: input.name });
  });
  return { id, name: input.name, status: "active", createdAt: createdAt.toISOString() };
}

/** The tenant's service accounts, oldest first. */
export async function listServiceAccounts(scope: Scope): Promise<ServiceAccountView[]> {
  requireAdminSession(scope);
  const rows = await scope.transaction((tx) =>
    tx
      .select({ id: users.id, name: users.displayName, status: memberships.status, createdAt: users.createdAt })
      .from(users)
      .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, scope.tenant.id)))
      .where(eq(users.kind, "service"))
      .orderBy(asc(users.createdAt)),
  );
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

/** The id of this tenant's service account `id`; 404 when there is none (a person's id included). */
export async function serviceAccountHere(tx: Transaction, scope: Scope, id: string): Promise<string> {
  const [row] = await tx
    .select({ id: users.id })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, scope.tenant.id)))
    .where(and(eq(users.id, id), eq(users.kind, "service")))
    .limit(1);
  if (!row) throw new NotFoundError("No such service account here.");
  return row.id;
}
