/** Local secrets for dev and tests: an Ed25519 signing key as a JWK, and an AES-256 key for MFA secrets. */
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";

export async function generateSigningJwk(kid: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { ...(await exportJWK(privateKey)), kid };
}

export function generateMfaKey(): string {
  return randomBytes(32).toString("base64");
}
