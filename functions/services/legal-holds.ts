import { and, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { type LegalHold, legalHolds, type LegalHoldScope, type MediaItem, mediaItems, outbox } from "../../schema";
import { legalHoldObjectClasses } from "../../schema/retention-policies";
import type { Transaction } from "../lib/db";
import { ConflictError, NotFoundError } from "../lib/errors";
import type { Scope } from "../scope";
import { requireUser } from "../scope";
import { type DeliveryTally, deliverOutbox, type Outcome, type OutboxChannel } from "./mail/delivery";
import { isMissingObject, setObjectLegalHold } from "./media-storage";

/** What a piece of data is, for deciding whether a legal hold covers it. */
export interface HoldTarget {
  itemType: "media_item" | "consent" | "data_subject";
  itemId: string;
  subjectId?: string | null;
  createdBy?: string | null;
}

/** The tenant's active holds, read once per batch (there are few). */
export async function activeHolds(tx: Transaction): Promise<LegalHold[]> {
  return tx.select().from(legalHolds).where(isNull(legalHolds.releasedAt));
}

/** The first active hold that covers the target, or null. A tenant-wide hold covers everything. */
export function holdCovering(holds: readonly LegalHold[], target: HoldTarget): LegalHold | null {
  return (
    holds.find(
      (hold) =>
        hold.scope === "tenant" ||
        (hold.scope === "item" &&
          hold.targetId === target.itemId &&
          (hold.itemType === null || hold.itemType === target.itemType)) ||
        (hold.scope === "subject" &&
          target.subjectId !== undefined &&
          target.subjectId !== null &&
          hold.targetId === target.subjectId) ||
        (hold.scope === "subject" && target.itemType === "data_subject" && hold.targetId === target.itemId) ||
        (hold.scope === "user" &&
          target.createdBy !== undefined &&
          target.createdBy !== null &&
          hold.targetId === target.createdBy),
    ) ?? null
  );
}

export interface HoldView {
  id: string;
  scope: LegalHoldScope;
  targetId: string | null;
  itemType: string | null;
  reason: string;
  createdAt: string;
  releasedAt: string | null;
}

function holdView(row: LegalHold): HoldView {
  return {
    id: row.id,
    scope: row.scope,
    targetId: row.targetId,
    itemType: row.itemType,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    releasedAt: row.releasedAt?.toISOString() ?? null,
  };
}

export async function placeHold(
  scope: Scope,
  input: { scope: LegalHoldScope; targetId?: string | undefined; itemType?: string | undefined; reason: string },
): Promise<HoldView> {
  const actor = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [row] = await tx
      .insert(legalHolds)
      .values({
        tenantId: scope.tenant.id,
        scope: input.scope,
        targetId: input.scope === "tenant" ? null : (input.targetId ?? null),
        itemType: input.scope === "item" ? (input.itemType ?? null) : null,
        reason: input.reason,
        createdBy: actor.userId,
      })
      .returning();
    if (!row) throw new Error("hold insert returned nothing");
    const objects = await queueObjectHolds(scope, tx, await mediaIdsCoveredBy(tx, row));
    await scope.audit(
      tx,
      "legal_hold.placed",
      { type: "legal_hold", id: row.id },
      { scope: row.scope, targetId: row.targetId, itemType: row.itemType, objects },
    );
    return holdView(row);
  });
}

export async function releaseHold(scope: Scope, holdId: string): Promise<HoldView> {
  const actor = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [existing] = await tx.select().from(legalHolds).where(eq(legalHolds.id, holdId)).limit(1).for("update");
    if (!existing) throw new NotFoundError("No such legal hold.");
    if (existing.releasedAt) throw new ConflictError("legal_hold_released", "This hold was already released.");
    const [row] = await tx
      .update(legalHolds)
      .set({ releasedAt: new Date(), releasedBy: actor.userId })
      .where(and(eq(legalHolds.id, holdId), isNull(legalHolds.releasedAt)))
      .returning();
    if (!row) throw new ConflictError("legal_hold_released", "This hold was already released.");
    // Each object's S3 hold is set to what the holds still active say: OFF only where none covers it any more.
    const objects = await queueObjectHolds(scope, tx, await mediaIdsCoveredBy(tx, row));
    await scope.audit(
      tx,
      "legal_hold.released",
      { type: "legal_hold", id: row.id },
      { scope: row.scope, targetId: row.targetId, objects },
    );
    return holdView(row);
  });
}

