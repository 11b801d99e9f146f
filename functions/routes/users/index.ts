import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { credentialViewSchema } from "../../shapes/account";
import { credentialQuerySchema, credentialQueueItemSchema } from "../../shapes/members";
import { listCredentials, reviewCredential } from "../../services/identity/accounts";
import { mailContextOf } from "../shared/mail";

const adminOnly: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };
const params = z.object({ id: z.uuid() });

const queueRoute = protectedRoute({
  method: "get",
  path: "/credentials",
  tags: ["Users"],
  summary: "The credential queue: members' declared CRM/UF and RQE in one status, pending by default (admins).",
  protect: { ...adminOnly, action: "read" },
  request: { query: credentialQuerySchema },
  responses: {
    200: jsonResponse(z.object({ items: z.array(credentialQueueItemSchema) }), "Oldest first."),
    ...problemResponses(401, 403, 422),
  },
});

const reviewRoute = protectedRoute({
  method: "post",
  path: "/users/{id}/credential/review",
  tags: ["Users"],
  summary: "Verify or reject a member's CRM credential, with a note (audited; the member is told by e-mail).",
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

const queueHandler: RouteHandler<typeof queueRoute, AppBindings> = async (c) =>
  c.json({ items: await listCredentials(c.get("scope"), c.req.valid("query")) }, 200);

const reviewHandler: RouteHandler<typeof reviewRoute, AppBindings> = async (c) => {
  const view = await reviewCredential(c.get("scope"), {
    userId: c.req.valid("param").id,
    ...c.req.valid("json"),
    mail: mailContextOf(c),
  });
  return c.json(view, 200);
};

export const usersRouter = createRouter().openapi(queueRoute, queueHandler).openapi(reviewRoute, reviewHandler);
