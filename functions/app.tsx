import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "./bindings";
import { NotFoundError, TenantSuspendedError } from "./lib/errors";
import { createLogger } from "./lib/logging";
import { problemResponse, toAppError } from "./lib/problem";
import { createRouter } from "./lib/router";
import { requestId } from "./middleware/request-id";
import { securityHeaders } from "./middleware/security-headers";
import { requestScope } from "./middleware/scope";
import { ApiReference, type OpenApiLike } from "./routes/docs/api-reference";
import { healthRouter } from "./routes/health";
import { platformRouter } from "./routes/platform";
import { mountApiRoutes } from "./routes";
import { wellKnownRouter } from "./routes/well-known";

export const API_INFO = {
  title: "Vitalis",
  version: "0.1.0",
  description:
    "Content management for healthcare publishers: LGPD, CFM 2.336/2023 and HIPAA built in. Every endpoint answers problem+json errors with a stable code.",
};

/**
 * The Worker's application. Middleware runs in this order (docs/design-notes.md, "Request path"):
 *   request id → security headers → [liveness/readiness, docs, JWKS] → request scope (per-request clients,
 *   tenant from Host, actor from the JWT) → resource routers, where each route's `protect()` runs
 *   revocation, rate limit and trust scoring in one Redis round trip before its handler.
 * Liveness, readiness and the API description are mounted before the scope on purpose: they must answer
 * even when configuration is wrong, and liveness must never touch a dependency.
 */
export function createApp(): OpenAPIHono<AppBindings> {
  const app = createRouter();

  app.use("*", requestId());
  app.use("*", securityHeaders());

  app.route("/", healthRouter);
  app.route("/", wellKnownRouter);

  app.doc31("/api/openapi.json", { openapi: "3.1.0", info: API_INFO });
  app.get("/api/docs", (c) => {
    const document = app.getOpenAPI31Document({ openapi: "3.1.0", info: API_INFO }) as OpenApiLike;
    return c.html(<ApiReference document={document} />);
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });

  // The platform operator's API serves no tenant: it is mounted before the scope, which resolves one.
  app.route("/api/platform", platformRouter);

  // The MCP server is a Worker of its own (workers/mcp: the SDK is too heavy for this bundle), reached through the
  // `MCP` service binding. It needs no scope here: each of its tools calls this Worker's REST API back with the
  // caller's API token, where every rule applies.
  app.all("/mcp", async (c) => {
    if (!c.env.MCP) return problemResponse(c, new NotFoundError());
    const answer = await c.env.MCP.fetch(c.req.raw);
    // A copy: a fetched response's headers are immutable, and the security headers are set on the way out.
    return new Response(answer.body, answer);
  });

  app.use("*", requestScope());
  mountApiRoutes(app);

  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) return problemResponse(c, new NotFoundError());
    return c.html("<!doctype html><title>Not found</title><h1>Not found</h1>", 404);
  });

  app.onError((error, c) => {
    const appError = toAppError(error);
    // A suspended tenant is a state the operator chose, not a failure to log.
    if (appError.status >= 500 && !(appError instanceof TenantSuspendedError)) {
      // Logged with redaction (lib/logging); the caller only sees the generic message and the request id.
      (c.get("logger") ?? createLogger()).error("request failed", {
        code: appError.code,
        error: appError.cause ?? appError,
        method: c.req.method,
        path: c.req.path,
      });
    }
    // A suspended tenant's site answers a page, its API (and the WordPress API) problem+json; both 503.
    if (appError instanceof TenantSuspendedError && !/^\/(api|wp-json)\//.test(c.req.path)) {
      return c.html(
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="robots" content="noindex" />
            <title>{appError.title}</title>
          </head>
          <body data-problem={appError.code}>
            <h1>{appError.detail}</h1>
          </body>
        </html>,
        503,
        { "Cache-Control": "no-store" },
      );
    }
    return problemResponse(c, appError);
  });

  return app;
}
