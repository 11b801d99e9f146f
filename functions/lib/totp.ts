import { fromBase32 } from "./encoding";

/** TOTP (RFC 6238) over HOTP (RFC 4226): SHA-1, 6 digits, 30-second steps — what authenticator apps use. */
export const TOTP_STEP_SECONDS = 30;
const DIGITS = 6;

async function hotp(secret: Uint8Array<ArrayBuffer>, counter: number): Promise<string> {
  const message = new ArrayBuffer(8);
  const view = new DataView(message);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  // Dynamic truncation, RFC 4226 §5.3.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, "0");
}

export function totpStep(nowMs: number = Date.now()): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

export async function totpCode(base32Secret: string, step: number): Promise<string> {
  return hotp(fromBase32(base32Secret), step);
}

/**
 * Checks a code against the current step and one step either side (RFC 6238 §5.2 allows for clock drift)
 * and returns the step that matched, so the caller can refuse the same step twice (replay), or null.
 */
export async function verifyTotp(
  base32Secret: string,
  code: string,
  nowMs: number = Date.now(),
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const current = totpStep(nowMs);
  for (const step of [current, current - 1, current + 1]) {
    if ((await totpCode(base32Secret, step)) === code) return step;
  }
  return null;
}

export function otpauthUri(base32Secret: string, account: string, issuer: string): string {
  const label = encodeURIComponent(`${issuer}:${account}`);
  const params = new URLSearchParams({
    secret: base32Secret,
    issuer,
    algorithm: "SHA1",
    digits: String(DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
