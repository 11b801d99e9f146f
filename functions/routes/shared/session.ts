/** How a route hands a new session to the browser; sign-in and the account's own password change both do. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { AppBindings } from "../../bindings";
import { type LoginResult, REFRESH_IDLE_SECONDS, type SessionTokens } from "../../services/identity/sessions";

// The API answers in camelCase, except here: the token answer keeps the names OAuth 2.0 gives it
// (RFC 6749 §5.1: `access_token`, `token_type`, `expires_in`), so standard clients and libraries read it as is.
export const tokenResponse = z
  .object({ access_token: z.string(), token_type: z.literal("Bearer"), expires_in: z.number().int() })
  .openapi("AccessToken");

const mfaRequired = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }).openapi("MfaRequired");
const mfaEnrolmentRequired = z
  .object({ mfaEnrolmentRequired: z.literal(true), enrolmentToken: z.string() })
  .openapi("MfaEnrolmentRequired");

/** What a correct password leads to: a session, the second factor's challenge, or the enrolment a policy requires. */
export const signInResponse = z.union([tokenResponse, mfaRequired, mfaEnrolmentRequired]);

/** The refresh token lives only in this cookie: HttpOnly, Secure, SameSite=Strict, sent only to /api/auth. */
export const REFRESH_COOKIE = "__Secure-vitalis_refresh";

/** Sets the refresh cookie and answers the access token with OAuth 2.0's field names (RFC 6749 §5.1). */
export function answerWithSession(c: Context<AppBindings>, session: SessionTokens) {
  setCookie(c, REFRESH_COOKIE, session.refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/api/auth",
    maxAge: REFRESH_IDLE_SECONDS,
  });
  c.header("Cache-Control", "no-store");
  return { access_token: session.access_token, token_type: session.token_type, expires_in: session.expires_in };
}

/** The answer to a correct password (sign-in, or an invitation accepted by signing in): see `signInResponse`. */
export function answerSignIn(c: Context<AppBindings>, result: LoginResult) {
  c.header("Cache-Control", "no-store");
  if (result.kind === "mfa_required") return { mfaRequired: true as const, mfaToken: result.mfaToken };
  if (result.kind === "mfa_enrolment_required") {
    return { mfaEnrolmentRequired: true as const, enrolmentToken: result.enrolmentToken };
  }
  // The API never asks for the site's session (its sign-in surface is `api`), so this is a programming error.
  if (result.kind === "site_session") throw new Error("a site session is answered by the site's sign-in page");
  return answerWithSession(c, result.session);
}
