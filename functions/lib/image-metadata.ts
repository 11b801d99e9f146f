/**
 * Image headers and metadata, in plain TypeScript over bytes (no codec): what an upload's completion needs to
 * strip personal data from a picture, and what the resizer needs to refuse an image before decoding it.
 *
 * Stripped: JPEG APP1 (Exif, XMP), APP13 (Photoshop IRB with IPTC), COM and every other APPn except APP0 (JFIF),
 * APP2 ICC_PROFILE and APP14 (Adobe colour transform); PNG eXIf, tEXt, iTXt, zTXt and tIME; WebP EXIF and XMP
 * chunks (and their VP8X flags); GIF comments and application extensions other than the loop count. A camera's
 * Exif holds GPS position, time and serial numbers: personal data (LGPD art. 5 I) with no purpose on a site.
 *
 * Kept: the ICC colour profile (JPEG APP2, PNG iCCP, WebP ICCP), so colours do not shift. The JPEG orientation is
 * preserved: the stripped file carries a new Exif segment holding only the Orientation tag, and the resizer applies
 * it to every derivative (whose encoders write no Exif). PNG and WebP orientation (rare, and ignored by most
 * readers of those formats) goes with their Exif.
 */

export type ImageFormat = "jpeg" | "png" | "webp" | "gif";

export interface ImageInfo {
  format: ImageFormat;
  /** As encoded, before the orientation is applied. */
  width: number;
  height: number;
  /** Exif Orientation (1–8; 1 when absent). */
  orientation: number;
}

export class MalformedImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedImageError";
  }
}

const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
};

export function contentTypeOf(format: ImageFormat): string {
  return CONTENT_TYPES[format];
}

export function formatOfContentType(contentType: string): ImageFormat | null {
  const entry = Object.entries(CONTENT_TYPES).find(([, type]) => type === contentType);
  return entry ? (entry[0] as ImageFormat) : null;
}

/** The format by its signature (JPEG SOI, PNG §5.2, RIFF…WEBP, "GIF8"); null for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  const at = (offset: number, ...values: number[]) => values.every((value, i) => bytes[offset + i] === value);
  if (at(0, 0xff, 0xd8, 0xff)) return "jpeg";
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return "webp";
  if (at(0, 0x47, 0x49, 0x46, 0x38)) return "gif";
  return null;
}

/** The size a reader sees: Exif orientations 5–8 turn the picture a quarter, swapping width and height. */
export function displayedSize(info: ImageInfo): { width: number; height: number } {
  return info.orientation >= 5 && info.orientation <= 8
    ? { width: info.height, height: info.width }
    : { width: info.width, height: info.height };
}

const be16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const be32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const le16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const le24 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
const le32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) throw new MalformedImageError(`truncated ${what}`);
}

/** Reads the format, encoded dimensions and orientation from the headers; never decodes pixels. */
export function readImageInfo(bytes: Uint8Array): ImageInfo {
  const format = sniffFormat(bytes);
  switch (format) {
    case "jpeg":
      return jpegInfo(bytes);
    case "png":
      need(bytes, 24, "PNG header");
      if (ascii(bytes, 12, 4) !== "IHDR") throw new MalformedImageError("PNG without IHDR first");
      return { format, width: be32(bytes, 16), height: be32(bytes, 20), orientation: 1 };
    case "webp":
      return webpInfo(bytes);
    case "gif":
      need(bytes, 10, "GIF header");
      return { format, width: le16(bytes, 6), height: le16(bytes, 8), orientation: 1 };
    default:
      throw new MalformedImageError("not a JPEG, PNG, WebP or GIF image");
  }
}

/** Strips the metadata listed above and returns the new file (the same bytes' order otherwise). */
export function stripImageMetadata(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  switch (sniffFormat(bytes)) {
    case "jpeg":
      return stripJpeg(bytes);
    case "png":
      return stripPng(bytes);
    case "webp":
      return stripWebp(bytes);
    case "gif":
      return stripGif(bytes);
    default:
      throw new MalformedImageError("not a JPEG, PNG, WebP or GIF image");
  }
}

// ---------------------------------------------------------------------------------------------------
// JPEG (ITU T.81 §B.1; Exif 2.32 §4.5; ICC.1 Annex B.4 for APP2 ICC_PROFILE)
// ---------------------------------------------------------------------------------------------------

interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF byte. */
  start: number;
  /** Offset just past the segment (its length field counts itself, not the marker). */
  end: number;
  payloadStart: number;
}

