import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, optionalJsonBody, problemResponses, sentJson } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "../../services/webhooks/endpoints";
import {
  webhookCreateSchema,
  webhookDeliveryPageSchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookPatchSchema,
  webhookRotateSchema,
} from "./schemas";

const adminsRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };
const adminsWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };

const idParam = z.object({ id: z.uuid() });
const TAG = "Webhooks";

const createRoute = protectedRoute({
  method: "post",
  path: "/webhooks",
  tags: [TAG],
  summary:
    "Register an endpoint (https, public address) for content.published, content.unpublished, content.updated, media.created; the answer carries its signing secret once (admins; audited).",
  protect: adminsWrite,
  request: { body: jsonBody(webhookCreateSchema) },
  responses: {
    201: jsonResponse(webhookEndpointWithSecretSchema, "Registered; keep the secret, it is not shown again."),
    ...problemResponses(401, 403, 409, 422),
  },
});

const listRoute = protectedRoute({
  method: "get",
  path: "/webhooks",
  tags: [TAG],
  summary: "This tenant's webhook endpoints, newest first (admins).",
  protect: adminsRead,
  responses: { 200: jsonResponse(z.array(webhookEndpointSchema), "Endpoints."), ...problemResponses(401, 403) },
});

const getRoute = protectedRoute({
  method: "get",
  path: "/webhooks/{id}",
  tags: [TAG],
  summary: "One webhook endpoint (admins).",
  protect: adminsRead,
  request: { params: idParam },
  responses: { 200: jsonResponse(webhookEndpointSchema, "The endpoint."), ...problemResponses(401, 403, 404, 422) },
});

const patchRoute = protectedRoute({
  method: "patch",
  path: "/webhooks/{id}",
  tags: [TAG],
  summary:
    "Change an endpoint's URL (checked as at registration), events, description or whether it is enabled (admins; audited).",
  protect: adminsWrite,
  request: { params: idParam, body: jsonBody(webhookPatchSchema) },
  responses: { 200: jsonResponse(webhookEndpointSchema, "Updated."), ...problemResponses(401, 403, 404, 422) },
});

const deleteRoute = protectedRoute({
  method: "delete",
  path: "/webhooks/{id}",
  tags: [TAG],
  summary: "Remove an endpoint and its delivery log; its waiting deliveries are given up (admins; audited).",
  protect: adminsWrite,
  request: { params: idParam },
  responses: { 204: { description: "Removed." }, ...problemResponses(401, 403, 404, 422) },
});

const rotateRoute = protectedRoute({
  method: "post",
  path: "/webhooks/{id}/secret",
  tags: [TAG],
  summary:
    "Replace the endpoint's signing secret; the new one is answered once and signs every later attempt, beside the previous one for 24 hours unless keepPrevious is false (admins; audited).",
  protect: adminsWrite,
  request: {
    params: idParam,
    body: optionalJsonBody(webhookRotateSchema),
  },
  responses: {
    200: jsonResponse(webhookEndpointWithSecretSchema, "Rotated; keep the secret, it is not shown again."),
    ...problemResponses(401, 403, 404, 422),
  },
});

const deliveriesRoute = protectedRoute({
  method: "get",
  path: "/webhooks/{id}/deliveries",
  tags: [TAG],
  summary:
    "The endpoint's deliveries, newest first, each with its attempts: status code, duration, error class and a short sanitised excerpt of the answer (admins).",
  protect: adminsRead,
  request: {
    params: idParam,
    query: z
      .object({
        page: z.coerce.number().int().min(1).max(10_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(100).default(25),
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(webhookDeliveryPageSchema, "A page of deliveries."),
    ...problemResponses(401, 403, 404, 422),
  },
});

const redeliverRoute = protectedRoute({
  method: "post",
  path: "/webhooks/{id}/deliveries/{deliveryId}/redeliver",
  tags: [TAG],
  summary:
    "Send a delivery that was sent or given up on again, with the same webhook-id and a fresh set of attempts (admins; audited).",
  protect: adminsWrite,
  request: { params: z.object({ id: z.uuid(), deliveryId: z.uuid() }) },
  responses: { 202: { description: "Queued; it is sent right away." }, ...problemResponses(401, 403, 404, 409, 422) },
});

const createHandler: RouteHandler<typeof createRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await createWebhookEndpoint(c.get("scope"), c.req.valid("json")), 201);
};

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listWebhookEndpoints(c.get("scope")), 200);
};

const getHandler: RouteHandler<typeof getRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getWebhookEndpoint(c.get("scope"), c.req.valid("param").id), 200);
};

const patchHandler: RouteHandler<typeof patchRoute, AppBindings> = async (c) =>
  c.json(await updateWebhookEndpoint(c.get("scope"), c.req.valid("param").id, c.req.valid("json")), 200);

const deleteHandler: RouteHandler<typeof deleteRoute, AppBindings> = async (c) => {
  await deleteWebhookEndpoint(c.get("scope"), c.req.valid("param").id);
  return c.body(null, 204);
};

const rotateHandler: RouteHandler<typeof rotateRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  const options = sentJson(c) ? c.req.valid("json") : webhookRotateSchema.parse({});
  return c.json(await rotateWebhookSecret(c.get("scope"), c.req.valid("param").id, options), 200);
};

const deliveriesHandler: RouteHandler<typeof deliveriesRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listWebhookDeliveries(c.get("scope"), c.req.valid("param").id, c.req.valid("query")), 200);
};

const redeliverHandler: RouteHandler<typeof redeliverRoute, AppBindings> = async (c) => {
  const { id, deliveryId } = c.req.valid("param");
  await redeliverWebhook(c.get("scope"), id, deliveryId);
  return c.body(null, 202);
};

export const webhooksRouter = createRouter()
  .openapi(createRoute, createHandler)
  .openapi(listRoute, listHandler)
  .openapi(getRoute, getHandler)
  .openapi(patchRoute, patchHandler)
  .openapi(deleteRoute, deleteHandler)
  .openapi(rotateRoute, rotateHandler)
  .openapi(deliveriesRoute, deliveriesHandler)
  .openapi(redeliverRoute, redeliverHandler);
