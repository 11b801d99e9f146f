import { z } from "@hono/zod-openapi";
import { OUTBOX_STATUSES } from "../../../schema/outbox";

// What an admin sees of a message: where it goes, how delivery went. Never its parameters, body or secret.
export const outboxMessageSchema = z
  .object({
    id: z.uuid(),
    template: z.string(),
    locale: z.string(),
    recipient: z.string(),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
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
