/**
 * The public site's images: `GET /media/<id>/<width>.<ext>?v=<version>` on a site hostname. Only an image that
 * may be public (`publicMediaSql`: an image without a data subject or PHI, not blocked, within the pixel cap, with
 * alt text, marked public) is ever served; anything else is the same 404 as an id that does not exist.
 *
 * The picture is resized by Cloudflare's Image Resizing where the deployment enables it, else by the resizer
 * Worker (workers/image-resizer, photon in WASM), to which this Worker sends the original's bytes: it holds the S3
 * credentials, the resizer none. Results are kept in the Worker cache under their versioned URL, and the answer
 * is `immutable` for a year: a new picture has a new version, and the URLs of an image that stops being shown are
 * purged by its Cache-Tag (`media:<id>`) like pages.
 */
import { and, eq, type SQL, sql } from "drizzle-orm";
import { mediaItems } from "../../schema";
import type { ServiceBinding } from "../env";
import type { Scope } from "../scope";
import { escapeHtml } from "../html-policy";
import { imageAttributes, imageVersion, IMAGE_EXTENSIONS, IMAGE_WIDTHS, type SiteImage } from "../image-urls";
import { publicMediaSql } from "./media-rules";
import { presignImageGet, readObjectBytes } from "./media-storage";

export interface PublicImageSource {
  id: string;
  contentType: string;
  sha256: string;
  width: number;
  height: number;
  objectKey: string;
}

/** The image behind a public URL, or null when there is none the public may see (one HTTP read). */
export async function publicImageSource(scope: Scope, mediaId: string): Promise<PublicImageSource | null> {
  const [[row]] = await scope.read((db) => [
    db
      .select({
        id: mediaItems.id,
        contentType: mediaItems.contentType,
        sha256: mediaItems.sha256,
        width: mediaItems.width,
        height: mediaItems.height,
        objectKey: mediaItems.objectKey,
      })
      .from(mediaItems)
      .where(and(eq(mediaItems.id, mediaId), publicMediaSql("media_items")))
      .limit(1),
  ]);
  return row && row.width !== null && row.height !== null ? { ...row, width: row.width, height: row.height } : null;
}

export type ImageFormat = "webp" | "jpeg" | "png";

const FORMAT_OF: Readonly<Record<string, ImageFormat>> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
};
const CONTENT_TYPE_OF: Readonly<Record<ImageFormat, string>> = {
  webp: "image/webp",
  jpeg: "image/jpeg",
  png: "image/png",
};

export type ImageRequestCheck =
  | { kind: "serve"; width: number; format: ImageFormat }
  | { kind: "redirect"; location: string }
  | { kind: "not_found" };

/**
 * Whether a request names a servable rendition of `source`: a fixed width, the original's extension, the current
 * version (an old or missing one is redirected to the current URL, which is never cached). WebP when the reader's
 * Accept names it, the original's format otherwise.
 */
export function checkImageRequest(
  source: PublicImageSource,
  request: { width: number; extension: string; version: string | undefined; accept: string | undefined },
): ImageRequestCheck {
  if (!(IMAGE_WIDTHS as readonly number[]).includes(request.width)) return { kind: "not_found" };
  if (IMAGE_EXTENSIONS[source.contentType] !== request.extension) return { kind: "not_found" };
  const version = imageVersion(source.sha256);
  if (request.version !== version) {
    return { kind: "redirect", location: `/media/${source.id}/${request.width}.${request.extension}?v=${version}` };
  }
  const format = acceptsWebp(request.accept) ? "webp" : (FORMAT_OF[source.contentType] ?? "jpeg");
  return { kind: "serve", width: request.width, format };
}

