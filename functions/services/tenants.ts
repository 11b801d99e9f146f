import { eq, sql } from "drizzle-orm";
import { tenantHostnames, tenants } from "../../schema";
import type { TenantContext } from "../lib/actor";
import type { HttpDatabase } from "../lib/db-http";
import { NotFoundError, TenantSuspendedError } from "../lib/errors";
import type { Logger } from "../lib/logging";
import type { TechnicalDirector } from "../shapes/tenant-settings";
import { forgetMicroCachedAnswers } from "./site-cache";

type TenantStatus = "active" | "suspended";

// Hostname → tenant changes rarely; a short per-isolate memo saves a query on most requests. It holds plain
// data only (no I/O objects). A suspension, resumption or hostname change made through this isolate clears it
// at once (`forgetTenantHosts`); other isolates follow within a minute.
const MEMO_TTL_MS = 60_000;
const MEMO_MAX = 500;
const memo = new Map<string, { tenant: TenantContext | null; status: TenantStatus; expires: number }>();

/**
 * The technical director as stored in the settings document, which only `updateTenantSettings` writes, from
 * validated input (shapes/tenant-settings.ts); anything without the fields pages print counts as not set.
 */
function technicalDirectorOf(value: unknown): TechnicalDirector | null {
  if (!value || typeof value !== "object") return null;
  const director = value as Record<string, unknown>;
  return typeof director.name === "string" &&
    typeof director.crmNumber === "string" &&
    typeof director.crmUf === "string" &&
    (director.rqe === undefined || typeof director.rqe === "string")
    ? (value as TechnicalDirector)
    : null;
}

export function normaliseHost(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

/**
 * The tenant published at `hostname`. An unknown host is a 404; a suspended tenant's is a 503
 * `tenant_suspended`, for its site and its API alike.
 */
export async function resolveTenantByHost(db: HttpDatabase, hostname: string, logger: Logger): Promise<TenantContext> {
  const host = normaliseHost(hostname);
  const now = Date.now();
  let entry = memo.get(host);
  if (!entry || entry.expires < now) {
    const stale = entry;
    let rows: Array<{ id: string; slug: string; name: string; status: TenantStatus; technicalDirector?: unknown }>;
    try {
      rows = await db
        .select({
          id: tenants.id,
          slug: tenants.slug,
          name: tenants.name,
          status: tenants.status,
          // Every public page names the clinic's technical director (CFM 2.336/2023): it comes with the tenant.
          technicalDirector: sql<unknown>`${tenants.settings} -> 'technicalDirector'`,
        })
        .from(tenantHostnames)
        .innerJoin(tenants, eq(tenants.id, tenantHostnames.tenantId))
        .where(eq(tenantHostnames.hostname, host))
        .limit(1);
    } catch (error) {
      // With the database down, a host we resolved before keeps its tenant, so cached pages can still be
      // served (stale-if-error, RFC 5861 §4); a host we never saw fails as the query did.
      if (!stale) throw error;
      logger.warn("tenant lookup failed; using the last known tenant for this host", { error });
      rows = stale.tenant ? [{ ...stale.tenant, status: stale.status }] : [];
    }
    const [row] = rows;
    entry = {
      tenant: row
        ? { id: row.id, slug: row.slug, name: row.name, technicalDirector: technicalDirectorOf(row.technicalDirector) }
        : null,
      status: row?.status ?? "active",
      expires: now + MEMO_TTL_MS,
    };
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(host, entry);
  }
  if (!entry.tenant) throw new NotFoundError("No site is published at this address.");
  if (entry.status !== "active") throw new TenantSuspendedError();
  return entry.tenant;
}

/**
 * Drops this isolate's memo of `hostnames` and of every host of `tenantId`, after the platform operator changed
 * them, so the next request here reads the change.
 */
export function forgetTenantHosts(input: { tenantId?: string; hostnames?: string[] }): void {
  // Pages answered before the app were answered for a host's tenant as it was (services/site-cache.ts).
  forgetMicroCachedAnswers();
  for (const hostname of input.hostnames ?? []) memo.delete(normaliseHost(hostname));
  if (!input.tenantId) return;
  for (const [host, entry] of memo) if (entry.tenant?.id === input.tenantId) memo.delete(host);
}
