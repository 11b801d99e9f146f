import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import { listAuditEvents, listCheckpoints } from "../../services/audit-query";
import { readAuditVerification } from "../../services/audit-verification";
import { auditCheckpointListSchema, auditPageSchema, auditVerificationSchema } from "./schemas";

// The audit log is for the encarregado (LGPD art. 41, our compliance_officer) and admins. Its events name data
// subjects and record PHI reads, so reading it (or recomputing it) needs PHI-level trust.
const auditors: ProtectOptions = { sensitivity: "phi", action: "read", roles: ["compliance_officer", "admin"] };

const verifyRoute = protectedRoute({
  method: "get",
  path: "/audit/verify",
  tags: ["Audit"],
  summary:
    "The last verification of the tenant's audit hash chain, its signed checkpoints and their anchored copies in S3 (computed hourly by a job, incrementally), naming the first broken link.",
  protect: auditors,
  responses: {
    200: jsonResponse(
      auditVerificationSchema,
      "The stored verification and when it was computed (ok false names where the chain breaks; `pending` before the first run).",
    ),
    ...problemResponses(401, 403),
  },
});

const eventsQuery = z
  .object({
    action: z.string().max(100).optional(),
    actorId: z.string().max(100).optional(),
    targetType: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const eventsRoute = protectedRoute({
  method: "get",
  path: "/audit/events",
  tags: ["Audit"],
  summary: "Audit events, newest first, with filters and cursor pagination (`nextCursor`).",
  protect: auditors,
  request: { query: eventsQuery },
  responses: { 200: jsonResponse(auditPageSchema, "A page of events."), ...problemResponses(401, 403, 422) },
});

const checkpointsRoute = protectedRoute({
  method: "get",
  path: "/audit/checkpoints",
  tags: ["Audit"],
  summary: "Signed checkpoints (Ed25519 + ML-DSA-65) with their public keys, for offline verification.",
  protect: auditors,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) }).strict() },
  responses: {
    200: jsonResponse(auditCheckpointListSchema, "Checkpoints, newest first."),
    ...problemResponses(401, 403, 422),
  },
});

const verifyHandler: RouteHandler<typeof verifyRoute, AppBindings> = async (c) => {
  const result = await readAuditVerification(c.get("scope"));
  c.header("Cache-Control", "no-store");
  return c.json(result, 200);
};

const eventsHandler: RouteHandler<typeof eventsRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await listAuditEvents(c.get("scope"), c.req.valid("query")), 200);
};

const checkpointsHandler: RouteHandler<typeof checkpointsRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ checkpoints: await listCheckpoints(c.get("scope"), c.req.valid("query").limit) }, 200);
};

export const auditRouter = createRouter()
  .openapi(verifyRoute, verifyHandler)
  .openapi(eventsRoute, eventsHandler)
  .openapi(checkpointsRoute, checkpointsHandler);
