import { requireSection } from "../env";
import { deliverTenantWebhooks } from "../services/webhooks/delivery";
import { eraseLapsedWebhookSecrets } from "../services/webhooks/endpoints";
import { defineChannelJob } from "./run";

/**
 * Every minute: the webhook deliveries that did not go through right after their change committed, on the
 * webhooks' retry schedule, until they succeed or are given up (`dead`; an admin may redeliver). The webhook
 * configuration is checked before anything is claimed, so a misconfigured resolver spends no attempts. First it
 * erases the previous signing secrets whose overlap after a rotation has ended.
 */
export const deliverWebhooks = defineChannelJob("deliver-webhooks", {
  prepare: async (platform) => requireSection(platform.clients.config, "webhooks"),
  run: async (scope, config) => {
    await eraseLapsedWebhookSecrets(scope);
    return deliverTenantWebhooks(scope, config);
  },
  delivered: "sent webhooks",
});
