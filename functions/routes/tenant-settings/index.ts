import type { RouteHandler } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { getTenantSettings, updateTenantSettings } from "../../services/tenant-settings";
import { tenantSettingsInputSchema, tenantSettingsSchema } from "../../shapes/tenant-settings";

const read: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["admin"] };
const write: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin"] };

const getRoute = protectedRoute({
  method: "get",
  path: "/tenant/settings",
  tags: ["Tenant"],
  summary: "This site's settings: name, logo, primary hostname, default locale, technical director and DPO.",
  protect: read,
  responses: { 200: jsonResponse(tenantSettingsSchema, "The settings."), ...problemResponses(401, 403) },
});

const putRoute = protectedRoute({
  method: "put",
  path: "/tenant/settings",
  tags: ["Tenant"],
  summary: "Replace this site's settings (admins; audited with the names of the fields that changed).",
  protect: write,
  request: { body: jsonBody(tenantSettingsInputSchema) },
  responses: { 200: jsonResponse(tenantSettingsSchema, "The settings as saved."), ...problemResponses(401, 403, 422) },
});

const getHandler: RouteHandler<typeof getRoute, AppBindings> = async (c) =>
  c.json(await getTenantSettings(c.get("scope")), 200);

const putHandler: RouteHandler<typeof putRoute, AppBindings> = async (c) =>
  c.json(await updateTenantSettings(c.get("scope"), c.req.valid("json")), 200);

export const tenantSettingsRouter = createRouter().openapi(getRoute, getHandler).openapi(putRoute, putHandler);
