import { eq } from "drizzle-orm";
import { type ContentLocale, tenants } from "../../schema";
import type { Scope } from "../scope";
import type { ProcessingRegister } from "../shapes/processing-register";
import type { TenantSettings } from "../shapes/tenant-settings";
import { renderMarkdown } from "./content/markdown";
import { buildProcessingRegister } from "./processing-register";

type Dpo = NonNullable<TenantSettings["dpo"]>;

/** What the public privacy page of a locale shows (LGPD Art. 9 and 41 §1). */
export interface PrivacyPage {
  controllerName: string;
  /** The encarregado's name and contact; null until the admins name one. */
  dpo: Dpo | null;
  /** The tenant's own notice for the locale, rendered through the site's HTML policy; null when it has none. */
  noticeHtml: string | null;
  /** The register the default notice is generated from, when the tenant wrote none for the locale. */
  register: ProcessingRegister | null;
}

/** The DPO as stored by `updateTenantSettings` (validated input); anything without the printed fields is "not named". */
function dpoOf(value: unknown): Dpo | null {
  if (!value || typeof value !== "object") return null;
  const dpo = value as Record<string, unknown>;
  return typeof dpo.name === "string" && typeof dpo.email === "string" && typeof dpo.phone === "string"
    ? { name: dpo.name, email: dpo.email, phone: dpo.phone }
    : null;
}

function noticeOf(value: unknown, locale: ContentLocale): string | null {
  if (!value || typeof value !== "object") return null;
  const text = (value as Record<string, unknown>)[locale];
  return typeof text === "string" && text.trim() !== "" ? text : null;
}

/**
 * The privacy page of a locale: the tenant's notice in Markdown (raw HTML is shown as text, links and images pass
 * the same URL rules as articles: services/content/markdown.ts), or, without one, the notice generated from the
 * processing register, so no site is ever without a notice. One read on the HTTP path, like every public page.
 */
export async function getPrivacyPage(scope: Scope, locale: ContentLocale): Promise<PrivacyPage> {
  const [rows] = await scope.read((db) => [
    db
      .select({ name: tenants.name, settings: tenants.settings })
      .from(tenants)
      .where(eq(tenants.id, scope.tenant.id))
      .limit(1),
  ]);
  const row = rows[0];
  const settings = row?.settings ?? {};
  const controllerName = row?.name ?? scope.tenant.name;
  const dpo = dpoOf(settings.dpo);
  const notice = noticeOf(settings.privacyNotices, locale);
  return {
    controllerName,
    dpo,
    noticeHtml: notice === null ? null : renderMarkdown(notice),
    register:
      notice === null
        ? buildProcessingRegister(
            {
              name: controllerName,
              primaryHostname: "",
              hostnames: [],
              technicalDirector: scope.tenant.technicalDirector ?? null,
              dpo,
            },
            locale,
          )
        : null,
  };
}