/** Whether an Accept header (RFC 9110 §12.5.1) names `image/webp` with a non-zero weight. */
export function acceptsWebp(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((range) => {
    const [type, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "image/webp") return false;
    const q = params.find((param) => param.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The image upload limit (services/uploads.ts): no original of a public image is larger. */
const MAX_ORIGINAL_BYTES = 25 * 1024 * 1024;

export interface RenderedImage {
  body: ArrayBuffer;
  contentType: string;
}

/** The resizer Worker's answer was not an image (or it is unreachable): a 503 for the reader, never cached. */
export class ImageResizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageResizeError";
  }
}

/**
 * The rendition at `width` (or the original's width, if smaller) in `format`. The original is sent as it is when
 * nothing would change.
 */
export async function renderImage(
  scope: Scope,
  source: PublicImageSource,
  wanted: { width: number; format: ImageFormat },
  resizer: ServiceBinding | undefined,
): Promise<RenderedImage> {
  const contentType = CONTENT_TYPE_OF[wanted.format];
  if (scope.section("site").imageResizing === "cloudflare") {
    // Cloudflare Image Resizing reads the original itself through a short presigned GET; scale-down never upscales.
    const url = await presignImageGet(scope.storage, source.objectKey);
    const answer = await fetch(url, {
      cf: { image: { width: wanted.width, format: wanted.format, fit: "scale-down", metadata: "none" } },
    } as RequestInit);
    if (!answer.ok) throw new ImageResizeError(`image resizing answered ${answer.status}`);
    return { body: await answer.arrayBuffer(), contentType };
  }
  // A copy on its own ArrayBuffer: the SDK's bytes may be a view of a larger (or shared) buffer.
  const stored = await readObjectBytes(scope.storage, source.objectKey, MAX_ORIGINAL_BYTES);
  if (!stored) throw new ImageResizeError("the original is larger than an image upload may be");
  const original = stored.slice();
  if (wanted.width >= source.width && FORMAT_OF[source.contentType] === wanted.format) {
    return { body: original.buffer, contentType };
  }
  if (!resizer) throw new ImageResizeError("the IMAGE_RESIZER binding is missing");
  const answer = await resizer.fetch(`https://image-resizer.internal/?width=${wanted.width}&format=${wanted.format}`, {
    method: "POST",
    body: original.buffer,
    headers: { "content-type": source.contentType },
  });
  if (!answer.ok || answer.headers.get("content-type") !== contentType) {
    throw new ImageResizeError(`the resizer answered ${answer.status}`);
  }
  return { body: await answer.arrayBuffer(), contentType };
}

// ---------------------------------------------------------------------------------------------------
// Images in pages: the featured image and the body's `media:` references, read beside the item
// ---------------------------------------------------------------------------------------------------

const siteImageJson = sql.raw(`json_build_object('id', m.id, 'contentType', m.content_type,
  'version', left(m.sha256, 12), 'width', m.width, 'height', m.height, 'alt', m.alt_text)`);

/** The featured image of the outer `content_items` row, when it may be public (a correlated subquery). */
export function featuredImageSql(): SQL<SiteImage | null> {
  return sql<SiteImage | null>`(select ${siteImageJson} from media_items m
    where m.id = "content_items"."featured_media_id" and ${publicMediaSql("m")})`;
}

/** The public images the outer row's body refers to (`src="media:<uuid>"` in its sanitized HTML). */
export function bodyImagesSql(): SQL<SiteImage[]> {
  return sql<SiteImage[]>`coalesce((select json_agg(${siteImageJson}) from media_items m
    where m.id in (select (regexp_matches("content_items"."body_html",
      'src="media:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"', 'g'))[1]::uuid)
      and ${publicMediaSql("m")}), '[]'::json)`;
}

/** The media ids a sanitized body refers to (for the publish gate and the pages' Cache-Tags). */
export function bodyMediaIds(html: string): string[] {
  const ids = new Set<string>();
  for (const match of html.matchAll(/src="media:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g)) {
    ids.add(match[1]!);
  }
  return [...ids];
}

/**
 * The body as readers get it: each `<img src="media:<id>">` (the sanitizer's own serialisation, so its attributes
 * are escaped and double-quoted) becomes the image's responsive `<img>`, with the Markdown alt or the library's;
 * a reference to an image that is not public here is dropped.
 */
export function expandBodyImages(html: string, images: SiteImage[], options: { origin?: string } = {}): string {
  // Most bodies hold no image: a scan for the tag is far cheaper than the replace below finding nothing.
  if (!html.includes("<img")) return html;
  const byId = new Map(images.map((image) => [image.id, image]));
  return html.replace(/<img\b[^>]*>/g, (tag) => {
    const id = /\ssrc="media:([0-9a-f-]{36})"/.exec(tag)?.[1];
    const image = id ? byId.get(id) : undefined;
    if (!image) return "";
    const alt = /\salt="([^"]*)"/.exec(tag)?.[1];
    const attributes = imageAttributes(image, {
      lazy: true,
      alt: alt === undefined ? "" : unescapeAttribute(alt),
      ...(options.origin ? { origin: options.origin } : {}),
    });
    const rendered = Object.entries(attributes)
      .map(([name, value]) => `${name}="${escapeHtml(value)}"`)
      .join(" ");
    return `<img ${rendered}>`;
  });
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
