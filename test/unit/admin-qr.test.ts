import { describe, expect, it } from "vitest";
import {
  chooseVersion,
  dataCapacity,
  dataModuleCount,
  encodeData,
  encodeQr,
  formatBits,
  interleave,
  penalty,
  reedSolomon,
  versionBits,
} from "../../admin/src/qr";

const bin = (s: string) => parseInt(s, 2);

describe("admin QR encoder: known vectors", () => {
  it('Reed–Solomon: the ISO/IEC 18004 Annex I example ("01234567", 1-M)', () => {
    const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
    expect(reedSolomon(data, 10)).toEqual([0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  });

  it('Reed–Solomon: the "HELLO WORLD" 1-M example', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(reedSolomon(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });

  it("format information for level M and each mask (the standard's table)", () => {
    const table = [
      "101010000010010",
      "101000100100101",
      "101111001111100",
      "101101101001011",
      "100010111111001",
      "100000011001110",
      "100111110010111",
      "100101010100000",
    ];
    table.forEach((bits, mask) => expect(formatBits(mask)).toBe(bin(bits)));
  });

  it("version information (versions 7–10)", () => {
    expect(versionBits(7)).toBe(bin("000111110010010100"));
    expect(versionBits(8)).toBe(bin("001000010110111100"));
    expect(versionBits(9)).toBe(bin("001001101010011001"));
    expect(versionBits(10)).toBe(bin("001010010011010011"));
  });

  it("byte-mode data codewords: mode, count, bytes, terminator, pad bytes", () => {
    expect(encodeData(new TextEncoder().encode("hello"), 1)).toEqual([
      0x40, 0x56, 0x86, 0x56, 0xc6, 0xc6, 0xf0, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec,
    ]);
  });
});

describe("admin QR encoder: structure", () => {
  it("chooses the smallest version with room (level M, byte mode)", () => {
    expect(dataCapacity(1)).toBe(16);
    expect(dataCapacity(10)).toBe(216);
    expect(chooseVersion(14)).toBe(1);
    expect(chooseVersion(15)).toBe(2);
    expect(chooseVersion(120)).toBe(7);
    expect(chooseVersion(213)).toBe(10);
    expect(chooseVersion(214)).toBeNull();
    expect(() => encodeQr("x".repeat(300))).toThrow(RangeError);
  });

  it("leaves exactly the standard's number of data modules once function patterns are drawn", () => {
    // ISO/IEC 18004 Table 1: data modules (codewords × 8 + remainder bits) per version.
    const expected = [208, 359, 567, 807, 1079, 1383, 1568, 1936, 2336, 2768];
    expected.forEach((modules, i) => expect(dataModuleCount(i + 1)).toBe(modules));
    const totals = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346];
    totals.forEach((codewords, i) =>
      expect(interleave(new Array(dataCapacity(i + 1)).fill(0), i + 1)).toHaveLength(codewords),
    );
  });

  it("interleaves blocks: data column by column, then EC column by column", () => {
    const data = Array.from({ length: dataCapacity(5) }, (_, i) => i);
    const out = interleave(data, 5);
    expect(out).toHaveLength(134);
    expect(out.slice(0, 4)).toEqual([0, 43, 1, 44]);
  });

  it("draws finders, timing patterns, the dark module and format bits that read back", () => {
    const uri =
      "otpauth://totp/Vitalis:editor%40clinic.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Vitalis&algorithm=SHA1&digits=6&period=30";
    const code = encodeQr(uri);
    expect(code.version).toBe(chooseVersion(new TextEncoder().encode(uri).length));
    expect(code.size).toBe(17 + 4 * code.version);
    const m = code.modules;
    const finderAt = (x0: number, y0: number) => {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
          expect(m[y0 + y]![x0 + x]).toBe(ring !== 2);
        }
      }
    };
    finderAt(0, 0);
    finderAt(code.size - 7, 0);
    finderAt(0, code.size - 7);
    for (let i = 8; i < code.size - 8; i++) {
      expect(m[6]![i]).toBe(i % 2 === 0);
      expect(m[i]![6]).toBe(i % 2 === 0);
    }
    expect(m[code.size - 8]![8]).toBe(true);
    // The first copy of the format information, read back bit by bit.
    const positions: Array<[number, number]> = [
      [8, 0],
      [8, 1],
      [8, 2],
      [8, 3],
      [8, 4],
      [8, 5],
      [8, 7],
      [8, 8],
      [7, 8],
      [5, 8],
      [4, 8],
      [3, 8],
      [2, 8],
      [1, 8],
      [0, 8],
    ];
    let read = 0;
    positions.forEach(([x, y], i) => (read |= (m[y]![x] ? 1 : 0) << i));
    expect(read).toBe(formatBits(code.mask));
  });

  it("picks the mask with the lowest penalty", () => {
    const text = "https://vitalis.test/admin/";
    const chosen = encodeQr(text);
    for (let mask = 0; mask < 8; mask++)
      expect(penalty(encodeQr(text, { mask }).modules)).toBeGreaterThanOrEqual(penalty(chosen.modules));
  });
});
