/**
 * The QR code of the MFA enrolment screen. `uqr` (a maintained ISO/IEC 18004 encoder) makes the symbol, at
 * error-correction level M, in whatever version the text needs; this module only draws it. It runs in the
 * browser, so the TOTP secret never goes to a third-party QR service.
 */
import { encode } from "uqr";

export interface QrCode {
  /** Modules per side (17 + 4 × version), without the quiet zone. */
  size: number;
  /** `modules[y][x]`: true for a dark module. */
  modules: boolean[][];
}

/** Encodes text (as UTF-8) into a QR Code; throws when even version 40 has no room. */
export function encodeQr(text: string): QrCode {
  const { size, data } = encode(text, { ecc: "M", border: 0 });
  return { size, modules: data };
}

/** An SVG path (one `M…h1v1h-1z` square per dark module) for a symbol with a 4-module quiet zone. */
export function qrSvgPath(code: QrCode, quiet = 4): string {
  const parts: string[] = [];
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) if (code.modules[y]![x]) parts.push(`M${x + quiet} ${y + quiet}h1v1h-1z`);
  }
  return parts.join("");
}
