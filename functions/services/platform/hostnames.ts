import { and, eq } from "drizzle-orm";
import { tenantHostnames } from "../../../schema";
import { ConflictError, NotFoundError } from "../../lib/errors";
import type { PlatformScope } from "../../scope";
import type { HostnameChange, TenantView } from "../../shapes/platform";
import { forgetTenantHosts } from "../tenants";
import { findTenant, platformConflict, viewOf } from "./tenants";

/**
 * Adds a hostname to a tenant (a hostname belongs to one tenant only: 409 `hostname_taken`). With `primary`, or
 * when the tenant has no primary hostname, it becomes the primary one, the host absolute URLs name. Audited.
 */
export async function addHostname(
  platform: PlatformScope,
  input: { slug: string } & HostnameChange,
): Promise<TenantView> {
  const tenant = await findTenant(platform.clients.db, input.slug);
  const scope = platform.forTenant(tenant);
  try {
    return await scope.transaction(async (tx) => {
      const primaries = await tx
        .select({ hostname: tenantHostnames.hostname })
        .from(tenantHostnames)
        .where(and(eq(tenantHostnames.tenantId, tenant.id), eq(tenantHostnames.isPrimary, true)));
      const primary = input.primary || primaries.length === 0;
      if (primary && primaries.length > 0) {
        await tx.update(tenantHostnames).set({ isPrimary: false }).where(eq(tenantHostnames.tenantId, tenant.id));
      }
      await tx.insert(tenantHostnames).values({ hostname: input.hostname, tenantId: tenant.id, isPrimary: primary });
      await scope.audit(
        tx,
        "tenant.hostname_added",
        { type: "tenant", id: tenant.id },
        { hostname: input.hostname, primary },
      );
      return viewOf(tx, tenant.id);
    });
  } catch (error) {
    throw platformConflict(error);
  } finally {
    forgetTenantHosts({ hostnames: [input.hostname] });
  }
}

/**
 * Removes a hostname from a tenant; the site stops answering there. A tenant keeps at least one hostname, and its
 * primary one is replaced (another added or made primary) before it is removed. Audited.
 */
export async function removeHostname(
  platform: PlatformScope,
  input: { slug: string; hostname: string },
): Promise<TenantView> {
  const tenant = await findTenant(platform.clients.db, input.slug);
  const scope = platform.forTenant(tenant);
  const view = await scope.transaction(async (tx) => {
    const hosts = await tx.select().from(tenantHostnames).where(eq(tenantHostnames.tenantId, tenant.id)).for("update");
    const target = hosts.find((host) => host.hostname === input.hostname);
    if (!target) throw new NotFoundError("This tenant has no such hostname.");
    if (hosts.length === 1) {
      throw new ConflictError("last_hostname", "A tenant keeps at least one hostname; add another first.");
    }
    if (target.isPrimary) {
      throw new ConflictError("primary_hostname", "Make another hostname primary before removing this one.");
    }
    await tx
      .delete(tenantHostnames)
      .where(and(eq(tenantHostnames.tenantId, tenant.id), eq(tenantHostnames.hostname, input.hostname)));
    await scope.audit(tx, "tenant.hostname_removed", { type: "tenant", id: tenant.id }, { hostname: input.hostname });
    return viewOf(tx, tenant.id);
  });
  forgetTenantHosts({ hostnames: [input.hostname] });
  return view;
}
