/** Local secrets for dev and tests: an Ed25519 signing key as a JWK, an AES-256 key for MFA secrets, audit checkpoint keys. */
import { randomBytes } from "node:crypto";
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
