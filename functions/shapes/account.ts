import { z } from "@hono/zod-openapi";
import { credentialStatuses } from "../../schema/professional-credentials";
import { NOTICE_DELIVERIES } from "../../schema/notifications";
import { CONTENT_LOCALES, ROLES, UFS } from "../contract";

/**
 * The account's inputs and answers, one zod definition each, in camelCase like the rest of the API: the
 * routes validate and describe with them (OpenAPI), and the services and the admin SPA take their TypeScript
 * types from them, so the three cannot drift apart.
 */

/** A physician's declaration of their council registration (PUT /api/me/credential). */
export const credentialInputSchema = z
  .object({
    crmNumber: z.string().regex(/^\d{1,8}$/, "a CRM number is 1 to 8 digits"),
    crmUf: z.enum(UFS),
    rqe: z
      .array(z.string().regex(/^\d{1,6}$/, "an RQE is 1 to 6 digits"))
      .max(5)
      .default([]),
    specialty: z.string().min(2).max(120).optional(),
  })
  .strict()
  .openapi("CredentialInput");
export type CredentialInput = z.output<typeof credentialInputSchema>;

export const credentialViewSchema = z
  .object({
    crmNumber: z.string(),
    crmUf: z.string(),
    rqe: z.array(z.string()),
    specialty: z.string().nullable(),
    status: z.enum(credentialStatuses),
    note: z.string().nullable(),
    reviewedAt: z.string().nullable(),
  })
  .openapi("Credential");
export type CredentialView = z.infer<typeof credentialViewSchema>;

export const meSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    mfaEnabled: z.boolean(),
    credential: credentialViewSchema.nullable(),
  })
  .openapi("Me");
export type Me = z.infer<typeof meSchema>;

export const mfaEnrolmentSchema = z.object({ secret: z.string(), otpauthUri: z.string() }).openapi("MfaEnrolment");
export type MfaEnrolment = z.infer<typeof mfaEnrolmentSchema>;

/** POST /api/me/mfa/enrol: the current password, and a current code (or recovery code) to replace a factor. */
export const mfaEnrolInputSchema = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    code: z.string().min(1).max(32).optional(),
  })
  .strict()
  .openapi("MfaEnrolInput");
export type MfaEnrolInput = z.infer<typeof mfaEnrolInputSchema>;

/** The recovery codes (shown once) and a fresh access token: every session issued before now has ended. */
export const mfaConfirmationSchema = z
  .object({ recoveryCodes: z.array(z.string()), accessToken: z.string() })
  .openapi("MfaConfirmation");
export type MfaConfirmation = z.infer<typeof mfaConfirmationSchema>;

/** The tenant's sign-in policy (GET/PUT /api/auth/policy): the roles that must have a second factor. */
export const signInPolicySchema = z
  .object({
    mfaRequiredRoles: z
      .array(z.enum(ROLES))
      .max(ROLES.length)
      .refine((roles) => new Set(roles).size === roles.length, "each role at most once"),
  })
  .strict()
  .openapi("SignInPolicy");
export type SignInPolicy = z.infer<typeof signInPolicySchema>;

/** POST /api/auth/mfa/enrol: the enrolment token a sign-in answered with `mfaEnrolmentRequired`. */
export const forcedEnrolInputSchema = z
  .object({ enrolmentToken: z.string().min(1).max(4096) })
  .strict()
  .openapi("ForcedEnrolInput");

/** POST /api/auth/mfa/enrol/confirm: the same token and a first code of the new secret. */
export const forcedEnrolConfirmInputSchema = z
  .object({ enrolmentToken: z.string().min(1).max(4096), code: z.string().regex(/^\d{6}$/) })
  .strict()
  .openapi("ForcedEnrolConfirmInput");

/**
 * How the member wants the editorial workflow's notices in this tenant (GET/PUT /api/me/notifications): each by
 * e-mail at once, or in one daily digest, in the language given.
 */
export const notificationPreferenceSchema = z
  .object({ delivery: z.enum(NOTICE_DELIVERIES), locale: z.enum(CONTENT_LOCALES) })
  .strict()
  .openapi("NotificationPreference");
export type NotificationPreferenceInput = z.output<typeof notificationPreferenceSchema>;
