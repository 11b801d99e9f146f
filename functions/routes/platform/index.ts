import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../../bindings";
import { getConfig } from "../../env";
import { ConfigError, NotFoundError, UnauthorizedError, BadRequestError } from "../../lib/errors";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto";
import { createRouter, validationError } from "../../lib/router";
import { limitBody, KiB } from "../../middleware/body-limit";
import { wellFormedJson } from "../../middleware/well-formed-json";
import { createPlatformScope, openClients } from "../../scope";
import { takePlatformEvents } from "../../services/platform/events";
import { addHostname, removeHostname } from "../../services/platform/hostnames";
import { createTenant, listTenants, setTenantStatus } from "../../services/platform/tenants";
import { disableUserEverywhere, enableUserEverywhere } from "../../services/platform/users";
import {
  createTenantSchema,
  hostnameChangeSchema,
  hostnameSchema,
  statusChangeSchema,
  tenantSlugSchema,
  userByEmailSchema,
} from "../../shapes/platform";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="vitalis-platform"' };
const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * The platform operator's credential: a bearer token whose SHA-256 is `PLATFORM_API_TOKEN_SHA256`, compared in
 * constant time. Not a tenant's JWT nor any tenant role: those are simply wrong tokens here. Without the setting
 * the platform API does not exist (404, as for any unknown path). Then the request gets a platform scope over the
 * operator's own database login (`PLATFORM_DATABASE_URL`, role `vitalis_platform`), never the app role's.
 */
const platformCredential = createMiddleware<AppBindings>(async (c, next) => {
  const config = getConfig(c.env);
  const section = config.platform;
  const expected = section.ok ? section.value.apiTokenSha256 : undefined;
  if (!section.ok || !expected) throw new NotFoundError();
  const match = BEARER.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) {
    throw new UnauthorizedError("platform_unauthenticated", "Send the platform token as a bearer token.", {
      headers: CHALLENGE,
    });
  }
  if (!timingSafeEqual(await sha256Hex(match[1]), expected)) {
    throw new UnauthorizedError("invalid_platform_token", "The platform token is not valid.", {
      headers: { "WWW-Authenticate": 'Bearer realm="vitalis-platform", error="invalid_token"' },
    });
  }
  const database = section.value.database;
  if (!database) throw new ConfigError("platform", ["PLATFORM_DATABASE_URL is required for the platform API"]);
  const clients = openClients(config, database);
  const { platform, scopes } = createPlatformScope(clients, {
    actor: { kind: "platform", via: "api" },
    requestId: c.get("requestId"),
    logger: c.get("logger"),
  });
  c.set("platform", platform);
  try {
    await next();
  } finally {
    const unhandled = takePlatformEvents(scopes);
    if (unhandled.length > 0) {
      c.get("logger").error("platform change raised effects it cannot deliver", {
        events: unhandled.map((e) => e.type),
      });
    }
    c.executionCtx.waitUntil(clients.close());
  }
});

/** The JSON body, validated; malformed JSON is a 400 and a failing field a 422 naming it. */
async function body<T extends z.ZodType>(c: Context<AppBindings>, schema: T): Promise<z.output<T>> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new BadRequestError("malformed_request", "The request body is not JSON.");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError("json", result.error.issues);
  return result.data;
}

function param<T extends z.ZodType>(c: Context<AppBindings>, name: string, schema: T): z.output<T> {
  const result = schema.safeParse(c.req.param(name));
  if (!result.success) throw validationError(`param.${name}`, result.error.issues);
  return result.data;
}

/**
 * `/api/platform/*`, mounted before the request scope (app.tsx): it serves no tenant, so no hostname is resolved
 * and no tenant token read. Not in the public OpenAPI document, which every tenant's host serves; README.md
 * lists the routes.
 */
export const platformRouter = createRouter();
platformRouter.use("*", platformCredential, limitBody(16 * KiB), wellFormedJson());

platformRouter.get("/tenants", async (c) => c.json({ tenants: await listTenants(c.get("platform")) }, 200));

platformRouter.post("/tenants", async (c) =>
  c.json(await createTenant(c.get("platform"), await body(c, createTenantSchema)), 201),
);

platformRouter.post("/tenants/:slug/hostnames", async (c) => {
  const slug = param(c, "slug", tenantSlugSchema);
  return c.json(await addHostname(c.get("platform"), { slug, ...(await body(c, hostnameChangeSchema)) }), 201);
});

platformRouter.delete("/tenants/:slug/hostnames/:hostname", async (c) => {
  const input = { slug: param(c, "slug", tenantSlugSchema), hostname: param(c, "hostname", hostnameSchema) };
  return c.json(await removeHostname(c.get("platform"), input), 200);
});

for (const [action, status] of [
  ["suspend", "suspended"],
  ["resume", "active"],
] as const) {
  platformRouter.post(`/tenants/:slug/${action}`, async (c) => {
    const slug = param(c, "slug", tenantSlugSchema);
    const { reason } = await body(c, statusChangeSchema);
    return c.json(await setTenantStatus(c.get("platform"), { slug, status, reason }), 200);
  });
}

platformRouter.post("/users/disable", async (c) =>
  c.json(await disableUserEverywhere(c.get("platform"), await body(c, userByEmailSchema)), 200),
);

platformRouter.post("/users/enable", async (c) =>
  c.json(await enableUserEverywhere(c.get("platform"), await body(c, userByEmailSchema)), 200),
);

platformRouter.all("*", () => {
  throw new NotFoundError();
});
