import { asc, eq, inArray } from "drizzle-orm";
import { tenantHostnames, tenants } from "../../../schema";
import type { TenantContext } from "../../lib/actor";
import type { Database, Transaction } from "../../lib/db";
import { ConflictError, NotFoundError } from "../../lib/errors";
import type { PlatformScope } from "../../scope";
import type { CreatedTenant, CreateTenantInput, TenantView } from "../../shapes/platform";
import { createInvitation } from "../identity/invitations";
import { MAIL_LINK_PATHS } from "../mail/messages";
import { forgetTenantHosts } from "../tenants";

/**
 * Creates a tenant for the platform operator, in one transaction of the new tenant: the tenant, its hostname
 * (primary), the first event of its audit chain and its first admin's invitation, whose e-mail is queued in the
 * same transaction. Sign-in policy and retention need no seeding: the MFA policy is the column's strict default,
 * and retention is the one policy table every tenant shares (schema/retention-policies.ts).
 */
export async function createTenant(platform: PlatformScope, input: CreateTenantInput): Promise<CreatedTenant> {
  const tenant: TenantContext = { id: crypto.randomUUID(), slug: input.slug, name: input.name };
  const scope = platform.forTenant(tenant);
  const origin = input.origin ? new URL(input.origin).origin : `https://${input.hostname}`;
  try {
    return await scope.transaction(async (tx) => {
      await tx.insert(tenants).values(tenant);
      await tx.insert(tenantHostnames).values({ hostname: input.hostname, tenantId: tenant.id, isPrimary: true });
      await scope.audit(
        tx,
        "tenant.created",
        { type: "tenant", id: tenant.id },
        { slug: tenant.slug, name: tenant.name, hostname: input.hostname },
      );
      const invitation = await createInvitation(scope, tx, {
        email: input.adminEmail,
        roles: ["admin"],
        origin,
        locale: input.locale,
      });
      return {
        tenant: await viewOf(tx, tenant.id),
        invitation: {
          id: invitation.id,
          email: invitation.email,
          expiresAt: invitation.expiresAt.toISOString(),
          link: `${origin}${MAIL_LINK_PATHS.invitation}#token=${invitation.token}`,
        },
      };
    });
  } catch (error) {
    throw platformConflict(error);
  } finally {
    // This isolate may remember the hostname as unknown.
    forgetTenantHosts({ hostnames: [input.hostname] });
  }
}

/** Every tenant with its hostnames, by slug. */
export async function listTenants(platform: PlatformScope): Promise<TenantView[]> {
  const rows = await platform.clients.db.select().from(tenants).orderBy(asc(tenants.slug));
  return viewsOf(platform.clients.db, rows);
}

/** The tenant with this slug, or 404. */
export async function findTenant(db: Database | Transaction, slug: string): Promise<TenantContext> {
  const [row] = await db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name })
    .from(tenants)
    .where(eq(tenants.slug, slug))
    .limit(1);
  if (!row) throw new NotFoundError("No tenant has this slug.");
  return row;
}

/**
 * Suspends or resumes a tenant: while suspended its site and API answer 503 `tenant_suspended`
 * (services/tenants.ts) and its data is untouched. Audited in the tenant's chain with the operator's reason;
 * asking for the state the tenant is already in changes nothing and audits nothing.
 */
export async function setTenantStatus(
  platform: PlatformScope,
  input: { slug: string; status: "active" | "suspended"; reason: string },
): Promise<TenantView> {
  const tenant = await findTenant(platform.clients.db, input.slug);
  const scope = platform.forTenant(tenant);
  const view = await scope.transaction(async (tx) => {
    const [current] = await tx
      .select({ status: tenants.status })
      .from(tenants)
      .where(eq(tenants.id, tenant.id))
      .for("update");
    if (current && current.status !== input.status) {
      await tx.update(tenants).set({ status: input.status }).where(eq(tenants.id, tenant.id));
      await scope.audit(
        tx,
        input.status === "suspended" ? "tenant.suspended" : "tenant.resumed",
        { type: "tenant", id: tenant.id },
        { reason: input.reason },
      );
    }
    return viewOf(tx, tenant.id);
  });
  forgetTenantHosts({ tenantId: tenant.id });
  return view;
}

type TenantRow = typeof tenants.$inferSelect;

export async function viewOf(tx: Database | Transaction, tenantId: string): Promise<TenantView> {
  const rows = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  const [view] = await viewsOf(tx, rows);
  if (!view) throw new NotFoundError("No such tenant.");
  return view;
}

async function viewsOf(db: Database | Transaction, rows: TenantRow[]): Promise<TenantView[]> {
  if (rows.length === 0) return [];
  const hosts = await db
    .select()
    .from(tenantHostnames)
    .where(
      inArray(
        tenantHostnames.tenantId,
        rows.map((row) => row.id),
      ),
    )
    .orderBy(asc(tenantHostnames.hostname));
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    hostnames: hosts
      .filter((host) => host.tenantId === row.id)
      .map((host) => ({ hostname: host.hostname, primary: host.isPrimary })),
  }));
}

/** PostgreSQL's unique violations on a tenant's slug or a hostname, as the 409 the operator can act on. */
export function platformConflict(error: unknown): unknown {
  const cause = ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint?: string };
  if (cause.code !== "23505") return error;
  if (cause.constraint === "tenant_hostnames_pkey") {
    return new ConflictError("hostname_taken", "This hostname already belongs to a tenant.");
  }
  if (cause.constraint === "tenants_slug_unique") {
    return new ConflictError("tenant_slug_taken", "A tenant with this slug already exists.");
  }
  return error;
}
