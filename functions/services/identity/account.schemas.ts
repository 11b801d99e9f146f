import { z } from "@hono/zod-openapi";
import { credentialStatuses } from "../../../schema/professional-credentials";

/**
 * The account answers, one zod definition each, in camelCase like the rest of the API: the routes describe their responses with them (OpenAPI) and
 * the services and the admin SPA take their TypeScript types from them, so the three cannot drift apart.
 */
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

export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) }).openapi("RecoveryCodes");
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;
