import { z } from "@hono/zod-openapi";
import { contentTypes } from "../../content-types";
import type { ContentType } from "../../contract";
import { jsonBody, jsonResponse, problemResponse } from "../../lib/openapi";
import { type ProtectOptions, protectedRoute } from "../../middleware/protect";
import {
  contentCreateSchema,
  contentItemSchema,
  contentListQuery,
  contentPageSchema,
  contentUpdateSchema,
  idempotencyHeader,
  idParams,
  ifMatchHeader,
  contentProblems,
  revisionComparisonSchema,
  revisionSchema,
  transitionSchema,
} from "./content.schemas";

// Content can be `restricted` or `phi`: the admin API declares `restricted` and the services hide PHI from
// everyone but the see-all roles and its author, auditing each PHI read.
const read: ProtectOptions = { sensitivity: "restricted", action: "read" };
const write: ProtectOptions = { sensitivity: "restricted", action: "write", roles: ["admin", "editor", "author"] };
const transition: ProtectOptions = {
  sensitivity: "restricted",
  action: "write",
  roles: ["admin", "editor", "author", "medical_reviewer"],
};

const conflict = problemResponse("Version conflict, locked state or blocked publication.");

/** The admin routes of one content type (posts and pages share them; the type is fixed by the mount). */
export function contentRoutes(type: ContentType) {
  const { tag, noun } = contentTypes[type];
  return {
    list: protectedRoute({
      method: "get",
      path: "/",
      tags: [tag],
      summary: `List ${noun}s the caller may see (filters, text search, cursor pagination)`,
      protect: read,
      request: { query: contentListQuery },
      responses: { 200: jsonResponse(contentPageSchema, `A page of ${noun}s.`), ...contentProblems },
    }),
    create: protectedRoute({
      method: "post",
      path: "/",
      tags: [tag],
      summary: `Create a ${noun} (a draft; the first revision is recorded)`,
      protect: write,
      request: { headers: idempotencyHeader, body: jsonBody(contentCreateSchema) },
      responses: {
        201: jsonResponse(contentItemSchema, `The new ${noun}; ETag is its version.`),
        409: conflict,
        ...contentProblems,
      },
    }),
    get: protectedRoute({
      method: "get",
      path: "/{id}",
      tags: [tag],
      summary: `Read one ${noun}`,
      protect: read,
      request: { params: idParams },
      responses: { 200: jsonResponse(contentItemSchema, `The ${noun}; ETag is its version.`), ...contentProblems },
    }),
    update: protectedRoute({
      method: "patch",
      path: "/{id}",
      tags: [tag],
      summary: `Change a ${noun} (If-Match required; a new revision is recorded)`,
      protect: write,
      request: {
        params: idParams,
        headers: ifMatchHeader,
        body: jsonBody(contentUpdateSchema),
      },
      responses: {
        200: jsonResponse(contentItemSchema, `The ${noun} as saved.`),
        409: conflict,
        428: problemResponse("If-Match is missing."),
        ...contentProblems,
      },
    }),
    trash: protectedRoute({
      method: "delete",
      path: "/{id}",
      tags: [tag],
      summary: `Move a ${noun} to the trash (permanent deletion only by retention rules)`,
      protect: write,
      request: { params: idParams, headers: ifMatchHeader },
      responses: { 200: jsonResponse(contentItemSchema, `The trashed ${noun}.`), 409: conflict, ...contentProblems },
    }),
    restore: protectedRoute({
      method: "post",
      path: "/{id}/restore",
      tags: [tag],
      summary: `Restore a ${noun} from the trash`,
      protect: write,
      request: { params: idParams, headers: ifMatchHeader.extend(idempotencyHeader.shape) },
      responses: { 200: jsonResponse(contentItemSchema, `The restored ${noun}.`), 409: conflict, ...contentProblems },
    }),
    transition: protectedRoute({
      method: "post",
      path: "/{id}/transitions",
      tags: [tag],
      summary: `Move a ${noun} through the editorial workflow`,
      description:
        "draft → in_review → medical_review → approved → scheduled | published → archived, and back to draft with a reason. " +
        "Approval needs a verified medical reviewer who is not the author. Approving and publishing need an analysis of the current " +
        "revision (409 analysis_required). Publishing is refused (409 publish_blocked) " +
        "while the current revision has blocking analysis findings, unless a medical reviewer overrides with a justification of 20+ characters.",
      protect: transition,
      request: {
        params: idParams,
        headers: ifMatchHeader.extend(idempotencyHeader.shape),
        body: jsonBody(transitionSchema),
      },
      responses: {
        200: jsonResponse(contentItemSchema, `The ${noun} in its new state.`),
        409: conflict,
        ...contentProblems,
      },
    }),
    revisions: protectedRoute({
      method: "get",
      path: "/{id}/revisions",
      tags: [tag],
      summary: `List the revisions of a ${noun}, newest first`,
      protect: read,
      request: { params: idParams },
      responses: { 200: jsonResponse(z.object({ items: z.array(revisionSchema) }), "Revisions."), ...contentProblems },
    }),
    compare: protectedRoute({
      method: "get",
      path: "/{id}/revisions/compare",
      tags: [tag],
      summary: "Compare two revisions (line diff); by default the previous and the current",
      protect: read,
      request: { params: idParams, query: z.object({ from: z.uuid().optional(), to: z.uuid().optional() }) },
      responses: { 200: jsonResponse(revisionComparisonSchema, "The differences."), ...contentProblems },
    }),
    restoreRevision: protectedRoute({
      method: "post",
      path: "/{id}/revisions/{revisionId}/restore",
      tags: [tag],
      summary: "Restore a revision (saved as a new revision; If-Match required)",
      protect: write,
      request: {
        params: idParams.extend({ revisionId: z.uuid().openapi({ param: { name: "revisionId", in: "path" } }) }),
        headers: ifMatchHeader.extend(idempotencyHeader.shape),
      },
      responses: {
        200: jsonResponse(contentItemSchema, `The ${noun} as restored.`),
        409: conflict,
        ...contentProblems,
      },
    }),
  };
}
