import { applySecurityHeaders } from "../../middleware/security-headers";

const BODY = JSON.stringify({ status: "ok" });
/** Every header but the request id, worked out once per isolate. */
const HEADERS: Array<[string, string]> = (() => {
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  applySecurityHeaders(headers);
  const entries: Array<[string, string]> = [];
  headers.forEach((value, name) => entries.push([name, value]));
  return entries;
})();

/**
 * The liveness answer: `{"status":"ok"}`, never stored, with the security headers and a request id of our own
 * like every other answer. It reads no configuration, builds no client and logs nothing.
 */
export function livenessResponse(): Response {
  return new Response(BODY, { status: 200, headers: [...HEADERS, ["x-request-id", crypto.randomUUID()]] });
}

/**
 * `GET /healthz` exactly (no query), recognised from the URL string without parsing it: the Worker answers it
 * before the app's middleware and router run (functions/index.ts), so a probe costs what a hello-world
 * Worker's request costs. Other forms (HEAD, a query string) reach the app's route, which answers the same.
 */
export function isLivenessProbe(request: Request): boolean {
  if (request.method !== "GET") return false;
  const url = request.url;
  const path = url.indexOf("/", url.indexOf("//") + 2);
  return path > 0 && url.length - path === 8 && url.endsWith("/healthz");
}
