import { requireSection } from "../env";
import { deliverTenantPurges } from "../services/cdn-purge";
import { defineJob } from "./run";

/**
 * Every minute: sends the CDN purges (Cloudflare's purge-by-tag API, services/cdn-purge.ts) that did not go out
 * right after their change committed, with the outbox's backoff and dead letter.
 */
export const purgeCdn = defineJob("purge-cdn", {
  prepare: async (platform) => requireSection(platform.clients.config, "edge").cdnPurge,
  run: (scope, config) => deliverTenantPurges(scope, config),
  report(logger, tallies) {
    const tally = { sent: 0, deferred: 0, dead: 0 };
    for (const t of tallies) {
      tally.sent += t.sent;
      tally.deferred += t.deferred;
      tally.dead += t.dead;
    }
    if (tally.sent + tally.deferred + tally.dead > 0) logger.info("sent CDN purges", tally);
  },
});
