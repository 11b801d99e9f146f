import { and, eq } from "drizzle-orm";
import { mediaItems, tenantHostnames, tenants } from "../../schema";
import { hasRole } from "../lib/actor";
import type { Transaction } from "../lib/db";
import { ForbiddenError, UnprocessableError } from "../lib/errors";
import { requireUser, type Scope } from "../scope";
import type { TenantSettings, TenantSettingsInput } from "../shapes/tenant-settings";
import { announceSiteChange } from "./cdn-purge";
import { isPhi } from "./media-rules";
import { forgetTenantHosts } from "./tenants";

function requireAdmin(scope: Scope): void {
  if (!hasRole(requireUser(scope), "admin")) throw new ForbiddenError();
}

/** The tenant's settings as stored, with defaults for what was never saved (for its admins and the register). */
export async function readTenantSettings(tx: Transaction, tenantId: string): Promise<TenantSettings> {
  const [row] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).limit(1);
  const hosts = await tx.select().from(tenantHostnames).where(eq(tenantHostnames.tenantId, tenantId));
  // Written only by `updateTenantSettings`, from validated input; a tenant that never saved any has defaults.
  const stored = (row?.settings ?? {}) as Partial<TenantSettings>;
  return {
    slug: row?.slug ?? "",
    name: row?.name ?? "",
    primaryHostname: hosts.find((host) => host.isPrimary)?.hostname ?? hosts[0]?.hostname ?? "",
    hostnames: hosts.map((host) => host.hostname).sort(),
    logoMediaId: stored.logoMediaId ?? null,
    defaultLocale: stored.defaultLocale ?? "pt-BR",
    technicalDirector: stored.technicalDirector ?? null,
    dpo: stored.dpo ?? null,
    privacyNotices: stored.privacyNotices ?? {},
  };
}

/** This tenant's settings, for its admins. */
export async function getTenantSettings(scope: Scope): Promise<TenantSettings> {
  requireAdmin(scope);
  return scope.transaction((tx) => readTenantSettings(tx, scope.tenant.id));
}

/**
 * Replaces this tenant's settings (admins; audited with the names of the fields that changed). The primary
 * hostname must be one of the tenant's own (422 `unknown_hostname`), and the logo an image of this tenant that is
 * not health data (422 `invalid_logo`): the logo is shown on every public page. Every public page shows the
 * settings (the footer, the privacy page), so the change purges the tenant's pages here and at the CDN.
 */
export async function updateTenantSettings(scope: Scope, input: TenantSettingsInput): Promise<TenantSettings> {
  requireAdmin(scope);
  const settings = await scope.transaction(async (tx) => {
    const before = await readTenantSettings(tx, scope.tenant.id);
    if (!before.hostnames.includes(input.primaryHostname)) {
      throw new UnprocessableError("unknown_hostname", "The primary hostname must be one of this site's hostnames.");
    }
    if (input.logoMediaId) {
      const [logo] = await tx
        .select({
          kind: mediaItems.kind,
          retentionClass: mediaItems.retentionClass,
          phiTags: mediaItems.phiTags,
          subjectId: mediaItems.subjectId,
        })
        .from(mediaItems)
        .where(and(eq(mediaItems.id, input.logoMediaId), eq(mediaItems.tenantId, scope.tenant.id)))
        .limit(1);
      if (!logo || logo.kind !== "image" || logo.subjectId !== null || isPhi(logo)) {
        throw new UnprocessableError("invalid_logo", "The logo must be an image of this site that is not health data.");
      }
    }
    const { name, primaryHostname, privacyNotices, ...rest } = input;
    // An empty notice is no notice: the privacy page then shows the one generated from the processing register.
    const notices = Object.fromEntries(Object.entries(privacyNotices).filter(([, text]) => (text ?? "").trim() !== ""));
    const stored = { ...rest, privacyNotices: notices };
    await tx.update(tenants).set({ name, settings: stored }).where(eq(tenants.id, scope.tenant.id));
    if (primaryHostname !== before.primaryHostname) {
      await tx.update(tenantHostnames).set({ isPrimary: false }).where(eq(tenantHostnames.tenantId, scope.tenant.id));
      await tx
        .update(tenantHostnames)
        .set({ isPrimary: true })
        .where(and(eq(tenantHostnames.tenantId, scope.tenant.id), eq(tenantHostnames.hostname, primaryHostname)));
    }
    const after = await readTenantSettings(tx, scope.tenant.id);
    const changed = (Object.keys(input) as Array<keyof TenantSettingsInput>).filter(
      (key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null),
    );
    await scope.audit(tx, "tenant.settings_changed", { type: "tenant", id: scope.tenant.id }, { changed });
    await announceSiteChange(scope, tx);
    return after;
  });
  // The name is part of the memoised tenant (e-mails, pages).
  forgetTenantHosts({ tenantId: scope.tenant.id });
  return settings;
}
