import { deliverDuePurges } from "../services/cdn-purge";
import { defineJob } from "./run";

/**
 * Every minute: sends the CDN purges (Cloudflare's purge-by-tag API, services/cdn-purge.ts) that did not go out
 * right after their change committed, with the outbox's backoff and dead letter.
 */
export const purgeCdn = defineJob("purge-cdn", async (platform) => {
  const tally = await deliverDuePurges(platform);
  if (tally.sent + tally.deferred + tally.dead > 0) platform.logger.info("sent CDN purges", { ...tally });
});
