import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../bindings";

/**
 * A strict Content-Security-Policy for HTML: no inline script, nothing from other origins except images
 * over HTTPS, and no framing (clickjacking). API responses get a CSP that allows nothing at all, since a
 * browser should never render them as a document.
 */
const HTML_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Sets the headers every answer carries. The CSP is left alone when a route set its own. Used by the
 * middleware below and by the liveness answer, which is sent before the app runs (functions/index.ts).
 */
export function applySecurityHeaders(headers: Headers): void {
  // Two years with preload: browsers never speak plain HTTP to us again (RFC 6797 §6.1).
  headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Resource-Policy", "same-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()");
  if (!headers.has("Content-Security-Policy")) {
    const isHtml = (headers.get("Content-Type") ?? "").includes("text/html");
    headers.set("Content-Security-Policy", isHtml ? HTML_CSP : NON_HTML_CSP);
  }
}

export function securityHeaders() {
  return createMiddleware<AppBindings>(async (c, next) => {
    await next();
    applySecurityHeaders(c.res.headers);
  });
}
