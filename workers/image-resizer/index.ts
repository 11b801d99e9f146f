/**
 * POST /?width=<px>&format=<webp|jpeg|png> with the original image as the body; answers the image at that width
 * (never wider than the original, aspect kept, the Exif orientation applied) in that format, with its size in
 * `X-Image-Width`/`X-Image-Height`. Refusals are problem+json with a stable code.
 *
 * A hostile image must not exhaust the isolate: the body is capped before it is read whole, and the dimensions
 * are read from the header (functions/lib/image-metadata.ts) and refused above the pixel cap before photon decodes
 * a single pixel. photon's RGBA needs 4 bytes a pixel, so the cap keeps a decode within the isolate's memory.
 */
import { PhotonImage, SamplingFilter, fliph, flipv, resize, rotate } from "@cf-wasm/photon";
import { displayedSize, MalformedImageError, readImageInfo } from "../../functions/lib/image-metadata";

/** The pixel cap; the main Worker refuses to mark public an image above it (MAX_PUBLIC_PIXELS). */
const MAX_PIXELS = 16_000_000;
/** The largest original accepted: the library's image upload limit. */
const MAX_INPUT_BYTES = 25 * 1024 * 1024;
const MAX_WIDTH = 4096;
const FORMATS = { webp: "image/webp", jpeg: "image/jpeg", png: "image/png" } as const;
type OutputFormat = keyof typeof FORMATS;
const JPEG_QUALITY = 82;

function problem(status: number, code: string, detail: string): Response {
  return new Response(JSON.stringify({ type: `urn:vitalis:problem:${code}`, title: detail, status, code }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

/** The body, or null past `limit` bytes (read no further than that, whatever Content-Length claims). */
async function readCapped(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Exif orientation (CIPA DC-008 §4.6.4, tag 0x0112) applied to the decoded pixels; photon rotates clockwise. */
function orient(image: PhotonImage, orientation: number): PhotonImage {
  const turn = (angle: number) => {
    const turned = rotate(image, angle);
    image.free();
    return turned;
  };
  switch (orientation) {
    case 2:
      fliph(image);
      return image;
    case 3:
      return turn(180);
    case 4:
      flipv(image);
      return image;
    case 5: {
      const turned = turn(90);
      fliph(turned);
      return turned;
    }
    case 6:
      return turn(90);
    case 7: {
      const turned = turn(270);
      fliph(turned);
      return turned;
    }
    case 8:
      return turn(270);
    default:
      return image;
  }
}

function encode(image: PhotonImage, format: OutputFormat): Uint8Array {
  if (format === "webp") return image.get_bytes_webp();
  if (format === "jpeg") return image.get_bytes_jpeg(JPEG_QUALITY);
  return image.get_bytes();
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return problem(405, "method_not_allowed", "POST the image.");
    const url = new URL(request.url);
    const width = Number(url.searchParams.get("width"));
    const format = url.searchParams.get("format") as OutputFormat | null;
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH || !format || !(format in FORMATS)) {
      return problem(422, "resize_parameters_invalid", "width must be 1–4096 and format one of webp, jpeg, png.");
    }
    const bytes = await readCapped(request, MAX_INPUT_BYTES);
    if (!bytes) return problem(413, "image_too_large", "The image is larger than the resizer accepts.");
    let info;
    try {
      info = readImageInfo(bytes);
    } catch (error) {
      if (error instanceof MalformedImageError)
        return problem(422, "image_unreadable", "The image header cannot be read.");
      throw error;
    }
    // Checked on the header, before anything is decoded: a few bytes can claim a billion pixels.
    if (info.width < 1 || info.height < 1 || info.width * info.height > MAX_PIXELS) {
      return problem(422, "image_too_large", "The image has more pixels than the resizer decodes.");
    }
    if (info.format === "gif") return problem(415, "image_format_unsupported", "GIF is not resized.");
    const shown = displayedSize(info);
    const targetWidth = Math.min(width, shown.width);
    const targetHeight = Math.max(1, Math.round((shown.height * targetWidth) / shown.width));
    let image: PhotonImage | null = null;
    try {
      image = orient(PhotonImage.new_from_byteslice(bytes), info.orientation);
      if (targetWidth !== image.get_width() || targetHeight !== image.get_height()) {
        const resized = resize(image, targetWidth, targetHeight, SamplingFilter.Lanczos3);
        image.free();
        image = resized;
      }
      const output = encode(image, format);
      return new Response(output, {
        headers: {
          "content-type": FORMATS[format],
          "x-image-width": String(image.get_width()),
          "x-image-height": String(image.get_height()),
        },
      });
    } catch {
      return problem(422, "image_undecodable", "The image cannot be decoded.");
    } finally {
      image?.free();
    }
  },
};
