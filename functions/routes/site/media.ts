import type { Context } from "hono";
import type { AppBindings } from "../../bindings";
import {
  checkImageRequest,
  ImageResizeError,
  publicImageSource,
  type RenderedImage,
  renderImage,
} from "../../services/public-images";
import { cacheTags, siteCache } from "../../services/site-cache";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILE = /^(\d{3,4})\.(jpg|png|webp)$/;
/** A year, immutable (RFC 8246): the URL names the picture's version, so it never changes under it. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const IMAGE_CACHE_ORIGIN = "https://images.vitalis.internal";

function notFound(): Response {
  // The same answer for "no such id", "not an image", "of a patient" and "not public": nothing to learn from it.
  return new Response("Not found", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

function imageResponse(image: RenderedImage, tags: string[]): Response {
  return new Response(image.body, {
    headers: {
      "content-type": image.contentType,
      "cache-control": IMMUTABLE,
      // The same URL answers WebP or the original's format depending on Accept (RFC 9110 §12.5.5).
      vary: "Accept",
      "cache-tag": tags.join(","),
      "content-length": String(image.body.byteLength),
    },
  });
}

/** `GET /media/<id>/<width>.<ext>?v=<version>`: a public image (services/public-images.ts). */
export async function servePublicImage(c: Context<AppBindings>): Promise<Response> {
  const id = c.req.param("id") ?? "";
  const file = FILE.exec(c.req.param("file") ?? "");
  if (!UUID.test(id) || !file) return notFound();
  const scope = c.get("scope");
  const source = await publicImageSource(scope, id);
  if (!source) return notFound();
  const check = checkImageRequest(source, {
    width: Number(file[1]),
    extension: file[2]!,
    version: c.req.query("v"),
    accept: c.req.header("accept"),
  });
  if (check.kind === "not_found") return notFound();
  if (check.kind === "redirect") {
    return new Response(null, { status: 302, headers: { location: check.location, "cache-control": "no-store" } });
  }
  const tags = [cacheTags.tenant(scope.tenant.id), cacheTags.media(source.id)];
  // Keyed by tenant, version, width and format: the Accept header's choice is part of the key, not a Vary.
  const key = `${IMAGE_CACHE_ORIGIN}/${scope.tenant.id}/${source.id}/${source.sha256.slice(0, 12)}/${check.width}.${check.format}`;
  const cache = siteCache();
  const cached = cache ? await cache.match(key) : undefined;
  if (cached) {
    const image = { body: await cached.arrayBuffer(), contentType: cached.headers.get("content-type") ?? "" };
    const response = imageResponse(image, tags);
    response.headers.set("x-vitalis-cache", "hit");
    return response;
  }
  let image: RenderedImage;
  try {
    image = await renderImage(scope, source, check, c.env.IMAGE_RESIZER);
  } catch (error) {
    if (!(error instanceof ImageResizeError)) throw error;
    c.get("logger").warn("image rendition failed", { error, mediaId: source.id });
    return new Response("Image unavailable", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "retry-after": "30" },
    });
  }
  if (cache) {
    const stored = new Response(image.body.slice(0), {
      headers: { "content-type": image.contentType, "cache-control": IMMUTABLE, "cache-tag": tags.join(",") },
    });
    c.executionCtx.waitUntil(cache.put(key, stored));
  }
  const response = imageResponse(image, tags);
  response.headers.set("x-vitalis-cache", "miss");
  return response;
}
