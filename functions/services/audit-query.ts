import { and, asc, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { type AuditCheckpoint, auditCheckpoints, auditEvents } from "../../schema";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import { type ChainVerification, verifyAuditChain } from "./audit";
import { verifyCheckpoint } from "./audit-checkpoints";

/** Reading the audit log for compliance officers (LGPD art. 37; HIPAA 164.312(b)). Writing is audit.ts's alone. */

export interface AuditEventFilters {
  action?: string | undefined;
  actorId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The `seq` to continue after (the previous page's `nextCursor`). */
  cursor?: number | undefined;
  limit: number;
}

export async function listAuditEvents(scope: Scope, filters: AuditEventFilters) {
  const tenantId = scope.tenant.id;
  return scope.transaction(async (tx) => {
    const conditions: SQL[] = [eq(auditEvents.tenantId, tenantId)];
    // Newest first; the cursor is the last seq seen, so pages never shift when new events arrive.
    if (filters.cursor !== undefined) conditions.push(lt(auditEvents.seq, filters.cursor));
    if (filters.action) conditions.push(eq(auditEvents.action, filters.action));
    if (filters.actorId) conditions.push(eq(auditEvents.actorId, filters.actorId));
    if (filters.targetType) conditions.push(eq(auditEvents.targetType, filters.targetType));
    if (filters.targetId) conditions.push(eq(auditEvents.targetId, filters.targetId));
    if (filters.from) conditions.push(gte(auditEvents.occurredAt, new Date(filters.from)));
    if (filters.to) conditions.push(lte(auditEvents.occurredAt, new Date(filters.to)));
    const rows = await tx
      .select()
      .from(auditEvents)
      .where(and(...conditions))
      .orderBy(desc(auditEvents.seq))
      .limit(filters.limit + 1);
    const page = rows.slice(0, filters.limit);
    return {
      events: page.map((row) => ({
        seq: row.seq,
        occurredAt: row.occurredAt.toISOString(),
        actorType: row.actorType,
        actorId: row.actorId,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        requestId: row.requestId,
        details: row.details,
        prevHash: row.prevHash,
        hash: row.hash,
      })),
      nextCursor: rows.length > filters.limit ? (page.at(-1)?.seq ?? null) : null,
    };
  });
}

export interface CheckpointCheck {
  checked: number;
  ok: boolean;
  /** The first checkpoint that failed, and why. */
  failure: { seq: number; reason: CheckpointFailure } | null;
}

/**
 * Why a checkpoint failed: `key_not_pinned` — signed by a key whose fingerprint is not pinned (re-signed by
 * someone else); `signature_invalid` — a signature or the payload does not match; `event_missing` /
 * `head_mismatch` — the chain no longer has the signed event or its signed hash.
 */
export type CheckpointFailure = "key_not_pinned" | "signature_invalid" | "head_mismatch" | "event_missing";

/** Why a checkpoint's own signatures do not hold with the pinned keys, or null when they do. */
export async function checkpointSignatureFailure(
  checkpoint: AuditCheckpoint,
  pinned: ReadonlySet<string>,
): Promise<"key_not_pinned" | "signature_invalid" | null> {
  const verification = await verifyCheckpoint(checkpoint, pinned);
  if (verification.ok) return null;
  return verification.ed25519 && verification.mldsa65 && !verification.trustedKeys
    ? "key_not_pinned"
    : "signature_invalid";
}

/**
 * Checks every signed checkpoint against the chain as it is now: its signatures by pinned keys, and that the
 * event at its `seq` still has the hash it signed. A chain rewritten wholesale (every hash recomputed) passes
 * the link check but fails here, also when the checkpoints were re-signed with a key of the rewriter's own.
 */
export async function checkCheckpoints(
  tx: Transaction,
  tenantId: string,
  pinned: ReadonlySet<string>,
): Promise<CheckpointCheck> {
  const rows = await tx
    .select()
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.tenantId, tenantId))
    .orderBy(asc(auditCheckpoints.seq));
  for (const checkpoint of rows) {
    const reason = await checkpointSignatureFailure(checkpoint, pinned);
    if (reason) return { checked: rows.length, ok: false, failure: { seq: checkpoint.seq, reason } };
    const [event] = await tx
      .select({ hash: auditEvents.hash })
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.seq, checkpoint.seq)))
      .limit(1);
    if (!event) return { checked: rows.length, ok: false, failure: { seq: checkpoint.seq, reason: "event_missing" } };
    if (event.hash !== checkpoint.headHash)
      return { checked: rows.length, ok: false, failure: { seq: checkpoint.seq, reason: "head_mismatch" } };
  }
  return { checked: rows.length, ok: true, failure: null };
}

export interface AuditVerification {
  chain: ChainVerification;
  checkpoints: CheckpointCheck;
  ok: boolean;
}

/**
 * Recomputes the chain (verifyAuditChain names the first broken link) and checks the signed checkpoints against
 * the pinned key fingerprints.
 */
export async function verifyTenantAudit(
  tx: Transaction,
  tenantId: string,
  pinned: ReadonlySet<string>,
): Promise<AuditVerification> {
  const chain = await verifyAuditChain(tx, tenantId);
  const checkpoints = await checkCheckpoints(tx, tenantId, pinned);
  return { chain, checkpoints, ok: chain.ok && checkpoints.ok };
}

export async function listCheckpoints(scope: Scope, limit: number) {
  const rows = await scope.transaction((tx) =>
    tx
      .select()
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.tenantId, scope.tenant.id))
      .orderBy(desc(auditCheckpoints.seq))
      .limit(limit),
  );
  return rows.map((row) => ({
    id: row.id,
    seq: row.seq,
    headHash: row.headHash,
    payload: row.payload,
    signedAt: row.signedAt.toISOString(),
    ed25519: {
      signature: row.ed25519Signature,
      publicKey: row.ed25519PublicKey,
      fingerprint: row.ed25519KeyFingerprint,
    },
    mlDsa65: { signature: row.mldsaSignature, publicKey: row.mldsaPublicKey, fingerprint: row.mldsaKeyFingerprint },
  }));
}
