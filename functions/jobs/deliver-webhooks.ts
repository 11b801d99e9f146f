import { requireSection } from "../env";
import { deliverTenantWebhooks } from "../services/webhooks/delivery";
import { defineJob } from "./run";

/**
 * Every minute: the webhook deliveries that did not go through right after their change committed, with the
 * outbox's backoff and jitter, until they succeed or are given up (`dead`; an admin may redeliver). The webhook
 * configuration is checked before anything is claimed, so a misconfigured resolver spends no attempts.
 */
export const deliverWebhooks = defineJob("deliver-webhooks", {
  prepare: async (platform) => requireSection(platform.clients.config, "webhooks"),
  run: (scope, config) => deliverTenantWebhooks(scope, config),
  report(logger, tallies) {
    const tally = { sent: 0, deferred: 0, dead: 0 };
    for (const t of tallies) {
      tally.sent += t.sent;
      tally.deferred += t.deferred;
      tally.dead += t.dead;
    }
    if (tally.sent + tally.deferred + tally.dead > 0) logger.info("sent webhooks", tally);
  },
});
