/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";
import type { ContentLocale } from "../../schema";
import { escapeHtml } from "../html-policy";
import type { TechnicalDirector } from "../shapes/tenant-settings";
import { SignOutForm } from "./account";
import { ACCOUNT_STRINGS, councilRegistration, ogLocale, SITE_LOCALES, STRINGS } from "./i18n";
import { serializeJsonLd } from "./json-ld";
import { SITE_CSS_PATH } from "./styles";
import { sitePaths } from "./urls";

export interface Alternate {
  hreflang: string;
  href: string;
}

export interface HeadMeta {
  title: string;
  /** The whole `<title>` and social title, as the editors wrote it (an article's meta title); default: title — site. */
  documentTitle?: string;
  description: string;
  /** Absolute canonical URL (null for pages that have none, like the 404). */
  canonical: string | null;
  alternates: Alternate[];
  ogType: "website" | "article";
  publishedTime?: Date;
  modifiedTime?: Date;
  noindex?: boolean;
  feeds?: { rss: string; atom: string; title: string };
  jsonLd?: unknown;
  /** The page's image for social previews (absolute URL), with its size and alt text. */
  image?: { url: string; width: number; height: number; alt: string };
}

export interface LayoutProps {
  locale: ContentLocale;
  siteName: string;
  /** The clinic's technical director from its settings (null: not set yet). */
  technicalDirector: TechnicalDirector | null;
  meta: HeadMeta;
  searchQuery?: string;
  /** A reader signed in on the site: the header offers sign-out (a form with their CSRF token) instead of sign-in. */
  signedIn?: { csrf: string };
  children?: Child;
}

/** An attribute value or text, escaped as hono/jsx escapes it (the same five characters, the same references). */
const e = escapeHtml;

/**
 * The `<head>`, written as a string: it is two dozen tags of plain text per page, and JSX's document-metadata
 * handling of each `<meta>`, `<link>` and `<title>` cost more than the rest of the frame. Byte for byte what the
 * JSX wrote (test/unit/site-pages.test.ts).
 */
function headHtml(locale: ContentLocale, siteName: string, meta: HeadMeta): string {
  const fullTitle = meta.documentTitle ?? (meta.title === siteName ? siteName : `${meta.title} — ${siteName}`);
  const socialTitle = e(meta.documentTitle ?? meta.title);
  const description = e(meta.description);
  let head = `<head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/><title>${e(fullTitle)}</title><meta name="description" content="${description}"/>`;
  if (meta.noindex) head += `<meta name="robots" content="noindex"/>`;
  if (meta.canonical) head += `<link rel="canonical" href="${e(meta.canonical)}"/>`;
  for (const alternate of meta.alternates)
    head += `<link rel="alternate" hreflang="${e(alternate.hreflang)}" href="${e(alternate.href)}"/>`;
  if (meta.feeds) {
    head += `<link rel="alternate" type="application/rss+xml" title="${e(`${meta.feeds.title} (RSS)`)}" href="${e(meta.feeds.rss)}"/>`;
    head += `<link rel="alternate" type="application/atom+xml" title="${e(`${meta.feeds.title} (Atom)`)}" href="${e(meta.feeds.atom)}"/>`;
  }
  head += `<link rel="stylesheet" href="${e(SITE_CSS_PATH)}"/><meta property="og:site_name" content="${e(siteName)}"/><meta property="og:type" content="${e(meta.ogType)}"/><meta property="og:title" content="${socialTitle}"/><meta property="og:description" content="${description}"/><meta property="og:locale" content="${e(ogLocale(locale))}"/>`;
  if (meta.canonical) head += `<meta property="og:url" content="${e(meta.canonical)}"/>`;
  if (meta.publishedTime)
    head += `<meta property="article:published_time" content="${meta.publishedTime.toISOString()}"/>`;
  if (meta.modifiedTime)
    head += `<meta property="article:modified_time" content="${meta.modifiedTime.toISOString()}"/>`;
  const image = meta.image;
  if (image) {
    head += `<meta property="og:image" content="${e(image.url)}"/><meta property="og:image:width" content="${image.width}"/><meta property="og:image:height" content="${image.height}"/><meta property="og:image:alt" content="${e(image.alt)}"/>`;
  }
  head += `<meta name="twitter:card" content="${image ? "summary_large_image" : "summary"}"/>`;
  if (image) head += `<meta name="twitter:image" content="${e(image.url)}"/>`;
  head += `<meta name="twitter:title" content="${socialTitle}"/><meta name="twitter:description" content="${description}"/>`;
  // serializeJsonLd escapes `<`, so the script cannot be closed from inside the data.
  if (meta.jsonLd) head += `<script type="application/ld+json">${serializeJsonLd(meta.jsonLd)}</script>`;
  return `${head}</head>`;
}

