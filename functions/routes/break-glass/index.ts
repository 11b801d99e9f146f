import { type RouteHandler, z } from "@hono/zod-openapi";
import { BREAK_GLASS_REVIEW_OUTCOMES } from "../../../schema/break-glass";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  BREAK_GLASS_MIN_JUSTIFICATION,
  listBreakGlass,
  openBreakGlass,
  reviewBreakGlass,
} from "../../services/break-glass";
import { mailContextOf } from "../shared/mail";

// Opening asks only for staff-level trust: the point is to reach PHI when the PHI bar refuses the session.
const emergencyStaff: ProtectOptions = {
  sensitivity: "restricted",
  action: "write",
  roles: ["admin", "medical_reviewer"],
};
const reviewersRead: ProtectOptions = { sensitivity: "restricted", action: "read", roles: ["compliance_officer"] };
const reviewersWrite: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["compliance_officer"] };

const grantSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    userName: z.string(),
    justification: z.string(),
    openedAt: z.string(),
    expiresAt: z.string(),
    active: z.boolean(),
    review: z
      .object({
        outcome: z.enum(BREAK_GLASS_REVIEW_OUTCOMES),
        note: z.string(),
        reviewedBy: z.uuid(),
        reviewedAt: z.string(),
      })
      .nullable(),
  })
  .openapi("BreakGlassGrant");

const openRoute = protectedRoute({
  method: "post",
  path: "/break-glass",
  tags: ["Compliance"],
  summary:
    "Open an hour of emergency access to PHI with a written justification (admins and medical reviewers; audited; the compliance officers are mailed at once).",
  protect: emergencyStaff,
  request: {
    body: jsonBody(
      z
        .object({ justification: z.string().trim().min(BREAK_GLASS_MIN_JUSTIFICATION).max(2000) })
        .strict()
        .openapi("BreakGlassOpen"),
    ),
  },
  responses: {
    201: jsonResponse(grantSchema, "Open until `expiresAt`."),
    ...problemResponses(401, 403, 409, 422),
  },
});

const listRoute = protectedRoute({
  method: "get",
  path: "/break-glass",
  tags: ["Compliance"],
  summary: "Emergency accesses, newest first, for after-the-fact review (compliance officers).",
  protect: reviewersRead,
  request: {
    query: z
      .object({
        unreviewed: z.enum(["true", "false"]).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      })
      .strict(),
  },
  responses: { 200: jsonResponse(z.array(grantSchema), "The grants."), ...problemResponses(401, 403, 422) },
});

const reviewRoute = protectedRoute({
  method: "post",
  path: "/break-glass/{id}/review",
  tags: ["Compliance"],
  summary: "Record the review of an ended emergency access: justified or not, with a note (compliance officers).",
  protect: reviewersWrite,
  request: {
    params: z.object({ id: z.uuid() }),
    body: jsonBody(
      z
        .object({ outcome: z.enum(BREAK_GLASS_REVIEW_OUTCOMES), note: z.string().trim().min(1).max(2000) })
        .strict()
        .openapi("BreakGlassReview"),
    ),
  },
  responses: {
    200: jsonResponse(grantSchema, "Reviewed."),
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const openHandler: RouteHandler<typeof openRoute, AppBindings> = async (c) => {
  const grant = await openBreakGlass(c.get("scope"), {
    justification: c.req.valid("json").justification,
    mail: mailContextOf(c),
  });
  return c.json(grant, 201);
};

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  const query = c.req.valid("query");
  c.header("Cache-Control", "no-store");
  return c.json(
    await listBreakGlass(c.get("scope"), { unreviewed: query.unreviewed === "true", limit: query.limit }),
    200,
  );
};

const reviewHandler: RouteHandler<typeof reviewRoute, AppBindings> = async (c) =>
  c.json(await reviewBreakGlass(c.get("scope"), c.req.valid("param").id, c.req.valid("json")), 200);

export const breakGlassRouter = createRouter()
  .openapi(openRoute, openHandler)
  .openapi(listRoute, listHandler)
  .openapi(reviewRoute, reviewHandler);
