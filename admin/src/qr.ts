/**
 * A small QR Code encoder (ISO/IEC 18004): byte mode, error-correction level M, versions 1–10, which is
 * room for 213 bytes — an `otpauth://` URI is about 120. Written for the MFA enrolment screen, so the TOTP
 * secret never leaves the browser for a third-party QR service. Pure functions, no DOM.
 */

/** Error-correction level M, per version: EC codewords per block and the data codewords of each block. */
const VERSIONS_M: ReadonlyArray<{ ecPerBlock: number; blocks: readonly number[] }> = [
  { ecPerBlock: 10, blocks: [16] }, // 1
  { ecPerBlock: 16, blocks: [28] }, // 2
  { ecPerBlock: 26, blocks: [44] }, // 3
  { ecPerBlock: 18, blocks: [32, 32] }, // 4
  { ecPerBlock: 24, blocks: [43, 43] }, // 5
  { ecPerBlock: 16, blocks: [27, 27, 27, 27] }, // 6
  { ecPerBlock: 18, blocks: [31, 31, 31, 31] }, // 7
  { ecPerBlock: 22, blocks: [38, 38, 39, 39] }, // 8
  { ecPerBlock: 22, blocks: [36, 36, 36, 37, 37] }, // 9
  { ecPerBlock: 26, blocks: [43, 43, 43, 43, 44] }, // 10
];

/** Centre coordinates of the alignment patterns, per version. */
const ALIGNMENT: readonly (readonly number[])[] = [
  [],
  [6, 18],
  [6, 22],
  [6, 26],
  [6, 30],
  [6, 34],
  [6, 22, 38],
  [6, 24, 42],
  [6, 26, 46],
  [6, 28, 50],
];

export const MAX_VERSION = VERSIONS_M.length;

// ---- GF(256) arithmetic with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) ----

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let value = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = value;
    LOG[value] = i;
    value <<= 1;
    if (value & 0x100) value ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** The generator polynomial ∏(x − α^i), i < degree, highest coefficient first (the leading 1 omitted). */
function generator(degree: number): number[] {
  let poly = [1];
  for (let i = 0; i < degree; i++) {
    const next = new Array<number>(poly.length + 1).fill(0);
    for (let j = 0; j < poly.length; j++) {
      next[j] = next[j]! ^ poly[j]!;
      next[j + 1] = next[j + 1]! ^ gfMul(poly[j]!, EXP[i]!);
    }
    poly = next;
  }
  return poly.slice(1);
}

/** Reed–Solomon error-correction codewords for one block (the remainder of data·x^n ÷ generator). */
export function reedSolomon(data: readonly number[], ecCount: number): number[] {
  const gen = generator(ecCount);
  const remainder = new Array<number>(ecCount).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift()!;
    remainder.push(0);
    for (let i = 0; i < ecCount; i++) remainder[i] = remainder[i]! ^ gfMul(gen[i]!, factor);
  }
  return remainder;
}

// ---- BCH codes of the format and version information ----

function bchRemainder(value: number, generatorPoly: number, generatorDegree: number): number {
  let rem = value << generatorDegree;
  for (let bit = 31 - Math.clz32(rem); bit >= generatorDegree; bit--) {
    if ((rem >>> bit) & 1) rem ^= generatorPoly << (bit - generatorDegree);
  }
  return rem;
}

/** The 15 format bits for level M (indicator 00) and a mask, masked with 101010000010010. */
export function formatBits(mask: number): number {
  const data = (0b00 << 3) | mask;
  return ((data << 10) | bchRemainder(data, 0x537, 10)) ^ 0x5412;
}

/** The 18 version bits (versions 7 and up). */
export function versionBits(version: number): number {
  return (version << 12) | bchRemainder(version, 0x1f25, 12);
}

// ---- Data codewords ----

export function dataCapacity(version: number): number {
  return VERSIONS_M[version - 1]!.blocks.reduce((sum, n) => sum + n, 0);
}

function countBits(version: number): number {
  return version <= 9 ? 8 : 16;
}

/** The smallest version whose level-M byte-mode capacity holds `length` bytes, or null. */
export function chooseVersion(length: number): number | null {
  for (let version = 1; version <= MAX_VERSION; version++) {
    const bits = 4 + countBits(version) + 8 * length;
    if (bits <= dataCapacity(version) * 8) return version;
  }
  return null;
}

