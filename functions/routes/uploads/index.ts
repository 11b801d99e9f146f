import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import { uploadKinds } from "../../../schema/uploads";
import type { AppBindings } from "../../bindings";
import { jsonBody, jsonResponse, optionalJsonBody, problemResponses, sentJson } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { abortUpload, completeUpload, createUpload, uploadSensitivity } from "../../services/uploads";
import { protectBySensitivity, uploadBodySensitivity } from "../shared/guards";
import { mediaViewSchema } from "../shared/media-schemas";
import { uploadTicketSchema } from "./schemas";

const UPLOADER_ROLES = ["admin", "editor", "author", "medical_reviewer"] as const;

const createBody = z
  .object({
    // The name is only shown back to staff; the object key never derives from it.
    filename: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .refine(
        (name) => ![...name].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f),
        "must not contain control characters",
      ),
    // Signed into every presigned URL as Content-Length: the file must be exactly this many bytes.
    size: z.number().int().positive(),
    contentType: z.string().min(3).max(100),
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be the file's SHA-256 in hex"),
    kind: z.enum(uploadKinds),
    subjectId: z.uuid().optional(),
    /** An image without a data subject whose picture this upload replaces (editors and admins). */
    replacesMediaId: z.uuid().optional(),
  })
  .strict()
  .openapi("UploadRequest");

const params = z.object({ id: z.uuid() });

// Creating an upload is judged by what the body asks for (a DICOM study, or anything for a data subject, is
// PHI); completing or aborting one by its stored row.
const byBody = protectBySensitivity({ action: "write", roles: [...UPLOADER_ROLES], resolve: uploadBodySensitivity });
const byStoredUpload = protectBySensitivity({
  action: "write",
  roles: [...UPLOADER_ROLES],
  resolve: (c) => uploadSensitivity(c.get("scope"), c.req.param("id") ?? ""),
});

const createUploadRoute = createRoute({
  method: "post",
  path: "/uploads",
  tags: ["Uploads"],
  summary:
    "Authorise an upload: a presigned PUT URL, or presigned part URLs above 16 MiB, each signed for the declared size (DICOM, or anything for a data subject, needs PHI-level trust).",
  security: [{ bearer: [] }],
  middleware: [byBody] as const,
  request: { body: jsonBody(createBody) },
  responses: {
    201: jsonResponse(uploadTicketSchema, "Upload authorised."),
    ...problemResponses(401, 403, 422, 429),
  },
});

const completeRoute = createRoute({
  method: "post",
  path: "/uploads/{id}/complete",
  tags: ["Uploads"],
  summary: "Verify an upload (size, SHA-256, DICOM header) and record it as a media item; refused files are deleted.",
  security: [{ bearer: [] }],
  middleware: [byStoredUpload] as const,
  request: {
    params,
    body: optionalJsonBody(
      z
        .object({
          parts: z
            .array(
              z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }).strict(),
            )
            .max(10_000)
            .optional(),
        })
        .strict(),
    ),
  },
  responses: {
    201: jsonResponse(mediaViewSchema, "Verified and stored."),
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const abortRoute = createRoute({
  method: "post",
  path: "/uploads/{id}/abort",
  tags: ["Uploads"],
  summary: "Cancel an upload and discard what was uploaded.",
  security: [{ bearer: [] }],
  middleware: [byStoredUpload] as const,
  request: { params },
  responses: { 204: { description: "Cancelled." }, ...problemResponses(401, 403, 404, 409) },
});

const createHandler: RouteHandler<typeof createUploadRoute, AppBindings> = async (c) => {
  const ticket = await createUpload(c.get("scope"), c.req.valid("json"));
  c.header("Cache-Control", "no-store");
  return c.json(ticket, 201);
};

const completeHandler: RouteHandler<typeof completeRoute, AppBindings> = async (c) => {
  const body = sentJson(c) ? c.req.valid("json") : {};
  const media = await completeUpload(c.get("scope"), c.req.valid("param").id, body);
  return c.json(media, 201);
};

const abortHandler: RouteHandler<typeof abortRoute, AppBindings> = async (c) => {
  await abortUpload(c.get("scope"), c.req.valid("param").id);
  return c.body(null, 204);
};

export const uploadsRouter = createRouter()
  .openapi(createUploadRoute, createHandler)
  .openapi(completeRoute, completeHandler)
  .openapi(abortRoute, abortHandler);
