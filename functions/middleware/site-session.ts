import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppBindings } from "../bindings";
import { timingSafeEqual } from "../lib/crypto";
import { randomBytes, toBase64Url } from "../lib/encoding";
import { ForbiddenError } from "../lib/errors";
import type { SiteSession } from "../services/identity/sessions";
import { MFA_TOKEN_SECONDS } from "../services/identity/tokens";
import { SITE_LOCALES } from "../site/i18n";

/**
 * The public site's own session, apart from the admin's bearer tokens: a signed token of its own type
 * (services/identity/tokens.ts) in an HttpOnly cookie. `__Host-` makes the browser insist on Secure, no Domain and
 * path `/` (RFC 6265bis §4.1.3.2), so no sibling subdomain can set or overwrite it. SameSite=Lax: a reader who
 * follows a link from a search engine or an e-mail arrives signed in, while a cross-site POST carries no cookie.
 * Browsers treat http://localhost and http://127.0.0.1 as secure contexts, so the same Secure cookie works in local
 * development and in the browser tests; a plain-http hostname that is not loopback gets no session (fail closed).
 */
export const SITE_SESSION_COOKIE = "__Host-vitalis_site";
/** The pre-session CSRF token of a signed-out reader's forms (sign-in, registration), bound to this browser. */
export const SITE_CSRF_COOKIE = "__Host-vitalis_csrf";
/**
 * Between sign-in's password and code steps: the second factor's challenge token (services/identity/tokens.ts, five
 * minutes, signed, of a type no route accepts as a session), never the password. It opens only the code step.
 */
export const SITE_MFA_COOKIE = "__Host-vitalis_mfa";

const COOKIE_VALUE = /^[A-Za-z0-9_.-]{1,4096}$/;
const CSRF_VALUE = /^[A-Za-z0-9_-]{43}$/;
// Only the site's own pages take the cookie: the admin API, the WordPress API and everything else authenticate
// with a bearer token or not at all, so a cookie a browser sends along can never act on them (no CSRF surface).
const SITE_PAGE = new RegExp(`^/(?:${SITE_LOCALES.map((entry) => entry.segment).join("|")})(?:/|$)`);

/** Whether the site session cookie may authenticate a request to this path (a localized site page). */
export function takesSiteSession(path: string): boolean {
  return SITE_PAGE.test(path);
}

/** The session cookie's value when the request carries one of plausible form (verified by the scope). */
export function siteSessionCookieOf(c: Context<AppBindings>): string | null {
  const value = getCookie(c, SITE_SESSION_COOKIE);
  return value && COOKIE_VALUE.test(value) ? value : null;
}

/**
 * Whether the request carries a session cookie at all, valid or not: such a request is never answered from, nor
 * stored in, a shared cache (services/site-cache.ts), so a signed-in page and a signed-out one never mix.
 */
export function carriesSiteSession(c: Context<AppBindings>): boolean {
  return getCookie(c, SITE_SESSION_COOKIE) !== undefined;
}

export function setSiteSessionCookie(c: Context<AppBindings>, session: SiteSession): void {
  setCookie(c, SITE_SESSION_COOKIE, session.token, {
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    maxAge: session.expiresIn,
  });
  // The pre-session token is spent: a new one is issued if this browser signs out and in again.
  deleteCookie(c, SITE_CSRF_COOKIE, { path: "/", secure: true });
}

export function clearSiteSessionCookie(c: Context<AppBindings>): void {
  deleteCookie(c, SITE_SESSION_COOKIE, { path: "/", secure: true });
}

/** Carries a sign-in that waits for its second factor to the code step; SameSite=Strict, as only this site posts it. */
export function setPendingSignIn(c: Context<AppBindings>, mfaToken: string): void {
  setCookie(c, SITE_MFA_COOKIE, mfaToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: MFA_TOKEN_SECONDS,
  });
}

/** The challenge token of a sign-in waiting for its code, when the browser carries one of plausible form. */
export function pendingSignInOf(c: Context<AppBindings>): string | null {
  const value = getCookie(c, SITE_MFA_COOKIE);
  return value && COOKIE_VALUE.test(value) ? value : null;
}

export function clearPendingSignIn(c: Context<AppBindings>): void {
  deleteCookie(c, SITE_MFA_COOKIE, { path: "/", secure: true });
}

/**
 * The CSRF token this reader's forms carry: the signed-in session's own, or, signed out, the pre-session cookie's
 * (issued here when the browser has none). Pages that call this are private: the token is this reader's.
 */
export function csrfTokenFor(c: Context<AppBindings>): string {
  const session = c.get("siteSession");
  if (session) return session.csrf;
  const existing = getCookie(c, SITE_CSRF_COOKIE);
  if (existing && CSRF_VALUE.test(existing)) return existing;
  const token = toBase64Url(randomBytes(32));
  setCookie(c, SITE_CSRF_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  return token;
}

/**
 * Every state-changing POST of the site: the browser must say it comes from this origin (Sec-Fetch-Site, sent by
 * every current browser, and Origin, which browsers send on every cross-origin and same-origin POST), and the form
 * must carry this reader's CSRF token (OWASP CSRF cheat sheet: fetch metadata, origin check and a synchronizer
 * token; any one of them stops a cross-site form, together they also stop a sibling subdomain).
 */
export function assertSameSiteForm(c: Context<AppBindings>, formToken: string | undefined): void {
  const fetchSite = c.req.header("sec-fetch-site");
  if (fetchSite !== undefined && fetchSite !== "same-origin") throw csrfRefused();
  const origin = c.req.header("origin");
  if (!origin || origin !== new URL(c.req.url).origin) throw csrfRefused();
  const session = c.get("siteSession");
  const expected = session ? session.csrf : getCookie(c, SITE_CSRF_COOKIE);
  if (!expected || !formToken || !timingSafeEqual(expected, formToken)) throw csrfRefused();
}

function csrfRefused(): ForbiddenError {
  return new ForbiddenError("csrf_refused", "This form did not come from this site. Reload the page and try again.");
}
