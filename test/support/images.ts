/**
 * Real image files made in the tests: PNGs written chunk by chunk, JPEGs encoded by photon (its Node build) with
 * camera metadata spliced in, and a reader that decodes what the Worker answers (photon again, independent of the
 * Worker's own header parser).
 */
import { crc32, deflateSync } from "node:zlib";
import { PhotonImage } from "@cf-wasm/photon/node";

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid RGB PNG of one colour. `ancillary` chunks go before the image data (text, eXIf…); `claimed` writes other
 * dimensions into IHDR than the pixels have (a header that lies, for the pixel cap).
 */
export function pngImage(
  width: number,
  height: number,
  options: { ancillary?: Uint8Array[]; claimed?: { width: number; height: number } } = {},
): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, options.claimed?.width ?? width);
  view.setUint32(4, options.claimed?.height ?? height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filter, no interlace
  const row = new Uint8Array(1 + width * 3);
  for (let x = 0; x < width; x += 1) row.set([30, 120, 200], 1 + x * 3);
  const raw = new Uint8Array(row.length * height);
  for (let y = 0; y < height; y += 1) raw.set(row, y * row.length);
  return concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", ihdr),
    ...(options.ancillary ?? []),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array()),
  ]);
}

/** A valid 1×1 PNG of exactly `size` bytes: the rest is a private ancillary chunk of random bytes (kept on upload). */
export function paddedPng(size: number): Uint8Array<ArrayBuffer> {
  const base = pngImage(1, 1);
  const padding = size - base.length - 12;
  if (padding < 0) throw new Error(`a PNG needs at least ${base.length + 12} bytes`);
  const filler = new Uint8Array(padding);
  for (let offset = 0; offset < padding; offset += 65_536)
    crypto.getRandomValues(filler.subarray(offset, Math.min(padding, offset + 65_536)));
  const iend = base.length - 12;
  return concat([base.subarray(0, iend), pngChunk("prVt", filler), base.subarray(iend)]);
}

/** What the GPS fixture says, so a test can look for it in what is stored and served. */
export const GPS_FIXTURE = {
  /** An ASCII GPSProcessingMethod value: unmistakable in the bytes. */
  method: "GPS-VITALIS-FIX-23.5505S",
  xmp: "exif:GPSLatitude>23,33.03S<",
  comment: "Rua das Flores 123, Sao Paulo",
};

/**
 * An Exif APP1 segment as a phone writes it: IFD0 with Make, Orientation and a pointer to a GPS IFD holding the
 * latitude reference and a processing-method string (big-endian TIFF).
 */
function exifWithGps(orientation: number): Uint8Array {
  const method = new TextEncoder().encode(`ASCII\0\0\0${GPS_FIXTURE.method}`);
  const make = new TextEncoder().encode("PhoneCo\0");
  // Layout: header(8) | IFD0 at 8: 3 entries | GPS IFD | data
  const ifd0At = 8;
  const ifd0Size = 2 + 3 * 12 + 4;
  const gpsAt = ifd0At + ifd0Size;
  const gpsSize = 2 + 2 * 12 + 4;
  const makeAt = gpsAt + gpsSize;
  const methodAt = makeAt + make.length;
  const tiff = new Uint8Array(methodAt + method.length);
  const v = new DataView(tiff.buffer);
  tiff.set([0x4d, 0x4d, 0x00, 0x2a]);
  v.setUint32(4, ifd0At);
  v.setUint16(ifd0At, 3);
  const entry = (at: number, tag: number, type: number, count: number, value: number, short = false) => {
    v.setUint16(at, tag);
    v.setUint16(at + 2, type);
    v.setUint32(at + 4, count);
    if (short) v.setUint16(at + 8, value);
    else v.setUint32(at + 8, value);
  };
  entry(ifd0At + 2, 0x010f, 2, make.length, makeAt); // Make
  entry(ifd0At + 14, 0x0112, 3, 1, orientation, true); // Orientation
  entry(ifd0At + 26, 0x8825, 4, 1, gpsAt); // GPSInfo IFD pointer
  v.setUint16(gpsAt, 2);
  entry(gpsAt + 2, 0x0001, 2, 2, 0x53000000); // GPSLatitudeRef "S"
  entry(gpsAt + 14, 0x001b, 7, method.length, methodAt); // GPSProcessingMethod
  tiff.set(make, makeAt);
  tiff.set(method, methodAt);
  return segment(0xe1, concat([new TextEncoder().encode("Exif\0\0"), tiff]));
}

function segment(marker: number, payload: Uint8Array): Uint8Array {
  const length = payload.length + 2;
  return concat([new Uint8Array([0xff, marker, length >> 8, length & 0xff]), payload]);
}

/**
 * A photo as a phone uploads it: a real JPEG (photon encodes the pixels) with Exif GPS, an XMP packet naming the
 * position, and a comment with an address, all before the image data.
 */
export function jpegWithGps(width: number, height: number, orientation = 1): Uint8Array<ArrayBuffer> {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1) pixels.set([200, 80, 40, 255], i * 4);
  const image = new PhotonImage(pixels, width, height);
  const jpeg = image.get_bytes_jpeg(85);
  image.free();
  // photon writes SOI then APP0 (JFIF); the metadata goes after JFIF, as cameras put it.
  const app0End = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
  const xmp = segment(
    0xe1,
    new TextEncoder().encode(`http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><${GPS_FIXTURE.xmp}/></x:xmpmeta>`),
  );
  const comment = segment(0xfe, new TextEncoder().encode(GPS_FIXTURE.comment));
  return concat([jpeg.subarray(0, app0End), exifWithGps(orientation), xmp, comment, jpeg.subarray(app0End)]);
}

/** Whether `needle` (ASCII) occurs in `bytes`. */
export function containsText(bytes: Uint8Array, needle: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(needle, "latin1"));
}

/** The format by magic bytes and the size by decoding (photon's Node build): what a browser would get. */
export function decodeImage(bytes: Uint8Array): {
  format: "jpeg" | "png" | "webp" | "other";
  width: number;
  height: number;
} {
  const b = bytes;
  const format =
    b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff
      ? "jpeg"
      : b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47
        ? "png"
        : Buffer.from(b.subarray(0, 4)).toString("latin1") === "RIFF" &&
            Buffer.from(b.subarray(8, 12)).toString("latin1") === "WEBP"
          ? "webp"
          : "other";
  const image = PhotonImage.new_from_byteslice(bytes);
  try {
    return { format, width: image.get_width(), height: image.get_height() };
  } finally {
    image.free();
  }
}
