import { deliverDueMail } from "../services/mail/delivery";
import { defineJob } from "./run";

/**
 * Every minute: sends the outbox's due mail (services/mail/delivery.ts), retrying with backoff what failed and
 * giving up after the last attempt. Most mail has already gone out right after its transaction committed; this
 * catches the rest. Overlapping runs claim different rows, so none is sent twice.
 */
export const deliverOutboxMail = defineJob("deliver-mail", async (platform) => {
  const tally = await deliverDueMail(platform);
  if (tally.sent + tally.deferred + tally.dead > 0) platform.logger.info("delivered outbox mail", { ...tally });
});
