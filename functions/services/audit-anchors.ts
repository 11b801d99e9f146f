import { and, asc, desc, eq, gt } from "drizzle-orm";
import { type AuditCheckpoint, auditCheckpoints } from "../../schema";
import { retentionPolicies } from "../../schema/retention-policies";
import { canonicalJson } from "../lib/crypto";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import { verifyCheckpoint } from "./audit-checkpoints";
import { isAccessDenied, listKeys, putLockedObject, readObjectText, type Storage } from "./media-storage";

/**
 * Anchored checkpoints: each signed checkpoint is also written to the bucket's `audit/` prefix under S3 Object
 * Lock in compliance mode, kept for the audit class's minimum (Resolução CD/ANPD 15/2024, 5 years). A database
 * superuser who rewrites the chain and its checkpoints (even re-signing them with a stolen key) cannot touch
 * these copies: S3 refuses to overwrite or delete a locked version before its date, for every identity, the
 * account's root included. Verification compares the database's checkpoints with the anchored copies.
 */

const AUDIT_CLASS = retentionPolicies.audit_security;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The recent checkpoints the daily job makes sure are anchored (catching up on a failed PUT). */
const CATCH_UP_WINDOW = 31;
const PARALLEL_READS = 8;

/** The checkpoint's columns: what verification reads, with its id and signing time. */
type AnchoredFields = Parameters<typeof verifyCheckpoint>[0] & Pick<AuditCheckpoint, "id" | "signedAt">;

function anchorPrefix(tenantId: string): string {
  return `${AUDIT_CLASS.s3Prefix}${tenantId}/checkpoints/`;
}

/** The object key of a checkpoint's anchored copy; zero-padded so S3's key order is `seq` order. */
export function anchorKey(tenantId: string, seq: number): string {
  return `${anchorPrefix(tenantId)}${String(seq).padStart(20, "0")}.json`;
}

function seqOfKey(tenantId: string, key: string): number | null {
  const match = /^(\d{20})\.json$/.exec(key.slice(anchorPrefix(tenantId).length));
  return match?.[1] ? Number(match[1]) : null;
}

/** What is anchored: every column of the checkpoint, as canonical JSON (RFC 8785), so copies compare byte for byte. */
export function anchorDocument(checkpoint: AnchoredFields): string {
  return canonicalJson({
    id: checkpoint.id,
    tenantId: checkpoint.tenantId,
    seq: checkpoint.seq,
    headHash: checkpoint.headHash,
    payload: checkpoint.payload,
    ed25519: {
      signature: checkpoint.ed25519Signature,
      publicKey: checkpoint.ed25519PublicKey,
      fingerprint: checkpoint.ed25519KeyFingerprint,
    },
    mlDsa65: {
      signature: checkpoint.mldsaSignature,
      publicKey: checkpoint.mldsaPublicKey,
      fingerprint: checkpoint.mldsaKeyFingerprint,
    },
    signedAt: checkpoint.signedAt.toISOString(),
  });
}

/** Locked until the audit class's minimum age has passed since the checkpoint was signed. */
export function anchorRetainUntil(signedAt: Date): Date {
  return new Date(signedAt.getTime() + AUDIT_CLASS.minAgeDays * DAY_MS);
}

/**
 * Writes the checkpoint's anchored copy. Writing it again is harmless: S3 refuses to overwrite the locked copy,
 * and an identical copy counts as written; a different one is an error (someone anchored something else first).
 */
export async function anchorCheckpoint(storage: Storage, checkpoint: AnchoredFields): Promise<void> {
  const key = anchorKey(checkpoint.tenantId, checkpoint.seq);
  const document = anchorDocument(checkpoint);
  try {
    await putLockedObject(storage, key, document, {
      contentType: "application/json",
      retainUntil: anchorRetainUntil(checkpoint.signedAt),
    });
  } catch (error) {
    if (isAccessDenied(error) && (await readObjectText(storage, key)) === document) return;
    throw error;
  }
}

/**
 * Anchors the tenant's recent checkpoints that have no anchored copy yet (a PUT that failed after the checkpoint
 * committed), if they verify with the signer's own keys: a row someone else inserted is never anchored.
 */
