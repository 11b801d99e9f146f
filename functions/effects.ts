import type { DomainEvent, DomainEventType } from "./events";
import type { Scope } from "./scope";
import { analyseDueRevision } from "./services/analysis";
import { deliverQueuedMail } from "./services/mail/delivery";
import { deliverQueuedPurges } from "./services/cdn-purge";
import { deliverQueuedObjectHolds } from "./services/legal-holds";
import { purgeTagsLocally, siteCache, sitePolicy } from "./services/site-cache";
import { deliverQueuedWebhooks } from "./services/webhooks/delivery";

type EventOf<K extends DomainEventType> = Extract<DomainEvent, { type: K }>;
type Listener<K extends DomainEventType> = (scope: Scope, events: Array<EventOf<K>>) => Promise<void>;

/** Purges the events' tags: this data centre's caches at once, the CDN through the calls their change queued. */
async function purgeCommitted(
  scope: Scope,
  events: Array<EventOf<"content.changed" | "media.changed">>,
): Promise<void> {
  const tags = [...new Set(events.flatMap((event) => event.tags))];
  const site = scope.section("site");
  await purgeTagsLocally(siteCache(), tags, sitePolicy(site.cacheSeconds, site.microCacheSeconds));
  await deliverQueuedPurges(
    scope,
    events.flatMap((event) => event.outboxIds),
  );
}

/**
 * Who reacts to what, after the change has committed. Each listener gets every event of its type that the
 * scope's committed transactions raised, so one request that touches many items purges once.
 */
const listeners: { [K in DomainEventType]: Array<Listener<K>> } = {
  // The public pages, lists, feeds and sitemaps that show the items (services/site-cache.ts).
  // This data centre's Worker cache and this isolate's micro-cache by tag, then the CDN everywhere through the
  // purge calls the change queued (services/cdn-purge.ts; the purge-cdn job retries what fails here).
  "content.changed": [purgeCommitted],
  // Pictures: their image URLs and the pages showing them carry `media:<id>`; the same purge.
  "media.changed": [purgeCommitted],
  // The compliance gate's analysis (services/analysis.ts): only each item's latest due revision, one item
  // after another (the plugins are CPU-bound; running them side by side would not finish sooner).
  "content.analysis_due": [
    async (scope, events) => {
      const latest = new Map(events.map((event) => [event.contentId, event]));
      for (const due of latest.values()) {
        try {
          await analyseDueRevision(scope, due);
        } catch (error) {
          // The gate stays closed (no analysis, 409 `analysis_required`); the editor can run it by hand.
          scope.logger.warn("automatic analysis failed", { contentId: due.contentId, error });
        }
      }
    },
  ],
  // The objects' S3 legal holds follow the committed holds at once; the apply-legal-holds job retries what fails.
  "legal_hold.changed": [
    async (scope, events) => {
      await deliverQueuedObjectHolds(
        scope,
        events.flatMap((event) => event.outboxIds),
      );
    },
  ],
  // Mail goes out as soon as its transaction commits; what fails here the outbox job retries (jobs/deliver-mail.ts).
  "mail.queued": [
    async (scope, events) => {
      await deliverQueuedMail(
        scope,
        events.flatMap((event) => event.outboxIds),
      );
    },
  ],
  // Webhook deliveries go out as soon as the change commits; the webhook job retries (jobs/deliver-webhooks.ts).
  "webhook.queued": [
    async (scope, events) => {
      await deliverQueuedWebhooks(
        scope,
        events.flatMap((event) => event.outboxIds),
      );
    },
  ],
};

/**
 * Delivers the scope's committed events to their listeners. Called in `waitUntil` after a response, and
 * awaited by jobs. A failing listener is logged and does not stop the others: the change itself has
 * committed, and a missed purge ages out within the pages' s-maxage.
 */
export async function deliverCommittedEvents(scope: Scope): Promise<void> {
  const events = scope.takeCommittedEvents();
  if (events.length === 0) return;
  const byType = new Map<DomainEventType, DomainEvent[]>();
  for (const event of events) byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
  await Promise.all(
    [...byType].flatMap(([type, ofType]) =>
      listeners[type].map((listener) =>
        (listener as Listener<DomainEventType>)(scope, ofType).catch((error: unknown) =>
          scope.logger.warn("after-commit effect failed", { event: type, error }),
        ),
      ),
    ),
  );
}
