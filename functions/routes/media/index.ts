import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import type { AppBindings } from "../../bindings";
import { jsonResponse, problemResponses } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { downloadMedia, getMedia, mediaSensitivity } from "../../services/media";
import { protectBySensitivity } from "../shared/guards";
import { mediaDownloadSchema, mediaViewSchema } from "../shared/media-schemas";

const READER_ROLES = ["admin", "editor", "author", "medical_reviewer", "compliance_officer"] as const;
const params = z.object({ id: z.uuid() });

// PHI media (DICOM, anything of a patient's record, anything with PHI tags) is decided from the stored row:
// reading its metadata or downloading it needs PHI-level trust (MFA, fresh sign-in) and counts as a PHI read.
const byStoredMedia = protectBySensitivity({
  action: "read",
  roles: [...READER_ROLES],
  resolve: (c) => mediaSensitivity(c.var.scope, c.req.param("id") ?? ""),
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

const getHandler: RouteHandler<typeof getRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await getMedia(c.var.scope, c.req.valid("param").id), 200);
};

const downloadHandler: RouteHandler<typeof downloadRoute, AppBindings> = async (c) => {
  c.header("Cache-Control", "no-store");
  return c.json(await downloadMedia(c.var.scope, c.req.valid("param").id), 200);
};

export const mediaRouter = createRouter().openapi(getRoute, getHandler).openapi(downloadRoute, downloadHandler);
