import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { signInClientOf } from "../../lib/client";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  changePassword,
  confirmMfaEnrolment,
  getMe,
  startMfaEnrolment,
  submitCredential,
} from "../../services/identity/accounts";
import { getNotificationPreference, setNotificationPreference } from "../../services/workflow-notices";
import {
  credentialInputSchema,
  credentialViewSchema,
  meSchema,
  mfaConfirmationSchema,
  mfaEnrolInputSchema,
  mfaEnrolmentSchema,
  notificationPreferenceSchema,
} from "../../shapes/account";
import { mailContextOf } from "../shared/mail";
import { answerWithSession, tokenResponse } from "../shared/session";

const self: ProtectOptions = { sensitivity: "restricted", action: "read" };
const selfWrite: ProtectOptions = { sensitivity: "restricted", action: "write" };

const meRoute = protectedRoute({
  method: "get",
  path: "/me",
  tags: ["Account"],
  summary: "The signed-in user, their roles in this tenant, MFA state and professional credential.",
  protect: self,
  responses: {
    200: jsonResponse(meSchema, "You."),
    ...problemResponses(401, 403),
  },
});

const passwordRoute = protectedRoute({
  method: "post",
  path: "/me/password",
  tags: ["Account"],
  summary:
    "Change your password with the current one (at least 12 characters, not a common one): every other session of " +
    "the account ends and a notice is e-mailed; this one goes on with the new access token and refresh cookie.",
  protect: selfWrite,
  request: {
    body: jsonBody(
      z.object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) }).strict(),
    ),
  },
  responses: {
    200: jsonResponse(tokenResponse, "Changed: the session goes on with these tokens."),
    ...problemResponses(401, 403, 422, 429),
  },
});

const enrolRoute = protectedRoute({
  method: "post",
  path: "/me/mfa/enrol",
  tags: ["Account"],
  summary:
    "Start TOTP enrolment with your current password (and, to replace an enrolled factor, a current code " +
    "or recovery code): a secret and an otpauth:// URI for a QR code.",
  protect: selfWrite,
  request: { body: jsonBody(mfaEnrolInputSchema) },
  responses: {
    200: jsonResponse(mfaEnrolmentSchema, "Scan it, then confirm with a code."),
    ...problemResponses(401, 403, 409, 422, 429),
  },
});

const confirmRoute = protectedRoute({
  method: "post",
  path: "/me/mfa/confirm",
  tags: ["Account"],
  summary:
    "Confirm enrolment with a code; returns one-time recovery codes, shown only now, and a fresh access " +
    "token: every other session of the account has ended.",
  protect: selfWrite,
  request: { body: jsonBody(z.object({ code: z.string().regex(/^\d{6}$/) }).strict()) },
  responses: {
    200: jsonResponse(mfaConfirmationSchema, "Enabled."),
    ...problemResponses(401, 403, 409, 422),
  },
});

const credentialRoute = protectedRoute({
  method: "put",
  path: "/me/credential",
  tags: ["Account"],
  summary: "Declare your CRM number and UF (and RQE for specialist claims); an admin verifies it.",
  protect: selfWrite,
  request: { body: jsonBody(credentialInputSchema) },
  responses: {
    200: jsonResponse(credentialViewSchema, "Saved, pending verification."),
    ...problemResponses(401, 403, 422),
  },
});

const notificationsRoute = protectedRoute({
  method: "get",
  path: "/me/notifications",
  tags: ["Account"],
  summary: "How you get the editorial workflow's notices here: each by e-mail at once, or a daily digest.",
  protect: self,
  responses: { 200: jsonResponse(notificationPreferenceSchema, "Your choice."), ...problemResponses(401, 403) },
});

const setNotificationsRoute = protectedRoute({
  method: "put",
  path: "/me/notifications",
  tags: ["Account"],
  summary: "Choose immediate e-mail or a daily digest for the editorial workflow's notices, and their language.",
  protect: selfWrite,
  request: { body: jsonBody(notificationPreferenceSchema) },
  responses: { 200: jsonResponse(notificationPreferenceSchema, "Saved."), ...problemResponses(401, 403, 422) },
});

const getMeHandler: RouteHandler<typeof meRoute, AppBindings> = async (c) => c.json(await getMe(c.get("scope")), 200);

const passwordHandler: RouteHandler<typeof passwordRoute, AppBindings> = async (c) => {
  const session = await changePassword(c.get("scope"), {
    ...c.req.valid("json"),
    client: await signInClientOf(c),
    mail: mailContextOf(c),
  });
  return c.json(answerWithSession(c, session), 200);
};

const enrolHandler: RouteHandler<typeof enrolRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  const client = await signInClientOf(c);
  return c.json(await startMfaEnrolment(c.get("scope"), { ...c.req.valid("json"), client }), 200);
};

const confirmHandler: RouteHandler<typeof confirmRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await confirmMfaEnrolment(c.get("scope"), c.req.valid("json")), 200);
};

const credentialHandler: RouteHandler<typeof credentialRoute, AppBindings> = async (c) => {
  return c.json(await submitCredential(c.get("scope"), c.req.valid("json")), 200);
};

export const meRouter = createRouter()
  .openapi(meRoute, getMeHandler)
  .openapi(passwordRoute, passwordHandler)
  .openapi(enrolRoute, enrolHandler)
  .openapi(confirmRoute, confirmHandler)
  .openapi(credentialRoute, credentialHandler)
  .openapi(notificationsRoute, async (c) => c.json(await getNotificationPreference(c.get("scope")), 200))
  .openapi(setNotificationsRoute, async (c) =>
    c.json(await setNotificationPreference(c.get("scope"), c.req.valid("json")), 200),
  );