export async function anchorMissingCheckpoints(scope: Scope, signerFingerprints: ReadonlySet<string>): Promise<number> {
  const tenantId = scope.tenant.id;
  const recent = await scope.transaction((tx) =>
    tx
      .select()
      .from(auditCheckpoints)
      .where(eq(auditCheckpoints.tenantId, tenantId))
      .orderBy(desc(auditCheckpoints.seq))
      .limit(CATCH_UP_WINDOW),
  );
  const oldest = recent.at(-1);
  if (!oldest) return 0;
  const anchored = new Set(await listKeys(scope.storage, anchorPrefix(tenantId), anchorKey(tenantId, oldest.seq - 1)));
  let written = 0;
  for (const checkpoint of recent.reverse()) {
    if (anchored.has(anchorKey(tenantId, checkpoint.seq))) continue;
    if (!(await verifyCheckpoint(checkpoint, signerFingerprints)).ok) continue;
    await anchorCheckpoint(scope.storage, checkpoint);
    written += 1;
  }
  return written;
}

export interface AnchorComparison {
  /** Checkpoints of the database compared with their anchored copies. */
  checked: number;
  ok: boolean;
  /** `seq` of database checkpoints with no anchored copy. */
  missing: number[];
  /** `seq` of database checkpoints whose anchored copy differs (the database row was changed). */
  differs: number[];
  /** `seq` of anchored copies with no checkpoint in the database (the row was deleted). */
  unrecorded: number[];
}

/**
 * Compares the given checkpoints of one tenant (in `seq` order) with their anchored copies, and lists anchored
 * copies the database no longer has. With `afterSeq`, only anchors after that `seq` are considered, so a caller
 * that verified up to a point (an incremental verification) compares only what is new.
 */
export async function compareAnchoredCheckpoints(
  storage: Storage,
  tenantId: string,
  checkpoints: readonly AnchoredFields[],
  options: { afterSeq?: number } = {},
): Promise<AnchorComparison> {
  const startAfter = options.afterSeq === undefined ? undefined : anchorKey(tenantId, options.afterSeq);
  const anchoredKeys = new Set(await listKeys(storage, anchorPrefix(tenantId), startAfter));
  const missing: number[] = [];
  const differs: number[] = [];
  const inDatabase = new Set<string>();
  for (let i = 0; i < checkpoints.length; i += PARALLEL_READS) {
    const batch = checkpoints.slice(i, i + PARALLEL_READS);
    const copies = await Promise.all(
      batch.map((checkpoint) => {
        const key = anchorKey(tenantId, checkpoint.seq);
        inDatabase.add(key);
        return anchoredKeys.has(key) ? readObjectText(storage, key) : Promise.resolve(null);
      }),
    );
    batch.forEach((checkpoint, index) => {
      const copy = copies[index];
      if (copy === null || copy === undefined) missing.push(checkpoint.seq);
      else if (copy !== anchorDocument(checkpoint)) differs.push(checkpoint.seq);
    });
  }
  const unrecorded = [...anchoredKeys]
    .filter((key) => !inDatabase.has(key))
    .map((key) => seqOfKey(tenantId, key))
    .filter((seq): seq is number => seq !== null)
    .sort((a, b) => a - b);
  return {
    checked: checkpoints.length,
    ok: missing.length === 0 && differs.length === 0 && unrecorded.length === 0,
    missing,
    differs,
    unrecorded,
  };
}

/** The tenant's checkpoints (all, or after `afterSeq`) against their anchored copies. */
export async function checkTenantAnchors(
  tx: Transaction,
  storage: Storage,
  tenantId: string,
  options: { afterSeq?: number } = {},
): Promise<AnchorComparison> {
  const rows = await tx
    .select()
    .from(auditCheckpoints)
    .where(
      options.afterSeq === undefined
        ? eq(auditCheckpoints.tenantId, tenantId)
        : and(eq(auditCheckpoints.tenantId, tenantId), gt(auditCheckpoints.seq, options.afterSeq)),
    )
    .orderBy(asc(auditCheckpoints.seq));
  return compareAnchoredCheckpoints(storage, tenantId, rows, options);
}
