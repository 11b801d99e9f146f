import { type RouteHandler, z } from "@hono/zod-openapi";
import { privacyRequestStatuses, privacyRequestTypes } from "../../../schema/privacy-requests";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  createPrivacyRequest,
  fulfilPrivacyRequest,
  listConsents,
  listPrivacyRequests,
  recordConsent,
  registerSubject,
  searchSubjects,
  withdrawConsent,
} from "../../services/privacy";
import {
  consentListSchema,
  consentSchema,
  fulfilmentSchema,
  privacyRequestListSchema,
  privacyRequestSchema,
  subjectMatchListSchema,
  subjectRefSchema,
} from "./schemas";

// Data-subject requests touch patients' identities and records: PHI-level trust, the encarregado
// (LGPD art. 41, compliance_officer) and admins only.
const OFFICERS = ["compliance_officer", "admin"] as const;
const officersWrite: ProtectOptions = { sensitivity: "phi", action: "write", roles: [...OFFICERS] };
const officersRead: ProtectOptions = { sensitivity: "phi", action: "read", roles: [...OFFICERS] };
// Registering a patient (to link their studies) is also done by the clinicians who upload them.
const subjectRegistrars: ProtectOptions = {
  sensitivity: "phi",
  action: "write",
  roles: ["compliance_officer", "admin", "medical_reviewer"],
};

const cpf = z.string().regex(/^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$/, "must be a CPF (11 digits)");