/** Mode indicator, count, bytes, terminator and padding: the data codewords of one symbol. */
export function encodeData(bytes: Uint8Array, version: number): number[] {
  const capacityBits = dataCapacity(version) * 8;
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, countBits(version));
  for (const byte of bytes) put(byte, 8);
  put(0, Math.min(4, capacityBits - bits.length));
  while (bits.length % 8 !== 0) bits.push(0);
  const codewords: number[] = [];
  for (let i = 0; i < bits.length; i += 8)
    codewords.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  for (let pad = 0; codewords.length < capacityBits / 8; pad++) codewords.push(pad % 2 === 0 ? 0xec : 0x11);
  return codewords;
}

/** Splits data into blocks, adds each block's EC codewords, and interleaves them as the symbol stores them. */
export function interleave(data: readonly number[], version: number): number[] {
  const { ecPerBlock, blocks } = VERSIONS_M[version - 1]!;
  const dataBlocks: number[][] = [];
  let offset = 0;
  for (const size of blocks) {
    dataBlocks.push(data.slice(offset, offset + size));
    offset += size;
  }
  const ecBlocks = dataBlocks.map((block) => reedSolomon(block, ecPerBlock));
  const out: number[] = [];
  const longest = Math.max(...blocks);
  for (let i = 0; i < longest; i++) for (const block of dataBlocks) if (i < block.length) out.push(block[i]!);
  for (let i = 0; i < ecPerBlock; i++) for (const block of ecBlocks) out.push(block[i]!);
  return out;
}

// ---- The matrix ----

export interface QrCode {
  version: number;
  size: number;
  mask: number;
  /** modules[y][x]: true is dark. */
  modules: boolean[][];
}

class Grid {
  readonly modules: boolean[][];
  readonly reserved: boolean[][];
  constructor(readonly size: number) {
    this.modules = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }
  set(x: number, y: number, dark: boolean): void {
    if (x < 0 || y < 0 || x >= this.size || y >= this.size) return;
    this.modules[y]![x] = dark;
    this.reserved[y]![x] = true;
  }
}

function drawFinder(grid: Grid, cx: number, cy: number): void {
  // A 7×7 finder with its one-module light separator (9×9 around the centre).
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      const ring = Math.max(Math.abs(dx), Math.abs(dy));
      grid.set(cx + dx, cy + dy, ring !== 2 && ring !== 4);
    }
  }
}

function drawAlignment(grid: Grid, cx: number, cy: number): void {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) grid.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  }
}

function drawFunctionPatterns(grid: Grid, version: number): void {
  const size = grid.size;
  for (let i = 0; i < size; i++) {
    grid.set(6, i, i % 2 === 0);
    grid.set(i, 6, i % 2 === 0);
  }
  drawFinder(grid, 3, 3);
  drawFinder(grid, size - 4, 3);
  drawFinder(grid, 3, size - 4);
  const centres = ALIGNMENT[version - 1]!;
  const last = centres.length - 1;
  for (let i = 0; i < centres.length; i++) {
    for (let j = 0; j < centres.length; j++) {
      // Skip the three corners occupied by finders.
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      drawAlignment(grid, centres[i]!, centres[j]!);
    }
  }
  drawFormat(grid, 0); // reserves the areas; redrawn with the chosen mask
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      grid.set(a, b, dark);
      grid.set(b, a, dark);
    }
  }
}

function drawFormat(grid: Grid, mask: number): void {
  const size = grid.size;
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  // Copy beside the top-left finder.
  for (let i = 0; i <= 5; i++) grid.set(8, i, bit(i));
  grid.set(8, 7, bit(6));
  grid.set(8, 8, bit(7));
  grid.set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) grid.set(14 - i, 8, bit(i));
  // Copy split between the top-right and bottom-left finders.
  for (let i = 0; i < 8; i++) grid.set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) grid.set(8, size - 15 + i, bit(i));
  grid.set(8, size - 8, true); // the dark module
}

function drawCodewords(grid: Grid, codewords: readonly number[]): void {
  const size = grid.size;
  let index = 0;
  const total = codewords.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern is never part of a column pair
    for (let step = 0; step < size; step++) {
      for (let k = 0; k < 2; k++) {
        const x = right - k;
        const upward = ((right + 1) & 2) === 0;
        const y = upward ? size - 1 - step : step;
        if (grid.reserved[y]![x]) continue;
        if (index < total) grid.modules[y]![x] = ((codewords[index >>> 3]! >>> (7 - (index & 7))) & 1) === 1;
        index++; // remainder bits stay light
      }
    }
  }
}

