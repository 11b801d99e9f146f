import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex, timingSafeEqual } from "../../functions/lib/crypto.js";
import { type AuditEvent, auditHashInput, GENESIS_HASH } from "../../functions/services/audit.js";

// RFC 8785 (JSON Canonicalization Scheme) test vectors: the examples of §3.2.2–§3.2.3 and Appendix B.
describe("canonical JSON (RFC 8785)", () => {
  it("serialises the §3.2.2 example: literals, numbers and string escapes", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units (§3.2.3)", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 double (hex) → its canonical text.
  const numbers: Array<[string, string]> = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  it.each(numbers)("serialises the double %s as %s (Appendix B)", (hex, text) => {
    const value = Buffer.from(hex, "hex").readDoubleBE(0);
    expect(canonicalJson(value)).toBe(text);
    expect(canonicalJson([value])).toBe(`[${text}]`);
  });

  it("refuses what I-JSON (RFC 7493) forbids: NaN, infinities (Appendix B) and lone surrogates (§3.2.2.2)", () => {
    for (const hex of ["7fffffffffffffff", "7ff0000000000000"]) {
      expect(() => canonicalJson({ n: Buffer.from(hex, "hex").readDoubleBE(0) })).toThrow();
    }
    expect(() => canonicalJson({ s: "\ud800" })).toThrow();
    expect(() => canonicalJson({ ["\udc00"]: 1 })).toThrow();
  });

  it("does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });

  it("round-trips to the same value for any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe("audit hashes written before RFC 8785", () => {
  // A chain written by the hand-rolled encoder that preceded RFC 8785 (keys sorted with `<`, JSON.stringify for
  // strings and numbers): Unicode and control characters, the RFC's key-ordering example, extreme numbers.
  it("recompute to the same hashes, so earlier chains still verify", async () => {
    const fixture = JSON.parse(
      await readFile(new URL("../fixtures/audit-chain-before-rfc8785.json", import.meta.url), "utf8"),
    ) as { events: AuditEvent[] };
    let prevHash = GENESIS_HASH;
    for (const { hash, ...event } of fixture.events) {
      expect(event.prevHash).toBe(prevHash);
      expect(await sha256Hex(auditHashInput(event))).toBe(hash);
      prevHash = hash;
    }
  });
});

describe("constant-time comparison", () => {
  it("compares equal and unequal strings", () => {
    expect(timingSafeEqual("abc", "abc")).toBe(true);
    expect(timingSafeEqual("abc", "abd")).toBe(false);
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
  });
});
