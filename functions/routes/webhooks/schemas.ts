import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENTS } from "../../contract";
import { outboxDeliveryStateSchema } from "../shared/delivery-schemas";

const events = z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length);
// The URL is checked for SSRF by the service (services/webhooks/address.ts); here only its shape and size.
const url = z.string().trim().min(1).max(2000);
const description = z.string().trim().max(200);

export const webhookCreateSchema = z
  .object({ url, events, description: description.optional(), enabled: z.boolean().optional() })
  .strict()
  .openapi("WebhookEndpointCreate");

export const webhookPatchSchema = z
  .object({
    url: url.optional(),
    events: events.optional(),
    description: description.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, "Change at least one field.")
  .openapi("WebhookEndpointPatch");

export const webhookRotateSchema = z
  .object({
    keepPrevious: z.boolean().default(true).openapi({
      description:
        "Whether the previous secret keeps signing beside the new one for 24 hours, so receivers switch without losing deliveries (the default); false stops it at once, for a secret that leaked.",
    }),
  })
  .strict()
  .openapi("WebhookSecretRotation");

export const webhookEndpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    enabled: z.boolean(),
    secretRotatedAt: z.string(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "After a rotation, until when the previous secret also signs each delivery." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");

export const webhookEndpointWithSecretSchema = webhookEndpointSchema
  .extend({
    secret: z.string().openapi({ description: "The signing secret (`whsec_…`), shown this once." }),
  })
  .openapi("WebhookEndpointWithSecret");

export const webhookAttemptSchema = z
  .object({
    attempt: z.number().int(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    errorClass: z.string().nullable(),
    excerpt: z.string().nullable().openapi({ description: "At most 200 sanitised characters of the answer." }),
    retryInSeconds: z.number().int().nullable(),
    at: z.string(),
  })
  .openapi("WebhookAttempt");

export const webhookDeliverySchema = outboxDeliveryStateSchema
  .extend({
    id: z.uuid().openapi({ description: "Also the `webhook-id` header of every attempt." }),
    event: z.string(),
    log: z.array(webhookAttemptSchema),
  })
  .openapi("WebhookDelivery");

export const webhookDeliveryPageSchema = z
  .object({
    deliveries: z.array(webhookDeliverySchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi("WebhookDeliveryPage");

export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecretSchema>;
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
export type WebhookDeliveryPage = z.infer<typeof webhookDeliveryPageSchema>;
