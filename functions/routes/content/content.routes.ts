import { createRoute, z } from "@hono/zod-openapi";
import { contentTypes } from "../../content-types";
import type { ContentType } from "../../contract";
import { jsonBody, jsonResponse, problemResponse } from "../../lib/openapi";
import { protect } from "../../middleware/protect";
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
const read = protect({ sensitivity: "restricted", action: "read" });
const write = protect({ sensitivity: "restricted", action: "write", roles: ["admin", "editor", "author"] });
const transition = protect({
  sensitivity: "restricted",
  action: "write",
  roles: ["admin", "editor", "author", "medical_reviewer"],
});

const conflict = problemResponse("Version conflict, locked state or blocked publication.");

/** The admin routes of one content type (posts and pages share them; the type is fixed by the mount). */
export function contentRoutes(type: ContentType) {
  const { tag, noun } = contentTypes[type];
  return {
    list: createRoute({
      method: "get",
      path: "/",
      tags: [tag],
      summary: `List ${noun}s the caller may see (filters, text search, cursor pagination)`,
      middleware: [read] as const,
      request: { query: contentListQuery },
      responses: { 200: jsonResponse(contentPageSchema, `A page of ${noun}s.`), ...contentProblems },
    }),
    create: createRoute({
      method: "post",
      path: "/",
      tags: [tag],
      summary: `Create a ${noun} (a draft; the first revision is recorded)`,
      middleware: [write] as const,
      request: { headers: idempotencyHeader, body: jsonBody(contentCreateSchema) },
      responses: {
        201: jsonResponse(contentItemSchema, `The new ${noun}; ETag is its version.`),
        409: conflict,
        ...contentProblems,
      },
    }),
    get: createRoute({
      method: "get",
      path: "/{id}",
      tags: [tag],
      summary: `Read one ${noun}`,
      middleware: [read] as const,
      request: { params: idParams },
      responses: { 200: jsonResponse(contentItemSchema, `The ${noun}; ETag is its version.`), ...contentProblems },
    }),
    update: createRoute({
      method: "patch",
      path: "/{id}",
      tags: [tag],
      summary: `Change a ${noun} (If-Match required; a new revision is recorded)`,
      middleware: [write] as const,
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
    trash: createRoute({
      method: "delete",
      path: "/{id}",
      tags: [tag],
      summary: `Move a ${noun} to the trash (permanent deletion only by retention rules)`,
      middleware: [write] as const,
      request: { params: idParams, headers: ifMatchHeader },
      responses: { 200: jsonResponse(contentItemSchema, `The trashed ${noun}.`), 409: conflict, ...contentProblems },
    }),
    restore: createRoute({
      method: "post",
      path: "/{id}/restore",
      tags: [tag],
      summary: `Restore a ${noun} from the trash`,
      middleware: [write] as const,
      request: { params: idParams, headers: ifMatchHeader.extend(idempotencyHeader.shape) },
      responses: { 200: jsonResponse(contentItemSchema, `The restored ${noun}.`), 409: conflict, ...contentProblems },
    }),
    transition: createRoute({
      method: "post",
      path: "/{id}/transitions",
      tags: [tag],
      summary: `Move a ${noun} through the editorial workflow`,
      description:
        "draft → in_review → medical_review → approved → scheduled | published → archived, and back to draft with a reason. " +
        "Approval needs a verified medical reviewer who is not the author. Publishing is refused (409 publish_blocked) " +
        "while the current revision has blocking analysis findings, unless a medical reviewer overrides with a justification of 20+ characters.",
      middleware: [transition] as const,
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
    revisions: createRoute({
      method: "get",
      path: "/{id}/revisions",
      tags: [tag],
      summary: `List the revisions of a ${noun}, newest first`,
      middleware: [read] as const,
      request: { params: idParams },
      responses: { 200: jsonResponse(z.object({ items: z.array(revisionSchema) }), "Revisions."), ...contentProblems },
    }),
    compare: createRoute({
      method: "get",
      path: "/{id}/revisions/compare",
      tags: [tag],
      summary: "Compare two revisions (line diff); by default the previous and the current",
      middleware: [read] as const,
      request: { params: idParams, query: z.object({ from: z.uuid().optional(), to: z.uuid().optional() }) },
      responses: { 200: jsonResponse(revisionComparisonSchema, "The differences."), ...contentProblems },
    }),
    restoreRevision: createRoute({
      method: "post",
      path: "/{id}/revisions/{revisionId}/restore",
      tags: [tag],
      summary: "Restore a revision (saved as a new revision; If-Match required)",
      middleware: [write] as const,
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
