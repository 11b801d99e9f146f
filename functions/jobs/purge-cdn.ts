import { requireSection } from "../env";
import { deliverTenantPurges } from "../services/cdn-purge";
import { defineChannelJob } from "./run";

/**
 * Every minute: sends the CDN purges (Cloudflare's purge-by-tag API, services/cdn-purge.ts) that did not go out
 * right after their change committed, with the outbox's backoff and dead letter.
 */
export const purgeCdn = defineChannelJob("purge-cdn", {
  prepare: async (platform) => requireSection(platform.clients.config, "edge").cdnPurge,
  run: (scope, config) => deliverTenantPurges(scope, config),
  delivered: "sent CDN purges",
});
