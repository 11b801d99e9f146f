import { type RouteHandler, z } from "@hono/zod-openapi";
import { OUTBOX_STATUSES } from "../../../schema/outbox";
import type { AppBindings } from "../../bindings";
import { jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { listOutbox, retryDeadMail } from "../../services/outbox";
import { outboxMessageSchema, outboxPageSchema } from "./schemas";

const adminsRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };
const adminsWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };

const listRoute = protectedRoute({
  method: "get",
  path: "/outbox",
  tags: ["Outbox"],
  summary: "This tenant's outgoing e-mail, newest first: status, attempts, the last error (admins).",
  protect: adminsRead,
  request: {
    query: z
      .object({
        status: z.enum(OUTBOX_STATUSES).optional(),
        page: z.coerce.number().int().min(1).max(10_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(100).default(25),
      })
      .strict(),
  },
  responses: { 200: jsonResponse(outboxPageSchema, "A page of messages."), ...problemResponses(401, 403, 422) },
});

const retryRoute = protectedRoute({
  method: "post",
  path: "/outbox/{id}/retry",
  tags: ["Outbox"],
  summary: "Send a message that was given up on again, with a fresh set of attempts (admins; audited).",
  protect: adminsWrite,
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: jsonResponse(outboxMessageSchema, "Queued again; it is sent right away."),
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listOutbox(c.get("scope"), c.req.valid("query")), 200);
};

const retryHandler: RouteHandler<typeof retryRoute, AppBindings> = async (c) =>
  c.json(await retryDeadMail(c.get("scope"), c.req.valid("param").id), 200);

export const outboxRouter = createRouter().openapi(listRoute, listHandler).openapi(retryRoute, retryHandler);
