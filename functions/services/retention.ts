import { and, asc, eq, gt, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import { consents, mediaItems, type RetentionCounts, retentionCheckpoints, retentionRuns } from "../../schema";
import { type RetentionClass, retentionPolicies } from "../../schema/retention-policies";
import type { Transaction } from "../lib/db";
import { type Pace, paced } from "../lib/pace";
import type { Scope } from "../scope";
import { sweepAccessLogs } from "./access-logs";
import { activeHolds, holdCovering } from "./legal-holds";
import { deleteObjects } from "./media-storage";

/**
 * The retention sweep: deletes what the policy table (schema/retention-policies.ts, the single source of
 * truth) says is past its maximum age, unless a legal hold covers it. It works per tenant and per task in
 * bounded batches, from a keyset checkpoint (cursor) that moves only with a committed batch, so a run that
 * crashes resumes after the last committed batch and running it again is idempotent.
 *
 * Media (S3 objects and their rows) take three steps, so no transaction, and so no lock, is held across S3:
 *   1. a short read: the next due rows after the cursor, and the legal holds;
 *   2. one DeleteObjects request per 1,000 objects not held, outside any transaction;
 *   3. one short transaction: delete the rows whose objects S3 deleted (`DELETE … RETURNING`, so a row another
 *      run already deleted counts once), one audit event for the batch naming them, the cursor past the batch.
 * Objects go before rows: a crash between 2 and 3 leaves rows whose objects are gone, still due and still
 * behind the cursor, so the next run deletes the objects again (a missing key is a success) and then the rows.
 * The reverse order would leave objects nobody has a record of. Overlapping runs need no lock: both may send
 * the same keys, and only the one whose DELETE removed a row counts and audits it.
 *
 * Consents and access logs are rows only: one transaction per batch under a (tenant, task) advisory lock taken with
 * pg_try_advisory_xact_lock (an overlapping run leaves the tenant to the other), claimed with FOR UPDATE SKIP
 * LOCKED, deleted in one statement.
 *
 * Every batch is audited as one event naming its items, appended as its transaction's last statement
 * (`finishBatch`): the tenant's audit lock, which every audited write of the tenant (a sign-in among them) takes,
 * is held from that append to the commit only, never across S3, the batch's deletes or its bookkeeping.
 */

const DAY_MS = 86_400_000;
const MEDIA_CLASSES = (Object.values(retentionPolicies) as Array<(typeof retentionPolicies)[RetentionClass]>).filter(
  (policy) =>
    policy.action === "delete" &&
    policy.maxAgeDays !== null &&
    (policy.measuredFrom === "last_entry" ||
      policy.measuredFrom === "created" ||
      policy.measuredFrom === "last_effective"),
);

export type SweepTask = "media" | "consents" | "access_logs";

export interface SweepOptions extends MediaSweepHooks {
  now?: Date;
  batchSize?: number;
  /** Stop a tenant's task after this many batches (bounded work per cron run); the checkpoint keeps the place. */
  maxBatches?: number;
  /**
   * The job's pace (lib/pace.ts): rests between batches and, once its time budget is spent, stops the run before
   * its next batch (status `stopped`; the checkpoint keeps the place for the next run). None: no rest, no budget.
   */
  pace?: Pace;
  /** Called after each committed batch; a thrown error stops the run there, as a crash would. */
  afterBatch?: (info: { tenantId: string; task: SweepTask; batch: number }) => void | Promise<void>;
}

export interface SweepSummary extends RetentionCounts {
  batches: number;
  /** Tenant tasks left to another overlapping run, which held their lock. */
  skippedBusy: number;
  /** Whether `maxBatches` or the pace's budget stopped the run (status `stopped`); the next run resumes. */
  stopped: boolean;
}

function emptyCounts(): RetentionCounts {
  return { deleted: 0, anonymised: 0, held: 0, failed: 0 };
}

function lockKey(tenantId: string, task: SweepTask): string {
  return `retention:${tenantId}:${task}`;
}

/** The instant before which an item of the class is due (its clock older than the maximum age). */
export function dueBefore(retentionClass: RetentionClass, now: Date): Date | null {
  const policy = retentionPolicies[retentionClass];
  return policy.maxAgeDays === null ? null : new Date(now.getTime() - policy.maxAgeDays * DAY_MS);
}

/** The one audit event a batch is recorded by. */
export interface BatchEvent {
  action: string;
  target: { type: string; id: string | null };
  details: Record<string, unknown>;
}

interface BatchResult {
  processed: number;
  counts: RetentionCounts;
  busy: boolean;
  /** Absent when the batch deleted nothing. */
  event?: BatchEvent;
}

/**
 * The end of a batch's transaction: the run's counts, then the batch's audit event as the last statement, so the
 * tenant's audit lock (taken by the append) is held only until the commit that follows.
 */
async function finishBatch(scope: Scope, tx: Transaction, runId: string, batch: BatchResult): Promise<void> {
  await addRunCounts(tx, runId, batch.counts);
  if (batch.event) await scope.audit(tx, batch.event.action, batch.event.target, batch.event.details);
}

async function readCursor(tx: Transaction, tenantId: string, task: SweepTask) {
  const [row] = await tx
    .select()
    .from(retentionCheckpoints)
    .where(and(eq(retentionCheckpoints.tenantId, tenantId), eq(retentionCheckpoints.task, task)))
    .limit(1);
  return row?.cursorAt && row.cursorId ? { at: row.cursorAt, id: row.cursorId } : null;
}

async function writeCursor(
  tx: Transaction,
  tenantId: string,
  task: SweepTask,
  runId: string,
  cursor: { at: Date; id: string } | null,
) {
  await tx
    .insert(retentionCheckpoints)
    .values({
      tenantId,
      task,
      cursorAt: cursor?.at ?? null,
      cursorId: cursor?.id ?? null,
      runId,
      updatedAt: new Date(),
    })
    .onConflictDoUpdate({
      target: [retentionCheckpoints.tenantId, retentionCheckpoints.task],
      set: { cursorAt: cursor?.at ?? null, cursorId: cursor?.id ?? null, runId, updatedAt: new Date() },
    });
}

export interface MediaSweepHooks {
  /** Called with the keys just before the DeleteObjects request(s) (tests: what others can do meanwhile). */
  beforeObjectsDeleted?: (keys: string[]) => void | Promise<void>;
  /** Called once S3 deleted the objects, before their rows are; a thrown error stops there, as a crash would. */
  afterObjectsDeleted?: (keys: string[]) => void | Promise<void>;
}

async function mediaBatch(
  scope: Scope,
  runId: string,
  now: Date,
  batchSize: number,
  hooks: MediaSweepHooks,
): Promise<BatchResult> {
  const tenantId = scope.tenant.id;
  const counts = emptyCounts();
  // 1. What is due after the cursor, and which of it a hold covers (a read; nothing stays locked).
  const { due, held } = await scope.transaction(async (tx) => {
    const cursor = await readCursor(tx, tenantId, "media");
    const dueByClass = MEDIA_CLASSES.map((policy) =>
      and(
        eq(mediaItems.retentionClass, policy.retentionClass),
        lt(mediaItems.lastEntryAt, dueBefore(policy.retentionClass, now) ?? now),
      ),
    );
    const after = cursor
      ? or(
          gt(mediaItems.lastEntryAt, cursor.at),
          and(eq(mediaItems.lastEntryAt, cursor.at), gt(mediaItems.id, cursor.id)),
        )
      : undefined;
    const due = await tx
      .select()
      .from(mediaItems)
      .where(and(or(...dueByClass), after))
      .orderBy(asc(mediaItems.lastEntryAt), asc(mediaItems.id))
      .limit(batchSize);
    const holds = await activeHolds(tx);
    const held = new Set(
      due
        .filter((item) =>
          holdCovering(holds, {
            itemType: "media_item",
            itemId: item.id,
            subjectId: item.subjectId,
            createdBy: item.createdBy,
          }),
        )
        .map((item) => item.id),
    );
    return { due, held };
  });
  counts.held = held.size;
  const deletable = due.filter((item) => !held.has(item.id));

  // 2. The objects, in as few requests as S3 allows, outside any transaction.
  const keys = deletable.map((item) => item.objectKey);
  let refused = new Set<string>();
  if (keys.length > 0) {
    await hooks.beforeObjectsDeleted?.(keys);
    refused = await deleteObjects(scope.storage, keys);
    await hooks.afterObjectsDeleted?.(keys);
  }
  const gone = deletable.filter((item) => !refused.has(item.objectKey));
  counts.failed = deletable.length - gone.length;

  // 3. Their rows, the cursor, and one audit event for the batch: one short transaction.
  const last = due.at(-1);
  return scope.transaction(async (tx) => {
    const removed =
      gone.length === 0
        ? []
        : await tx
            .delete(mediaItems)
            .where(
              inArray(
                mediaItems.id,
                gone.map((item) => item.id),
              ),
            )
            .returning({ id: mediaItems.id });
    const removedIds = new Set(removed.map((row) => row.id));
    const deleted = gone.filter((item) => removedIds.has(item.id));
    counts.deleted = deleted.length;
    await writeCursor(
      tx,
      tenantId,
      "media",
      runId,
      // Objects S3 refused (a lock, a denial) keep their rows and are counted failed; the next pass tries again.
      due.length === batchSize && last ? { at: last.lastEntryAt, id: last.id } : null,
    );
    const batch: BatchResult = { processed: due.length, counts, busy: false };
    if (deleted.length > 0) {
      batch.event = {
        action: "retention.media_deleted",
        target: { type: "retention_run", id: runId },
        details: {
          runId,
          count: deleted.length,
          items: deleted.map((item) => ({
            id: item.id,
            retentionClass: item.retentionClass,
            lastEntryAt: item.lastEntryAt.toISOString(),
            legalBasis: retentionPolicies[item.retentionClass].legalBasis,
            sha256: item.sha256,
          })),
        },
      };
    }
    await finishBatch(scope, tx, runId, batch);
    return batch;
  });
}

async function consentBatch(
  scope: Scope,
  tx: Transaction,
  runId: string,
  now: Date,
  batchSize: number,
): Promise<BatchResult> {
  const tenantId = scope.tenant.id;
  const counts = emptyCounts();
  const cursor = await readCursor(tx, tenantId, "consents");
  const limit = dueBefore("marketing_consent", now) ?? now;
  const after = cursor
    ? or(gt(consents.withdrawnAt, cursor.at), and(eq(consents.withdrawnAt, cursor.at), gt(consents.id, cursor.id)))
    : undefined;
  const due = await tx
    .select()
    .from(consents)
    .where(and(isNotNull(consents.withdrawnAt), lt(consents.withdrawnAt, limit), after))
    .orderBy(asc(consents.withdrawnAt), asc(consents.id))
    .limit(batchSize)
    .for("update", { skipLocked: true });
  const holds = await activeHolds(tx);
  const deletable = due.filter(
    (consent) => !holdCovering(holds, { itemType: "consent", itemId: consent.id, subjectId: consent.subjectId }),
  );
  counts.held = due.length - deletable.length;
  if (deletable.length > 0) {
    await tx.delete(consents).where(
      inArray(
        consents.id,
        deletable.map((consent) => consent.id),
      ),
    );
  }
  counts.deleted = deletable.length;
  const last = due.at(-1);
  await writeCursor(
    tx,
    tenantId,
    "consents",
    runId,
    due.length === batchSize && last?.withdrawnAt ? { at: last.withdrawnAt, id: last.id } : null,
  );
  const batch: BatchResult = { processed: due.length, counts, busy: false };
  if (deletable.length > 0) {
    // The proof that consent was given and withdrawn (LGPD art. 8 §2) stays in the audit chain, item by item.
    batch.event = {
      action: "retention.consent_deleted",
      target: { type: "retention_run", id: runId },
      details: {
        runId,
        count: deletable.length,
        legalBasis: retentionPolicies.marketing_consent.legalBasis,
        items: deletable.map((consent) => ({
          id: consent.id,
          purpose: consent.purpose,
          version: consent.version,
          grantedAt: consent.grantedAt.toISOString(),
          withdrawnAt: consent.withdrawnAt?.toISOString() ?? null,
        })),
      },
    };
  }
  return batch;
}

async function addRunCounts(tx: Transaction, runId: string, counts: RetentionCounts): Promise<void> {
  await tx
    .update(retentionRuns)
    .set({
      counts: sql`jsonb_build_object(
        'deleted', (${retentionRuns.counts}->>'deleted')::int + ${counts.deleted}::int,
        'anonymised', (${retentionRuns.counts}->>'anonymised')::int + ${counts.anonymised}::int,
        'held', (${retentionRuns.counts}->>'held')::int + ${counts.held}::int,
        'failed', (${retentionRuns.counts}->>'failed')::int + ${counts.failed}::int)`,
    })
    .where(eq(retentionRuns.id, runId));
}

async function accessLogBatch(
  scope: Scope,
  tx: Transaction,
  runId: string,
  now: Date,
  batchSize: number,
): Promise<BatchResult> {
  const before = dueBefore("access_log", now) ?? now;
  const { processed, deleted, held, event } = await sweepAccessLogs(tx, { runId, before, batchSize });
  return { processed, counts: { ...emptyCounts(), deleted, held }, busy: false, ...(event ? { event } : {}) };
}

/** The tasks that are rows only, each batch one transaction under the (tenant, task) lock; media is mediaBatch. */
const ROW_BATCHES: Record<Exclude<SweepTask, "media">, typeof consentBatch> = {
  consents: consentBatch,
  access_logs: accessLogBatch,
};

function add(into: RetentionCounts, from: RetentionCounts): void {
  into.deleted += from.deleted;
  into.anonymised += from.anonymised;
  into.held += from.held;
  into.failed += from.failed;
}

/** Sweeps the scope's tenant (the hourly job runs it in each active tenant); see the module comment for the guarantees. */
export async function runRetentionSweep(scope: Scope, options: SweepOptions = {}): Promise<SweepSummary> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 50;
  const maxBatches = options.maxBatches ?? 200;
  const tenant = scope.tenant;
  const summary: SweepSummary = { ...emptyCounts(), batches: 0, skippedBusy: 0, stopped: false };
  const [run] = await scope.transaction((tx) =>
    tx.insert(retentionRuns).values({ tenantId: tenant.id }).returning({ id: retentionRuns.id }),
  );
  if (!run) throw new Error("retention run insert returned nothing");
  let stopped = false;
  tasks: for (const task of ["media", "consents", "access_logs"] as const) {
    for (let batch = 1; batch <= maxBatches; batch++) {
      // Only ever between batches: a batch is committed whole (its objects, rows, cursor and audit event) or not begun.
      if (options.pace && !(await options.pace.next())) {
        stopped = true;
        break tasks;
      }
      const result = await paced(
        options.pace,
        () =>
          task === "media"
            ? mediaBatch(scope, run.id, now, batchSize, options)
            : scope.transaction(async (tx): Promise<BatchResult> => {
                const [lock] = (
                  await tx.execute<{ locked: boolean }>(
                    sql`select pg_try_advisory_xact_lock(hashtextextended(${lockKey(tenant.id, task)}, 0)) as locked`,
                  )
                ).rows;
                if (!lock?.locked) return { processed: 0, counts: emptyCounts(), busy: true };
                const outcome = await ROW_BATCHES[task](scope, tx, run.id, now, batchSize);
                await finishBatch(scope, tx, run.id, outcome);
                return outcome;
              }),
        (batchResult) => batchResult.processed > 0,
      );
      if (result.busy) {
        summary.skippedBusy += 1;
        break;
      }
      summary.batches += 1;
      add(summary, result.counts);
      await options.afterBatch?.({ tenantId: tenant.id, task, batch });
      if (result.processed < batchSize) break;
      if (batch === maxBatches) stopped = true;
    }
  }
  await scope.transaction((tx) =>
    tx
      .update(retentionRuns)
      .set({ status: stopped ? "stopped" : "completed", finishedAt: new Date() })
      .where(eq(retentionRuns.id, run.id)),
  );
  summary.stopped = stopped;
  return summary;
}

/** Items due within `days` (or already due and not yet swept), per class: the report's "what is next". */
export async function dueSoon(tx: Transaction, now: Date, days: number): Promise<Record<string, number>> {
  const horizon = new Date(now.getTime() + days * DAY_MS);
  const out: Record<string, number> = {};
  for (const policy of MEDIA_CLASSES) {
    const before = dueBefore(policy.retentionClass, horizon);
    if (!before) continue;
    const [row] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(mediaItems)
      .where(and(eq(mediaItems.retentionClass, policy.retentionClass), lt(mediaItems.lastEntryAt, before)));
    if (row && row.count > 0) out[policy.retentionClass] = row.count;
  }
  const consentBefore = dueBefore("marketing_consent", horizon);
  if (consentBefore) {
    const [row] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(consents)
      .where(and(isNotNull(consents.withdrawnAt), lt(consents.withdrawnAt, consentBefore)));
    if (row && row.count > 0) out.marketing_consent = row.count;
  }
  return out;
}
