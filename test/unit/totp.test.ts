import { describe, expect, it } from "vitest";
import { fromBase32, toBase32 } from "../../functions/lib/encoding.js";
import { totpCode, totpStep, verifyTotp } from "../../functions/lib/totp.js";

// RFC 6238 Appendix B test vectors (SHA-1, secret "12345678901234567890"), last 6 digits.
const SECRET = toBase32(new TextEncoder().encode("12345678901234567890"));

describe("TOTP (RFC 6238)", () => {
  it.each([
    [59, "287082"],
    [1111111109, "081804"],
    [1111111111, "050471"],
    [1234567890, "005924"],
    [2000000000, "279037"],
  ])("matches the RFC vector at T=%i", async (seconds, code) => {
    expect(await totpCode(SECRET, totpStep(seconds * 1000))).toBe(code);
  });

  it("accepts one step of drift either way and reports the step, refuses two", async () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    expect(await verifyTotp(SECRET, await totpCode(SECRET, step - 1), now)).toBe(step - 1);
    expect(await verifyTotp(SECRET, await totpCode(SECRET, step + 1), now)).toBe(step + 1);
    expect(await verifyTotp(SECRET, await totpCode(SECRET, step - 2), now)).toBeNull();
    expect(await verifyTotp(SECRET, "12345", now)).toBeNull();
  });

  it("round-trips base32", () => {
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    expect(fromBase32(toBase32(bytes))).toEqual(bytes);
  });
});
