import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../bindings";
import { deliverCommittedEvents } from "../effects";
import { getConfig, requireSection } from "../env";
import type { Actor } from "../lib/actor";
import { UnauthorizedError } from "../lib/errors";
import { createScope, openClients, type Scope } from "../scope";
import { authenticateApiToken } from "../services/identity/api-tokens";
import { type AccessClaims, verifyAccessToken, verifySiteSession } from "../services/identity/tokens";
import { siteSessionCookieOf, takesSiteSession } from "./site-session";
import { resolveTenantByHost } from "../services/tenants";

/**
 * Builds the request's scope (functions/scope.ts), the one object every handler hands to services:
 *   1. clients from `c.env` (never module-level: Workers may not share I/O objects between requests);
 *   2. the tenant, from the hostname the client asked for (Cloudflare routes only our zones' hosts here);
 *   3. the actor, from `Authorization: Bearer <jwt>` (RFC 6750): no header is anonymous, a header that is
 *      not a valid access token for this tenant is refused before any handler runs. Revocation is checked
 *      by `protect()` in the same Redis round trip as the trust signals. A personal API token (`vt_…`) is
 *      recognised before a JWT is tried and checked against its row on every request (one HTTP read), so
 *      its revocation and expiry take effect at once. On the site's own pages (`/<locale>/…`) without that
 *      header, the actor comes from the site session cookie (middleware/site-session.ts): one that does not
 *      verify is read as no session, so a reader with a stale cookie still gets the page.
 * After the response, the events of committed transactions are delivered (functions/effects.ts) and the
 * database pool is ended, both in `waitUntil` (only when there are events, or a pool was opened).
 */
export function requestScope() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const config = getConfig(c.env);
    c.set("config", config);
    // Redis and S3 are built at first use, but a request is refused at once when their configuration is
    // wrong, so a misconfigured deployment fails on every route and `/readyz` names the variables.
    requireSection(config, "redis");
    requireSection(config, "s3");
    const clients = openClients(config);
    let scope: Scope | undefined;
    try {
      const tenant = await resolveTenantByHost(clients.http, hostOf(c.req.url), c.get("logger"));
      const header = c.req.header("authorization");
      const apiToken = API_TOKEN_BEARER.exec(header ?? "")?.[1];
      const cookie = header ? null : takesSiteSession(c.req.path) ? siteSessionCookieOf(c) : null;
      const siteClaims = cookie
        ? await verifySiteSession(requireSection(config, "auth"), cookie, tenant.id).catch(() => undefined)
        : undefined;
      const { actor, claims } = apiToken
        ? { actor: await authenticateApiToken(clients.http, tenant.id, apiToken), claims: undefined }
        : siteClaims
          ? { actor: actorOf(siteClaims), claims: undefined }
          : await authenticateBearer(header, async (token) =>
              verifyAccessToken(requireSection(config, "auth"), token, tenant.id),
            );
      c.set("accessClaims", claims);
      c.set("siteSession", siteClaims);
      scope = createScope(clients, { tenant, actor, requestId: c.get("requestId"), logger: c.get("logger") });
      c.set("scope", scope);
      await next();
    } finally {
      // Work left after the answer goes to `waitUntil`; most reads leave none (no event raised, no pool opened), and
      // then nothing is registered: each `waitUntil` costs the runtime a task of its own.
      if (scope?.hasCommittedEvents || clients.poolOpened) {
        const delivered = scope ? deliverCommittedEvents(scope) : Promise.resolve();
        c.executionCtx.waitUntil(delivered.finally(() => clients.close()));
      }
    }
  });
}

/**
 * The host (with its port, which `resolveTenantByHost` drops) of a request's URL, read off the string the runtime
 * serialised (scheme, `//`, host, path) rather than parsed again; a URL with credentials in it is parsed.
 */
function hostOf(url: string): string {
  const hostStart = url.indexOf("//") + 2;
  const pathStart = url.indexOf("/", hostStart);
  const host = pathStart === -1 ? url.slice(hostStart) : url.slice(hostStart, pathStart);
  return host.includes("@") ? new URL(url).host : host;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
/** An API token is recognised by its prefix; its form is checked by `authenticateApiToken`. */
const API_TOKEN_BEARER = /^Bearer (vt_\S*)$/;

async function authenticateBearer(
  header: string | undefined,
  verify: (token: string) => Promise<AccessClaims>,
): Promise<{ actor: Actor; claims: AccessClaims | undefined }> {
  if (!header) return { actor: { kind: "anonymous" }, claims: undefined };
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new UnauthorizedError("invalid_token", "Send the access token as `Authorization: Bearer <token>`.", {
      headers: { "WWW-Authenticate": 'Bearer error="invalid_request"' },
    });
  }
  const claims = await verify(match[1]);
  return { claims, actor: actorOf(claims) };
}

function actorOf(claims: AccessClaims): Actor {
  return {
    kind: "user",
    userId: claims.sub,
    tenantId: claims.tid,
    roles: claims.roles,
    amr: claims.amr,
    authTime: claims.auth_time,
    tokenId: claims.jti,
    issuedAt: claims.iat,
  };
}
