import { createMiddleware } from "hono/factory";
import { type AppBindings, getConfig } from "../env";
import { UnauthorizedError } from "../lib/errors";
import { verifyAccessToken } from "../services/identity/tokens";
import { requireSection } from "./services";

/**
 * Turns `Authorization: Bearer <jwt>` into a principal (RFC 6750). No header: anonymous. A header that is
 * not a valid access token for this tenant is refused here, before any handler runs. Revocation (denylist,
 * logout-all) is checked by `protect()` in the same Redis round trip as the trust signals.
 */
export function authenticate() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) {
      c.set("principal", { kind: "anonymous" });
      c.set("accessClaims", undefined);
      return next();
    }
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header);
    if (!match?.[1]) {
      throw new UnauthorizedError("invalid_token", "Send the access token as `Authorization: Bearer <token>`.", {
        headers: { "WWW-Authenticate": 'Bearer error="invalid_request"' },
      });
    }
    const auth = requireSection("auth", getConfig(c.env).auth);
    const claims = await verifyAccessToken(auth, match[1], c.var.tenant.id);
    c.set("accessClaims", claims);
    c.set("principal", {
      kind: "user",
      userId: claims.sub,
      tenantId: claims.tid,
      roles: claims.roles,
      amr: claims.amr,
      authTime: claims.auth_time,
      tokenId: claims.jti,
      issuedAt: claims.iat,
    });
    await next();
  });
}