/** The marker segments up to and including SOS; `rest` is where the entropy-coded data starts. */
function jpegSegments(bytes: Uint8Array): { segments: JpegSegment[]; rest: number } {
  const segments: JpegSegment[] = [];
  let offset = 2;
  for (;;) {
    need(bytes, offset + 2, "JPEG marker");
    if (bytes[offset] !== 0xff) throw new MalformedImageError("JPEG marker expected");
    let marker = bytes[offset + 1]!;
    // Fill bytes (B.1.1.2) may precede a marker.
    while (marker === 0xff) {
      offset += 1;
      need(bytes, offset + 2, "JPEG marker");
      marker = bytes[offset + 1]!;
    }
    if (marker === 0xd9) throw new MalformedImageError("JPEG ends before its scan");
    need(bytes, offset + 4, "JPEG segment length");
    const length = be16(bytes, offset + 2);
    if (length < 2) throw new MalformedImageError("JPEG segment length");
    const end = offset + 2 + length;
    need(bytes, end, "JPEG segment");
    segments.push({ marker, start: offset, end, payloadStart: offset + 4 });
    offset = end;
    if (marker === 0xda) return { segments, rest: end };
  }
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegInfo(bytes: Uint8Array): ImageInfo {
  const { segments } = jpegSegments(bytes);
  const frame = segments.find((segment) => SOF_MARKERS.has(segment.marker));
  if (!frame || frame.end - frame.payloadStart < 5) throw new MalformedImageError("JPEG without a frame header");
  let orientation = 1;
  for (const segment of segments) {
    if (segment.marker === 0xe1 && ascii(bytes, segment.payloadStart, 6) === "Exif\0\0") {
      orientation = exifOrientation(bytes.subarray(segment.payloadStart + 6, segment.end)) ?? orientation;
      break;
    }
  }
  return {
    format: "jpeg",
    height: be16(bytes, frame.payloadStart + 1),
    width: be16(bytes, frame.payloadStart + 3),
    orientation,
  };
}

/** The Orientation tag (0x0112) of IFD0 of a TIFF structure; null when absent or unreadable. */
function exifOrientation(tiff: Uint8Array): number | null {
  if (tiff.length < 8) return null;
  const little = ascii(tiff, 0, 2) === "II";
  if (!little && ascii(tiff, 0, 2) !== "MM") return null;
  const u16 = (o: number) => (little ? le16(tiff, o) : be16(tiff, o));
  const u32 = (o: number) => (little ? le32(tiff, o) : be32(tiff, o));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(ifd);
  for (let i = 0; i < count; i += 1) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > tiff.length) return null;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** An APP1 Exif segment holding only IFD0's Orientation (big-endian TIFF, one entry). */
function orientationSegment(orientation: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0,
    0,
    0,
    8,
    0,
    1,
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  const payload = [...new TextEncoder().encode("Exif\0\0"), ...tiff];
  const length = payload.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...payload]);
}

function keepsJpegSegment(bytes: Uint8Array, segment: JpegSegment): boolean {
  const { marker } = segment;
  if (marker === 0xfe) return false; // COM
  if (marker < 0xe0 || marker > 0xef) return true; // tables, frame and scan headers
  if (marker === 0xe0 || marker === 0xee) return true; // JFIF, Adobe (colour transform)
  if (marker === 0xe2) return ascii(bytes, segment.payloadStart, 12) === "ICC_PROFILE\0";
  return false; // APP1 Exif/XMP, APP13 IPTC, and every other application segment
}

function stripJpeg(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { orientation } = jpegInfo(bytes);
  const { segments, rest } = jpegSegments(bytes);
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let orientationWritten = orientation === 1;
  for (const segment of segments) {
    if (!orientationWritten && segment.marker !== 0xe0) {
      // After JFIF's APP0 when there is one (JFIF §B requires it first), before everything else.
      parts.push(orientationSegment(orientation));
      orientationWritten = true;
    }
    if (keepsJpegSegment(bytes, segment)) parts.push(bytes.subarray(segment.start, segment.end));
  }
  parts.push(bytes.subarray(rest));
  return concat(parts);
}

// ---------------------------------------------------------------------------------------------------
// PNG (PNG 3rd ed. §5.3 chunk layout, §11.3 ancillary chunks)
// ---------------------------------------------------------------------------------------------------

const PNG_DROPPED = new Set(["eXIf", "tEXt", "iTXt", "zTXt", "tIME"]);

function stripPng(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  for (;;) {
    need(bytes, offset + 12, "PNG chunk");
    const length = be32(bytes, offset);
    const type = ascii(bytes, offset + 4, 4);
    const end = offset + 12 + length;
    need(bytes, end, "PNG chunk");
    if (!PNG_DROPPED.has(type)) parts.push(bytes.subarray(offset, end));
    offset = end;
    if (type === "IEND") return concat(parts);
  }
}

// ---------------------------------------------------------------------------------------------------
// WebP (RFC 9649 §2.5–2.7: RIFF chunks, VP8X flags)
// ---------------------------------------------------------------------------------------------------

interface RiffChunk {
  fourcc: string;
  start: number;
  dataStart: number;
  size: number;
  /** Past the chunk and its pad byte. */
  end: number;
}

