import { z } from "@hono/zod-openapi";
import { COUNCILS, credentialStatuses } from "../../schema/professional-credentials";
import { CONTENT_LOCALES, ROLES } from "../contract";
import { MAX_PASSWORD_LENGTH } from "../lib/password-policy";

/**
 * Members, invitations, password reset and the credential queue: one zod definition per input and answer. The
 * routes validate and describe with them, the services and the admin SPA take their types from them.
 */

/** What the API calls a membership's state; `suspended` is stored as `memberships.status = 'disabled'`. */
export const MEMBER_STATUSES = ["active", "suspended"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

const rolesSchema = z
  .array(z.enum(ROLES))
  .min(1)
  .max(ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, "each role once");

export const memberSchema = z
  .object({
    userId: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    /** `service`: an integration's service account (an author that is not a person), made on the tokens screen. */
    kind: z.enum(["person", "service"]),
    roles: z.array(z.enum(ROLES)),
    status: z.enum(MEMBER_STATUSES),
    mfaEnabled: z.boolean(),
    credentialStatus: z.enum(credentialStatuses).nullable(),
    joinedAt: z.string(),
  })
  .openapi("Member");
export type Member = z.infer<typeof memberSchema>;

export const memberQuerySchema = z
  .object({
    role: z.enum(ROLES).optional(),
    status: z.enum(MEMBER_STATUSES).optional(),
    /** Part of the name or e-mail address. */
    q: z.string().trim().min(1).max(120).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();
export type MemberQuery = z.output<typeof memberQuerySchema>;

export const memberPageSchema = z
  .object({
    items: z.array(memberSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi("MemberPage");
export type MemberPage = z.infer<typeof memberPageSchema>;

export const memberRolesInputSchema = z.object({ roles: rolesSchema }).strict().openapi("MemberRolesInput");
export type MemberRolesInput = z.output<typeof memberRolesInputSchema>;

export const invitationInputSchema = z
  .object({
    email: z.email().max(320),
    roles: rolesSchema,
    /** The language of the e-mail; by default the one the inviting admin's browser asks for. */
    locale: z.enum(CONTENT_LOCALES).optional(),
  })
  .strict()
  .openapi("InvitationInput");
export type InvitationInput = z.output<typeof invitationInputSchema>;

export const invitationSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    roles: z.array(z.enum(ROLES)),
    invitedBy: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("Invitation");
export type InvitationView = z.infer<typeof invitationSchema>;

const newPasswordSchema = z
  .string()
  .min(1)
  .max(MAX_PASSWORD_LENGTH * 4);

export const acceptInvitationInputSchema = z
  .object({
    token: z.string().min(20).max(200),
    /** A new account's password; for an account that exists already, its current password (unless signed in). */
    password: newPasswordSchema.optional(),
    /** A new account's name; ignored for an account that exists. */
    displayName: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi("AcceptInvitationInput");
export type AcceptInvitationInput = z.output<typeof acceptInvitationInputSchema>;

export const acceptedInvitationSchema = z
  .object({
    /** `created`: a new account; `attached`: an account that already existed joined the tenant. */
    outcome: z.enum(["created", "attached"]),
    email: z.string(),
    roles: z.array(z.enum(ROLES)),
  })
  .openapi("AcceptedInvitation");
export type AcceptedInvitation = z.infer<typeof acceptedInvitationSchema>;

export const passwordResetInputSchema = z
  .object({ email: z.email().max(320) })
  .strict()
  .openapi("PasswordResetInput");

export const passwordResetConfirmInputSchema = z
  .object({ token: z.string().min(20).max(200), password: newPasswordSchema })
  .strict()
  .openapi("PasswordResetConfirmInput");

export const credentialQuerySchema = z.object({ status: z.enum(credentialStatuses).default("pending") }).strict();

export const credentialQueueItemSchema = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    email: z.string(),
    roles: z.array(z.enum(ROLES)),
    /** The council the number belongs to (CRM for physicians; CRO, COREN… for other professionals). */
    council: z.enum(COUNCILS),
    crmNumber: z.string(),
    crmUf: z.string(),
    rqe: z.array(z.string()),
    specialty: z.string().nullable(),
    status: z.enum(credentialStatuses),
    note: z.string().nullable(),
    submittedAt: z.string(),
    reviewedAt: z.string().nullable(),
  })
  .openapi("CredentialQueueItem");
export type CredentialQueueItem = z.infer<typeof credentialQueueItemSchema>;
