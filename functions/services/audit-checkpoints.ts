import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { desc, eq } from "drizzle-orm";
import { type AuditCheckpoint, auditCheckpoints, auditEvents } from "../../schema";
import type { AuditConfig } from "../env";
import { canonicalJson, sha256Hex, timingSafeEqual } from "../lib/crypto";
import type { Scope } from "../scope";
import { fromBase64, toBase64Url } from "../lib/encoding";

/**
 * Daily signed checkpoints of each tenant's audit chain (HIPAA 164.312(b) audit controls, 164.312(c)(2)
 * a mechanism to authenticate ePHI integrity). The chain head ("event `seq` has hash `h`") is signed
 * with Ed25519 (RFC 8032, WebCrypto) and ML-DSA-65 (FIPS 204, @noble/post-quantum): whoever keeps a copy
 * of a checkpoint and pins the keys' fingerprints can later prove, offline, that the log up to `seq`
 * was not rewritten — even by someone able to recompute every hash, and, with ML-DSA, even once
 * Ed25519 can be forged by a quantum adversary.
 */

export const CHECKPOINT_PAYLOAD_TYPE = "vitalis.audit-checkpoint.v1";

export interface CheckpointPayload {
  type: typeof CHECKPOINT_PAYLOAD_TYPE;
  tenantId: string;
  seq: number;
  headHash: string;
  signedAt: string;
}

export interface CheckpointSigner {
  ed25519: { privateKey: CryptoKey; publicKey: Uint8Array; fingerprint: string };
  mldsa: { secretKey: Uint8Array; publicKey: Uint8Array; fingerprint: string };
}

/** A key's fingerprint: SHA-256 of its raw public key bytes, hex. */
export async function keyFingerprint(publicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  return sha256Hex(publicKey);
}

export async function checkpointSigner(config: AuditConfig): Promise<CheckpointSigner> {
  const jwk = config.ed25519PrivateJwk;
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  const edPublic = fromBase64(jwk.x);
  // FIPS 204 §5.1 ML-DSA.KeyGen from a 32-byte seed: the same seed always gives the same key pair.
  const keys = ml_dsa65.keygen(fromBase64(config.mldsaSeed));
  const mldsaPublic = new Uint8Array(keys.publicKey);
  return {
    ed25519: { privateKey, publicKey: edPublic, fingerprint: await keyFingerprint(edPublic) },
    mldsa: { secretKey: keys.secretKey, publicKey: mldsaPublic, fingerprint: await keyFingerprint(mldsaPublic) },
  };
}

/** The public half of the signer, as published for offline verifiers. */
export function publicKeys(signer: CheckpointSigner) {
  return {
    ed25519: { publicKey: toBase64Url(signer.ed25519.publicKey), fingerprint: signer.ed25519.fingerprint },
    mlDsa65: { publicKey: toBase64Url(signer.mldsa.publicKey), fingerprint: signer.mldsa.fingerprint },
  };
}

/**
 * Signs the tenant's current chain head, unless the latest checkpoint already covers it (idempotent: a
 * second run on the same day adds nothing). The checkpoint and its audit event commit together.
 */
export async function checkpointTenant(
  scope: Scope,
  signer: CheckpointSigner,
  now = new Date(),
): Promise<AuditCheckpoint | null> {
  const tenantId = scope.tenant.id;
  return scope.transaction(async (tx) => {
    const [head] = await tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash })
      .from(auditEvents)
      .where(eq(auditEvents.tenantId, tenantId))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    if (!head) return null;
    const [latest] = await tx
      .select({ seq: auditCheckpoints.seq })
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.seq))
      .limit(1);
    if (latest && latest.seq >= head.seq) return null;
    const payload: CheckpointPayload = {
      type: CHECKPOINT_PAYLOAD_TYPE,
      tenantId,
      seq: head.seq,
      headHash: head.hash,
      signedAt: now.toISOString(),
    };
    const message = new TextEncoder().encode(canonicalJson(payload));
    const edSignature = new Uint8Array(
      await crypto.subtle.sign({ name: "Ed25519" }, signer.ed25519.privateKey, message),
    );
    const mldsaSignature = ml_dsa65.sign(message, signer.mldsa.secretKey);
    const [row] = await tx
      .insert(auditCheckpoints)
      .values({
        tenantId,
        seq: head.seq,
        headHash: head.hash,
        payload: canonicalJson(payload),
        ed25519Signature: toBase64Url(edSignature),
        ed25519PublicKey: toBase64Url(signer.ed25519.publicKey),
        ed25519KeyFingerprint: signer.ed25519.fingerprint,
        mldsaSignature: toBase64Url(mldsaSignature),
        mldsaPublicKey: toBase64Url(signer.mldsa.publicKey),
        mldsaKeyFingerprint: signer.mldsa.fingerprint,
        signedAt: now,
      })
      .returning();
    if (!row) throw new Error("checkpoint insert returned nothing");
    // The event recording the checkpoint follows it in the chain (seq + 1); the next checkpoint covers it.
    await scope.audit(
      tx,
      "audit.checkpoint_signed",
      { type: "audit_checkpoint", id: row.id },
      { seq: row.seq, headHash: row.headHash, ed25519: row.ed25519KeyFingerprint, mldsa65: row.mldsaKeyFingerprint },
    );
    return row;
  });
}

