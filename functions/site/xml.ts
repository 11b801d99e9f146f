import type { ContentLocale } from "../../schema";
import { escapeToBuffer } from "hono/utils/html";
import type { SiteItemSummary, SitemapEntry, SitemapFile } from "../services/site";
import { SITE_LOCALES } from "./i18n";
import { sitePaths } from "./urls";

/**
 * Characters XML 1.0 does not allow anywhere, not even as references (§2.2 `Char`): C0 controls other than
 * tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. One of them in a title would make the whole feed
 * unparseable for every reader, so they are removed.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Feeds and sitemaps, written as strings. Every text and attribute goes through the escaper the JSX pages
 * use (`&`, `<`, `>`, `"`, `'` — all valid XML references), so titles like "A & B <2>" stay data, after the
 * characters XML forbids are removed.
 */
function text(value: string): string {
  const buffer: [string] = [""];
  escapeToBuffer(value.replace(NOT_XML_CHAR, ""), buffer);
  return buffer[0];
}

export interface FeedChannel {
  title: string;
  description: string;
  locale: ContentLocale;
  /** Absolute URL of the HTML page the feed mirrors. */
  link: string;
  /** Absolute URL of the feed itself. */
  self: string;
  origin: string;
  items: SiteItemSummary[];
}

const itemUrl = (origin: string, item: SiteItemSummary) => origin + sitePaths.item(item.locale, item.type, item.slug);

/** RSS 2.0 (https://www.rssboard.org/rss-specification), with an Atom self link as the RSS Advisory Board recommends. */
export function rssFeed(channel: FeedChannel): string {
  const built = channel.items[0]?.updatedAt ?? new Date(0);
  const items = channel.items
    .map((item) => {
      const url = itemUrl(channel.origin, item);
      return [
        "<item>",
        `<title>${text(item.title)}</title>`,
        `<link>${text(url)}</link>`,
        `<guid isPermaLink="true">${text(url)}</guid>`,
        `<pubDate>${item.publishedAt.toUTCString()}</pubDate>`,
        item.author ? `<dc:creator>${text(item.author.name)}</dc:creator>` : "",
        `<description>${text(item.excerpt)}</description>`,
        "</item>",
      ].join("");
    })
    .join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    "<channel>",
    `<title>${text(channel.title)}</title>`,
    `<link>${text(channel.link)}</link>`,
    `<description>${text(channel.description)}</description>`,
    `<language>${text(channel.locale)}</language>`,
    `<lastBuildDate>${built.toUTCString()}</lastBuildDate>`,
    `<atom:link href="${text(channel.self)}" rel="self" type="application/rss+xml"/>`,
    items,
    "</channel>",
    "</rss>",
  ].join("\n");
}

/** Atom (RFC 4287): entry ids are `urn:uuid:` of the content id, stable across slug changes (§4.2.6). */
export function atomFeed(channel: FeedChannel & { id: string }): string {
  const updated = (channel.items[0]?.updatedAt ?? new Date(0)).toISOString();
  const entries = channel.items
    .map((item) =>
      [
        "<entry>",
        `<id>urn:uuid:${item.id}</id>`,
        `<title>${text(item.title)}</title>`,
        `<link rel="alternate" type="text/html" href="${text(itemUrl(channel.origin, item))}"/>`,
        `<published>${item.publishedAt.toISOString()}</published>`,
        `<updated>${item.updatedAt.toISOString()}</updated>`,
        `<author><name>${text(item.author?.name ?? channel.title)}</name></author>`,
        `<summary>${text(item.excerpt)}</summary>`,
        "</entry>",
      ].join(""),
    )
    .join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${text(channel.locale)}">`,
    `<id>${text(channel.id)}</id>`,
    `<title>${text(channel.title)}</title>`,
    `<subtitle>${text(channel.description)}</subtitle>`,
    `<updated>${updated}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${text(channel.self)}"/>`,
    `<link rel="alternate" type="text/html" href="${text(channel.link)}"/>`,
    entries,
    "</feed>",
  ].join("\n");
}

const SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9";

/**
 * The sitemap index (sitemaps.org protocol): every file of every locale, each dated by its newest change. The
 * protocol allows 50,000 files an index; at 45,000 URLs a file that is billions of URLs.
 */
export function sitemapIndex(origin: string, files: SitemapFile[]): string {
  const entries = files
    .map(({ kind, locale, file, lastModified }) => {
      const path = kind === "items" ? sitePaths.sitemap(locale, file) : sitePaths.sitemapLists(locale, file);
      return `<sitemap><loc>${text(origin + path)}</loc><lastmod>${lastModified.toISOString()}</lastmod></sitemap>`;
    })
    .join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<sitemapindex xmlns="${SITEMAP_NS}">`,
    entries,
    "</sitemapindex>",
  ].join("\n");
}

function entryPath(locale: ContentLocale, path: SitemapEntry["path"]): string {
  switch (path.kind) {
    case "home":
      return sitePaths.home(locale);
    case "item":
      return sitePaths.item(locale, path.type, path.slug);
    case "category":
      return sitePaths.category(locale, path.slug);
    case "tag":
      return sitePaths.tag(locale, path.slug);
    case "author":
      return sitePaths.author(locale, path.slug);
  }
}

/**
 * One file of a locale's sitemap. Translations are listed as `xhtml:link rel="alternate" hreflang` on each URL,
 * including the URL itself, as Google's localized-versions guidance asks.
 */
export function localeSitemap(origin: string, locale: ContentLocale, entries: SitemapEntry[]): string {
  const urls = entries
    .map((entry) => {
      const loc = origin + entryPath(locale, entry.path);
      const alternates =
        entry.translations.length > 0
          ? [
              { locale, href: loc },
              ...entry.translations.map((t) => ({
                locale: t.locale,
                href: origin + sitePaths.item(t.locale, t.type, t.slug),
              })),
            ]
              .map((alt) => `<xhtml:link rel="alternate" hreflang="${text(alt.locale)}" href="${text(alt.href)}"/>`)
              .join("")
          : "";
      return `<url><loc>${text(loc)}</loc><lastmod>${entry.lastModified.toISOString()}</lastmod>${alternates}</url>`;
    })
    .join("\n");
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<urlset xmlns="${SITEMAP_NS}" xmlns:xhtml="http://www.w3.org/1999/xhtml">`,
    urls,
    "</urlset>",
  ].join("\n");
}

/** robots.txt (RFC 9309): everything public may be crawled except search results; the sitemap is named. */
export function robotsTxt(origin: string): string {
  return [
    "User-agent: *",
    "Disallow: /api/",
    "Disallow: /wp-json/",
    "Disallow: /admin/",
    ...SITE_LOCALES.map((entry) => `Disallow: /${entry.segment}/search`),
    "",
    `Sitemap: ${origin}${sitePaths.sitemapIndex()}`,
    "",
  ].join("\n");
}