export async function listHolds(scope: Scope): Promise<HoldView[]> {
  const rows = await scope.transaction((tx) =>
    tx.select().from(legalHolds).orderBy(desc(legalHolds.createdAt)).limit(500),
  );
  return rows.map(holdView);
}

// ---------------------------------------------------------------------------------------------------
// Holds reach the bucket
// ---------------------------------------------------------------------------------------------------

/**
 * A hold in the database stops the retention sweep; the bucket's lifecycle rules and anyone holding delete rights
 * know nothing of it. So each object a hold covers also gets an S3 legal hold (Object Lock), which nothing deletes
 * while it is ON, and loses it when no active hold covers it any more. Only the classes of
 * `legalHoldObjectClasses` (medical records, imaging, HIPAA documentation) are held in S3: the others are kept
 * forever (editorial media), are not media, or are swept within days (pending uploads).
 *
 * The S3 calls go through the outbox (channel `legal_hold`): rows naming the media items are queued in the
 * transaction that places or releases the hold, or records a new item a hold covers, so the bucket follows
 * every committed change; they are sent right after the commit (`legal_hold.changed`) and retried by the
 * `apply-legal-holds` job. A row does not say ON or OFF: its delivery reads the active holds and sets each
 * object to what they say, then reads them again and repeats while they changed meanwhile, so deliveries that
 * overlap a later place or release still end with the bucket as the database says.
 */

/** Media items per outbox row (one PutObjectLegalHold each). */
export const HOLD_OBJECTS_PER_ROW = 100;
/** Rounds of "set, then read the holds again" one delivery makes before leaving the row to a retry. */
const HOLD_SYNC_ROUNDS = 3;

const LEGAL_HOLD: OutboxChannel = {
  name: "legal_hold",
  actions: { sent: "legal_hold.objects_set", deferred: "legal_hold.objects_deferred", dead: "legal_hold.objects_dead" },
};

function holdTarget(item: Pick<MediaItem, "id" | "subjectId" | "createdBy">): HoldTarget {
  return { itemType: "media_item", itemId: item.id, subjectId: item.subjectId, createdBy: item.createdBy };
}

/** The media items of S3-held classes that `hold` covers, as `holdCovering` decides it. */
async function mediaIdsCoveredBy(tx: Transaction, hold: LegalHold): Promise<string[]> {
  let which: SQL | undefined;
  if (hold.scope === "tenant") which = undefined;
  else if (hold.targetId === null) return [];
  else if (hold.scope === "subject") which = eq(mediaItems.subjectId, hold.targetId);
  else if (hold.scope === "user") which = eq(mediaItems.createdBy, hold.targetId);
  else if (hold.itemType === null || hold.itemType === "media_item") which = eq(mediaItems.id, hold.targetId);
  else return [];
  const rows = await tx
    .select({ id: mediaItems.id })
    .from(mediaItems)
    .where(and(inArray(mediaItems.retentionClass, [...legalHoldObjectClasses]), which));
  return rows.map((row) => row.id);
}

