/**
 * The public images' URLs (`/media/<id>/<width>.<ext>?v=<version>`) and `<img>` attributes: the site's pages, the
 * WordPress API and the admin's preview build them here, a module without dependencies the SPA may import, so the
 * preview shows a picture exactly as the page will.
 */

/** The widths the image route serves (never wider than the original); anything else is a 404. */
export const IMAGE_WIDTHS = [320, 640, 960, 1280, 1920] as const;

/** A URL's extension per original type; the picture itself may come back as WebP (content negotiation). */
export const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
};

/** What an image URL is built from: the media id, its type and its version (a prefix of its SHA-256). */
export interface PublicImageRef {
  id: string;
  contentType: string;
  version: string;
}

/** The version of a picture in its URLs: 12 hex digits of its SHA-256 (48 bits; a collision is harmless). */
export function imageVersion(sha256: string): string {
  return sha256.slice(0, 12);
}

/** A public image at one of `IMAGE_WIDTHS`, versioned by its hash: a new picture is a new URL (immutable). */
export function imagePath(image: PublicImageRef, width: number): string {
  return `/media/${image.id}/${width}.${IMAGE_EXTENSIONS[image.contentType] ?? "jpg"}?v=${image.version}`;
}

/** A public image as pages show it: its URL parts, its displayed size and its alt text. */
export interface SiteImage extends PublicImageRef {
  width: number;
  height: number;
  alt: string;
}

/** The column an article's text sits in (site.css), for `sizes`: full width below it. */
export const IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw";

/**
 * The attributes of an `<img>` of a public image: `srcset` over the fixed widths (each described by the width it
 * is served at), `sizes`, `width`/`height` so the page does not shift as it loads, and lazy loading except for the
 * image the reader sees first (the featured one).
 */
export function imageAttributes(
  image: SiteImage,
  options: { alt?: string; lazy: boolean; sizes?: string; origin?: string },
): Record<string, string> {
  const origin = options.origin ?? "";
  const widths = imageWidthsFor(image.width);
  const srcset = widths
    .map((width) => `${origin}${imagePath(image, width)} ${Math.min(width, image.width)}w`)
    .join(", ");
  const fallback = widths.find((width) => width >= 960) ?? widths.at(-1) ?? IMAGE_WIDTHS[0];
  return {
    src: origin + imagePath(image, fallback),
    srcset,
    sizes: options.sizes ?? IMAGE_SIZES,
    width: String(image.width),
    height: String(image.height),
    alt: options.alt?.trim() || image.alt,
    ...(options.lazy ? { loading: "lazy" } : {}),
    decoding: "async",
  };
}

/** The widths offered for an image `width` pixels wide: the fixed steps below it, and the largest step. */
export function imageWidthsFor(width: number): number[] {
  const below = IMAGE_WIDTHS.filter((step) => step < width);
  const cover = IMAGE_WIDTHS.find((step) => step >= width);
  return cover ? [...below, cover] : below;
}
