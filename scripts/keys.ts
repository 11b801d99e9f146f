/** Local secrets for dev and tests: an Ed25519 signing key as a JWK, an AES-256 key for MFA secrets, audit checkpoint keys. */
import { createHash, randomBytes } from "node:crypto";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { exportJWK, generateKeyPair } from "jose";

export async function generateSigningJwk(kid: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

export function generateMfaKey(): string {
  return randomBytes(32).toString("base64");
}

/** The audit checkpoint signing keys: an Ed25519 private JWK (JSON) and a 32-byte ML-DSA-65 seed (base64). */
export async function generateAuditSigningKeys(): Promise<{ ed25519Jwk: string; mldsaSeed: string }> {
  return {
    ed25519Jwk: JSON.stringify(await generateSigningJwk(`audit-${Date.now().toString(36)}`)),
    mldsaSeed: randomBytes(32).toString("base64"),
  };
}

/**
 * The fingerprints a verifier pins for a pair of audit checkpoint keys: SHA-256 (hex) of the Ed25519 and of the
 * ML-DSA-65 raw public key, as `functions/services/audit-checkpoints.ts` computes them.
 */
export function auditKeyFingerprints(keys: { ed25519Jwk: string; mldsaSeed: string }): string[] {
  const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
  const { x } = JSON.parse(keys.ed25519Jwk) as { x: string };
  return [
    sha256(Buffer.from(x, "base64url")),
    sha256(ml_dsa65.keygen(Buffer.from(keys.mldsaSeed, "base64")).publicKey),
  ];
}
