import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { auditEvents } from "../../schema";
import type { Transaction } from "../lib/db";
import { canonicalJson, sha256Hex } from "../lib/crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEventInput {
  tenantId: string;
  actorType: "user" | "system" | "anonymous" | "platform";
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

/**
 * Recomputes a tenant's chain from the first event and names the first broken link. Reads in pages so a
 * long chain does not load into memory at once.
 */
export async function verifyAuditChain(tx: Transaction, tenantId: string, pageSize = 500): Promise<ChainVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), gt(auditEvents.seq, expectedSeq - 1)))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    for (const row of page) {
      if (row.seq !== expectedSeq) return { ok: false, events: count, brokenAt: expectedSeq, reason: "sequence_gap" };
      if (row.prevHash !== expectedPrev)
        return { ok: false, events: count, brokenAt: row.seq, reason: "link_mismatch" };
      const { id: _id, hash, ...rest } = row;
      const recomputed = await sha256Hex(auditHashInput({ ...rest, occurredAt: rest.occurredAt.toISOString() }));
      if (recomputed !== hash) return { ok: false, events: count, brokenAt: row.seq, reason: "hash_mismatch" };
      expectedPrev = hash;
      expectedSeq += 1;
      count += 1;
    }
    if (page.length < pageSize) return { ok: true, events: count, head: expectedPrev };
  }
}