/** Queues the S3 legal-hold state of these media items in `tx`; returns how many it queued. */
async function queueObjectHolds(scope: Scope, tx: Transaction, mediaIds: string[]): Promise<number> {
  if (mediaIds.length === 0) return 0;
  const rows = [];
  for (let start = 0; start < mediaIds.length; start += HOLD_OBJECTS_PER_ROW) {
    rows.push({
      id: crypto.randomUUID(),
      tenantId: scope.tenant.id,
      channel: "legal_hold" as const,
      template: "object_legal_hold",
      locale: "-",
      recipient: scope.storage.bucket,
      data: { mediaIds: mediaIds.slice(start, start + HOLD_OBJECTS_PER_ROW) },
    });
  }
  await tx.insert(outbox).values(rows);
  scope.afterCommit(tx, { type: "legal_hold.changed", outboxIds: rows.map((row) => row.id) });
  return mediaIds.length;
}

/**
 * A media item just recorded (an upload completed): if an active hold covers it (its subject, its uploader, the
 * tenant), its object gets the S3 legal hold too, queued in the same transaction.
 */
export async function holdNewMediaItem(
  scope: Scope,
  tx: Transaction,
  item: Pick<MediaItem, "id" | "subjectId" | "createdBy" | "retentionClass">,
): Promise<void> {
  if (!legalHoldObjectClasses.includes(item.retentionClass)) return;
  if (holdCovering(await activeHolds(tx), holdTarget(item))) await queueObjectHolds(scope, tx, [item.id]);
}

/** The objects' wanted states: ON where an active hold covers the item. Items gone since are left out. */
async function wantedStates(scope: Scope, mediaIds: string[]): Promise<Map<string, { key: string; on: boolean }>> {
  return scope.transaction(async (tx) => {
    const items = await tx
      .select({
        id: mediaItems.id,
        objectKey: mediaItems.objectKey,
        subjectId: mediaItems.subjectId,
        createdBy: mediaItems.createdBy,
      })
      .from(mediaItems)
      .where(inArray(mediaItems.id, mediaIds));
    const holds = await activeHolds(tx);
    return new Map(
      items.map((item) => [item.id, { key: item.objectKey, on: holdCovering(holds, holdTarget(item)) !== null }]),
    );
  });
}

/** One row's delivery: sets each object's S3 legal hold to what the active holds say, until they stop changing. */
async function applyObjectHolds(scope: Scope, row: { data: Record<string, unknown> }): Promise<Outcome> {
  const mediaIds = Array.isArray(row.data.mediaIds)
    ? row.data.mediaIds.filter((id): id is string => typeof id === "string")
    : [];
  if (mediaIds.length === 0) return { kind: "failed", error: "the row names no media items", permanent: true };
  const set = new Map<string, boolean>();
  try {
    for (let round = 0; round < HOLD_SYNC_ROUNDS; round++) {
      const wanted = await wantedStates(scope, mediaIds);
      const changes = [...wanted].filter(([id, state]) => set.get(id) !== state.on);
      if (changes.length === 0) {
        const states = [...set.values()];
        return { kind: "sent", details: { on: states.filter(Boolean).length, off: states.filter((on) => !on).length } };
      }
      for (const [id, state] of changes) {
        try {
          await setObjectLegalHold(scope.storage, state.key, state.on);
        } catch (error) {
          // The object is gone (its item was deleted meanwhile): nothing left to hold.
          if (!isMissingObject(error)) throw error;
        }
        set.set(id, state.on);
      }
    }
    return { kind: "failed", error: "the holds kept changing while they were applied", permanent: false };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : "S3 refused the legal hold";
    return { kind: "failed", error: message.slice(0, 200), permanent: false };
  }
}

/** The `legal_hold.changed` effect: applies the S3 holds the committed transaction queued. */
export async function deliverQueuedObjectHolds(scope: Scope, ids: string[]): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  if (ids.length > 0) await deliverOutbox(scope, LEGAL_HOLD, (row) => applyObjectHolds(scope, row), tally, ids);
  return tally;
}

/** The job's run in one tenant: its due S3 holds. */
export async function deliverDueObjectHolds(scope: Scope): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  await deliverOutbox(scope, LEGAL_HOLD, (row) => applyObjectHolds(scope, row), tally);
  return tally;
}
