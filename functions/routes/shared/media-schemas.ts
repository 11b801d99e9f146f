import { z } from "@hono/zod-openapi";

export const mediaViewSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["dicom", "image", "document"]),
    filename: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    retention_class: z.string(),
    subject_id: z.uuid().nullable(),
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
    phi_tags: z.array(z.string()),
    blocked: z.boolean(),
    created_at: z.string(),
    last_entry_at: z.string(),
  })
  .openapi("MediaItem");
