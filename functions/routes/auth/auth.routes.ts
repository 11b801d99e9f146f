import { createRoute, z } from "@hono/zod-openapi";
import { ROLES } from "../../contract";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import {
  forcedEnrolConfirmInputSchema,
  forcedEnrolInputSchema,
  mfaEnrolmentSchema,
  signInPolicySchema,
} from "../../shapes/account";
import { passwordResetConfirmInputSchema, passwordResetInputSchema } from "../../shapes/members";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { signInResponse, tokenResponse } from "../shared/session";

/** Any member of the tenant, whatever their role: ending one's own session needs no more. */
const signedIn: ProtectOptions = {
  sensitivity: "public",
  action: "write",
  roles: [...ROLES],
};

const enrolledSession = z
  .object({
    recoveryCodes: z.array(z.string()),
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
  })
  .openapi("EnrolledSession");

export const loginRoute = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["Authentication"],
  summary: "Sign in with email and password; answers an access token, or an MFA challenge.",
  request: {
    body: jsonBody(z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) }).strict()),
  },
  responses: {
    200: {
      description:
        "Signed in (the refresh token is set as an HttpOnly cookie), or MFA is required, or the tenant's policy " +
        "requires this account to enrol a second factor first (the enrolment token opens only /auth/mfa/enrol).",
      content: { "application/json": { schema: signInResponse } },
    },
    ...problemResponses(401, 422, 429),
  },
});

export const mfaRoute = createRoute({
  method: "post",
  path: "/auth/mfa",
  tags: ["Authentication"],
  summary: "Complete sign-in with a TOTP code or a recovery code.",
  request: {
    body: jsonBody(z.object({ mfaToken: z.string().min(1).max(4096), code: z.string().min(6).max(16) }).strict()),
  },
  responses: {
    200: { description: "Signed in.", content: { "application/json": { schema: tokenResponse } } },
    ...problemResponses(401, 422, 429),
  },
});

export const refreshRoute = createRoute({
  method: "post",
  path: "/auth/refresh",
  tags: ["Authentication"],
  summary: "Rotate the refresh-token cookie and get a new access token. Checks Origin (CSRF).",
  responses: {
    200: {
      description: "A new access token; the cookie is rotated.",
      content: { "application/json": { schema: tokenResponse } },
    },
    ...problemResponses(401, 403),
  },
});

export const logoutRoute = protectedRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["Authentication"],
  summary: "End this session: the access token is denied until it expires and the refresh family revoked.",
  protect: signedIn,
  responses: { 204: { description: "Signed out." }, ...problemResponses(401, 403) },
});

export const logoutAllRoute = protectedRoute({
  method: "post",
  path: "/auth/logout-all",
  tags: ["Authentication"],
  summary: "End every session of this user, on every device, at once.",
  protect: signedIn,
  responses: { 204: { description: "Every session ended." }, ...problemResponses(401, 403) },
});

export const forcedEnrolRoute = createRoute({
  method: "post",
  path: "/auth/mfa/enrol",
  tags: ["Authentication"],
  summary: "With the enrolment token of a sign-in the tenant's policy stopped: a new TOTP secret to scan.",
  request: { body: jsonBody(forcedEnrolInputSchema) },
  responses: {
    200: jsonResponse(mfaEnrolmentSchema, "Scan it, then confirm with a code."),
    ...problemResponses(401, 409, 422),
  },
});

export const forcedEnrolConfirmRoute = createRoute({
  method: "post",
  path: "/auth/mfa/enrol/confirm",
  tags: ["Authentication"],
  summary: "Confirm the new factor with a code: recovery codes (shown once) and the session starts.",
  request: { body: jsonBody(forcedEnrolConfirmInputSchema) },
  responses: {
    200: jsonResponse(enrolledSession, "Enrolled and signed in (the refresh token is set as an HttpOnly cookie)."),
    ...problemResponses(401, 409, 422),
  },
});

const policyAdmin: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };

export const getPolicyRoute = protectedRoute({
  method: "get",
  path: "/auth/policy",
  tags: ["Authentication"],
  summary: "The tenant's sign-in policy: the roles that must have a second factor (admins).",
  protect: policyAdmin,
  responses: { 200: jsonResponse(signInPolicySchema, "The policy."), ...problemResponses(401, 403) },
});

export const putPolicyRoute = protectedRoute({
  method: "put",
  path: "/auth/policy",
  tags: ["Authentication"],
  summary: "Change the roles that must have a second factor (admins; audited).",
  protect: { ...policyAdmin, action: "write" },
  request: { body: jsonBody(signInPolicySchema) },
  responses: { 200: jsonResponse(signInPolicySchema, "The new policy."), ...problemResponses(401, 403, 422) },
});

export const passwordResetRoute = createRoute({
  method: "post",
  path: "/auth/password-reset",
  tags: ["Authentication"],
  summary:
    "Ask for a password-reset link by e-mail (valid 30 minutes, single use). The answer is the same whether or " +
    "not the address has an account here; throttled per client and per address.",
  request: { body: jsonBody(passwordResetInputSchema) },
  responses: {
    202: { description: "If the address belongs to a member here, a link is on its way." },
    ...problemResponses(422, 429),
  },
});

export const passwordResetConfirmRoute = createRoute({
  method: "post",
  path: "/auth/password-reset/confirm",
  tags: ["Authentication"],
  summary:
    "Set a new password with the token from the link (at least 12 characters, not a common one). Every session " +
    "of the account ends; a notice is e-mailed.",
  request: { body: jsonBody(passwordResetConfirmInputSchema) },
  responses: { 204: { description: "Changed: sign in with the new password." }, ...problemResponses(410, 422, 429) },
});
