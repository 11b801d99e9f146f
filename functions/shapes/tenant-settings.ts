import { z } from "@hono/zod-openapi";
import { CONTENT_LOCALES, MAX_PRIVACY_NOTICE_LENGTH, UFS } from "../contract";

/**
 * A tenant's settings, edited by its admins (GET/PUT /api/tenant/settings): the name, the logo (a media id of a
 * non-PHI image of this tenant), the primary hostname (one of its own), the default locale, the technical director
 * CFM 2.336/2023 has clinics name (name, CRM and UF, RQE for a specialist claim) and the DPO LGPD Art. 41 has
 * controllers name (the encarregado's contact), and the privacy notice of each locale (LGPD Art. 9 and 41 §1: the
 * public privacy page shows it with the DPO's contact).
 */
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{8,20}$/, "must be a phone number");

export const technicalDirectorSchema = z
  .object({
    name: z.string().trim().min(2).max(200),
    crmNumber: z.string().regex(/^\d{1,8}$/, "a CRM number is 1 to 8 digits"),
    crmUf: z.enum(UFS),
    rqe: z
      .string()
      .regex(/^\d{1,6}$/, "an RQE is 1 to 6 digits")
      .optional(),
    phone: phone.optional(),
  })
  .strict()
  .openapi("TechnicalDirector");
export type TechnicalDirector = z.output<typeof technicalDirectorSchema>;

export const dpoContactSchema = z
  .object({ name: z.string().trim().min(2).max(200), email: z.email().max(254), phone })
  .strict()
  .openapi("DpoContact");

const privacyNotice = z
  .string()
  .max(MAX_PRIVACY_NOTICE_LENGTH)
  // Text only: control characters other than tab and line breaks have no place in a notice.
  .refine(
    (text) => ![...text].some((ch) => (ch < " " && ch !== "\t" && ch !== "\n" && ch !== "\r") || ch === "\u007f"),
    "must not contain control characters",
  );

/**
 * The privacy notice per site locale, in Markdown rendered through the site's HTML policy (raw HTML shown as text).
 * A locale without one (or with an empty one) shows the notice generated from the processing register.
 */
export const privacyNoticesSchema = z
  .object({ "pt-BR": privacyNotice.optional(), en: privacyNotice.optional(), es: privacyNotice.optional() })
  .strict()
  .openapi("PrivacyNotices");
export type PrivacyNotices = z.output<typeof privacyNoticesSchema>;

export const tenantSettingsInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    logoMediaId: z.uuid().nullable(),
    primaryHostname: z.string().trim().toLowerCase().min(1).max(253),
    defaultLocale: z.enum(CONTENT_LOCALES),
    technicalDirector: technicalDirectorSchema.nullable(),
    dpo: dpoContactSchema.nullable(),
    privacyNotices: privacyNoticesSchema.default({}),
  })
  .strict()
  .openapi("TenantSettingsInput");
export type TenantSettingsInput = z.output<typeof tenantSettingsInputSchema>;

export const tenantSettingsSchema = tenantSettingsInputSchema
  .extend({ slug: z.string(), hostnames: z.array(z.string()) })
  .openapi("TenantSettings");
export type TenantSettings = z.output<typeof tenantSettingsSchema>;
