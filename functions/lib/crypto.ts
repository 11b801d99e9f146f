/** Small WebCrypto helpers shared by services; everything here runs the same in workerd and Node 22. */
import canonicalize from "canonicalize";

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
