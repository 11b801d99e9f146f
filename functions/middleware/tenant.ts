import { eq } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { tenantHostnames, tenants } from "../../schema";
import type { AppBindings } from "../env";
import { NotFoundError } from "../lib/errors";
import type { TenantContext } from "../lib/principal";

// Hostname → tenant changes rarely; a short per-isolate memo saves a query on most requests. It holds plain
// data only (no I/O objects), and a suspended tenant stops answering within a minute.
const MEMO_TTL_MS = 60_000;
const MEMO_MAX = 500;
const memo = new Map<string, { tenant: TenantContext | null; expires: number }>();

export function normaliseHost(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

/** Resolves the request's tenant from its Host; an unknown or suspended host gets a 404. */
export function tenant() {
  return createMiddleware<AppBindings>(async (c, next) => {
    // On Workers the request URL carries the hostname the client asked for (the Host header, validated by
    // Cloudflare's routing to our zone), so tenants are chosen by it.
    const host = normaliseHost(new URL(c.req.url).hostname);
    const now = Date.now();
    let entry = memo.get(host);
    if (!entry || entry.expires < now) {
      const stale = entry;
      let rows: Array<{ id: string; slug: string; name: string; status: "active" | "suspended" }>;
      try {
        rows = await c.var.db
          .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, status: tenants.status })
          .from(tenantHostnames)
          .innerJoin(tenants, eq(tenants.id, tenantHostnames.tenantId))
          .where(eq(tenantHostnames.hostname, host))
          .limit(1);
      } catch (error) {
        // With the database down, a host we resolved before keeps its tenant, so cached pages can still be
        // served (stale-if-error, RFC 5861 §4); a host we never saw fails as the query did.
        if (!stale) throw error;
        c.var.logger.warn("tenant lookup failed; using the last known tenant for this host", { error });
        rows = stale.tenant ? [{ ...stale.tenant, status: "active" }] : [];
      }
      const [row] = rows;
      entry = {
        tenant: row && row.status === "active" ? { id: row.id, slug: row.slug, name: row.name } : null,
        expires: now + MEMO_TTL_MS,
      };
      if (memo.size >= MEMO_MAX) memo.clear();
      memo.set(host, entry);
    }
    if (!entry.tenant) throw new NotFoundError("No site is published at this address.");
    c.set("tenant", entry.tenant);
    await next();
  });
}
