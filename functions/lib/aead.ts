import { fromBase64, randomBytes, toBase64Url } from "./encoding";

/**
 * AES-256-GCM for small secrets at rest (TOTP seeds): LGPD Art. 46 security measures and HIPAA
 * 164.312(a)(2)(iv) encryption. Format `v1.<iv>.<ciphertext+tag>` (base64url) so the key can be rotated.
 */
async function importKey(base64Key: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", fromBase64(base64Key), "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function encryptSecret(plaintext: string, base64Key: string, context: string): Promise<string> {
  const iv = randomBytes(12);
  const cipher = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    await importKey(base64Key),
    new TextEncoder().encode(plaintext),
  );
  return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(cipher))}`;
}

/** `context` (e.g. the user id) is authenticated with the ciphertext, so a secret cannot be moved between rows. */
export async function decryptSecret(sealed: string, base64Key: string, context: string): Promise<string> {
  const [version, iv, cipher] = sealed.split(".");
  if (version !== "v1" || !iv || !cipher) throw new TypeError("unknown secret format");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv), additionalData: new TextEncoder().encode(context) },
    await importKey(base64Key),
    fromBase64(cipher),
  );
  return new TextDecoder().decode(plain);
}