/** The skip link and the header up to the account link: the site's name and the reader's search vary. */
function headerStartHtml(locale: ContentLocale, siteName: string, searchQuery: string | undefined): string {
  const t = STRINGS[locale];
  return `<a class="skip-link" href="#main">${e(t.skipToContent)}</a><header class="site"><div class="wrap"><a class="brand" href="${e(sitePaths.home(locale))}">${e(siteName)}</a><form class="search" role="search" method="get" action="${e(sitePaths.search(locale))}"><label for="site-search" class="visually-hidden">${e(t.searchLabel)}</label><input id="site-search" type="search" name="q" value="${e(searchQuery ?? "")}" maxlength="200"/><button type="submit">${e(t.search)}</button></form>`;
}

function signInLinkHtml(locale: ContentLocale): string {
  return `<a class="account-link" href="${e(sitePaths.signIn(locale))}">${e(ACCOUNT_STRINGS[locale].signInTitle)}</a>`;
}

const languageNavs = new Map<ContentLocale, string>();

/** The footer's links to each locale's home, the privacy page and the feeds: the same on every page of a locale. */
function languageNavHtml(locale: ContentLocale): string {
  let nav = languageNavs.get(locale);
  if (nav !== undefined) return nav;
  const t = STRINGS[locale];
  const languages = SITE_LOCALES.map(
    (entry) =>
      `<li><a href="${e(sitePaths.home(entry.locale))}" hreflang="${e(entry.locale)}" lang="${e(entry.locale)}"${
        entry.locale === locale ? ' aria-current="true"' : ""
      }>${e(STRINGS[entry.locale].languageName)}</a></li>`,
  ).join("");
  nav = `<nav aria-label="${e(t.languages)}"><ul>${languages}<li><a href="${e(sitePaths.privacy(locale))}" rel="privacy-policy">${e(t.privacy)}</a></li><li><a href="${e(sitePaths.rss(locale))}">RSS</a></li><li><a href="${e(sitePaths.atom(locale))}">Atom</a></li></ul></nav>`;
  languageNavs.set(locale, nav);
  return nav;
}

/** The footer's opening and the clinic's technical director (CFM 2.336/2023: named with CRM/UF, and RQE). */
function footerStartHtml(locale: ContentLocale, technicalDirector: TechnicalDirector | null): string {
  if (!technicalDirector) return `<footer class="site"><div class="wrap">`;
  const registration = councilRegistration(
    technicalDirector.crmNumber,
    technicalDirector.crmUf,
    technicalDirector.rqe ? [technicalDirector.rqe] : [],
  );
  return `<footer class="site"><div class="wrap"><p class="technical-director"><strong>${e(STRINGS[locale].technicalDirector)}:</strong> ${e(technicalDirector.name)} — ${e(registration)}</p>`;
}

/**
 * Every page's frame: `lang` on the root (WCAG 3.1.1), a skip link to the main landmark (2.4.1), one
 * stylesheet from our origin (the CSP allows no inline style), and the head tags search engines and
 * social previews read. No script is needed to read anything. Written as strings around the page's own content
 * (only the sign-out form and the content are components), byte for byte what the JSX wrote
 * (test/unit/site-pages.test.ts): JSX's element-by-element rendering of the frame cost more than writing it.
 */
export const Layout: FC<LayoutProps> = ({
  locale,
  siteName,
  technicalDirector,
  meta,
  searchQuery,
  signedIn,
  children,
}) => (
  <>
    {raw(
      `<html lang="${e(locale)}">${headHtml(locale, siteName, meta)}<body>${headerStartHtml(locale, siteName, searchQuery)}${signedIn ? "" : signInLinkHtml(locale)}`,
    )}
    {signedIn ? <SignOutForm locale={locale} csrf={signedIn.csrf} /> : null}
    {raw(`</div></header><main id="main" class="wrap" tabindex="-1">`)}
    {children}
    {raw(`</main>${footerStartHtml(locale, technicalDirector)}${languageNavHtml(locale)}</div></footer></body></html>`)}
  </>
);
