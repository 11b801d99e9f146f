/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { ContentLocale, ContentType } from "../../../schema";
import type { AppBindings } from "../../bindings";
import { allContentTypes } from "../../content-types";
import { limitBody, KiB } from "../../middleware/body-limit";
import { protect } from "../../middleware/protect";
import { carriesSiteSession, clearSiteSessionCookie } from "../../middleware/site-session";
import { UnauthorizedError } from "../../lib/errors";
import {
  type CachedResult,
  cachedRender,
  cacheKey,
  cacheTags,
  PRIVATE_CACHE_CONTROL,
  publicCacheControl,
  type RenderedPage,
  renderedPage,
  siteCache,
  type SiteCachePolicy,
  sitePolicy,
} from "../../services/site-cache";
import { getPrivacyPage } from "../../services/privacy-notice";
import {
  getSiteArticle,
  type ListFilter,
  listSiteItems,
  primaryHostname,
  searchSite,
  siteFeed,
  sitemapFiles,
  sitemapItems,
  sitemapLists,
} from "../../services/site";
import { localeOfSegment, negotiateSegment, SITE_LOCALES, STRINGS } from "../../site/i18n";
import { type Alternate, type HeadMeta, Layout } from "../../site/layout";
import { medicalReviewOf, medicalWebPageOf } from "../../site/json-ld";
import { ArticleView, ListView, MessageView, PrivacyView } from "../../site/pages";
import { SITE_CSS, SITE_CSS_PATH } from "../../site/styles";
import { imageWidthsFor, type SiteImage } from "../../image-urls";
import { MAX_PAGE, PAGE_SIZE, SITEMAP_FILE_URLS, sitePaths, withPage } from "../../site/urls";
import { atomFeed, localeSitemap, robotsTxt, rssFeed, sitemapIndex } from "../../site/xml";
import { servePublicImage } from "./media";
import { accountRouter } from "./account";
import { HTML, htmlDocument, type SiteContext, siteOf } from "./document";

/**
 * The public site: server-rendered pages per tenant (by hostname) and locale (`/pt-br/…`, `/en/…`,
 * `/es/…`), feeds, sitemaps and robots.txt. Anonymous readers are served from the Worker cache
 * (services/site-cache.ts); signed-in readers always get a fresh, private render, since what they may
 * read depends on their credential. Mounted last, so its catch-all 404 never hides an API route.
 */
