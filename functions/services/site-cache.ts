import { contentTypes } from "../content-types";
import { BoundedLru } from "../lib/lru";
import type { ContentLocale } from "../../schema";
import { segmentOfLocale, sitemapFileOf } from "../site/urls";
import type { ContentFootprint } from "./site";

/**
 * The public site's cache: rendered pages kept in the Workers Cache API (`caches.default`), which is
 * per data centre and free of I/O to the database. A page is stored under a synthetic key,
 *   https://cache.vitalis.internal/<tenant id><path>      (the path starts with the locale: /pt-br/…)
 * so the hostname a reader used never splits or mixes tenants, and is kept longer than it is fresh:
 *   fresh                    served as is (X-Vitalis-Cache: hit)
 *   + stale-while-revalidate served at once, re-rendered in the background (RFC 5861 §3)
 *   + stale-if-error         served only when rendering fails, e.g. PostgreSQL is unreachable (RFC 5861 §4)
 * Pages carry `Cache-Tag`s (the item's, its lists', the sitemap's) and are purged by tag, never by enumerating
 * keys, so a purge costs the same whatever the lists' length: here by a marker per purged tag (a stored page
 * older than a marker of one of its tags is treated as gone), at Cloudflare's CDN through its purge API
 * (services/cdn-purge.ts, retried through the outbox).
 *
 * In front of it, each isolate keeps the pages it served last in memory for a few seconds (the micro-cache,
 * `SITE_MICRO_CACHE_SECONDS`), under the same keys: a popular page then costs no Cache API read at all.
 * A purge clears the keys in the isolate that runs it; other isolates hold a purged page at most that long.
 */

export const CACHE_KEY_ORIGIN = "https://cache.vitalis.internal";
const STORED_AT = "x-vitalis-stored-at";
const PURGED_AT = "x-vitalis-purged-at";

export interface SiteCachePolicy {
  /** Seconds a page is fresh (s-maxage to shared caches). 0 turns the Worker cache off. */
  freshSeconds: number;
  staleWhileRevalidateSeconds: number;
  staleIfErrorSeconds: number;
  /** Seconds a page may be answered from the isolate's memory, never past its freshness. 0 turns it off. */
  microSeconds: number;
}

const DEFAULT_FRESH_SECONDS = 300;
const DEFAULT_MICRO_SECONDS = 5;
/** A day of stale-if-error: a database outage of a few hours leaves readers with the pages they had. */
const STALE_IF_ERROR_SECONDS = 86_400;

export function sitePolicy(
  freshSeconds = DEFAULT_FRESH_SECONDS,
  microSeconds = DEFAULT_MICRO_SECONDS,
): SiteCachePolicy {
  const fresh = Math.max(0, Math.floor(freshSeconds));
  return {
    freshSeconds: fresh,
    staleWhileRevalidateSeconds: Math.min(60, fresh),
    staleIfErrorSeconds: STALE_IF_ERROR_SECONDS,
    microSeconds: Math.max(0, Math.floor(microSeconds)),
  };
}

/**
 * Cache-Control of a public page (RFC 9111 §5.2.2): browsers revalidate every time (max-age=0, answered
 * by a 304 from the ETag), shared caches keep it for s-maxage, and RFC 5861's extensions let them serve
 * it stale while revalidating or when the origin fails.
 */
export function publicCacheControl(policy: SiteCachePolicy): string {
  return `public, max-age=0, s-maxage=${policy.freshSeconds}, stale-while-revalidate=${policy.staleWhileRevalidateSeconds}, stale-if-error=${policy.staleIfErrorSeconds}`;
}

/** Pages that depend on who reads them (professional content, signed-in readers) are never stored. */
export const PRIVATE_CACHE_CONTROL = "private, no-store";

export function cacheKey(tenantId: string, path: string): string {
  return `${CACHE_KEY_ORIGIN}/${tenantId}${path}`;
}