const MASKS: ReadonlyArray<(x: number, y: number) => boolean> = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

function applyMask(grid: Grid, mask: number): void {
  const fn = MASKS[mask]!;
  for (let y = 0; y < grid.size; y++) {
    for (let x = 0; x < grid.size; x++)
      if (!grid.reserved[y]![x] && fn(x, y)) grid.modules[y]![x] = !grid.modules[y]![x];
  }
}

/** The four penalty rules of ISO/IEC 18004 §7.8.3; the mask with the lowest total is used. */
export function penalty(modules: readonly (readonly boolean[])[]): number {
  const size = modules.length;
  let score = 0;
  const at = (x: number, y: number, transposed: boolean) => (transposed ? modules[x]![y]! : modules[y]![x]!);
  for (const transposed of [false, true]) {
    for (let y = 0; y < size; y++) {
      // N1: runs of five or more same-coloured modules.
      let run = 1;
      for (let x = 1; x < size; x++) {
        if (at(x, y, transposed) === at(x - 1, y, transposed)) {
          run++;
        } else {
          if (run >= 5) score += 3 + run - 5;
          run = 1;
        }
      }
      if (run >= 5) score += 3 + run - 5;
      // N3: the finder-like 1:1:3:1:1 pattern with four light modules on either side.
      for (let x = 0; x + 7 <= size; x++) {
        const cell = (i: number) => (i < 0 || i >= size ? false : at(i, y, transposed));
        const core = [true, false, true, true, true, false, true];
        let matches = true;
        for (let i = 0; i < 7; i++) if (cell(x + i) !== core[i]) matches = false;
        if (!matches) continue;
        const lightBefore = [1, 2, 3, 4].every((d) => !cell(x - d));
        const lightAfter = [7, 8, 9, 10].every((d) => !cell(x + d));
        if (lightBefore || lightAfter) score += 40;
      }
    }
  }
  // N2: 2×2 blocks of one colour.
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const c = modules[y]![x];
      if (c === modules[y]![x + 1] && c === modules[y + 1]![x] && c === modules[y + 1]![x + 1]) score += 3;
    }
  }
  // N4: proportion of dark modules away from 50 %.
  let dark = 0;
  for (const row of modules) for (const cell of row) if (cell) dark++;
  const percent = (dark * 100) / (size * size);
  score += Math.floor(Math.abs(percent - 50) / 5) * 10;
  return score;
}

/** Modules left for data after the function patterns (the standard's table: v1 208, v2 359, v7 1568 …). */
export function dataModuleCount(version: number): number {
  const grid = new Grid(17 + 4 * version);
  drawFunctionPatterns(grid, version);
  let free = 0;
  for (const row of grid.reserved) for (const cell of row) if (!cell) free++;
  return free;
}

/** Encodes text (as UTF-8) into a QR Code; throws when it does not fit in version 10. */
export function encodeQr(text: string, options: { mask?: number; version?: number } = {}): QrCode {
  const bytes = new TextEncoder().encode(text);
  const version = options.version ?? chooseVersion(bytes.length);
  if (version === null || version > MAX_VERSION || chooseVersion(bytes.length)! > version) {
    throw new RangeError(`The text is too long for a version-${MAX_VERSION} QR code (${bytes.length} bytes).`);
  }
  const codewords = interleave(encodeData(bytes, version), version);
  const size = 17 + 4 * version;
  let best: QrCode | null = null;
  let bestScore = Infinity;
  const masks = options.mask === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [options.mask];
  for (const mask of masks) {
    const grid = new Grid(size);
    drawFunctionPatterns(grid, version);
    drawCodewords(grid, codewords);
    applyMask(grid, mask);
    drawFormat(grid, mask);
    const score = penalty(grid.modules);
    if (score < bestScore) {
      bestScore = score;
      best = { version, size, mask, modules: grid.modules };
    }
  }
  return best!;
}

/** An SVG path (one `M…h1v1h-1z` square per dark module) for a symbol with a 4-module quiet zone. */
export function qrSvgPath(code: QrCode, quiet = 4): string {
  const parts: string[] = [];
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) if (code.modules[y]![x]) parts.push(`M${x + quiet} ${y + quiet}h1v1h-1z`);
  }
  return parts.join("");
}
