import { z } from "@hono/zod-openapi";
import { outboxDeliveryStateSchema } from "../shared/delivery-schemas";

// What an admin sees of a message: where it goes, how delivery went. Never its parameters, body or secret.
export const outboxMessageSchema = outboxDeliveryStateSchema
  .extend({ template: z.string(), locale: z.string(), recipient: z.string() })
  .openapi("OutboxMessage");

export const outboxPageSchema = z
  .object({
    messages: z.array(outboxMessageSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi("OutboxPage");

export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
export type OutboxPage = z.infer<typeof outboxPageSchema>;
