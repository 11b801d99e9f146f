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
  })
  .openapi("MediaItem");

export const mediaDownloadSchema = z.object({ url: z.string(), expiresIn: z.number().int() }).openapi("MediaDownload");
