import { eq, inArray } from "drizzle-orm";
import { contentItems, type MediaItem, outbox, webhookEndpoints } from "../../../schema";
import type { WebhookEvent } from "../../contract";
import type { Transaction } from "../../lib/db";
import { sitePaths } from "../../site/urls";
import type { Scope } from "../../scope";
import { isOnPublicSite } from "../content/access";
import { primaryHostname } from "../site";

/**
 * Queues webhook deliveries in the transaction of the change they announce: one outbox row (channel `webhook`)
 * per subscribed, enabled endpoint, so a delivery exists if and only if the change commits. Once it has, the
 * `webhook.queued` effect sends them and the webhook job retries what fails (services/webhooks/delivery.ts).
 *
 * A payload carries what the public site shows anyone: ids, type, locale, slug, title, URL and timestamps of an
 * item that is (or was) on the public site; never a body, an excerpt, an author, anything of `restricted` or
 * `phi` items, or of media that names a data subject.
 */

/** A content item a transaction changed, and whether the public site showed it before (unknown: it did not move). */
export interface ContentChange {
  id: string;
  /** Whether it was on the public site before the change; undefined when the change cannot have moved it. */
  wasPublic?: boolean;
}

/** The fields of a content event, and nothing else (the test of the payload lists the same keys). */
export interface ContentEventData {
  id: string;
  type: string;
  locale: string;
  slug: string;
  title: string;
  complianceLevel: string;
  url: string | null;
  publishedAt: string | null;
  updatedAt: string;
}

export interface MediaEventData {
  id: string;
  kind: string;
  contentType: string;
  size: number;
  createdAt: string;
}

/** The tenant's enabled endpoints, by the events they subscribe to: one small read per announcing transaction. */
async function endpointsByEvent(tx: Transaction): Promise<Map<WebhookEvent, string[]>> {
  const rows = await tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.enabled, true));
  const byEvent = new Map<WebhookEvent, string[]>();
  for (const row of rows) for (const event of row.events) byEvent.set(event, [...(byEvent.get(event) ?? []), row.id]);
  return byEvent;
}

async function queue(
  scope: Scope,
  tx: Transaction,
  deliveries: Array<{ event: WebhookEvent; data: ContentEventData | MediaEventData }>,
  endpointsOf: Map<WebhookEvent, string[]>,
): Promise<void> {
  const timestamp = new Date().toISOString();
  const rows = deliveries.flatMap(({ event, data }) =>
    (endpointsOf.get(event) ?? []).map((endpointId) => ({
      id: crypto.randomUUID(),
      tenantId: scope.tenant.id,
      channel: "webhook" as const,
      template: event,
      locale: "-",
      recipient: endpointId,
      data: { timestamp, data: { ...data } },
    })),
  );
  if (rows.length === 0) return;
  await tx.insert(outbox).values(rows);
  scope.afterCommit(tx, { type: "webhook.queued", outboxIds: rows.map((row) => row.id) });
}

const CONTENT_EVENTS: WebhookEvent[] = ["content.published", "content.unpublished", "content.updated"];

/** Which event a change is: an item entering the public site, leaving it, or changing while on it. */
export function contentEventOf(wasPublic: boolean | undefined, isPublic: boolean): WebhookEvent | null {
  if (wasPublic === undefined) return isPublic ? "content.updated" : null;
  if (!wasPublic) return isPublic ? "content.published" : null;
  return isPublic ? "content.updated" : "content.unpublished";
}

/** Queues the content events of `changes` (read after the change's writes, in its transaction). */
export async function queueContentWebhooks(scope: Scope, tx: Transaction, changes: ContentChange[]): Promise<void> {
  if (changes.length === 0) return;
  const endpointsOf = await endpointsByEvent(tx);
  if (!CONTENT_EVENTS.some((event) => endpointsOf.has(event))) return;
  const items = await tx
    .select({
      id: contentItems.id,
      type: contentItems.type,
      locale: contentItems.locale,
      slug: contentItems.slug,
      title: contentItems.title,
      state: contentItems.state,
      trashedAt: contentItems.trashedAt,
      complianceLevel: contentItems.complianceLevel,
      publishedAt: contentItems.publishedAt,
      updatedAt: contentItems.updatedAt,
    })
    .from(contentItems)
    .where(
      inArray(
        contentItems.id,
        changes.map((change) => change.id),
      ),
    );
  const byId = new Map(items.map((item) => [item.id, item]));
  const host = await primaryHostname(scope);
  const deliveries = [];
  for (const change of changes) {
    const item = byId.get(change.id);
    if (!item) continue;
    const event = contentEventOf(change.wasPublic, isOnPublicSite(item));
    // An item that is not `public` or `professional` now is never described, whatever it was.
    if (!event || (item.complianceLevel !== "public" && item.complianceLevel !== "professional")) continue;
    deliveries.push({
      event,
      data: {
        id: item.id,
        type: item.type,
        locale: item.locale,
        slug: item.slug,
        title: item.title,
        complianceLevel: item.complianceLevel,
        url: host ? `https://${host}${sitePaths.item(item.locale, item.type, item.slug)}` : null,
        publishedAt: item.publishedAt?.toISOString() ?? null,
        updatedAt: item.updatedAt.toISOString(),
      },
    });
  }
  await queue(scope, tx, deliveries, endpointsOf);
}

/**
 * Queues `media.created` for a new media item that is an image naming no data subject and with no PHI tags:
 * a patient's image, a document or a DICOM study is never announced, not even by its id.
 */
export async function queueMediaWebhooks(scope: Scope, tx: Transaction, media: MediaItem): Promise<void> {
  if (media.kind !== "image" || media.subjectId !== null || media.phiTags.length > 0) return;
  const endpointsOf = await endpointsByEvent(tx);
  if (!endpointsOf.has("media.created")) return;
  await queue(
    scope,
    tx,
    [
      {
        event: "media.created",
        data: {
          id: media.id,
          kind: media.kind,
          contentType: media.contentType,
          size: media.size,
          createdAt: media.createdAt.toISOString(),
        },
      },
    ],
    endpointsOf,
  );
}