function webpChunks(bytes: Uint8Array): RiffChunk[] {
  need(bytes, 12, "RIFF header");
  const riffEnd = Math.min(bytes.length, 8 + le32(bytes, 4));
  const chunks: RiffChunk[] = [];
  let offset = 12;
  while (offset + 8 <= riffEnd) {
    const size = le32(bytes, offset + 4);
    const end = offset + 8 + size + (size % 2);
    need(bytes, offset + 8 + size, "WebP chunk");
    chunks.push({
      fourcc: ascii(bytes, offset, 4),
      start: offset,
      dataStart: offset + 8,
      size,
      end: Math.min(end, riffEnd),
    });
    offset = end;
  }
  if (chunks.length === 0) throw new MalformedImageError("WebP without chunks");
  return chunks;
}

function webpInfo(bytes: Uint8Array): ImageInfo {
  const chunks = webpChunks(bytes);
  const first = chunks[0]!;
  const d = first.dataStart;
  if (first.fourcc === "VP8X" && first.size >= 10) {
    return { format: "webp", width: le24(bytes, d + 4) + 1, height: le24(bytes, d + 7) + 1, orientation: 1 };
  }
  if (first.fourcc === "VP8 " && first.size >= 10) {
    // RFC 6386 §9.1: a key frame's start code, then 14-bit width and height.
    if (bytes[d + 3] !== 0x9d || bytes[d + 4] !== 0x01 || bytes[d + 5] !== 0x2a)
      throw new MalformedImageError("VP8 without a key frame");
    return { format: "webp", width: le16(bytes, d + 6) & 0x3fff, height: le16(bytes, d + 8) & 0x3fff, orientation: 1 };
  }
  if (first.fourcc === "VP8L" && first.size >= 5) {
    if (bytes[d] !== 0x2f) throw new MalformedImageError("VP8L signature");
    const bits = le32(bytes, d + 1);
    return { format: "webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, orientation: 1 };
  }
  throw new MalformedImageError("WebP without an image header");
}

function stripWebp(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const kept = webpChunks(bytes).filter((chunk) => chunk.fourcc !== "EXIF" && chunk.fourcc !== "XMP ");
  const body = concat(kept.map((chunk) => bytes.slice(chunk.start, chunk.end)));
  const vp8x = kept[0]?.fourcc === "VP8X" ? 8 : -1;
  // VP8X flags (RFC 9649 §2.7): E (Exif, 0x08) and X (XMP, 0x04) must not announce chunks that are gone.
  if (vp8x >= 0) body[vp8x] = body[vp8x]! & ~0x0c;
  const header = new Uint8Array(12);
  header.set(bytes.subarray(0, 12));
  const size = body.length + 4;
  header.set([size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, (size >>> 24) & 0xff], 4);
  return concat([header, body]);
}

// ---------------------------------------------------------------------------------------------------
// GIF (GIF89a §17–26)
// ---------------------------------------------------------------------------------------------------

/** Offset just past a run of data sub-blocks (each a length byte, then that many bytes; 0 ends it). */
function skipSubBlocks(bytes: Uint8Array, offset: number): number {
  for (;;) {
    need(bytes, offset + 1, "GIF sub-block");
    const length = bytes[offset]!;
    offset += 1 + length;
    if (length === 0) return offset;
  }
}

function stripGif(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  need(bytes, 13, "GIF header");
  const packed = bytes[10]!;
  let offset = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  const parts: Uint8Array[] = [bytes.subarray(0, offset)];
  for (;;) {
    need(bytes, offset + 1, "GIF block");
    const introducer = bytes[offset]!;
    if (introducer === 0x3b) {
      parts.push(bytes.subarray(offset, offset + 1));
      return concat(parts);
    }
    if (introducer === 0x2c) {
      need(bytes, offset + 10, "GIF image descriptor");
      const local = bytes[offset + 9]!;
      const tableEnd = offset + 10 + (local & 0x80 ? 3 * 2 ** ((local & 0x07) + 1) : 0);
      const end = skipSubBlocks(bytes, tableEnd + 1); // after the LZW minimum code size
      parts.push(bytes.subarray(offset, end));
      offset = end;
    } else if (introducer === 0x21) {
      need(bytes, offset + 2, "GIF extension");
      const label = bytes[offset + 1]!;
      const end = skipSubBlocks(bytes, offset + 2);
      const application = label === 0xff ? ascii(bytes, offset + 3, 11) : "";
      // Comments (0xFE) and applications' data (XMP among them) go; the loop count (NETSCAPE2.0) stays.
      const dropped =
        label === 0xfe || (label === 0xff && application !== "NETSCAPE2.0" && application !== "ANIMEXTS1.0");
      if (!dropped) parts.push(bytes.subarray(offset, end));
      offset = end;
    } else {
      throw new MalformedImageError("GIF block");
    }
  }
}
