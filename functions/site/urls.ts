import type { ContentLocale, ContentType } from "../../schema";
import { contentTypes } from "../content-types";
import { imagePath } from "../image-urls";
import { privacySlugOf, segmentOfLocale } from "./i18n";

// A locale's URL segment (`pt-br`) is a URL rule too; code outside site/ reaches it through this module.
export { segmentOfLocale };

/**
 * The reader-account pages' slugs, in each locale's words: the site's address bar speaks the reader's language
 * (`/pt-br/entrar`, `/en/sign-in`, `/es/acceder`). Registered before the pages' `/<locale>/<slug>/`, so a page
 * with one of these slugs is shadowed by them.
 */
const ACCOUNT_SLUGS: Record<
  ContentLocale,
  { signIn: string; code: string; signOut: string; register: string; confirm: string }
> = {
  "pt-BR": { signIn: "entrar", code: "codigo", signOut: "sair", register: "cadastro", confirm: "confirmar" },
  en: { signIn: "sign-in", code: "code", signOut: "sign-out", register: "register", confirm: "confirm" },
  es: { signIn: "acceder", code: "codigo", signOut: "salir", register: "registro", confirm: "confirmar" },
};

/**
 * Every public URL of the site, in one place: the renderer links with these, and the purge rules
 * (services/site-cache.ts) delete exactly these, so a page and its purge can never disagree.
 * Paths end in "/" (directories), feeds and sitemaps in their extension.
 */
export const sitePaths = {
  home: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/`,
  item: (locale: ContentLocale, type: ContentType, slug: string) =>
    `/${segmentOfLocale(locale)}/${contentTypes[type].sitePath(slug)}`,
  category: (locale: ContentLocale, slug: string) => `/${segmentOfLocale(locale)}/category/${slug}/`,
  tag: (locale: ContentLocale, slug: string) => `/${segmentOfLocale(locale)}/tag/${slug}/`,
  author: (locale: ContentLocale, slug: string) => `/${segmentOfLocale(locale)}/author/${slug}/`,
  search: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/search`,
  /** The privacy notice and the DPO's contact (LGPD Art. 9, 41 §1), linked from every page's footer. */
  privacy: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/${privacySlugOf(locale)}/`,
  rss: (locale: ContentLocale, categorySlug?: string) =>
    categorySlug
      ? `/${segmentOfLocale(locale)}/category/${categorySlug}/feed.xml`
      : `/${segmentOfLocale(locale)}/feed.xml`,
  atom: (locale: ContentLocale, categorySlug?: string) =>
    categorySlug
      ? `/${segmentOfLocale(locale)}/category/${categorySlug}/atom.xml`
      : `/${segmentOfLocale(locale)}/atom.xml`,
  sitemapIndex: () => "/sitemap.xml",
  /** A locale's items, in files by fixed `wp_id` ranges (`sitemapFileOf`, numbered from 1). */
  sitemap: (locale: ContentLocale, file: number) => `/sitemaps/${segmentOfLocale(locale)}-${file}.xml`,
  /** A locale's home and its non-empty category, tag and author lists, `SITEMAP_FILE_URLS` a file. */
  sitemapLists: (locale: ContentLocale, file: number) => `/sitemaps/${segmentOfLocale(locale)}-lists-${file}.xml`,
  robots: () => "/robots.txt",
  /** A public image at one of `IMAGE_WIDTHS`, versioned by its hash: a new picture is a new URL (immutable). */
  image: imagePath,
  signIn: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/${ACCOUNT_SLUGS[locale].signIn}`,
  /** Sign-in's second step, for an account with a second factor. */
  signInCode: (locale: ContentLocale) =>
    `/${segmentOfLocale(locale)}/${ACCOUNT_SLUGS[locale].signIn}/${ACCOUNT_SLUGS[locale].code}`,
  signOut: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/${ACCOUNT_SLUGS[locale].signOut}`,
  register: (locale: ContentLocale) => `/${segmentOfLocale(locale)}/${ACCOUNT_SLUGS[locale].register}`,
  /** Where the confirmation e-mail's link lands; the token follows in the fragment (`#token=…`). */
  confirmRegistration: (locale: ContentLocale) =>
    `/${segmentOfLocale(locale)}/${ACCOUNT_SLUGS[locale].register}/${ACCOUNT_SLUGS[locale].confirm}`,
} as const;

/** A list page's URL: page 1 is the list itself, later pages add `?page=n`. */
export function withPage(path: string, page: number): string {
  return page > 1 ? `${path}?page=${page}` : path;
}

/** Items per list page (home, category, tag, author, search) and per feed. */
export const PAGE_SIZE = 10;
export const FEED_SIZE = 20;
/** The deepest list page served; deeper ones are 404 (and never need purging). */
export const MAX_PAGE = 500;
/**
 * URLs per sitemap list file (a locale's home and lists). The protocol allows 50,000 URLs and 50 MB a file
 * (sitemaps.org); 45,000 leaves room for long URLs. `SITEMAP_FILE_URLS` lowers it (tests split a handful of lists).
 */
export const SITEMAP_FILE_URLS = 45_000;

/**
 * Item files hold fixed `wp_id` ranges of this size (`sitemap_file(wp_id)` in migration 0028 says the same): wp ids
 * are one sequence for every tenant and never change, so an item's file follows from its own row, never moves, and
 * holds at most 45,000 URLs. Ranges with no indexable item of the locale are not listed.
 */
export const SITEMAP_FILE_WP_IDS = 45_000;

/** The item file (from 1) of the item with this wp id. */
export function sitemapFileOf(wpId: number): number {
  return Math.floor(wpId / SITEMAP_FILE_WP_IDS) + 1;
}

/** The wp ids item file `file` holds: from the first, up to (not including) the end. */
export function sitemapFileWpIds(file: number): [first: number, end: number] {
  return [(file - 1) * SITEMAP_FILE_WP_IDS, file * SITEMAP_FILE_WP_IDS];
}
