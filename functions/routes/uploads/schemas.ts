import { z } from "@hono/zod-openapi";
import { uploadKinds } from "../../../schema/uploads";

export const uploadTicketSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(uploadKinds),
    retentionClass: z.string(),
    method: z.enum(["single", "multipart"]),
    expiresAt: z.string(),
    urlExpiresIn: z.number().int(),
    url: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    partSize: z.number().int().optional(),
    parts: z.array(z.object({ partNumber: z.number().int(), url: z.string() })).optional(),
  })
  .openapi("UploadTicket");
