import type { ContentType } from "./contract";

/**
 * What the domain tells the rest of the system once a change has committed. Services raise these with
 * `scope.afterCommit(tx, event)`; listeners (functions/effects.ts) act on them after the commit, off the
 * response path. A new kind of event is one line here; a new reaction is one entry in the listeners table.
 */
export type DomainEvent =
  /**
   * Public pages that may have changed: items published, updated while public, unpublished, trashed (raised by
   * `announceContentChange`), or every page of the tenant when its settings changed (`announceSiteChange`, no
   * items), with the Cache-Tags to purge and the CDN purges it queued (services/cdn-purge.ts).
   */
  | { type: "content.changed"; contentIds: string[]; tags: string[]; outboxIds: string[] }
  /** Public pictures changed (replaced, unpublished, alt text edited): `announceMediaChange`, purged like content. */
  | { type: "media.changed"; mediaIds: string[]; tags: string[]; outboxIds: string[] }
  /**
   * A revision entered a state whose analysis runs by itself (`ANALYSED_STATES`): on entering it, and on
   * every save while there. The listener analyses it unless it is no longer current or already analysed.
   */
  | { type: "content.analysis_due"; contentType: ContentType; contentId: string; revisionId: string }
  /** Outbox rows queued by the transaction (services/outbox.ts): sent at once, the outbox job retries the rest. */
  | { type: "mail.queued"; outboxIds: string[] }
  /**
   * A hold was placed or released, or an item a hold covers was recorded: the outbox rows that set the objects'
   * S3 legal holds (services/legal-holds.ts), applied at once; the apply-legal-holds job retries the rest.
   */
  | { type: "legal_hold.changed"; outboxIds: string[] }
  /** Webhook deliveries queued by the transaction (services/webhooks/): sent at once, the webhook job retries. */
  | { type: "webhook.queued"; outboxIds: string[] };

export type DomainEventType = DomainEvent["type"];
