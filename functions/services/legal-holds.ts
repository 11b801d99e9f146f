import { and, desc, eq, isNull } from "drizzle-orm";
import { type LegalHold, legalHolds, type LegalHoldScope } from "../../schema";
import type { Transaction } from "../lib/db";
import { ConflictError, NotFoundError } from "../lib/errors";
import { requireUser, type Scope } from "../scope";

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
    await scope.audit(
      tx,
      "legal_hold.placed",
      { type: "legal_hold", id: row.id },
      { scope: row.scope, targetId: row.targetId, itemType: row.itemType },
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
    await scope.audit(
      tx,
      "legal_hold.released",
      { type: "legal_hold", id: row.id },
      { scope: row.scope, targetId: row.targetId },
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
