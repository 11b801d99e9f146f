import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../bindings";
import { getConfig, requireSection } from "../env";
import { createRouter } from "../lib/router";
import { keyRing } from "../services/identity/tokens";

const jwksRoute = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  tags: ["Authentication"],
  summary: "The public keys that verify access tokens (RFC 7517); never a private member.",
  responses: {
    200: {
      description: "The JWK set.",
      content: {
        "application/json": {
          schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi("JwkSet"),
        },
      },
    },
  },
});

const getJwks: RouteHandler<typeof jwksRoute, AppBindings> = async (c) => {
  // Mounted before the request scope (no tenant or database is needed to publish keys).
  const ring = await keyRing(requireSection(getConfig(c.env), "auth"));
  // Public keys change only on rotation; let verifiers cache them briefly.
  c.header("Cache-Control", "public, max-age=300");
  return c.json({ keys: ring.publicJwks as Array<Record<string, unknown>> }, 200);
};

export const wellKnownRouter = createRouter().openapi(jwksRoute, getJwks);
