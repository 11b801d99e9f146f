import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { credentialViewSchema } from "../../shapes/account";
import { disableMembership, enableMembership, reviewCredential } from "../../services/identity/accounts";

const adminOnly: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };
const params = z.object({ id: z.uuid() });

const reviewRoute = protectedRoute({
  method: "post",
  path: "/users/{id}/credential/review",
  tags: ["Users"],
  summary: "Verify or reject a member's CRM credential, with a note (audited).",
  protect: adminOnly,
  request: {
    params,
    body: jsonBody(z.object({ status: z.enum(["verified", "rejected"]), note: z.string().min(3).max(1000) }).strict()),
  },
  responses: {
    200: jsonResponse(credentialViewSchema, "Reviewed: the credential as it is now."),
    ...problemResponses(401, 403, 404, 422),
  },
});

const disableRoute = protectedRoute({
  method: "post",
  path: "/users/{id}/disable",
  tags: ["Users"],
  summary:
    "Disable a member in this tenant: no sign-in here, this tenant's tokens void at once; their other tenants are untouched (audited).",
  protect: adminOnly,
  request: { params },
  responses: { 204: { description: "Disabled in this tenant." }, ...problemResponses(401, 403, 404, 409) },
});

const enableRoute = protectedRoute({
  method: "post",
  path: "/users/{id}/enable",
  tags: ["Users"],
  summary: "Re-activate a disabled member in this tenant: they may sign in here again (audited).",
  protect: adminOnly,
  request: { params },
  responses: { 204: { description: "Active in this tenant." }, ...problemResponses(401, 403, 404) },
});

const reviewHandler: RouteHandler<typeof reviewRoute, AppBindings> = async (c) => {
  const view = await reviewCredential(c.var.scope, { userId: c.req.valid("param").id, ...c.req.valid("json") });
  return c.json(view, 200);
};

const disableHandler: RouteHandler<typeof disableRoute, AppBindings> = async (c) => {
  await disableMembership(c.var.scope, { userId: c.req.valid("param").id });
  return c.body(null, 204);
};

const enableHandler: RouteHandler<typeof enableRoute, AppBindings> = async (c) => {
  await enableMembership(c.var.scope, { userId: c.req.valid("param").id });
  return c.body(null, 204);
};

export const usersRouter = createRouter()
  .openapi(reviewRoute, reviewHandler)
  .openapi(disableRoute, disableHandler)
  .openapi(enableRoute, enableHandler);
