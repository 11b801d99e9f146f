import { type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { contentTypes } from "../../content-types";
import type { ContentType } from "../../contract";
import { jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { protectedRoute } from "../../middleware/protect";
import {
  analyseContent,
  analyseText,
  analysisViewSchema,
  getContentAnalysis,
  textAnalysisSchema,
} from "../../services/analysis";
import { MAX_MARKDOWN_LENGTH } from "../../services/content/markdown";
import { CONTENT_LOCALES } from "../../contract";
import { jsonBody } from "../../lib/openapi";
import { STAFF_ROLES } from "../../services/content/access";
import { requirePhiTrustFor } from "../shared/phi";

const params = z.object({ id: z.uuid() });

const analysisSchema = analysisViewSchema.openapi("Analysis");

/** `POST/GET /{id}/analysis` for one content type, mounted beside that type's router. */
export function analysisRouter(type: ContentType) {
  const { tag } = contentTypes[type];
  const runRoute = protectedRoute({
    method: "post",
    path: "/{id}/analysis",
    tags: [tag],
    summary:
      "Run the five analysis plugins on the current revision and store their results (the publish gate reads them).",
    protect: { sensitivity: "restricted", action: "write", roles: [...STAFF_ROLES] },
    request: { params },
    responses: {
      200: jsonResponse(analysisSchema, "Every stage's output."),
      ...problemResponses(401, 403, 404, 409),
    },
  });
  const readRoute = protectedRoute({
    method: "get",
    path: "/{id}/analysis",
    tags: [tag],
    summary: "The latest stored analysis of the current revision, per stage.",
    protect: { sensitivity: "restricted", action: "read", roles: [...STAFF_ROLES] },
    request: { params },
    responses: {
      200: jsonResponse(analysisSchema, "Stored results."),
      ...problemResponses(401, 403, 404),
    },
  });
  const run: RouteHandler<typeof runRoute, AppBindings> = async (c) => {
    await requirePhiTrustFor(c, type, c.req.valid("param").id);
    const view = await analyseContent(c.get("scope"), type, c.req.valid("param").id);
    return c.json(view, 200);
  };
  const read: RouteHandler<typeof readRoute, AppBindings> = async (c) => {
    await requirePhiTrustFor(c, type, c.req.valid("param").id);
    return c.json(await getContentAnalysis(c.get("scope"), type, c.req.valid("param").id), 200);
  };
  return createRouter().openapi(runRoute, run).openapi(readRoute, read);
}

const textRoute = protectedRoute({
  method: "post",
  path: "/text",
  tags: ["Analysis"],
  summary: "Run the five analysis plugins on a text and answer their findings; nothing is stored.",
  protect: { sensitivity: "restricted", action: "read", roles: [...STAFF_ROLES] },
  request: {
    body: jsonBody(
      z
        .object({
          text: z.string().min(1).max(MAX_MARKDOWN_LENGTH),
          title: z.string().max(500).optional(),
          locale: z.enum(CONTENT_LOCALES),
        })
        .strict()
        .openapi("TextAnalysisInput"),
    ),
  },
  responses: {
    200: jsonResponse(textAnalysisSchema.openapi("TextAnalysis"), "Every stage's output."),
    ...problemResponses(401, 403, 422),
  },
});

const textHandler: RouteHandler<typeof textRoute, AppBindings> = async (c) =>
  c.json(await analyseText(c.get("scope"), c.req.valid("json")), 200);

/** `POST /api/analysis/text`: the pipeline on a text that is not an item. */
export const textAnalysisRouter = createRouter().openapi(textRoute, textHandler);