const identity = z
  .object({
    email: z.email().max(254).optional(),
    cpf: cpf.optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((value) => value.email !== undefined || value.cpf !== undefined, { message: "needs email or cpf" });

const subjectRoute = protectedRoute({
  method: "post",
  path: "/privacy/subjects",
  tags: ["Privacy"],
  summary: "Find or register a data subject by e-mail and/or CPF (the CPF is stored only hashed).",
  protect: subjectRegistrars,
  request: { body: jsonBody(identity) },
  responses: { 200: jsonResponse(subjectRefSchema, "The subject's id."), ...problemResponses(401, 403, 422) },
});

// Finding a subject is what registering one does first, for the same people: the search stands in for a pasted id
// wherever the admin needs one (uploads for a patient, legal holds, consents).
const searchSubjectsRoute = protectedRoute({
  method: "get",
  path: "/privacy/subjects",
  tags: ["Privacy"],
  summary:
    "Find data subjects by part of their name or by CPF (compared by its salted hash); audited without the query.",
  protect: { ...subjectRegistrars, action: "read" },
  request: {
    query: z
      .object({ name: z.string().trim().min(2).max(200).optional(), cpf: cpf.optional() })
      .strict()
      .refine((value) => (value.name === undefined) !== (value.cpf === undefined), {
        message: "give either name or cpf",
      }),
  },
  responses: { 200: jsonResponse(subjectMatchListSchema, "Matches."), ...problemResponses(401, 403, 422) },
});

const createRequestRoute = protectedRoute({
  method: "post",
  path: "/privacy/requests",
  tags: ["Privacy"],
  summary: "Record a data-subject request (LGPD art. 18) with its 15-day deadline (art. 19).",
  protect: officersWrite,
  request: {
    body: jsonBody(
      z
        .object({
          type: z.enum(privacyRequestTypes),
          subject: identity,
          correction: z
            .object({
              email: z.email().max(254).optional(),
              displayName: z.string().trim().min(1).max(200).optional(),
            })
            .strict()
            .optional(),
          purpose: z.string().min(1).max(100).optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(privacyRequestSchema, "Recorded."), ...problemResponses(401, 403, 422) },
});

const listRequestsRoute = protectedRoute({
  method: "get",
  path: "/privacy/requests",
  tags: ["Privacy"],
  summary: "Data-subject requests, soonest deadline first.",
  protect: officersRead,
  request: { query: z.object({ status: z.enum(privacyRequestStatuses).optional() }).strict() },
  responses: { 200: jsonResponse(privacyRequestListSchema, "Requests."), ...problemResponses(401, 403, 422) },
});

const fulfilRoute = protectedRoute({
  method: "post",
  path: "/privacy/requests/{id}/fulfil",
  tags: ["Privacy"],
  summary:
    "Fulfil a request: export (JSON + FHIR R4 Bundle), correction, consent withdrawal, anonymisation or deletion — data the law keeps is retained and blocked, with its legal basis.",
  protect: officersWrite,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: jsonResponse(fulfilmentSchema, "The answer."), ...problemResponses(401, 403, 404, 409) },
});

const recordConsentRoute = protectedRoute({
  method: "post",
  path: "/privacy/consents",
  tags: ["Privacy"],
  summary: "Record a consent (LGPD art. 8): purpose, version of the text, source and time.",
  protect: officersWrite,
  request: {
    body: jsonBody(
      z
        .object({
          subject: identity,
          purpose: z.string().trim().min(1).max(100),
          version: z.string().trim().min(1).max(50),
          source: z.string().trim().min(1).max(100),
          grantedAt: z.iso.datetime({ offset: true }).optional(),
        })
        .strict(),
    ),
  },
  responses: { 201: jsonResponse(consentSchema, "Recorded."), ...problemResponses(401, 403, 422) },
});

const listConsentsRoute = protectedRoute({
  method: "get",
  path: "/privacy/consents",
  tags: ["Privacy"],
  summary: "A data subject's consents.",
  protect: officersRead,
  request: { query: z.object({ subjectId: z.uuid() }).strict() },
  responses: { 200: jsonResponse(consentListSchema, "Consents."), ...problemResponses(401, 403, 422) },
});

const withdrawConsentRoute = protectedRoute({
  method: "post",
  path: "/privacy/consents/{id}/withdraw",
  tags: ["Privacy"],
  summary: "Withdraw a consent (LGPD art. 8 §5).",
  protect: officersWrite,
  request: { params: z.object({ id: z.uuid() }) },
  responses: { 200: jsonResponse(consentSchema, "Withdrawn."), ...problemResponses(401, 403, 404, 409) },
});

const noStore = { "Cache-Control": "no-store" };

const subjectHandler: RouteHandler<typeof subjectRoute, AppBindings> = async (c) =>
  c.json(await registerSubject(c.get("scope"), c.req.valid("json")), 200, noStore);
const searchSubjectsHandler: RouteHandler<typeof searchSubjectsRoute, AppBindings> = async (c) => {
  const query = c.req.valid("query");
  const search = query.cpf !== undefined ? { cpf: query.cpf } : { name: query.name ?? "" };
  return c.json({ subjects: await searchSubjects(c.get("scope"), search) }, 200, noStore);
};
const createRequestHandler: RouteHandler<typeof createRequestRoute, AppBindings> = async (c) =>
  c.json(await createPrivacyRequest(c.get("scope"), c.req.valid("json")), 201, noStore);
const listRequestsHandler: RouteHandler<typeof listRequestsRoute, AppBindings> = async (c) =>
  c.json({ requests: await listPrivacyRequests(c.get("scope"), c.req.valid("query")) }, 200, noStore);
const fulfilHandler: RouteHandler<typeof fulfilRoute, AppBindings> = async (c) =>
  c.json(await fulfilPrivacyRequest(c.get("scope"), c.req.valid("param").id), 200, noStore);
const recordConsentHandler: RouteHandler<typeof recordConsentRoute, AppBindings> = async (c) =>
  c.json(await recordConsent(c.get("scope"), c.req.valid("json")), 201, noStore);
const listConsentsHandler: RouteHandler<typeof listConsentsRoute, AppBindings> = async (c) =>
  c.json({ consents: await listConsents(c.get("scope"), c.req.valid("query").subjectId) }, 200, noStore);
const withdrawConsentHandler: RouteHandler<typeof withdrawConsentRoute, AppBindings> = async (c) =>
  c.json(await withdrawConsent(c.get("scope"), c.req.valid("param").id), 200, noStore);

export const privacyRouter = createRouter()
  .openapi(subjectRoute, subjectHandler)
  .openapi(searchSubjectsRoute, searchSubjectsHandler)
  .openapi(createRequestRoute, createRequestHandler)
  .openapi(listRequestsRoute, listRequestsHandler)
  .openapi(fulfilRoute, fulfilHandler)
  .openapi(recordConsentRoute, recordConsentHandler)
  .openapi(listConsentsRoute, listConsentsHandler)
  .openapi(withdrawConsentRoute, withdrawConsentHandler);
