import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { API_TOKEN_MAX_DAYS, API_TOKEN_SCOPES } from "../../contract";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { createApiToken, listApiTokens, revokeApiToken } from "../../services/identity/api-tokens";
import { STAFF_ROLES } from "../../services/content/access";

// Staff members manage their own tokens; admins see and revoke everyone's. Tokens themselves never reach these
// routes (not in middleware/api-token-routes.ts).
const membersRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: [...STAFF_ROLES] };
const membersWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: [...STAFF_ROLES] };

const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.enum(API_TOKEN_SCOPES)),
    userId: z.uuid(),
    userName: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiToken");

const createdSchema = tokenSchema
  .extend({
    token: z.string().openapi({
      description: "The token, shown this once: send it as `Authorization: Bearer <token>`. Only its hash is kept.",
    }),
  })
  .openapi("ApiTokenCreated");

const createTokenRoute = protectedRoute({
  method: "post",
  path: "/tokens",
  tags: ["Account"],
  summary: `Create a personal API token with scopes and an expiry (at most ${API_TOKEN_MAX_DAYS} days); the answer holds the token once.`,
  description:
    "The token acts as its member, with at most the member's roles, narrowed by its scopes. It never reads personal health data, never manages accounts, tokens or security settings, and scores as a non-interactive client (no step-up).",
  protect: membersWrite,
  request: {
    body: jsonBody(
      z
        .object({
          name: z.string().trim().min(1).max(100),
          scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1).max(API_TOKEN_SCOPES.length),
          expiresAt: z.iso.datetime({ offset: true }).openapi({ description: "ISO 8601; required." }),
        })
        .strict()
        .openapi("ApiTokenCreate"),
    ),
  },
  responses: {
    201: jsonResponse(createdSchema, "Created; the token is not shown again."),
    ...problemResponses(401, 403, 409, 422),
  },
});

const listRoute = protectedRoute({
  method: "get",
  path: "/tokens",
  tags: ["Account"],
  summary: "Your API tokens, newest first (admins: every member's in the clinic); never their secrets.",
  protect: membersRead,
  responses: { 200: jsonResponse(z.array(tokenSchema), "The tokens."), ...problemResponses(401, 403) },
});

const revokeRoute = protectedRoute({
  method: "delete",
  path: "/tokens/{id}",
  tags: ["Account"],
  summary: "Revoke an API token at once (your own; admins: any in the clinic).",
  protect: membersWrite,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: jsonResponse(tokenSchema, "Revoked."), ...problemResponses(401, 403, 404, 422) },
});

const createHandler: RouteHandler<typeof createTokenRoute, AppBindings> = async (c) => {
  const body = c.req.valid("json");
  const created = await createApiToken(c.var.scope, {
    name: body.name,
    scopes: body.scopes,
    expiresAt: new Date(body.expiresAt),
  });
  c.header("Cache-Control", "no-store");
  return c.json(created, 201);
};

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listApiTokens(c.var.scope), 200);
};

const revokeHandler: RouteHandler<typeof revokeRoute, AppBindings> = async (c) =>
  c.json(await revokeApiToken(c.var.scope, c.req.valid("param").id), 200);

export const tokensRouter = createRouter()
  .openapi(createTokenRoute, createHandler)
  .openapi(listRoute, listHandler)
  .openapi(revokeRoute, revokeHandler);
