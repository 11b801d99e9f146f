import { z } from "@hono/zod-openapi";
import { OUTBOX_STATUSES } from "../../../schema/outbox";

/** How delivery of an outbox row went: the same for a message and a webhook delivery (routes/outbox and routes/webhooks). */
export const outboxDeliveryStateSchema = z.object({
  id: z.uuid(),
  status: z.enum(OUTBOX_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
