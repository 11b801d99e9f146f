import { and, eq } from "drizzle-orm";
import { tenantHostnames, tenants } from "../../schema";
import { CONTENT_LOCALES, type ContentLocale } from "../contract";
import type { Transaction } from "../lib/db";

/** What the tenant's mail says of it: its name, its data protection officer's contact, its default language. */
export interface TenantFacts {
  name: string;
  /** The DPO's name, e-mail and phone, as one line; null when the settings name none. */
  dpoContact: string | null;
  /** The language of mail to someone who chose none (pt-BR when the settings name none). */
  defaultLocale: ContentLocale;
}

/** The tenant's facts, read in `tx`. */
export async function tenantFacts(tx: Transaction, tenantId: string): Promise<TenantFacts> {
  const [row] = await tx
    .select({ name: tenants.name, settings: tenants.settings })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .limit(1);
  const settings = (row?.settings ?? {}) as {
    dpo?: { name: string; email: string; phone: string } | null;
    defaultLocale?: unknown;
  };
  const dpo = settings.dpo ?? null;
  return {
    name: row?.name ?? "",
    dpoContact: dpo ? [dpo.name, dpo.email, dpo.phone].filter(Boolean).join(", ") : null,
    defaultLocale: CONTENT_LOCALES.find((locale) => locale === settings.defaultLocale) ?? "pt-BR",
  };
}

/**
 * The origin the links of mail open when no request names one (jobs, and changes made through the API): the
 * tenant's primary hostname, over HTTPS, read in `tx` (so a hostname just changed is the one mail names, and the
 * seed and the jobs, which have no HTTP read path, can ask). Null when the tenant has no hostname.
 */
export async function primaryOrigin(tx: Transaction, tenantId: string): Promise<string | null> {
  const [row] = await tx
    .select({ hostname: tenantHostnames.hostname })
    .from(tenantHostnames)
    .where(and(eq(tenantHostnames.tenantId, tenantId), eq(tenantHostnames.isPrimary, true)))
    .limit(1);
  return row ? `https://${row.hostname}` : null;
}
