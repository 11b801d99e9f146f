/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import type { ContentLocale } from "../../schema";
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

/**
 * Every page's frame: `lang` on the root (WCAG 3.1.1), a skip link to the main landmark (2.4.1), one
 * stylesheet from our origin (the CSP allows no inline style), and the head tags search engines and
 * social previews read. No script is needed to read anything.
 */
export const Layout: FC<LayoutProps> = ({
  locale,
  siteName,
  technicalDirector,
  meta,
  searchQuery,
  signedIn,
  children,
}) => {
  const t = STRINGS[locale];
  const fullTitle = meta.documentTitle ?? (meta.title === siteName ? siteName : `${meta.title} — ${siteName}`);
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <meta name="description" content={meta.description} />
        {meta.noindex ? <meta name="robots" content="noindex" /> : null}
        {meta.canonical ? <link rel="canonical" href={meta.canonical} /> : null}
        {meta.alternates.map((alternate) => (
          <link rel="alternate" hreflang={alternate.hreflang} href={alternate.href} />
        ))}
        {meta.feeds ? (
          <link rel="alternate" type="application/rss+xml" title={`${meta.feeds.title} (RSS)`} href={meta.feeds.rss} />
        ) : null}
        {meta.feeds ? (
          <link
            rel="alternate"
            type="application/atom+xml"
            title={`${meta.feeds.title} (Atom)`}
            href={meta.feeds.atom}
          />
        ) : null}
        <link rel="stylesheet" href={SITE_CSS_PATH} />
        <meta property="og:site_name" content={siteName} />
        <meta property="og:type" content={meta.ogType} />
        <meta property="og:title" content={meta.documentTitle ?? meta.title} />
        <meta property="og:description" content={meta.description} />
        <meta property="og:locale" content={ogLocale(locale)} />
        {meta.canonical ? <meta property="og:url" content={meta.canonical} /> : null}
        {meta.publishedTime ? (
          <meta property="article:published_time" content={meta.publishedTime.toISOString()} />
        ) : null}
        {meta.modifiedTime ? <meta property="article:modified_time" content={meta.modifiedTime.toISOString()} /> : null}
        {meta.image ? <meta property="og:image" content={meta.image.url} /> : null}
        {meta.image ? <meta property="og:image:width" content={String(meta.image.width)} /> : null}
        {meta.image ? <meta property="og:image:height" content={String(meta.image.height)} /> : null}
        {meta.image ? <meta property="og:image:alt" content={meta.image.alt} /> : null}
        <meta name="twitter:card" content={meta.image ? "summary_large_image" : "summary"} />
        {meta.image ? <meta name="twitter:image" content={meta.image.url} /> : null}
        <meta name="twitter:title" content={meta.documentTitle ?? meta.title} />
        <meta name="twitter:description" content={meta.description} />
        {meta.jsonLd ? (
          <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: serializeJsonLd(meta.jsonLd) }} />
        ) : null}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t.skipToContent}
        </a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href={sitePaths.home(locale)}>
              {siteName}
            </a>
            <form class="search" role="search" method="get" action={sitePaths.search(locale)}>
              <label for="site-search" class="visually-hidden">
                {t.searchLabel}
              </label>
              <input id="site-search" type="search" name="q" value={searchQuery ?? ""} maxlength={200} />
              <button type="submit">{t.search}</button>
            </form>
            {signedIn ? (
              <SignOutForm locale={locale} csrf={signedIn.csrf} />
            ) : (
              <a class="account-link" href={sitePaths.signIn(locale)}>
                {ACCOUNT_STRINGS[locale].signInTitle}
              </a>
            )}
          </div>
        </header>
        <main id="main" class="wrap" tabindex={-1}>
          {children}
        </main>
        <footer class="site">
          <div class="wrap">
            {technicalDirector ? (
              // CFM 2.336/2023: a clinic's publicity names its technical director with CRM/UF (and RQE).
              <p class="technical-director">
                <strong>{t.technicalDirector}:</strong> {technicalDirector.name} —{" "}
                {councilRegistration(
                  technicalDirector.crmNumber,
                  technicalDirector.crmUf,
                  technicalDirector.rqe ? [technicalDirector.rqe] : [],
                )}
              </p>
            ) : null}
            <nav aria-label={t.languages}>
              <ul>
                {SITE_LOCALES.map((entry) => (
                  <li>
                    <a
                      href={sitePaths.home(entry.locale)}
                      hreflang={entry.locale}
                      lang={entry.locale}
                      aria-current={entry.locale === locale ? "true" : undefined}
                    >
                      {STRINGS[entry.locale].languageName}
                    </a>
                  </li>
                ))}
                <li>
                  <a href={sitePaths.privacy(locale)} rel="privacy-policy">
                    {t.privacy}
                  </a>
                </li>
                <li>
                  <a href={sitePaths.rss(locale)}>RSS</a>
                </li>
                <li>
                  <a href={sitePaths.atom(locale)}>Atom</a>
                </li>
              </ul>
            </nav>
          </div>
        </footer>
      </body>
    </html>
  );
};
