/** Small WebCrypto helpers shared by services; everything here runs the same in workerd and Node 22. */
import canonicalize from "canonicalize";
import { fromBase64 } from "./encoding";

const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const byte of view) out += byte.toString(16).padStart(2, "0");
  return out;
}

export async function sha256Hex(input: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const data = typeof input === "string" ? encoder.encode(input) : input;
  return toHex(await crypto.subtle.digest("SHA-256", data));
}

/**
 * Canonical JSON per RFC 8785 (JSON Canonicalization Scheme): keys sorted by UTF-16 code units at every depth,
 * ECMAScript number and string serialisation, no whitespace, `undefined` members dropped; lone surrogates and
 * non-finite numbers are refused (I-JSON, RFC 7493). A named standard, so a hash over it (the audit chain,
 * idempotency keys, checkpoint payloads) can be recomputed offline by any JCS implementation. The one encoder.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("canonicalJson: the value has no JSON representation");
  return text;
}

/** Constant-time comparison of two strings of equal length (tokens, hashes). */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let diff = left.length ^ right.length;
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

/**
 * A keyed hash (HMAC-SHA256, hex) under a key derived from `base64Key` for one purpose (HKDF-SHA256, RFC 5869,
 * with `purpose` as the info): a value that must be matched later but never stored, such as an e-mail address
 * typed at sign-in. Without the key nobody can test guesses against the stored hashes, as they could against
 * a plain SHA-256 of an address; each purpose gets its own key, so hashes of one purpose match no other.
 */
export async function keyedHashHex(base64Key: string, purpose: string, value: string): Promise<string> {
  const material = await crypto.subtle.importKey("raw", fromBase64(base64Key), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode(purpose) },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  return toHex(await crypto.subtle.sign("HMAC", key, encoder.encode(value)));
}
