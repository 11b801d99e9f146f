import { timingSafeEqual, toHex } from "./crypto";

/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto. Workers cap PBKDF2 at 100,000 iterations, so that
 * is the cost used. The stored form is versioned — `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>` —
 * so a stronger algorithm or cost can be introduced and old hashes upgraded at the next successful login
 * (`needsRehash`).
 */
export const PASSWORD_ITERATIONS = 100_000;
const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BITS = 256;

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, HASH_BITS);
  return toHex(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  return `${SCHEME}$${PASSWORD_ITERATIONS}$${toHex(salt)}$${await derive(password, salt, PASSWORD_ITERATIONS)}`;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: string;
}

function parseHash(stored: string): ParsedHash | null {
  const [scheme, iterations, salt, hash] = stored.split("$");
  if (scheme !== SCHEME || !iterations || !salt || !hash) return null;
  const count = Number(iterations);
  if (!Number.isInteger(count) || count < 1 || count > PASSWORD_ITERATIONS) return null;
  if (!/^[0-9a-f]+$/.test(salt) || !/^[0-9a-f]{64}$/.test(hash)) return null;
  return { iterations: count, salt: fromHex(salt), hash };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  return timingSafeEqual(await derive(password, parsed.salt, parsed.iterations), parsed.hash);
}

/** True when a stored hash was made with an older scheme or a lower cost than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.iterations < PASSWORD_ITERATIONS;
}
