import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { API_TOKEN_MAX_DAYS, API_TOKEN_SCOPES } from "../../contract";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { createApiToken, listApiTokens, revokeApiToken } from "../../services/identity/api-tokens";
import { createServiceAccount, listServiceAccounts } from "../../services/identity/service-accounts";
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
    principal: z.enum(["person", "service"]).openapi({
      description: "`person`: a member's personal token; `service`: a service account's token (admins manage it).",
    }),
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
    "The token acts as its member (or, with `serviceAccountId`, as that service account: an author), with at most the principal's roles, narrowed by its scopes. It never reads personal health data, never manages accounts, tokens or security settings, and scores as a non-interactive client (no step-up).",
  protect: membersWrite,
  request: {
    body: jsonBody(
      z
        .object({
          name: z.string().trim().min(1).max(100),
          scopes: z.array(z.enum(API_TOKEN_SCOPES)).min(1).max(API_TOKEN_SCOPES.length),
          expiresAt: z.iso.datetime({ offset: true }).openapi({ description: "ISO 8601; required." }),
          serviceAccountId: z.uuid().optional().openapi({
            description: "Admins: a service token, for this service account of the clinic (`/api/service-accounts`).",
          }),
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
  const created = await createApiToken(c.get("scope"), {
    name: body.name,
    scopes: body.scopes,
    expiresAt: new Date(body.expiresAt),
    serviceAccountId: body.serviceAccountId,
  });
  c.header("Cache-Control", "no-store");
  return c.json(created, 201);
};

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listApiTokens(c.get("scope")), 200);
};

const revokeHandler: RouteHandler<typeof revokeRoute, AppBindings> = async (c) =>
  c.json(await revokeApiToken(c.get("scope"), c.req.valid("param").id), 200);

// -------------------------------------------------------------------------------------------------
// Service accounts: the principals of service tokens (services/identity/service-accounts.ts). Admins only, in a
// session; suspending, resuming or removing one is the members API's (/api/members/{id}/…).
// -------------------------------------------------------------------------------------------------

const adminsRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };
const adminsWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };

const serviceAccountSchema = z
  .object({ id: z.uuid(), name: z.string(), status: z.enum(["active", "disabled"]), createdAt: z.string() })
  .openapi("ServiceAccount");

const createServiceAccountRoute = protectedRoute({
  method: "post",
  path: "/service-accounts",
  tags: ["Account"],
  summary:
    "Create a service account: an integration's own principal (an author), which acts only through its API tokens.",
  protect: adminsWrite,
  request: {
    body: jsonBody(
      z
        .object({ name: z.string().trim().min(1).max(100) })
        .strict()
        .openapi("ServiceAccountCreate"),
    ),
  },
  responses: { 201: jsonResponse(serviceAccountSchema, "Created."), ...problemResponses(401, 403, 422) },
});

const listServiceAccountsRoute = protectedRoute({
  method: "get",
  path: "/service-accounts",
  tags: ["Account"],
  summary: "The clinic's service accounts (admins).",
  protect: adminsRead,
  responses: {
    200: jsonResponse(z.array(serviceAccountSchema), "The service accounts."),
    ...problemResponses(401, 403),
  },
});

const createServiceAccountHandler: RouteHandler<typeof createServiceAccountRoute, AppBindings> = async (c) =>
  c.json(await createServiceAccount(c.get("scope"), c.req.valid("json")), 201);

const listServiceAccountsHandler: RouteHandler<typeof listServiceAccountsRoute, AppBindings> = async (c) =>
  c.json(await listServiceAccounts(c.get("scope")), 200);

export const tokensRouter = createRouter()
  .openapi(createTokenRoute, createHandler)
  .openapi(listRoute, listHandler)
  .openapi(revokeRoute, revokeHandler)
  .openapi(createServiceAccountRoute, createServiceAccountHandler)
  .openapi(listServiceAccountsRoute, listServiceAccountsHandler);