export const siteRouter = new Hono<AppBindings>();

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// Grouped: Hono splices a param's pattern into its route regex as written, so a bare alternation leaks.
const LOCALE_SEGMENTS = `(?:${SITE_LOCALES.map((entry) => entry.segment).join("|")})`;
// A signed-in reader may be a verified professional: their requests go through the trust decision for
// professional content (revocation, rate limit, trust score), as the API's would. Anonymous readers skip it.
// A site session that was revoked (signed out elsewhere, a password change, a disabled membership) loses its
// cookie and the page is read again signed out, rather than answering a reader's page with a 401 problem.
const professionalRead = protect({ sensitivity: "professional", action: "read" });
siteRouter.use("*", async (c, next) => {
  if (c.get("scope").actor.kind !== "user") return next();
  if (!c.get("siteSession")) return professionalRead(c, next);
  let allowed = false;
  try {
    await professionalRead(c, async () => {
      allowed = true;
    });
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  if (allowed) return next();
  clearSiteSessionCookie(c);
  c.header("cache-control", "no-store");
  return c.redirect(c.req.method === "GET" || c.req.method === "HEAD" ? c.req.url : "/", 303);
});

// Site forms are small: a body is bounded before a route parses it, as the API's are.
siteRouter.post("*", limitBody(16 * KiB));
siteRouter.route("/", accountRouter);

// ---------------------------------------------------------------------------------------------------
// Plumbing: policy, origin, rendering, responding
// ---------------------------------------------------------------------------------------------------

/** SITE_CACHE_SECONDS and SITE_MICRO_CACHE_SECONDS as env.ts parsed them; unset means sitePolicy's defaults. */
function policyOf(c: SiteContext): SiteCachePolicy {
  const site = c.get("scope").section("site");
  return sitePolicy(site.cacheSeconds, site.microCacheSeconds);
}

/**
 * Whether the reader may be served from, and stored in, the shared caches: nobody signed in, and no session
 * cookie at all (even one that no longer verifies), so a page rendered for a session never reaches another reader
 * and a reader with a session never gets a copy rendered for someone else.
 */
function isAnonymous(c: SiteContext): boolean {
  return c.get("scope").actor.kind !== "user" && !carriesSiteSession(c);
}

/**
 * The origin absolute URLs use: the tenant's primary hostname, so every hostname's copy says the same. The request's
 * URL is already in its serialised form (scheme, `//`, host, path), so its origin is read off the string rather than
 * parsed again.
 */
async function siteOrigin(c: SiteContext): Promise<string> {
  const url = c.req.url;
  const hostStart = url.indexOf("//") + 2;
  const pathStart = url.indexOf("/", hostStart);
  const origin = pathStart === -1 ? url : url.slice(0, pathStart);
  const primary = await primaryHostname(c.get("scope"));
  if (!primary) return origin;
  // The host without its port; an IPv6 literal keeps its brackets, as URL's `hostname` does.
  const host = origin.slice(hostStart);
  const portStart = host.lastIndexOf(":");
  const hostname = portStart > host.lastIndexOf("]") ? host.slice(0, portStart) : host;
  return primary === hostname ? origin : `${url.slice(0, hostStart)}${primary}`;
}

function respond(c: SiteContext, result: CachedResult, policy: SiteCachePolicy, anonymous: boolean): Response {
  const { page } = result;
  const shared = page.shareable && anonymous;
  // One plain record, handed to the Response once: each `Headers` call is a trip into the runtime.
  const headers: Record<string, string> = { "x-vitalis-cache": result.state };
  // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would have, not its Content-Type.
  if (!result.notModified) headers["content-type"] = page.contentType;
  if (result.layer) headers["x-vitalis-cache-layer"] = result.layer;
  if (page.etag) headers.etag = page.etag;
  if (page.status === 404) {
    // Not kept by the Worker; a minute at the CDN shields the database from crawlers of dead links.
    headers["cache-control"] = shared ? "public, max-age=0, s-maxage=60" : PRIVATE_CACHE_CONTROL;
  } else {
    headers["cache-control"] = shared ? publicCacheControl(policy) : PRIVATE_CACHE_CONTROL;
  }
  if (shared && page.tags.length > 0) headers["cache-tag"] = page.tags.join(",");
  if (result.ageSeconds !== null) headers.age = String(result.ageSeconds);
  if (result.notModified) return new Response(null, { status: 304, headers });
  return new Response(page.body, { status: page.status, headers });
}

async function unavailable(c: SiteContext, locale: ContentLocale): Promise<Response> {
  const t = STRINGS[locale];
  const body = await htmlDocument(
    <Layout
      locale={locale}
      {...siteOf(c)}
      meta={{
        title: t.unavailableTitle,
        description: t.unavailableText,
        canonical: null,
        alternates: [],
        ogType: "website",
        noindex: true,
      }}
    >
      <MessageView title={t.unavailableTitle} text={t.unavailableText} locale={locale} />
    </Layout>,
  );
  return new Response(body, {
    status: 503,
    headers: { "content-type": HTML, "cache-control": "no-store", "retry-after": "30" },
  });
}

/**
 * Serves one public document: from the Worker cache when the reader is anonymous and the copy is fresh
 * (or stale and the database is failing), rendered otherwise. A render that fails with nothing cached is
 * a 503 page, not a problem+json 500: readers get HTML and a Retry-After.
 */
async function serve(
  c: SiteContext,
  locale: ContentLocale,
  path: string,
  render: () => Promise<RenderedPage>,
  options: { cacheable?: boolean } = {},
): Promise<Response> {
  const policy = policyOf(c);
  const anonymous = isAnonymous(c);
  const cache = options.cacheable === false || !anonymous ? null : siteCache();
  try {
    const result = await cachedRender({
      cache,
      key: cacheKey(c.get("scope").tenant.id, path),
      policy,
      ifNoneMatch: c.req.header("if-none-match"),
      request: c.req.raw,
      render,
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
      onBackgroundError: (error) =>
        c.get("logger").warn("site cache: serving stale or background render failed", { error, path }),
    });
    return respond(c, result, policy, anonymous);
  } catch (error) {
    c.get("logger").error("site render failed", { error, path });
    return unavailable(c, locale);
  }
}

async function notFoundPage(c: SiteContext, locale: ContentLocale): Promise<RenderedPage> {
  const t = STRINGS[locale];
  const body = await htmlDocument(
    <Layout
      locale={locale}
      {...siteOf(c)}
      meta={{
        title: t.notFoundTitle,
        description: t.notFoundText,
        canonical: null,
        alternates: [],
        ogType: "website",
        noindex: true,
      }}
    >
      <MessageView title={t.notFoundTitle} text={t.notFoundText} locale={locale} />
    </Layout>,
  );
  return renderedPage(body, {
    status: 404,
    contentType: HTML,
    shareable: true,
    tags: [cacheTags.tenant(c.get("scope").tenant.id)],
  });
}

/** The featured image for social previews and JSON-LD: an absolute URL at 1280 px (or the original's width). */
function socialImage(origin: string, image: SiteImage): NonNullable<HeadMeta["image"]> {
  const width = imageWidthsFor(image.width).find((step) => step >= 1280) ?? imageWidthsFor(image.width).at(-1) ?? 1280;
  const shown = Math.min(width, image.width);
  return {
    url: origin + sitePaths.image(image, width),
    width: shown,
    height: Math.round((image.height * shown) / image.width),
    alt: image.alt,
  };
}

function describe(text: string, fallback: string): string {
  const source = text.trim() || fallback;
  return source.length <= 160 ? source : `${source.slice(0, 157).trimEnd()}…`;
}

/** `?page=n`: 1 when absent; null (a 404) when malformed or beyond the deepest page served. */
function pageParam(c: SiteContext): number | null {
  const raw = c.req.query("page");
  if (raw === undefined) return 1;
  if (!/^\d{1,4}$/.test(raw)) return null;
  const page = Number(raw);
  return page >= 1 && page <= MAX_PAGE ? page : null;
}

function localeParam(c: SiteContext): ContentLocale {
  return localeOfSegment(c.req.param("locale") ?? "") ?? "pt-BR";
}

/**
 * Directory-style pages are canonical with a trailing slash. The app's router matches without regard to
 * it (strict: false), so the raw URL decides: one permanent redirect to the slashed form.
 */
function slashRedirect(c: SiteContext): Response | null {
  // The serialised URL's path ends where its query starts (a request carries no fragment): most requests are
  // already canonical and need no parse.
  const raw = c.req.url;
  const queryStart = raw.indexOf("?");
  if (raw.charCodeAt((queryStart === -1 ? raw.length : queryStart) - 1) === 47 /* "/" */) return null;
  const url = new URL(raw);
  return url.pathname.endsWith("/") ? null : c.redirect(`${url.pathname}/${url.search}`, 301);
}

function homeAlternates(origin: string): Alternate[] {
  return [
    ...SITE_LOCALES.map((entry) => ({ hreflang: entry.locale, href: origin + sitePaths.home(entry.locale) })),
    // The root negotiates the language (below): the right target for "no better match" (x-default).
    { hreflang: "x-default", href: `${origin}/` },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Root, assets, robots, sitemaps
// ---------------------------------------------------------------------------------------------------

// The root picks a locale from Accept-Language, and only the root does: every other URL names its locale,
// so it can be cached and shared. 302 (the choice depends on the reader) with Vary (RFC 9110 §12.5.5).
siteRouter.get("/", (c) => {
  const segment = negotiateSegment(c.req.header("accept-language"));
  return new Response(null, {
    status: 302,
    headers: { location: `/${segment}/`, vary: "Accept-Language", "cache-control": "private, max-age=300" },
  });
});

siteRouter.get(
  SITE_CSS_PATH,
  () =>
    new Response(SITE_CSS, {
      headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=31536000, immutable" },
    }),
);

siteRouter.get("/robots.txt", (c) =>
  serve(c, "pt-BR", "/robots.txt", async () =>
    renderedPage(robotsTxt(await siteOrigin(c)), {
      status: 200,
      contentType: "text/plain; charset=utf-8",
      shareable: true,
      tags: [cacheTags.tenant(c.get("scope").tenant.id)],
    }),
  ),
);

const XML = "application/xml; charset=utf-8";

/** URLs per sitemap list file: SITEMAP_FILE_URLS as env.ts parsed it, or the protocol-safe default. */
function sitemapFileUrls(c: SiteContext): number {
  return c.get("scope").section("site").sitemapFileUrls ?? SITEMAP_FILE_URLS;
}

siteRouter.get("/sitemap.xml", (c) =>
  serve(c, "pt-BR", sitePaths.sitemapIndex(), async () => {
    const origin = await siteOrigin(c);
    const files = await sitemapFiles(c.get("scope"), { fileUrls: sitemapFileUrls(c) });
    return renderedPage(sitemapIndex(origin, files), {
      status: 200,
      contentType: XML,
      shareable: true,
      tags: [cacheTags.tenant(c.get("scope").tenant.id), cacheTags.sitemap(c.get("scope").tenant.id)],
    });
  }),
);

// `/sitemaps/pt-br-3.xml` (items) and `/sitemaps/pt-br-lists-1.xml` (home and lists); file numbers start at 1.
const SITEMAP_FILE = new RegExp(`^(${LOCALE_SEGMENTS})-(lists-)?([1-9]\\d{0,5})\\.xml$`);

siteRouter.get(`/sitemaps/:file{${LOCALE_SEGMENTS}-(?:lists-)?[1-9]\\d{0,5}\\.xml}`, (c) => {
  const [, segment = "", lists, number = "1"] = SITEMAP_FILE.exec(c.req.param("file")) ?? [];
  const locale = localeOfSegment(segment) ?? "pt-BR";
  const file = Number(number);
  const tenantId = c.get("scope").tenant.id;
  const path = lists ? sitePaths.sitemapLists(locale, file) : sitePaths.sitemap(locale, file);
  return serve(c, locale, path, async () => {
    const [origin, entries] = await Promise.all([
      siteOrigin(c),
      lists
        ? sitemapLists(c.get("scope"), { locale, file, fileUrls: sitemapFileUrls(c) })
        : sitemapItems(c.get("scope"), { locale, file }),
    ]);
    if (entries.length === 0) return notFoundPage(c, locale);
    return renderedPage(localeSitemap(origin, locale, entries), {
      status: 200,
      contentType: XML,
      shareable: true,
      tags: [
        cacheTags.tenant(tenantId),
        lists ? cacheTags.list(tenantId, locale, "sitemap") : cacheTags.sitemapFile(tenantId, locale, file),
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Feeds
// ---------------------------------------------------------------------------------------------------

function feedRoute(kind: "rss" | "atom", byCategory: boolean) {
  return async (c: SiteContext): Promise<Response> => {
    const locale = localeParam(c);
    const categorySlug = byCategory ? (c.req.param("slug") ?? "") : null;
    if (categorySlug !== null && !SLUG.test(categorySlug))
      return serve(c, locale, c.req.path, () => notFoundPage(c, locale), { cacheable: false });
    const path =
      kind === "rss"
        ? sitePaths.rss(locale, categorySlug ?? undefined)
        : sitePaths.atom(locale, categorySlug ?? undefined);
    return serve(c, locale, path, async () => {
      const feed = await siteFeed(c.get("scope"), { locale, categorySlug });
      if (!feed) return notFoundPage(c, locale);
      const origin = await siteOrigin(c);
      const siteName = c.get("scope").tenant.name;
      const title = feed.term ? `${feed.term.name} — ${siteName}` : siteName;
      const link = origin + (categorySlug ? sitePaths.category(locale, categorySlug) : sitePaths.home(locale));
      const channel = {
        title,
        description: feed.term?.description || STRINGS[locale].siteDescription(siteName),
        locale,
        link,
        self: origin + path,
        origin,
        items: feed.items,
      };
      const body = kind === "rss" ? rssFeed(channel) : atomFeed({ ...channel, id: origin + path });
      const tags = [
        cacheTags.tenant(c.get("scope").tenant.id),
        cacheTags.list(c.get("scope").tenant.id, locale, categorySlug ? `category:${categorySlug}` : "feed"),
      ];
      return renderedPage(body, {
        status: 200,
        contentType: kind === "rss" ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8",
        shareable: true,
        tags,
      });
    });
  };
}

siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/feed.xml`, feedRoute("rss", false));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/atom.xml`, feedRoute("atom", false));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/category/:slug/feed.xml`, feedRoute("rss", true));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/category/:slug/atom.xml`, feedRoute("atom", true));

// ---------------------------------------------------------------------------------------------------
// Lists: home, category, tag, author
// ---------------------------------------------------------------------------------------------------

function listRoute(kind: "home" | "category" | "tag" | "author") {
  return async (c: SiteContext): Promise<Response> => {
    const redirect = slashRedirect(c);
    if (redirect) return redirect;
    const locale = localeParam(c);
    const slug = kind === "home" ? null : (c.req.param("slug") ?? "");
    const page = pageParam(c);
    if (page === null || (slug !== null && !SLUG.test(slug)))
      return serve(c, locale, c.req.path, () => notFoundPage(c, locale), { cacheable: false });
    const basePath =
      slug === null ? sitePaths.home(locale) : kind === "home" ? sitePaths.home(locale) : sitePaths[kind](locale, slug);
    return serve(c, locale, withPage(basePath, page), async () => {
      const t = STRINGS[locale];
      const filter: ListFilter = kind === "home" || slug === null ? null : { kind, slug };
      const list = await listSiteItems(c.get("scope"), { locale, filter, page });
      const totalPages = Math.max(1, Math.ceil((list?.total ?? 0) / PAGE_SIZE));
      if (!list || page > totalPages) return notFoundPage(c, locale);
      const origin = await siteOrigin(c);
      const siteName = c.get("scope").tenant.name;
      const label = kind === "category" ? t.category : kind === "tag" ? t.tag : kind === "author" ? t.author : "";
      const heading = list.term ? list.term.name : siteName;
      const meta: HeadMeta = {
        title: list.term ? `${label}: ${list.term.name}` : siteName,
        description: describe(list.term?.description ?? "", t.siteDescription(siteName)),
        canonical: origin + withPage(basePath, page),
        alternates: kind === "home" && page === 1 ? homeAlternates(origin) : [],
        ogType: "website",
        ...(kind === "home" || kind === "category"
          ? {
              feeds: {
                rss: sitePaths.rss(locale, slug ?? undefined),
                atom: sitePaths.atom(locale, slug ?? undefined),
                title: heading,
              },
            }
          : {}),
      };
      const body = await htmlDocument(
        <Layout locale={locale} {...siteOf(c)} meta={meta}>
          <ListView
            locale={locale}
            heading={heading}
            {...(kind === "home"
              ? { intro: t.siteDescription(siteName) }
              : list.term?.description
                ? { intro: list.term.description }
                : {})}
            items={list.items}
            path={basePath}
            page={page}
            totalPages={totalPages}
            empty={t.noItems}
          />
        </Layout>,
      );
      return renderedPage(body, {
        status: 200,
        contentType: HTML,
        shareable: true,
        tags: [
          cacheTags.tenant(c.get("scope").tenant.id),
          cacheTags.list(c.get("scope").tenant.id, locale, slug === null ? "home" : `${kind}:${slug}`),
          ...list.items.flatMap((item) => (item.featuredImage ? [cacheTags.media(item.featuredImage.id)] : [])),
        ],
      });
    });
  };
}

siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}`, listRoute("home"));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/category/:slug`, listRoute("category"));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/tag/:slug`, listRoute("tag"));
siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/author/:slug`, listRoute("author"));

// ---------------------------------------------------------------------------------------------------
// Search: never shared. A reader's query can itself be health data ("HIV tratamento"), so results are
// private, no-store (LGPD Art. 6 III, necessity) and noindex.
// ---------------------------------------------------------------------------------------------------

siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/search`, async (c) => {
  const locale = localeParam(c);
  const q = (c.req.query("q") ?? "").trim().slice(0, 200);
  const page = pageParam(c);
  if (page === null) return serve(c, locale, c.req.path, () => notFoundPage(c, locale), { cacheable: false });
  return serve(
    c,
    locale,
    sitePaths.search(locale),
    async () => {
      const t = STRINGS[locale];
      const results = q ? await searchSite(c.get("scope"), { locale, q, page }) : { items: [], total: 0 };
      const heading = q ? t.searchResultsFor(q) : t.search;
      const body = await htmlDocument(
        <Layout
          locale={locale}
          {...siteOf(c)}
          searchQuery={q}
          meta={{
            title: heading,
            description: t.searchLabel,
            canonical: null,
            alternates: [],
            ogType: "website",
            noindex: true,
          }}
        >
          <ListView
            locale={locale}
            heading={heading}
            items={results.items}
            path={sitePaths.search(locale)}
            page={page}
            totalPages={Math.max(1, Math.ceil(results.total / PAGE_SIZE))}
            query={q}
            empty={q ? t.noResults : ""}
          />
        </Layout>,
      );
      return renderedPage(body, { status: 200, contentType: HTML, shareable: false, tags: [] });
    },
    { cacheable: false },
  );
});

// ---------------------------------------------------------------------------------------------------
// Privacy: the notice and the DPO's contact per locale, at the locale's own word (`/pt-br/privacidade/`,
// `/en/privacy/`, `/es/privacidad/`). Registered before the articles, so a page with that slug cannot hide it.
// It shows only the settings, so it carries only the tenant's tag, which a settings change purges.
// ---------------------------------------------------------------------------------------------------

for (const entry of SITE_LOCALES) {
  const path = sitePaths.privacy(entry.locale);
  siteRouter.get(path.replace(/\/$/, ""), async (c) => {
    const redirect = slashRedirect(c);
    if (redirect) return redirect;
    const locale = entry.locale;
    return serve(c, locale, path, async () => {
      const t = STRINGS[locale];
      const [origin, page] = [await siteOrigin(c), await getPrivacyPage(c.get("scope"), locale)];
      const meta: HeadMeta = {
        title: t.privacy,
        description: describe(t.privacyIntro(c.get("scope").tenant.name), t.privacy),
        canonical: origin + path,
        alternates: SITE_LOCALES.map((other) => ({
          hreflang: other.locale,
          href: origin + sitePaths.privacy(other.locale),
        })),
        ogType: "website",
      };
      const body = await htmlDocument(
        <Layout locale={locale} {...siteOf(c)} meta={meta}>
          <PrivacyView page={page} locale={locale} />
        </Layout>,
      );
      return renderedPage(body, {
        status: 200,
        contentType: HTML,
        shareable: true,
        tags: [cacheTags.tenant(c.get("scope").tenant.id)],
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// Articles: each content type at its site path (functions/content-types.ts): posts at /<locale>/posts/<slug>/,
// pages at /<locale>/<slug>/
// ---------------------------------------------------------------------------------------------------

function articleRoute(type: ContentType) {
  return async (c: SiteContext): Promise<Response> => {
    const redirect = slashRedirect(c);
    if (redirect) return redirect;
    const locale = localeParam(c);
    const slug = c.req.param("slug") ?? "";
    if (!SLUG.test(slug)) return serve(c, locale, c.req.path, () => notFoundPage(c, locale), { cacheable: false });
    const path = sitePaths.item(locale, type, slug);
    return serve(c, locale, path, async () => {
      const article = await getSiteArticle(c.get("scope"), { locale, type, slug });
      if (!article) return notFoundPage(c, locale);
      const origin = await siteOrigin(c);
      const own = origin + path;
      // The editors' canonical override (an absolute https URL, checked on save) names the URL to index.
      const canonical = article.canonicalUrl ?? own;
      const t = STRINGS[locale];
      const jsonLd = medicalWebPageOf(article.jsonLd);
      const image = article.featuredImage ? socialImage(origin, article.featuredImage) : null;
      const meta: HeadMeta = {
        title: article.title,
        ...(article.metaTitle ? { documentTitle: article.metaTitle } : {}),
        description:
          article.metaDescription ?? describe(article.excerpt, t.siteDescription(c.get("scope").tenant.name)),
        canonical,
        alternates:
          article.translations.length > 0
            ? [
                { hreflang: locale, href: own },
                ...article.translations.map((tr) => ({
                  hreflang: tr.locale,
                  href: origin + sitePaths.item(tr.locale, tr.type, tr.slug),
                })),
              ]
            : [],
        ogType: "article",
        publishedTime: article.publishedAt,
        modifiedTime: article.updatedAt,
        // A teaser is not the article: search engines must not index it as if it were (Google's paywall guidance).
        // Editors may keep an item out of search engines (`noindex`; it is left out of the sitemap too).
        noindex: article.gated || article.noindex,
        // The JSON-LD summarises the body, so a reader who may not read the body does not get it either.
        ...(jsonLd && !article.gated
          ? {
              jsonLd: {
                ...jsonLd,
                ...medicalReviewOf(article),
                url: canonical,
                ...(image
                  ? {
                      image: {
                        "@type": "ImageObject",
                        url: image.url,
                        width: image.width,
                        height: image.height,
                        caption: image.alt,
                      },
                    }
                  : {}),
              },
            }
          : {}),
        ...(image ? { image } : {}),
      };
      const signInHref = `${sitePaths.signIn(locale)}?next=${encodeURIComponent(path)}`;
      const body = await htmlDocument(
        <Layout locale={locale} {...siteOf(c)} meta={meta}>
          <ArticleView article={article} signInHref={signInHref} />
        </Layout>,
      );
      return renderedPage(body, {
        status: 200,
        contentType: HTML,
        // Only `public` content is ever stored in a shared cache; `professional` is private even as a teaser.
        shareable: article.complianceLevel === "public",
        tags: [
          cacheTags.tenant(c.get("scope").tenant.id),
          cacheTags.content(article.id),
          ...article.imageIds.map((id) => cacheTags.media(id)),
        ],
      });
    });
  };
}

// Each type at its registry path: `posts/:slug` and `:slug` differ in depth, so neither shadows the other.
for (const spec of allContentTypes) {
  siteRouter.get(`/:locale{${LOCALE_SEGMENTS}}/${spec.sitePath(":slug").replace(/\/$/, "")}`, articleRoute(spec.type));
}

// ---------------------------------------------------------------------------------------------------
// Public images: only media an editor marked public, of no data subject (routes/site/media.ts)
// ---------------------------------------------------------------------------------------------------

siteRouter.get("/media/:id/:file", servePublicImage);

// ---------------------------------------------------------------------------------------------------
// Everything else: API prefixes fall through to the app's problem+json 404; site paths get an HTML one.
// ---------------------------------------------------------------------------------------------------

siteRouter.all("*", async (c, next) => {
  const path = c.req.path;
  if (/^\/(?:api|wp-json|\.well-known)(?:\/|$)/.test(path) || (c.req.method !== "GET" && c.req.method !== "HEAD"))
    return next();
  const localeMatch = new RegExp(`^/(${LOCALE_SEGMENTS})(?:/|$)`).exec(path);
  const locale = localeOfSegment(localeMatch?.[1] ?? negotiateSegment(c.req.header("accept-language"))) ?? "pt-BR";
  const response = await serve(c, locale, path, () => notFoundPage(c, locale), { cacheable: false });
  if (!localeMatch) response.headers.set("vary", "Accept-Language");
  return response;
});
