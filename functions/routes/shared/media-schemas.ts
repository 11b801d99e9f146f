import { z } from "@hono/zod-openapi";

export const mediaViewSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["dicom", "image", "document"]),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    retentionClass: z.string(),
    subjectId: z.uuid().nullable(),
    sourceMediaId: z.uuid().nullable(),
    dicom: z
      .object({
        transferSyntaxUid: z.string().nullable(),
        sopClassUid: z.string().nullable(),
        sopInstanceUid: z.string().nullable(),
        studyInstanceUid: z.string().nullable(),
        seriesInstanceUid: z.string().nullable(),
        modality: z.string().nullable(),
        studyDate: z.string().nullable(),
      })
      .nullable(),
    phiTags: z.array(z.string()),
    blocked: z.boolean(),
    createdAt: z.string(),
    lastEntryAt: z.string(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    altText: z.string().nullable(),
    public: z.boolean(),
    publicRefusal: z.string().nullable(),
  })
  .openapi("MediaItem");

export const mediaDownloadSchema = z.object({ url: z.string(), expiresIn: z.number().int() }).openapi("MediaDownload");

export const mediaListItemSchema = mediaViewSchema
  .extend({
    phi: z.boolean(),
    /** Images only: a presigned GET valid for five minutes, for the library's thumbnail; null otherwise. */
    thumbnailUrl: z.string().nullable(),
  })
  .openapi("MediaListItem");

export const mediaPageSchema = z
  .object({ items: z.array(mediaListItemSchema), nextCursor: z.string().nullable() })
  .openapi("MediaPage");
