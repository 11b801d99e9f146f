import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { auditEvents } from "../../schema";
import type { Transaction } from "../lib/db";
import { canonicalJson, sha256Hex } from "../lib/crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEventInput {
  tenantId: string;
  actorType: "user" | "service" | "system" | "anonymous" | "platform";
  actorId?: string | null;
  /** What happened, as `<resource>.<verb>`, e.g. `user.login_failed`, `media.download`. */
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  requestId?: string | null;
  /** Facts about the event. Never secrets; personal data only where the event is about it. */
  details?: Record<string, unknown>;
}

export interface AuditEvent extends Required<Omit<AuditEventInput, "details">> {
  details: Record<string, unknown>;
  seq: number;
  occurredAt: string;
  prevHash: string;
  hash: string;
}

/** The bytes that are hashed: every field of the event except its own hash, canonically encoded. */
export function auditHashInput(event: Omit<AuditEvent, "hash">): string {
  return canonicalJson({
    tenantId: event.tenantId,
    seq: event.seq,
    occurredAt: event.occurredAt,
    actorType: event.actorType,
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    requestId: event.requestId,
    details: event.details,
    prevHash: event.prevHash,
  });
}

/**
 * Appends one event to the tenant's hash chain inside the caller's transaction, so the event commits or
 * rolls back with the change it records. This is the only way to write the audit log.
 *
 * Appends for one tenant are serialised with a transaction-scoped advisory lock: two concurrent writers
 * would otherwise both link to the same head and fork the chain.
 */
export async function appendAudit(tx: Transaction, input: AuditEventInput): Promise<AuditEvent> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`audit:${input.tenantId}`}, 0))`);
  const [head] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.tenantId, input.tenantId))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const unsigned: Omit<AuditEvent, "hash"> = {
    tenantId: input.tenantId,
    seq: (head?.seq ?? 0) + 1,
    occurredAt: new Date().toISOString(),
    actorType: input.actorType,
    actorId: input.actorId ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    requestId: input.requestId ?? null,
    details: input.details ?? {},
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const event: AuditEvent = { ...unsigned, hash: await sha256Hex(auditHashInput(unsigned)) };
  await tx.insert(auditEvents).values({ ...event, occurredAt: new Date(event.occurredAt) });
  return event;
}

export type ChainVerification =
  | { ok: true; events: number; head: string }
  | { ok: false; events: number; brokenAt: number; reason: "hash_mismatch" | "link_mismatch" | "sequence_gap" };

/** Where a verification starts: after event `seq`, whose hash is `hash` (the genesis: seq 0 and 64 zeros). */
export interface ChainPosition {
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainPosition = { seq: 0, hash: GENESIS_HASH };

export interface ChainVerificationOptions {
  /** Continue after an event already verified (incremental verification); the genesis by default. */
  from?: ChainPosition;
  /** Stop after this many events (bounded work per job run); `complete` is false when events were left. */
  maxEvents?: number;
  /** Stop after this event (re-verifying a stretch already verified once). */
  untilSeq?: number;
  pageSize?: number;
  /**
   * Awaited before each page with the events recomputed so far; false stops the walk there (`complete` false, as
   * `maxEvents` would): the verification job's pace (lib/pace.ts) rests and keeps its time budget through it.
   */
  beforePage?: (checked: number) => Promise<boolean>;
}

export interface ChainWalk {
  /** `events` counts the chain's intact events up to where the walk stopped, from the genesis. */
  verification: ChainVerification;
  /** Events this walk recomputed. */
  checked: number;
  /** False when `maxEvents` or `beforePage` stopped the walk before the head. */
  complete: boolean;
  /** The last intact event (where the next walk may continue from). */
  intact: ChainPosition;
}

/** Recomputes a tenant's whole chain from the first event and names the first broken link. */
export async function verifyAuditChain(tx: Transaction, tenantId: string): Promise<ChainVerification> {
  return (await walkAuditChain(tx, tenantId)).verification;
}

/**
 * Recomputes a tenant's chain from `from` (the first event by default) and stops at the first broken link, the
 * head, or after `maxEvents`. Reads in pages so a long chain does not load into memory at once.
 */
export async function walkAuditChain(
  tx: Transaction,
  tenantId: string,
  options: ChainVerificationOptions = {},
): Promise<ChainWalk> {
  const from = options.from ?? CHAIN_START;
  const pageSize = options.pageSize ?? 500;
  const maxEvents = Math.min(
    options.maxEvents ?? Number.POSITIVE_INFINITY,
    options.untilSeq === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.untilSeq - from.seq),
  );
  let expectedPrev = from.hash;
  let expectedSeq = from.seq + 1;
  let checked = 0;
  const broken = (brokenAt: number, reason: "hash_mismatch" | "link_mismatch" | "sequence_gap"): ChainWalk => ({
    verification: { ok: false, events: expectedSeq - 1, brokenAt, reason },
    checked,
    complete: true,
    intact: { seq: expectedSeq - 1, hash: expectedPrev },
  });
  for (;;) {
    const limit = Math.min(pageSize, maxEvents - checked);
    if (limit > 0 && options.beforePage && !(await options.beforePage(checked))) {
      const verification: ChainVerification = { ok: true, events: expectedSeq - 1, head: expectedPrev };
      return { verification, checked, complete: false, intact: { seq: expectedSeq - 1, hash: expectedPrev } };
    }
    const page =
      limit <= 0
        ? []
        : await tx
            .select()
            .from(auditEvents)
            .where(and(eq(auditEvents.tenantId, tenantId), gt(auditEvents.seq, expectedSeq - 1)))
            .orderBy(asc(auditEvents.seq))
            .limit(limit);
    for (const row of page) {
      if (row.seq !== expectedSeq) return broken(expectedSeq, "sequence_gap");
      if (row.prevHash !== expectedPrev) return broken(row.seq, "link_mismatch");
      const { id: _id, hash, ...rest } = row;
      const recomputed = await sha256Hex(auditHashInput({ ...rest, occurredAt: rest.occurredAt.toISOString() }));
      if (recomputed !== hash) return broken(row.seq, "hash_mismatch");
      expectedPrev = hash;
      expectedSeq += 1;
      checked += 1;
    }
    const verification: ChainVerification = { ok: true, events: expectedSeq - 1, head: expectedPrev };
    const intact = { seq: expectedSeq - 1, hash: expectedPrev };
    if (page.length < limit) return { verification, checked, complete: true, intact };
    if (checked >= maxEvents) return { verification, checked, complete: false, intact };
  }
}