/** A rendered public document. */
export interface RenderedPage {
  status: number;
  /**
   * The document's bytes (UTF-8), encoded once when it is rendered: the ETag hashes them, every answer and the
   * Worker cache send them as they are, and the micro-cache holds them (half a string's size for Latin text).
   */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong validator: a hash of the exact bytes (RFC 9110 §8.8.3). */
  etag: string;
  /** May be kept in shared caches: public content, anonymous reader, status 200. */
  shareable: boolean;
  /** Cache-Tag values for the CDN purge. */
  tags: string[];
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** A page of the text `body`, in the bytes that are hashed for its ETag and sent (RenderedPage `body`). */
export async function renderedPage(body: string, options: Omit<RenderedPage, "body" | "etag">): Promise<RenderedPage> {
  // A new ArrayBuffer of its own (never shared memory), as a Response body must be.
  const bytes = encoder.encode(body) as Uint8Array<ArrayBuffer>;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (let i = 0; i < 16; i++) hex += HEX[digest[i]!];
  return { ...options, body: bytes, etag: `"${hex}"` };
}

/** The body of a page the reader already holds (a 304): nothing was read. */
const NO_BODY = new Uint8Array(0);

export type CacheState = "hit" | "miss" | "stale" | "bypass";
/** Which layer answered a hit or a stale page: the isolate's memory or the Worker cache. */
export type CacheLayer = "micro" | "edge";

export interface CachedResult {
  /** The page; its body is empty when `notModified` (the body was never read). */
  page: RenderedPage;
  state: CacheState;
  /** The layer that answered; null when the page was rendered (or rendering bypassed the cache). */
  layer: CacheLayer | null;
  /** Seconds since the page was rendered, when it came from the cache (the Age header, RFC 9111 §5.1). */
  ageSeconds: number | null;
  /** The reader's If-None-Match matched a 200 page: answer 304 (RFC 9110 §15.4.5). */
  notModified: boolean;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header || !etag) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

// ---------------------------------------------------------------------------------------------------
// The micro-cache: this isolate's memory, in front of the Worker cache
// ---------------------------------------------------------------------------------------------------

interface MicroEntry {
  page: RenderedPage;
  /** When the page was rendered (ms), for Age. */
  renderedAt: number;
  /** The app's whole answer for this entry to one URL, once the app has served it from here (see below). */
  answer?: { url: string; headers: Headers };
}

/** A few hundred pages at most: Workers give an isolate 128 MB, and the hot set of a site is small. */
const MICRO_LIMITS = { maxBytes: 8 * 1024 * 1024, maxEntries: 512 };
const microCache = new BoundedLru<MicroEntry>(MICRO_LIMITS);

/** What an entry occupies: its body's bytes, and its strings, UTF-16 in the isolate (two bytes a code unit at most). */
function microBytes(key: string, page: RenderedPage): number {
  const text = key.length + page.contentType.length + page.etag.length;
  return page.body.byteLength + 2 * (text + page.tags.reduce((sum, tag) => sum + tag.length + 1, 0)) + 128;
}

/** Keeps a page that may be shared, until the earlier of the micro-cache's lifetime and the page's freshness. */
function remember(key: string, page: RenderedPage, renderedAt: number, policy: SiteCachePolicy, now: number): void {
  if (policy.microSeconds === 0 || !page.shareable || page.status !== 200) {
    microCache.delete(key);
    return;
  }
  const expiresAt = Math.min(now + policy.microSeconds * 1000, renderedAt + policy.freshSeconds * 1000);
  microCache.set(key, { page, renderedAt }, { bytes: microBytes(key, page), expiresAt, now });
}

/** Forgets the pages carrying any of the tags in this isolate's micro-cache (a purge); bounded by its 512 entries. */
export function forgetMicroCachedTags(tags: string[]): void {
  const purged = new Set(tags);
  microCache.deleteWhere((entry) => entry.page.tags.some((tag) => purged.has(tag)));
}

/** Forgets the given keys in this isolate's micro-cache. */
export function forgetMicroCached(keys: string[]): void {
  for (const key of keys) microCache.delete(key);
}

// ---------------------------------------------------------------------------------------------------
// Micro-cached answers before the app (functions/index.ts)
// ---------------------------------------------------------------------------------------------------

/**
 * A micro-cache hit through the app still costs the middleware, the router, the request scope and the
 * response's headers: most of its CPU. So once the app has answered an anonymous reader's plain GET of a URL
 * from a micro-cache entry, the entry keeps that answer's headers (the security headers included; without
 * the request id and Age), and the same URL is answered from them before the app runs, while the entry lasts.
 * Only what the app would answer the same way qualifies: a GET with no query, no Authorization and no Cookie
 * (so no session, no token: anonymous, as the app's `isAnonymous`), a 200 without Vary or Set-Cookie, whose
 * cache key is the URL's own path (the page is named by its path, never picked from a header). The entry is
 * the micro-cache's, so its freshness, byte bound and purges are the same; a new render of the page is a new
 * entry, without an answer until the app serves it again. A tenant's hostnames or status changed in this
 * isolate drop every answer at once (`forgetMicroCachedAnswers`); elsewhere they lapse with their entries.
 */
const answerIndex = new BoundedLru<string>({ maxEntries: MICRO_LIMITS.maxEntries, maxBytes: 256 * 1024 });
/** The micro-cache key a request was answered from, while the app runs (set by `cachedRender`). */
const answeredFrom = new WeakMap<Request, string>();

function plainAnonymousGet(request: Request): boolean {
  const headers = request.headers;
  return (
    request.method === "GET" && !request.url.includes("?") && !headers.has("authorization") && !headers.has("cookie")
  );
}

/**
 * After the app answered `request`: when it answered from a micro-cache entry and the answer qualifies (above),
 * the entry keeps the answer's headers for `microCachedAnswer`.
 */
export function rememberAnswer(request: Request, response: Response): void {
  const key = answeredFrom.get(request);
  if (key === undefined || response.status !== 200 || !plainAnonymousGet(request)) return;
  if (response.headers.has("vary") || response.headers.has("set-cookie")) return;
  const pathname = new URL(request.url).pathname;
  if (!key.startsWith(`${CACHE_KEY_ORIGIN}/`) || !key.endsWith(pathname)) return;
  // <origin>/<tenant id (a UUID)><path>: the key is this path's, whatever the tenant.
  if (key.length !== CACHE_KEY_ORIGIN.length + 1 + 36 + pathname.length) return;
  const now = Date.now();
  const entry = microCache.get(key, now);
  if (!entry) return;
  const headers = new Headers(response.headers);
  headers.delete("x-request-id");
  headers.delete("age");
  entry.answer = { url: request.url, headers };
  answerIndex.set(request.url, key, { bytes: 2 * request.url.length + 64, expiresAt: Number.POSITIVE_INFINITY, now });
}

/**
 * The app's answer to `request` from this isolate's memory, when it kept one (above) and its entry is still
 * fresh: the same headers with a new request id and Age, or a 304 without the body when If-None-Match matches.
 * Null otherwise: the app answers.
 */
export function microCachedAnswer(request: Request): Response | null {
  if (request.method !== "GET") return null;
  const key = answerIndex.get(request.url, 0);
  if (key === null || !plainAnonymousGet(request)) return null;
  const now = Date.now();
  const entry = microCache.get(key, now);
  const answer = entry?.answer;
  if (!entry || !answer || answer.url !== request.url) return null;
  const notModified = matchesIfNoneMatch(request.headers.get("if-none-match") ?? undefined, entry.page.etag);
  const response = notModified
    ? new Response(null, { status: 304, headers: answer.headers })
    : new Response(entry.page.body, { status: 200, headers: answer.headers });
  // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have, not its Content-Type.
  if (notModified) response.headers.delete("content-type");
  response.headers.set("age", String(Math.max(0, Math.floor((now - entry.renderedAt) / 1000))));
  response.headers.set("x-request-id", crypto.randomUUID());
  return response;
}

/** Drops every answer kept before the app (a tenant's hostnames or status changed). */
export function forgetMicroCachedAnswers(): void {
  answerIndex.clear();
}

/** The micro-cache's occupancy, for tests and diagnostics. */
export function microCacheUsage(): { entries: number; bytes: number; limits: typeof MICRO_LIMITS } {
  return { entries: microCache.size, bytes: microCache.bytes, limits: MICRO_LIMITS };
}

// ---------------------------------------------------------------------------------------------------
// The Worker cache (caches.default)
// ---------------------------------------------------------------------------------------------------

interface Entry {
  /** Everything but the body, read from the stored headers. */
  head: Omit<RenderedPage, "body">;
  storedAt: number;
  ageSeconds: number;
  /** The stored response, whose body is read only when the page is sent. */
  response: Response;
}

/** Where the Worker cache keeps the instant a tag was last purged. */
function purgeMarkerKey(tag: string): string {
  return `${CACHE_KEY_ORIGIN}/.purged/${encodeURIComponent(tag)}`;
}

/** Whether one of the tags was purged at or after `storedAt` (the stored page predates the change). */
async function purgedSince(cache: Cache, tags: string[], storedAt: number): Promise<boolean> {
  // Every page carries its tenant's tag, which a settings change purges: one more marker read, in parallel.
  const markers = await Promise.all(tags.map((tag) => cache.match(new Request(purgeMarkerKey(tag)))));
  let purged = false;
  for (const marker of markers) {
    if (!marker) continue;
    if (Number(marker.headers.get(PURGED_AT)) >= storedAt) purged = true;
    await marker.body?.cancel();
  }
  return purged;
}

async function lookup(cache: Cache, key: string, now: number): Promise<Entry | null> {
  const response = await cache.match(new Request(key));
  if (!response) return null;
  const storedAt = Number(response.headers.get(STORED_AT));
  const tags = (response.headers.get("cache-tag") ?? "").split(",").filter(Boolean);
  if (!Number.isFinite(storedAt) || (await purgedSince(cache, tags, storedAt))) {
    await response.body?.cancel();
    return null;
  }
  return {
    storedAt,
    ageSeconds: Math.max(0, Math.floor((now - storedAt) / 1000)),
    response,
    head: {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "text/html; charset=utf-8",
      etag: response.headers.get("etag") ?? "",
      shareable: true,
      tags,
    },
  };
}

/** How long the Worker keeps a page (fresh, then stale): a purge marker must outlive every page it covers. */
function keepSeconds(policy: SiteCachePolicy): number {
  return policy.freshSeconds + policy.staleWhileRevalidateSeconds + policy.staleIfErrorSeconds;
}

async function store(
  cache: Cache,
  key: string,
  page: RenderedPage,
  policy: SiteCachePolicy,
  now: number,
): Promise<void> {
  const keep = keepSeconds(policy);
  await cache.put(
    new Request(key),
    new Response(page.body, {
      status: page.status,
      headers: {
        "content-type": page.contentType,
        etag: page.etag,
        // The Worker's copy outlives its freshness so it can be served stale; freshness is judged from STORED_AT.
        "cache-control": `public, s-maxage=${keep}`,
        "cache-tag": page.tags.join(","),
        [STORED_AT]: String(now),
      },
    }),
  );
}

export interface CachedRenderOptions {
  /** null: do not use the cache (signed-in reader, or the cache is turned off). */
  cache: Cache | null;
  key: string;
  policy: SiteCachePolicy;
  /** The reader's If-None-Match header: when it matches a cached page, the page's body is never read. */
  ifNoneMatch?: string | undefined;
  /** The request being answered: a micro-cache hit notes its key on it for `rememberAnswer`. */
  request?: Request;
  render: () => Promise<RenderedPage>;
  waitUntil: (promise: Promise<unknown>) => void;
  onBackgroundError: (error: unknown) => void;
}

/**
 * Serves a page from the micro-cache or the Worker cache when it may, renders it otherwise, and keeps what may
 * be shared in both. Only anonymous readers of cacheable pages get here with a cache: signed-in readers,
 * search and `professional` pages (not shareable) never reach either layer.
 */
export async function cachedRender(options: CachedRenderOptions): Promise<CachedResult> {
  const { cache, key, policy, ifNoneMatch } = options;
  const rendered = (page: RenderedPage, state: CacheState): CachedResult => ({
    page,
    state,
    layer: null,
    ageSeconds: null,
    notModified: page.status === 200 && matchesIfNoneMatch(ifNoneMatch, page.etag),
  });
  if (!cache || policy.freshSeconds === 0) return rendered(await options.render(), "bypass");
  const now = Date.now();

  const micro = policy.microSeconds > 0 ? microCache.get(key, now) : null;
  if (micro) {
    if (options.request) answeredFrom.set(options.request, key);
    const ageSeconds = Math.max(0, Math.floor((now - micro.renderedAt) / 1000));
    return { ...rendered(micro.page, "hit"), layer: "micro", ageSeconds };
  }

  const entry = await lookup(cache, key, now).catch(() => null);
  // A page is stamped with the instant its render started: one that read the database before a change committed
  // is then older than that change's purge marker, even when it is stored after the purge.
  const keepAfterRender = (page: RenderedPage, startedAt: number): Promise<unknown> => {
    remember(key, page, startedAt, policy, Date.now());
    return page.shareable && page.status === 200
      ? store(cache, key, page, policy, startedAt)
      : cache.delete(new Request(key));
  };
  /** The cached page as served: without reading its body when the reader already holds it (304). */
  const fromEdge = async (found: Entry, state: CacheState): Promise<CachedResult> => {
    const result = { state, layer: "edge" as const, ageSeconds: found.ageSeconds };
    if (found.head.status === 200 && matchesIfNoneMatch(ifNoneMatch, found.head.etag)) {
      await found.response.body?.cancel();
      return { ...result, page: { ...found.head, body: NO_BODY }, notModified: true };
    }
    const page = { ...found.head, body: new Uint8Array(await found.response.arrayBuffer()) };
    if (state === "hit") remember(key, page, found.storedAt, policy, now);
    return { ...result, page, notModified: false };
  };

  if (entry && entry.ageSeconds < policy.freshSeconds) return fromEdge(entry, "hit");
  if (entry && entry.ageSeconds < policy.freshSeconds + policy.staleWhileRevalidateSeconds) {
    const startedAt = Date.now();
    options.waitUntil(
      options
        .render()
        .then((page) => keepAfterRender(page, startedAt))
        .catch(options.onBackgroundError),
    );
    return fromEdge(entry, "stale");
  }
  let page: RenderedPage;
  const startedAt = Date.now();
  try {
    page = await options.render();
  } catch (error) {
    if (
      entry &&
      entry.ageSeconds < policy.freshSeconds + policy.staleWhileRevalidateSeconds + policy.staleIfErrorSeconds
    ) {
      options.onBackgroundError(error);
      return fromEdge(entry, "stale");
    }
    throw error;
  }
  await entry?.response.body?.cancel();
  options.waitUntil(keepAfterRender(page, startedAt).catch(options.onBackgroundError));
  return rendered(page, "miss");
}

// ---------------------------------------------------------------------------------------------------
// Cache tags and purge rules
// ---------------------------------------------------------------------------------------------------

export const cacheTags = {
  tenant: (tenantId: string) => `tenant:${tenantId}`,
  content: (contentId: string) => `content:${contentId}`,
  /** A public image's URLs and every page that shows it. */
  media: (mediaId: string) => `media:${mediaId}`,
  list: (tenantId: string, locale: ContentLocale, list: string) =>
    `list:${tenantId}:${segmentOfLocale(locale)}:${list}`,
  /** The sitemap index; each locale's list files carry `list(tenant, locale, "sitemap")`. */
  sitemap: (tenantId: string) => `list:${tenantId}:sitemap`,
  /** One file of a locale's sitemap items. */
  sitemapFile: (tenantId: string, locale: ContentLocale, file: number) =>
    `list:${tenantId}:${segmentOfLocale(locale)}:sitemap:${file}`,
} as const;

/**
 * The purge rules, as data: the Cache-Tags of the pages a changed item shows in. An item that is published,
 * changed, unpublished, archived or trashed shows in
 *   its own page, under any slug it had (`content:<id>`), and its translations' pages (their hreflang alternates);
 *   every page of the home list and the feeds of its locale (`…:home`, `…:feed`), of its categories' lists and
 *   feeds (`…:category:<slug>`), its tags' and its author's lists;
 *   the sitemap index (`list:<tenant>:sitemap`), the locale's list files (`list:<tenant>:<locale>:sitemap`), the
 *   item file of its `wp_id` (files are fixed `wp_id` ranges: an item entering or leaving moves no other item), and
 *   the file of each translation (its alternates changed).
 * A handful of tags per item, whatever the lists' length: purge work does not grow with the site.
 * Search results are not kept in the Worker cache (s-maxage only), so they need no purge.
 */
export function purgeTags(tenantId: string, footprints: ContentFootprint[]): string[] {
  const tags = new Set<string>();
  for (const item of footprints) {
    const { locale } = item;
    tags.add(cacheTags.content(item.id));
    tags.add(cacheTags.sitemap(tenantId));
    tags.add(cacheTags.list(tenantId, locale, "sitemap"));
    tags.add(cacheTags.sitemapFile(tenantId, locale, sitemapFileOf(item.wpId)));
    for (const sibling of item.translations) {
      tags.add(cacheTags.content(sibling.id));
      tags.add(cacheTags.sitemapFile(tenantId, sibling.locale, sitemapFileOf(sibling.wpId)));
    }
    if (!contentTypes[item.type].listed) continue;
    tags.add(cacheTags.list(tenantId, locale, "home"));
    tags.add(cacheTags.list(tenantId, locale, "feed"));
    for (const slug of item.categorySlugs) tags.add(cacheTags.list(tenantId, locale, `category:${slug}`));
    for (const slug of item.tagSlugs) tags.add(cacheTags.list(tenantId, locale, `tag:${slug}`));
    if (item.authorSlug) tags.add(cacheTags.list(tenantId, locale, `author:${item.authorSlug}`));
  }
  return [...tags];
}

/** The cache this Worker keeps pages in; null where the Cache API does not exist (Node unit tests). */
export function siteCache(): Cache | null {
  // `default` is the Workers runtime's own cache; the type says so for the unit tests' DOM typings too.
  return typeof caches === "undefined" ? null : (caches as CacheStorage & { default: Cache }).default;
}

/**
 * Purges the tags in this data centre's Worker cache (a marker per tag, kept as long as any page it covers) and
 * in this isolate's micro-cache. Other isolates follow within the micro-cache's lifetime; other data centres and
 * Cloudflare's CDN through the purge API (services/cdn-purge.ts).
 */
export async function purgeTagsLocally(cache: Cache | null, tags: string[], policy: SiteCachePolicy): Promise<void> {
  forgetMicroCachedTags(tags);
  if (!cache) return;
  const now = String(Date.now());
  await Promise.all(
    tags.map((tag) =>
      cache.put(
        new Request(purgeMarkerKey(tag)),
        new Response("", { headers: { "cache-control": `public, s-maxage=${keepSeconds(policy)}`, [PURGED_AT]: now } }),
      ),
    ),
  );
}
