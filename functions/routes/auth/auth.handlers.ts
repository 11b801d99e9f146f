import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import type { AppBindings } from "../../bindings";
import { deviceHashOf, ensureDeviceId, signInClientOf } from "../../lib/client";
import { ForbiddenError, UnauthorizedError } from "../../lib/errors";
import { noteSignInAttempt } from "../../middleware/access-log";
import { requireUser } from "../../scope";
import { completeMfa, login, logout, refreshSession, revokeAllSessions } from "../../services/identity/sessions";
import { confirmForcedEnrolment, startForcedEnrolment } from "../../services/identity/accounts";
import { getSignInPolicy, updateSignInPolicy } from "../../services/identity/policy";
import { confirmPasswordReset, requestPasswordReset } from "../../services/identity/password-reset";
import { mailContextOf } from "../shared/mail";
import { answerSignIn, answerWithSession, REFRESH_COOKIE } from "../shared/session";
import type {
  forcedEnrolConfirmRoute,
  forcedEnrolRoute,
  getPolicyRoute,
  loginRoute,
  logoutAllRoute,
  logoutRoute,
  mfaRoute,
  passwordResetConfirmRoute,
  passwordResetRoute,
  putPolicyRoute,
  refreshRoute,
} from "./auth.routes";

/**
 * Cookie-authenticated endpoints are the CSRF surface: besides SameSite=Strict, the request's Origin must be
 * this site or a configured admin origin (OWASP CSRF cheat sheet, "verifying origin with standard headers").
 */
function assertTrustedOrigin(c: Context<AppBindings>): void {
  const origin = c.req.header("origin");
  const own = new URL(c.req.url).origin;
  const allowed = c.get("scope").section("auth").adminOrigins;
  if (!origin || (origin !== own && !allowed.includes(origin))) {
    throw new ForbiddenError("origin_not_allowed", "This request must come from the Vitalis admin application.");
  }
}

/**
 * The client as sign-in sees it: its IP hash and the device it presented (for the lockout), and its device
 * id, issued with its cookie when it had none (lib/client.ts).
 */
async function signInClient(
  c: Context<AppBindings>,
): Promise<{ client: { ipHash: string; deviceHash: string | null }; deviceHash: string }> {
  const client = await signInClientOf(c);
  return { client, deviceHash: await deviceHashOf(ensureDeviceId(c)) };
}

export const postLogin: RouteHandler<typeof loginRoute, AppBindings> = async (c) => {
  const body = c.req.valid("json");
  noteSignInAttempt(c, { email: body.email });
  const result = await login(c.get("scope"), { ...body, ...(await signInClient(c)) });
  if (result.kind === "session") noteSignInAttempt(c, { session: result.session });
  return c.json(answerSignIn(c, result), 200);
};

export const postMfa: RouteHandler<typeof mfaRoute, AppBindings> = async (c) => {
  const body = c.req.valid("json");
  const { deviceHash } = await signInClient(c);
  noteSignInAttempt(c, {});
  const result = await completeMfa(c.get("scope"), { mfaToken: body.mfaToken, code: body.code, deviceHash });
  // The API's challenge starts the API's session (the site's code step is the site's page, routes/site/account.tsx).
  if (result.kind !== "session") throw new Error("the API's second factor starts an API session");
  noteSignInAttempt(c, { session: result.session });
  return c.json(answerWithSession(c, result.session), 200);
};

export const postRefresh: RouteHandler<typeof refreshRoute, AppBindings> = async (c) => {
  assertTrustedOrigin(c);
  const token = getCookie(c, REFRESH_COOKIE);
  if (!token) throw new UnauthorizedError("invalid_refresh_token", "Your session has ended. Sign in again.");
  const session = await refreshSession(c.get("scope"), { refreshToken: token });
  return c.json(answerWithSession(c, session), 200);
};

export const postLogout: RouteHandler<typeof logoutRoute, AppBindings> = async (c) => {
  assertTrustedOrigin(c);
  const claims = c.get("accessClaims");
  if (!claims) throw new UnauthorizedError();
  await logout(c.get("scope"), { accessToken: claims, refreshToken: getCookie(c, REFRESH_COOKIE) });
  deleteCookie(c, REFRESH_COOKIE, { path: "/api/auth", secure: true });
  return c.body(null, 204);
};

export const postLogoutAll: RouteHandler<typeof logoutAllRoute, AppBindings> = async (c) => {
  const { userId } = requireUser(c.get("scope"));
  await revokeAllSessions(c.get("scope"), { userId });
  deleteCookie(c, REFRESH_COOKIE, { path: "/api/auth", secure: true });
  return c.body(null, 204);
};

export const postForcedEnrol: RouteHandler<typeof forcedEnrolRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await startForcedEnrolment(c.get("scope"), c.req.valid("json")), 200);
};

export const postForcedEnrolConfirm: RouteHandler<typeof forcedEnrolConfirmRoute, AppBindings> = async (c) => {
  const { deviceHash } = await signInClient(c);
  noteSignInAttempt(c, {});
  const { recoveryCodes, session } = await confirmForcedEnrolment(c.get("scope"), {
    ...c.req.valid("json"),
    deviceHash,
  });
  noteSignInAttempt(c, { session });
  return c.json({ recoveryCodes, ...answerWithSession(c, session) }, 200);
};

export const getPolicy: RouteHandler<typeof getPolicyRoute, AppBindings> = async (c) =>
  c.json(await getSignInPolicy(c.get("scope")), 200);

export const putPolicy: RouteHandler<typeof putPolicyRoute, AppBindings> = async (c) =>
  c.json(await updateSignInPolicy(c.get("scope"), c.req.valid("json")), 200);

export const postPasswordReset: RouteHandler<typeof passwordResetRoute, AppBindings> = async (c) => {
  const { ipHash } = await signInClientOf(c);
  await requestPasswordReset(c.get("scope"), { email: c.req.valid("json").email, ipHash, mail: mailContextOf(c) });
  return c.body(null, 202);
};

export const postPasswordResetConfirm: RouteHandler<typeof passwordResetConfirmRoute, AppBindings> = async (c) => {
  const { ipHash } = await signInClientOf(c);
  await confirmPasswordReset(c.get("scope"), { ...c.req.valid("json"), ipHash, mail: mailContextOf(c) });
  return c.body(null, 204);
};
