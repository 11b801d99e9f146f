import { outbox, type OutboxRow } from "../../schema";
import { CONTENT_LOCALES } from "../contract";
import type { EdgeConfig } from "../env";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import { type DeliveryTally, deliverOutbox, type Outcome, type OutboxChannel } from "./mail/delivery";
import { cacheTags, purgeTags } from "./site-cache";
import { contentFootprints } from "./site";
import { type ContentChange, queueContentWebhooks } from "./webhooks/events";

/**
 * Global purge: Cloudflare's CDN (and, there, the Worker cache of every data centre) purged by Cache-Tag through
 * the API (`POST /client/v4/zones/{zone}/purge_cache` with `{"tags": [...]}`), with a token that may only purge
 * the zone's cache. The calls go through the outbox (channel `cdn_purge`): queued in the transaction of the
 * change, so a purge exists if and only if the change commits; sent right after the commit by the
 * `content.changed` effect; retried with the mail's backoff by the `purge-cdn` job, and dead after the last
 * attempt. A withdrawn article (say, one that leaked a patient's data) then leaves every edge, not only the data
 * centre that ran the change.
 */

/** Tags per purge request: Cloudflare's limit per call on most plans. */
export const PURGE_TAGS_PER_CALL = 30;

const CDN_PURGE: OutboxChannel = {
  name: "cdn_purge",
  actions: { sent: "cdn.purged", deferred: "cdn.purge_deferred", dead: "cdn.purge_dead" },
};

/**
 * Records that content items changed, in the transaction that changed them: reads where they show (after the
 * change's writes), queues the CDN purge of those tags when the zone is configured, raises `content.changed`,
 * whose listener purges this data centre at once and sends the queued calls, and queues the webhooks the change
 * is (published, unpublished, updated: services/webhooks/events.ts) for the endpoints that subscribe to them.
 *
 * `retiredLists` names lists whose address the change ended (`category:<old slug>`, `tag:<old slug>`: a term
 * renamed or deleted): the items' footprints, read after the change, no longer name them, so their pages and
 * feeds in every locale are purged too.
 */
export async function announceContentChange(
  scope: Scope,
  tx: Transaction,
  changes: ContentChange[],
  { retiredLists = [] }: { retiredLists?: string[] } = {},
): Promise<void> {
  if (changes.length === 0 && retiredLists.length === 0) return;
  const contentIds = changes.map((change) => change.id);
  if (changes.length > 0) await queueContentWebhooks(scope, tx, changes);
  const tags = [
    ...purgeTags(scope.tenant.id, await contentFootprints(tx, contentIds)),
    ...retiredLists.flatMap((list) => CONTENT_LOCALES.map((locale) => cacheTags.list(scope.tenant.id, locale, list))),
  ];
  const outboxIds = await queuePurge(scope, tx, tags);
  scope.afterCommit(tx, { type: "content.changed", contentIds, tags, outboxIds });
}

/**
 * Records that the tenant's settings changed, in the transaction that changed them: every page shows the settings
 * (the footer's technical director and privacy link, the privacy page's notice and DPO), so the tenant's own tag is
 * purged, here and at the CDN, exactly as a content change purges its tags.
 */
export async function announceSiteChange(scope: Scope, tx: Transaction): Promise<void> {
  const tags = [cacheTags.tenant(scope.tenant.id)];
  const outboxIds = await queuePurge(scope, tx, tags);
  scope.afterCommit(tx, { type: "content.changed", contentIds: [], tags, outboxIds });
}

/**
 * Records that media items' public pictures changed (replaced, no longer public, alt text edited), in the
 * transaction that changed them: their image URLs and every page showing them carry `media:<id>`.
 */
export async function announceMediaChange(scope: Scope, tx: Transaction, mediaIds: string[]): Promise<void> {
  if (mediaIds.length === 0) return;
  const tags = mediaIds.map((id) => cacheTags.media(id));
  const outboxIds = await queuePurge(scope, tx, tags);
  scope.afterCommit(tx, { type: "media.changed", mediaIds, tags, outboxIds });
}

/** Queues the CDN purge of `tags` in the change's transaction when the zone is configured; the rows' ids. */
async function queuePurge(scope: Scope, tx: Transaction, tags: string[]): Promise<string[]> {
  const purge = cdnPurgeConfig(scope);
  if (!purge || tags.length === 0) return [];
  const rows = [];
  for (let start = 0; start < tags.length; start += PURGE_TAGS_PER_CALL) {
    rows.push({
      id: crypto.randomUUID(),
      tenantId: scope.tenant.id,
      channel: "cdn_purge" as const,
      template: "purge_cache",
      locale: "-",
      recipient: purge.zoneId,
      data: { tags: tags.slice(start, start + PURGE_TAGS_PER_CALL) },
    });
  }
  await tx.insert(outbox).values(rows);
  return rows.map((row) => row.id);
}

/**
 * The zone and token, or undefined. A half-configured purge (named by /readyz) must not stop editors from
 * publishing or, worse, unpublishing: it is logged and the CDN keeps pages until their s-maxage.
 */
function cdnPurgeConfig(scope: Scope) {
  try {
    return scope.section("edge").cdnPurge;
  } catch (error) {
    scope.logger.warn("CDN purge is misconfigured; pages age out at the CDN instead", { error });
    return undefined;
  }
}

/** The zone, the token and the API's base. */
export type CdnPurgeConfig = NonNullable<EdgeConfig["cdnPurge"]>;

/** One purge call; Cloudflare answers its envelope (`success`, `errors`). A 400 is permanent, the rest retried. */
async function purgeCall(config: CdnPurgeConfig, row: OutboxRow): Promise<Outcome> {
  const tags = Array.isArray(row.data.tags) ? (row.data.tags as string[]) : [];
  try {
    const response = await fetch(`${config.apiBase}/client/v4/zones/${encodeURIComponent(row.recipient)}/purge_cache`, {
      method: "POST",
      headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json" },
      body: JSON.stringify({ tags }),
    });
    const envelope = (await response.json().catch(() => null)) as {
      success?: boolean;
      errors?: Array<{ code?: number; message?: string }>;
    } | null;
    if (response.ok && envelope?.success === true) return { kind: "sent" };
    const first = envelope?.errors?.[0];
    const error = `HTTP ${response.status}${first ? ` ${first.code ?? ""} ${first.message ?? ""}`.trimEnd() : ""}`;
    return { kind: "failed", error: error.slice(0, 200), permanent: response.status === 400 };
  } catch (error) {
    return {
      kind: "failed",
      error: error instanceof Error ? error.message.slice(0, 200) : "fetch failed",
      permanent: false,
    };
  }
}

/** The `content.changed` effect's half: sends the purges the committed transaction queued. */
export async function deliverQueuedPurges(scope: Scope, ids: string[]): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  const config = ids.length > 0 ? cdnPurgeConfig(scope) : undefined;
  if (!config) return tally;
  await deliverOutbox(scope, CDN_PURGE, (row) => purgeCall(config, row), tally, ids);
  return tally;
}

/** The job's run in one tenant: its due purges, when the CDN purge is configured. */
export async function deliverTenantPurges(scope: Scope, config: CdnPurgeConfig | undefined): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  if (config) await deliverOutbox(scope, CDN_PURGE, (row) => purgeCall(config, row), tally);
  return tally;
}