/**
 * The key fingerprints a verifier trusts: the current signing keys' and the retired ones still pinned in the
 * configuration. A checkpoint carries its own public keys, so without this pin anyone able to rewrite the chain
 * could also re-sign it with a key of their own.
 */
export async function pinnedKeyFingerprints(config: AuditConfig): Promise<ReadonlySet<string>> {
  const signer = await checkpointSigner(config);
  return new Set([signer.ed25519.fingerprint, signer.mldsa.fingerprint, ...config.retiredKeyFingerprints]);
}

export interface CheckpointVerification {
  ok: boolean;
  ed25519: boolean;
  mldsa65: boolean;
  /** Whether both public keys match their fingerprints and both fingerprints are pinned. */
  trustedKeys: boolean;
  payload: CheckpointPayload | null;
}

/** A stored key's bytes, or none when the column is not base64 at all (a tampered row). */
function decodedKey(text: string): Uint8Array<ArrayBuffer> {
  try {
    return fromBase64(text);
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * Verifies a checkpoint with nothing but its own fields and the fingerprints the verifier pins (offline): both
 * signatures over `payload`, the public keys against their stated fingerprints, and those fingerprints against
 * the pinned ones. A checkpoint signed by a key that is not pinned never verifies, however valid its signatures.
 */
export async function verifyCheckpoint(
  checkpoint: Pick<
    AuditCheckpoint,
    | "payload"
    | "seq"
    | "headHash"
    | "tenantId"
    | "ed25519Signature"
    | "ed25519PublicKey"
    | "ed25519KeyFingerprint"
    | "mldsaSignature"
    | "mldsaPublicKey"
    | "mldsaKeyFingerprint"
  >,
  pinned: ReadonlySet<string>,
): Promise<CheckpointVerification> {
  const message = new TextEncoder().encode(checkpoint.payload);
  let payload: CheckpointPayload | null;
  try {
    payload = JSON.parse(checkpoint.payload) as CheckpointPayload;
  } catch {
    payload = null;
  }
  // A key column that is not even base64 verifies nothing (and matches no pin); it must not stop the verifier.
  const edPublic = decodedKey(checkpoint.ed25519PublicKey);
  const mldsaPublic = decodedKey(checkpoint.mldsaPublicKey);
  let ed25519: boolean;
  try {
    const key = await crypto.subtle.importKey("raw", edPublic, { name: "Ed25519" }, false, ["verify"]);
    ed25519 = await crypto.subtle.verify({ name: "Ed25519" }, key, fromBase64(checkpoint.ed25519Signature), message);
  } catch {
    ed25519 = false;
  }
  let mldsa65: boolean;
  try {
    mldsa65 = ml_dsa65.verify(fromBase64(checkpoint.mldsaSignature), message, mldsaPublic);
  } catch {
    mldsa65 = false;
  }
  // The fingerprints are recomputed from the keys that verified the signatures: the stored fingerprint columns
  // are only a label and are never trusted on their own.
  const edFingerprint = await keyFingerprint(edPublic);
  const mldsaFingerprint = await keyFingerprint(mldsaPublic);
  const trustedKeys =
    timingSafeEqual(edFingerprint, checkpoint.ed25519KeyFingerprint) &&
    timingSafeEqual(mldsaFingerprint, checkpoint.mldsaKeyFingerprint) &&
    pinned.has(edFingerprint) &&
    pinned.has(mldsaFingerprint);
  const consistent =
    payload !== null &&
    payload.type === CHECKPOINT_PAYLOAD_TYPE &&
    payload.seq === checkpoint.seq &&
    payload.headHash === checkpoint.headHash &&
    payload.tenantId === checkpoint.tenantId;
  return { ok: ed25519 && mldsa65 && trustedKeys && consistent, ed25519, mldsa65, trustedKeys, payload };
}
