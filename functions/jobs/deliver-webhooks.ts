import { deliverDueWebhooks } from "../services/webhooks/delivery";
import { defineJob } from "./run";

/**
 * Every minute: the webhook deliveries that did not go through right after their change committed, with the
 * outbox's backoff and jitter, until they succeed or are given up (`dead`; an admin may redeliver).
 */
export const deliverWebhooks = defineJob("deliver-webhooks", async (platform) => {
  const tally = await deliverDueWebhooks(platform);
  if (tally.sent + tally.deferred + tally.dead > 0) platform.logger.info("sent webhooks", { ...tally });
});
