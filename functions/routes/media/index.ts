import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { protectedRoute } from "../../middleware/protect";
import { downloadMedia, getMedia, listMedia, mediaSensitivity, updateMedia } from "../../services/media";
import { clearAnnotationReview, deidentifyMedia } from "../../services/media-deidentify";
import { retentionClasses } from "../../../schema/retention-policies";
import { uploadKinds } from "../../../schema/uploads";
import { protectBySensitivity } from "../shared/guards";
import { mayReadPhi } from "../shared/phi";
import { mediaDownloadSchema, mediaPageSchema, mediaViewSchema } from "../shared/media-schemas";

const READER_ROLES = ["admin", "editor", "author", "medical_reviewer", "compliance_officer"] as const;
const params = z.object({ id: z.uuid() });

// PHI media (DICOM, anything of a patient's record, anything with PHI tags) is decided from the stored row:
// reading its metadata or downloading it needs PHI-level trust (MFA, fresh sign-in) and counts as a PHI read.
const byStoredMedia = protectBySensitivity({
  action: "read",
  roles: [...READER_ROLES],
  resolve: (c) => mediaSensitivity(c.get("scope"), c.req.param("id") ?? ""),
});

// Whether an image is shown on the public site, and its alt text: the roles that decide what is published.
const PUBLISHER_ROLES = ["admin", "editor"] as const;
const byStoredMediaWrite = protectBySensitivity({
  action: "write",
  roles: [...PUBLISHER_ROLES],
  resolve: (c) => mediaSensitivity(c.get("scope"), c.req.param("id") ?? ""),
});

const updateBody = z
  .object({
    public: z.boolean().optional(),
    altText: z.string().trim().max(500).nullable().optional(),
  })
  .strict()
  .openapi("MediaUpdate");

// The library declares `restricted`; PHI items join the page only when the session also passes the trust
// evaluation at `phi` (routes/shared/phi.ts), exactly as the content lists do.
const listRoute = protectedRoute({
  method: "get",
  path: "/media",
  tags: ["Media"],
  summary:
    "The media library, newest first (filters, cursor pagination); PHI items only after a PHI-level trust check, each audited.",
  protect: { sensitivity: "restricted", action: "read", roles: [...READER_ROLES] },
  request: {
    query: z
      .object({
        kind: z.enum(uploadKinds).optional(),
        retentionClass: z.enum(retentionClasses).optional(),
        subjectId: z.uuid().optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        cursor: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
      })
      .strict(),
  },
  responses: {
    200: jsonResponse(mediaPageSchema, "A page of media items."),
    ...problemResponses(400, 401, 403, 422),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/media/{id}",
  tags: ["Media"],
  summary: "A media item's metadata (DICOM header facts and PHI flags); PHI reads are audited.",
  security: [{ bearer: [] }],
  middleware: [byStoredMedia] as const,
  request: { params },
  responses: {
    200: jsonResponse(mediaViewSchema, "The item."),
    ...problemResponses(401, 403, 404),
  },
});

const downloadRoute = createRoute({
  method: "get",
  path: "/media/{id}/download",
  tags: ["Media"],
  summary: "A presigned GET URL valid for five minutes (audited).",
  security: [{ bearer: [] }],
  middleware: [byStoredMedia] as const,
  request: { params },
  responses: {
    200: jsonResponse(mediaDownloadSchema, "The link."),
    ...problemResponses(401, 403, 404),
  },
});

const updateRoute = createRoute({
  method: "patch",
  path: "/media/{id}",
  tags: ["Media"],
  summary:
    "Mark an image public or not and set its alt text (one for every locale). Public needs an image without a data subject or PHI, not blocked, within the pixel cap, with alt text; audited, and purged when it stops being shown.",
  security: [{ bearer: [] }],
  middleware: [byStoredMediaWrite] as const,
  request: { params, body: jsonBody(updateBody) },
  responses: {
    200: jsonResponse(mediaViewSchema, "The item."),
    ...problemResponses(401, 403, 404, 422),
  },
});

// Reading the study is a PHI read whatever the copy becomes: PHI-level trust, the roles that may see patient
// studies (the service also admits the study's uploader, as a read does).
const deidentifyRoute = protectedRoute({
  method: "post",
  path: "/media/{id}/deidentify",
  tags: ["Media"],
  summary:
    "A de-identified copy of a DICOM study (PS3.15 Annex E Basic Profile), stored as media without a data subject; the study is read as PHI (audited), the original is unchanged.",
  protect: { sensitivity: "phi", action: "write", roles: [...READER_ROLES] },
  request: { params },
  responses: {
    201: jsonResponse(mediaViewSchema, "The copy (PHI, tagged BurnedInAnnotation, until its pixels are reviewed)."),
    ...problemResponses(401, 403, 404, 422),
  },
});

const updateHandler: RouteHandler<typeof updateRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await updateMedia(c.get("scope"), c.req.valid("param").id, c.req.valid("json")), 200);
};

// A medical reviewer has looked at the copy's pixels for burned-in text; until then the copy is PHI.
const clearReviewRoute = protectedRoute({
  method: "post",
  path: "/media/{id}/annotation-review/clear",
  tags: ["Media"],
  summary: "Clear a de-identified copy's burned-in annotation flag after looking at its pixels (medical reviewers).",
  protect: { sensitivity: "phi", action: "write", roles: ["medical_reviewer"] },
  request: { params },
  responses: {
    200: jsonResponse(mediaViewSchema, "The copy, no longer flagged."),
    ...problemResponses(401, 403, 404, 409),
  },
});

const listHandler: RouteHandler<typeof listRoute, AppBindings> = async (c) => {
  const query = c.req.valid("query");
  const page = await listMedia(c.get("scope"), {
    kind: query.kind,
    retentionClass: query.retentionClass,
    subjectId: query.subjectId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    cursor: query.cursor,
    limit: query.limit,
    includePhi: await mayReadPhi(c),
  });
  c.header("Cache-Control", "private, no-store");
  return c.json(page, 200);
};

const getHandler: RouteHandler<typeof getRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getMedia(c.get("scope"), c.req.valid("param").id), 200);
};

const downloadHandler: RouteHandler<typeof downloadRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await downloadMedia(c.get("scope"), c.req.valid("param").id), 200);
};

const deidentifyHandler: RouteHandler<typeof deidentifyRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await deidentifyMedia(c.get("scope"), c.req.valid("param").id), 201);
};

const clearReviewHandler: RouteHandler<typeof clearReviewRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await clearAnnotationReview(c.get("scope"), c.req.valid("param").id), 200);
};

export const mediaRouter = createRouter()
  .openapi(listRoute, listHandler)
  .openapi(getRoute, getHandler)
  .openapi(updateRoute, updateHandler)
  .openapi(downloadRoute, downloadHandler)
  .openapi(deidentifyRoute, deidentifyHandler)
  .openapi(clearReviewRoute, clearReviewHandler);
