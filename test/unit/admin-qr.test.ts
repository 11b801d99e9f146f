/**
 * The MFA enrolment QR code must scan: the SVG path the account screen draws is rasterised here and read back
 * with an independent decoder (jsQR), which must return the otpauth:// URI byte for byte.
 */
import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { encodeQr, qrSvgPath } from "../../admin/src/qr";

/** Pixels per module: enough for the decoder's binariser, small enough to stay quick. */
const SCALE = 4;
/** The quiet zone the account screen draws around the symbol (`code.size + 8` wide). */
const QUIET = 4;

/** Rasterises the SVG path the account screen renders (`M{x} {y}h1v1h-1z` per dark module) to RGBA pixels. */
function rasterisePath(path: string, symbolSize: number): { data: Uint8ClampedArray; width: number; height: number } {
  const modules = symbolSize + 2 * QUIET;
  const width = modules * SCALE;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  const squares = [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)];
  // The path is nothing but these squares.
  expect(squares.map((match) => match[0]).join("")).toBe(path);
  for (const [, x, y] of squares) {
    for (let dy = 0; dy < SCALE; dy++) {
      for (let dx = 0; dx < SCALE; dx++) {
        const offset = ((Number(y) * SCALE + dy) * width + Number(x) * SCALE + dx) * 4;
        data[offset] = data[offset + 1] = data[offset + 2] = 0;
      }
    }
  }
  return { data, width, height: width };
}

function scan(text: string): { text: string; bytes: number[]; version: number } | null {
  const code = encodeQr(text);
  const image = rasterisePath(qrSvgPath(code), code.size);
  const decoded = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
  return decoded ? { text: decoded.data, bytes: decoded.binaryData, version: decoded.version } : null;
}

const utf8 = (text: string) => [...new TextEncoder().encode(text)];

describe("admin QR code for MFA enrolment", () => {
  it("decodes back to the otpauth URI the server sent", () => {
    const uri =
      "otpauth://totp/Vitalis%20(demo):maria.silva%40clinica.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Vitalis%20(demo)&algorithm=SHA1&digits=6&period=30";
    const scanned = scan(uri);
    expect(scanned?.text).toBe(uri);
    expect(scanned?.bytes).toEqual(utf8(uri));
  });

  it("decodes a long label with non-ASCII characters as UTF-8", () => {
    const uri = `otpauth://totp/${encodeURIComponent("Clínica São João — Unidade Paulista")}:${encodeURIComponent(
      "joão.araújo@clinica-sao-joao.example",
    )}?secret=${"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".repeat(2)}&issuer=${encodeURIComponent("Clínica São João")}`;
    expect(scan(uri)?.text).toBe(uri);
    // The raw text, not only its percent-encoded form, survives too.
    const raw = "Clínica São João: ação";
    expect(scan(raw)?.bytes).toEqual(utf8(raw));
  });

  it("draws a symbol of the size its version implies, with no border inside it", () => {
    const code = encodeQr("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
    expect((code.size - 17) % 4).toBe(0);
    expect(code.modules).toHaveLength(code.size);
    for (const row of code.modules) expect(row).toHaveLength(code.size);
    // Finder pattern corners are dark at (0,0), (size-1,0) and (0,size-1): the symbol starts at the edge.
    expect([code.modules[0]![0], code.modules[0]![code.size - 1], code.modules[code.size - 1]![0]]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("gives a decoder nothing to read when the symbol is damaged beyond its error correction", () => {
    const code = encodeQr("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP");
    // Blank out the middle half of the symbol (finders kept): far more than level M's 15 % can repair.
    const damaged = {
      ...code,
      modules: code.modules.map((row, y) =>
        row.map((dark, x) => {
          const middle = code.size / 4;
          return x > middle && x < code.size - middle && y > middle && y < code.size - middle ? false : dark;
        }),
      ),
    };
    const image = rasterisePath(qrSvgPath(damaged), code.size);
    expect(jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })).toBeNull();
  });
});
