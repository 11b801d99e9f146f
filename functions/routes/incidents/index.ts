import { type RouteHandler, z } from "@hono/zod-openapi";
import { INCIDENT_RISK_LEVELS, INCIDENT_SOURCES, INCIDENT_STATUSES } from "../../../schema/incidents";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  createIncident,
  getIncident,
  listIncidents,
  notifyIncidentSubjects,
  updateIncident,
} from "../../services/incidents";
import { mailContextOf } from "../shared/mail";

// The register is the encarregado's (LGPD art. 41, our compliance_officer): it describes breaches and who they
// touched, so it is staff-only data, not PHI (no health record is copied into it).
const officersRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["compliance_officer"] };
const officersWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["compliance_officer"] };

const text = (max: number) => z.string().trim().min(1).max(max);
const labels = z.array(text(100)).max(30);

const assessment = {
  occurredAt: z.iso.datetime({ offset: true }).nullable().optional(),
  dataCategories: labels.optional(),
  sensitiveData: z.boolean().optional(),
  subjectCategories: labels.optional(),
  subjectsAffected: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
  riskLevel: z.enum(INCIDENT_RISK_LEVELS).nullable().optional(),
  riskAssessment: text(4000).nullable().optional(),
  measures: text(4000).nullable().optional(),
};

const createSchema = z
  .object({
    title: text(200),
    description: text(4000),
    discoveredAt: z.iso.datetime({ offset: true }).optional(),
    ...assessment,
  })
  .strict()
  .openapi("IncidentCreate");

const patchSchema = z
  .object({
    title: text(200).optional(),
    description: text(4000).optional(),
    status: z.enum(INCIDENT_STATUSES).optional(),
    ...assessment,
  })
  .strict()
  .openapi("IncidentPatch");

const incidentSchema = z
  .object({
    id: z.uuid(),
    source: z.enum(INCIDENT_SOURCES),
    status: z.enum(INCIDENT_STATUSES),
    title: z.string(),
    description: z.string(),
    discoveredAt: z.string(),
    occurredAt: z.string().nullable(),
    dataCategories: z.array(z.string()),
    sensitiveData: z.boolean(),
    subjectCategories: z.array(z.string()),
    subjectsAffected: z.number().int().nullable(),
    riskLevel: z.enum(INCIDENT_RISK_LEVELS).nullable(),
    riskAssessment: z.string().nullable(),
    measures: z.string().nullable(),
    communicationDue: z.string(),
    anpdCommunicatedAt: z.string().nullable(),
    subjectsNotifiedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    next: z.array(z.enum(INCIDENT_STATUSES)),
    anpdForm: z.record(z.string(), z.unknown()),
  })
  .openapi("Incident");

const idParam = z.object({ id: z.uuid() });

const createRoute = protectedRoute({
  method: "post",
  path: "/incidents",
  tags: ["Compliance"],
  summary:
    "Register a security incident (LGPD art. 48): a draft with its three-business-day communication deadline (compliance officers; audited).",
  protect: officersWrite,
  request: { body: jsonBody(createSchema) },
  responses: { 201: jsonResponse(incidentSchema, "Registered."), ...problemResponses(401, 403, 422) },
});

const listRoute = protectedRoute({
  method: "get",
  path: "/incidents",
  tags: ["Compliance"],
  summary: "The incident register, newest first (compliance officers).",
  protect: officersRead,
  request: {
    query: z
      .object({
        status: z.enum(INCIDENT_STATUSES).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
  },
  responses: { 200: jsonResponse(z.array(incidentSchema), "Incidents."), ...problemResponses(401, 403, 422) },
});

const getRoute = protectedRoute({
  method: "get",
  path: "/incidents/{id}",
  tags: ["Compliance"],
  summary: "One incident, with the ANPD communication form's fields ready to copy (compliance officers).",
  protect: officersRead,
  request: { params: idParam },
  responses: { 200: jsonResponse(incidentSchema, "The incident."), ...problemResponses(401, 403, 404, 422) },
});

const patchRoute = protectedRoute({
  method: "patch",
  path: "/incidents/{id}",
  tags: ["Compliance"],
  summary:
    "Assess an incident and move its status: draft → confirmed | dismissed, confirmed → communicated | closed, communicated → closed (compliance officers; audited).",
  protect: officersWrite,
  request: { params: idParam, body: jsonBody(patchSchema) },
  responses: { 200: jsonResponse(incidentSchema, "Updated."), ...problemResponses(401, 403, 404, 409, 422) },
});

const noticesRoute = protectedRoute({
  method: "post",
  path: "/incidents/{id}/notices",
  tags: ["Compliance"],
  summary:
    "Queue the incident notice to affected data subjects by e-mail (LGPD art. 48 §1), naming the DPO as contact (compliance officers; audited).",
  protect: officersWrite,
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({ subjectIds: z.array(z.uuid()).min(1).max(1000) })
        .strict()
        .openapi("IncidentNotices"),
    ),
  },
  responses: {
    202: jsonResponse(
      z.object({ queued: z.number().int(), withoutEmail: z.array(z.uuid()) }).openapi("IncidentNoticesQueued"),
      "Queued; subjects without an e-mail address are listed.",
    ),
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const date = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : new Date(value);

const createHandler: RouteHandler<typeof createRoute, AppBindings> = async (c) => {
  const { discoveredAt, occurredAt, ...rest } = c.req.valid("json");
  const incident = await createIncident(c.get("scope"), {
    ...rest,
    discoveredAt: discoveredAt ? new Date(discoveredAt) : undefined,
    occurredAt: date(occurredAt),
  });
  return c.json(incident, 201);
};

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listIncidents(c.get("scope"), c.req.valid("query")), 200);
};

const getHandler: RouteHandler<typeof getRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getIncident(c.get("scope"), c.req.valid("param").id), 200);
};

const patchHandler: RouteHandler<typeof patchRoute, AppBindings> = async (c) => {
  const { occurredAt, ...rest } = c.req.valid("json");
  return c.json(
    await updateIncident(c.get("scope"), c.req.valid("param").id, { ...rest, occurredAt: date(occurredAt) }),
    200,
  );
};

const noticesHandler: RouteHandler<typeof noticesRoute, AppBindings> = async (c) => {
  const result = await notifyIncidentSubjects(c.get("scope"), c.req.valid("param").id, {
    subjectIds: c.req.valid("json").subjectIds,
    origin: mailContextOf(c).origin,
  });
  return c.json(result, 202);
};

export const incidentsRouter = createRouter()
  .openapi(createRoute, createHandler)
  .openapi(listRoute, listHandler)
  .openapi(getRoute, getHandler)
  .openapi(patchRoute, patchHandler)
  .openapi(noticesRoute, noticesHandler);
