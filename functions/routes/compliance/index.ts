import { type RouteHandler, z } from "@hono/zod-openapi";
import { legalHoldScopes } from "../../../schema/legal-holds";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { getComplianceDashboard } from "../../services/compliance-dashboard";
import { listComplianceReports } from "../../services/compliance-report";
import { listHolds, placeHold, releaseHold } from "../../services/legal-holds";
import { getProcessingRegister } from "../../services/processing-register";
import { CONTENT_LOCALES } from "../../contract";
import { complianceDashboardSchema } from "../../shapes/compliance-dashboard";
import { processingRegisterSchema } from "../../shapes/processing-register";
import { complianceReportListSchema, legalHoldListSchema, legalHoldSchema } from "./schemas";

const officersRead: ProtectOptions = {
  sensitivity: "restricted",
  action: "read",
  roles: ["compliance_officer", "admin"],
};
const officersWrite: ProtectOptions = {
  sensitivity: "restricted",
  action: "write",
  roles: ["compliance_officer", "admin"],
};
// Releasing a hold lets the retention sweep destroy what it covered, medical records included (Lei 13.787/2018):
// a PHI-level write.
const holdReleasers: ProtectOptions = { ...officersWrite, sensitivity: "phi" };

// The dashboard lists incidents and break-glass grants, which are the encarregado's alone (routes/incidents,
// routes/break-glass): compliance officers only.
const dashboardReaders: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["compliance_officer"] };

const dashboardRoute = protectedRoute({
  method: "get",
  path: "/compliance/dashboard",
  tags: ["Compliance"],
  summary:
    "What needs attention: LGPD requests overdue or due within 5 days, open incidents and their deadlines, failing jobs, dead letters, trust denials and step-ups per day (14 days), the last audit verification, break-glass grants awaiting review. Audited.",
  protect: dashboardReaders,
  responses: {
    200: jsonResponse(complianceDashboardSchema, "The dashboard."),
    ...problemResponses(401, 403),
  },
});

const reportsRoute = protectedRoute({
  method: "get",
  path: "/compliance/reports",
  tags: ["Compliance"],
  summary: "Daily compliance reports: deleted, anonymised, held, and what is due next.",
  protect: officersRead,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(90).default(30) }).strict() },
  responses: {
    200: jsonResponse(complianceReportListSchema, "Reports, newest first."),
    ...problemResponses(401, 403, 422),
  },
});

const holdBody = z
  .object({
    scope: z.enum(legalHoldScopes),
    targetId: z.uuid().optional(),
    itemType: z.enum(["media_item", "consent", "data_subject"]).optional(),
    reason: z.string().trim().min(3).max(1000),
  })
  .strict()
  .refine((body) => (body.scope === "tenant") === (body.targetId === undefined), {
    message: "targetId is required unless the scope is tenant",
    path: ["targetId"],
  });

const placeHoldRoute = protectedRoute({
  method: "post",
  path: "/compliance/legal-holds",
  tags: ["Compliance"],
  summary: "Place a legal hold on the tenant, a data subject, a user or an item: nothing it covers is deleted.",
  protect: officersWrite,
  request: { body: jsonBody(holdBody) },
  responses: { 201: jsonResponse(legalHoldSchema, "Placed."), ...problemResponses(401, 403, 422) },
});

const releaseHoldRoute = protectedRoute({
  method: "post",
  path: "/compliance/legal-holds/{id}/release",
  tags: ["Compliance"],
  summary: "Release a legal hold (PHI-level trust: what it covered may then be destroyed).",
  protect: holdReleasers,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: jsonResponse(legalHoldSchema, "Released."), ...problemResponses(401, 403, 404, 409) },
});

const listHoldsRoute = protectedRoute({
  method: "get",
  path: "/compliance/legal-holds",
  tags: ["Compliance"],
  summary: "Legal holds, newest first.",
  protect: officersRead,
  responses: { 200: jsonResponse(legalHoldListSchema, "Holds."), ...problemResponses(401, 403) },
});

const registerRoute = protectedRoute({
  method: "get",
  path: "/compliance/processing-register",
  tags: ["Compliance"],
  summary:
    "The record of processing operations (LGPD Art. 37): purposes, legal bases, data and subjects, retention, recipients, transfers, security measures, controller and DPO. Audited.",
  protect: officersRead,
  request: { query: z.object({ locale: z.enum(CONTENT_LOCALES).default("pt-BR") }).strict() },
  responses: {
    200: jsonResponse(processingRegisterSchema, "The register, generated from what the system does."),
    ...problemResponses(401, 403, 422),
  },
});

const dashboardHandler: RouteHandler<typeof dashboardRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getComplianceDashboard(c.get("scope")), 200);
};
const registerHandler: RouteHandler<typeof registerRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getProcessingRegister(c.get("scope"), c.req.valid("query").locale), 200);
};
const reportsHandler: RouteHandler<typeof reportsRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ reports: await listComplianceReports(c.get("scope"), c.req.valid("query").limit) }, 200);
};
const placeHoldHandler: RouteHandler<typeof placeHoldRoute, AppBindings> = async (c) =>
  c.json(await placeHold(c.get("scope"), c.req.valid("json")), 201);
const releaseHoldHandler: RouteHandler<typeof releaseHoldRoute, AppBindings> = async (c) =>
  c.json(await releaseHold(c.get("scope"), c.req.valid("param").id), 200);
const listHoldsHandler: RouteHandler<typeof listHoldsRoute, AppBindings> = async (c) =>
  c.json({ holds: await listHolds(c.get("scope")) }, 200);

export const complianceRouter = createRouter()
  .openapi(dashboardRoute, dashboardHandler)
  .openapi(reportsRoute, reportsHandler)
  .openapi(placeHoldRoute, placeHoldHandler)
  .openapi(releaseHoldRoute, releaseHoldHandler)
  .openapi(listHoldsRoute, listHoldsHandler)
  .openapi(registerRoute, registerHandler);
