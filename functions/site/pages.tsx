/** @jsxImportSource hono/jsx */
import { raw } from "hono/html";
import type { FC } from "hono/jsx";
import type { ContentLocale } from "../../schema";
import { contentTypes } from "../content-types";
import type { PrivacyPage } from "../services/privacy-notice";
import type { SiteArticle, SiteItemSummary, SiteTerm } from "../services/site";
import { councilRegistration, formatDate, STRINGS } from "./i18n";
import { type Citation, citationsOf, medicalWebPageOf } from "./json-ld";
import { linkHeadings } from "./toc";
import { escapeHtml } from "../html-policy";
import { imageAttributes, type SiteImage } from "../image-urls";
import { sitePaths, withPage } from "./urls";

/** Text or an attribute value, escaped as hono/jsx escapes it (site/layout.tsx). */
const e = escapeHtml;

function pictureHtml(image: SiteImage, options: { lazy: boolean; sizes?: string }): string {
  const attributes = Object.entries(imageAttributes(image, options))
    .map(([name, value]) => ` ${name}="${e(value)}"`)
    .join("");
  return `<img${attributes}/>`;
}

function dateHtml(date: Date, locale: ContentLocale): string {
  return `<time datetime="${date.toISOString()}">${e(formatDate(date, locale))}</time>`;
}

/** A public image of the library (srcset, sizes, width/height); lazy unless it is the first thing a reader sees. */
const Picture: FC<{ image: SiteImage; lazy: boolean; sizes?: string }> = ({ image, lazy, sizes }) =>
  raw(pictureHtml(image, { lazy, ...(sizes ? { sizes } : {}) }));

const DateText: FC<{ date: Date; locale: ContentLocale }> = ({ date, locale }) => raw(dateHtml(date, locale));

const ItemList: FC<{ items: SiteItemSummary[]; locale: ContentLocale; empty: string }> = ({ items, locale, empty }) => {
  const t = STRINGS[locale];
  if (items.length === 0) return <p>{empty}</p>;
  return (
    <ol class="items">
      {items.map((item) => (
        <li>
          <article>
            {item.featuredImage ? (
              <Picture image={item.featuredImage} lazy={true} sizes="(min-width: 48rem) 12rem, 100vw" />
            ) : null}
            <h2>
              <a href={sitePaths.item(item.locale, item.type, item.slug)}>{item.title}</a>
            </h2>
            <p class="meta">
              <DateText date={item.publishedAt} locale={locale} />
              {item.author ? (
                <>
                  {" · "}
                  {t.by} <a href={sitePaths.author(locale, item.author.slug)}>{item.author.name}</a>
                </>
              ) : null}
            </p>
            {item.excerpt ? <p>{item.excerpt}</p> : null}
          </article>
        </li>
      ))}
    </ol>
  );
};

const Pager: FC<{ path: string; page: number; total: number; locale: ContentLocale; query?: string }> = ({
  path,
  page,
  total,
  locale,
  query,
}) => {
  const t = STRINGS[locale];
  if (total <= 1) return null;
  const href = (n: number) =>
    query === undefined ? withPage(path, n) : `${path}?q=${encodeURIComponent(query)}${n > 1 ? `&page=${n}` : ""}`;
  return (
    <nav class="pager" aria-label={t.pagination}>
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          {t.previous}
        </a>
      ) : (
        <span />
      )}
      <span>{t.pageOf(page, total)}</span>
      {page < total ? (
        <a href={href(page + 1)} rel="next">
          {t.next}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
};

export interface ListViewProps {
  locale: ContentLocale;
  heading: string;
  intro?: string;
  items: SiteItemSummary[];
  path: string;
  page: number;
  totalPages: number;
  query?: string;
  empty: string;
}

export const ListView: FC<ListViewProps> = (props) => (
  <>
    <h1>{props.heading}</h1>
    {props.intro ? <p>{props.intro}</p> : null}
    <ItemList items={props.items} locale={props.locale} empty={props.empty} />
    <Pager
      path={props.path}
      page={props.page}
      total={props.totalPages}
      locale={props.locale}
      {...(props.query === undefined ? {} : { query: props.query })}
    />
  </>
);

function termsHtml(label: string, terms: SiteTerm[], href: (slug: string) => string): string {
  if (terms.length === 0) return "";
  const items = terms.map((term) => `<li><a href="${e(href(term.slug))}">${e(term.name)}</a></li>`).join("");
  return `<nav aria-label="${e(label)}"><ul class="terms">${items}</ul></nav>`;
}

function referencesHtml(citations: Citation[], locale: ContentLocale): string {
  if (citations.length === 0) return "";
  const items = citations
    .map((citation) => {
      const name = e(citation.name ?? citation.identifier);
      const cited = citation.url ? `<a href="${e(citation.url)}">${name}</a>` : name;
      return `<li>${cited}${citation.name ? ` (${e(citation.identifier)})` : ""}</li>`;
    })
    .join("");
  return `<section aria-labelledby="references"><h2 id="references">${e(STRINGS[locale].references)}</h2><ol>${items}</ol></section>`;
}

/**
 * CFM Resolução 2.336/2023 (medical publicity): the responsible physician is named with CRM and UF (and, on an
 * article in their specialty, the RQE and the specialty), and published medical content shows when it was last
 * medically reviewed.
 */
function medicalReviewHtml(article: SiteArticle, locale: ContentLocale): string {
  const t = STRINGS[locale];
  const { reviewer } = article;
  if (!reviewer) return "";
  const registration =
    reviewer.crm && reviewer.uf ? councilRegistration(reviewer.crm, reviewer.uf, reviewer.specialist?.rqe) : null;
  let html = `<aside class="review" aria-label="${e(t.responsiblePhysician)}"><p><strong>${e(t.responsiblePhysician)}:</strong> ${e(reviewer.name)}`;
  if (registration) html += e(` — ${registration}`);
  if (reviewer.specialist && registration) html += e(` — ${reviewer.specialist.specialty}`);
  html += "</p>";
  if (article.lastMedicallyReviewedAt) {
    html += `<p><strong>${e(t.lastMedicallyReviewed)}:</strong> ${dateHtml(article.lastMedicallyReviewedAt, locale)}</p>`;
  }
  return `${html}</aside>`;
}

export interface ArticleViewProps {
  article: SiteArticle;
  /** Where a professional signs in, coming back to this page. */
  signInHref: string;
}

/**
 * An article, or its teaser, written as a string like the frame's head and header (site/layout.tsx): it is most of
 * a page's markup, and JSX's node-by-node rendering of it cost more than the rest of the page's own work. Byte for
 * byte what the JSX wrote (test/unit/site-pages.test.ts).
 */
function articleHtml({ article, signInHref }: ArticleViewProps): string {
  const locale = article.locale;
  const t = STRINGS[locale];
  // The listed types are the site's articles: their byline links to the author's list (which holds only
  // them), and they always carry the disclaimer; other items only once medically reviewed.
  const listed = contentTypes[article.type].listed;
  let html = `<article><h1>${e(article.title)}</h1>`;
  if (article.featuredImage)
    html += `<figure class="featured">${pictureHtml(article.featuredImage, { lazy: false })}</figure>`;
  html += `<p class="meta">${e(t.publishedOn)} ${dateHtml(article.publishedAt, locale)}`;
  if (article.author && listed) {
    html += ` · ${e(t.by)} <a href="${e(sitePaths.author(locale, article.author.slug))}">${e(article.author.name)}</a>`;
  }
  html += `</p>${medicalReviewHtml(article, locale)}`;
  if (article.gated) {
    html += `<section class="teaser" aria-labelledby="professional-only">`;
    if (article.excerpt) html += `<p>${e(article.excerpt)}</p>`;
    html += `<h2 id="professional-only">${e(t.professionalOnlyTitle)}</h2><p>${e(t.professionalOnlyText)}</p><p><a href="${e(signInHref)}">${e(t.signIn)}</a></p></section>`;
  } else {
    if (article.summary) {
      html += `<section class="summary" aria-labelledby="article-summary"><h2 id="article-summary">${e(t.summary)}</h2><p>${e(article.summary)}</p></section>`;
    }
    // Body images carry their alt text (the Markdown's or the library's, which marking public requires: WCAG 1.1.1).
    const body = linkHeadings(article.bodyHtml, article.toc);
    if (body.toc.length >= 2) {
      const entries = body.toc
        .map(
          (entry) =>
            `<li class="${e(`toc-level-${entry.level}`)}">${entry.id ? `<a href="${e(`#${entry.id}`)}">${e(entry.text)}</a>` : e(entry.text)}</li>`,
        )
        .join("");
      html += `<nav class="toc" aria-labelledby="article-toc"><h2 id="article-toc">${e(t.tableOfContents)}</h2><ol>${entries}</ol></nav>`;
    }
    html += `<div class="content">${body.html}</div>`;
    html += referencesHtml(citationsOf(medicalWebPageOf(article.jsonLd)), locale);
  }
  html += termsHtml(t.categories, article.categories, (slug) => sitePaths.category(locale, slug));
  html += termsHtml(t.tags, article.tags, (slug) => sitePaths.tag(locale, slug));
  if (article.translations.length > 0) {
    const items = article.translations
      .map(
        (translation) =>
          `<li><a href="${e(sitePaths.item(translation.locale, translation.type, translation.slug))}" hreflang="${e(translation.locale)}" lang="${e(translation.locale)}">${e(translation.title)}</a></li>`,
      )
      .join("");
    html += `<nav aria-label="${e(t.translations)}"><h2>${e(t.translations)}</h2><ul>${items}</ul></nav>`;
  }
  if (listed || article.reviewer) html += `<p class="disclaimer" role="note">${e(t.disclaimer)}</p>`;
  return `${html}</article>`;
}

export const ArticleView: FC<ArticleViewProps> = (props) => raw(articleHtml(props));

export const MessageView: FC<{ title: string; text: string; locale: ContentLocale }> = ({ title, text, locale }) => (
  <>
    <h1>{title}</h1>
    <p>{text}</p>
    <p>
      <a href={sitePaths.home(locale)}>{STRINGS[locale].home}</a>
    </p>
  </>
);

/** A retention period as readers say it: whole years from a year up, days below. */
function period(days: number | null, locale: ContentLocale): string {
  const t = STRINGS[locale];
  if (days === null) return t.keptUntilRemoved;
  return days >= 365 ? t.years(Math.round(days / 365.25)) : t.days(days);
}

/** The notice generated from the processing register, for a site whose admins wrote none for this locale. */
const RegisterNotice: FC<{ register: NonNullable<PrivacyPage["register"]>; locale: ContentLocale }> = ({
  register,
  locale,
}) => {
  const t = STRINGS[locale];
  const recipients = new Map(register.recipients.map((recipient) => [recipient.id, recipient]));
  return (
    <div class="register-notice">
      <p>{t.privacyIntro(register.controller.name)}</p>
      <h2>{t.processingTitle}</h2>
      {register.activities.map((activity) => (
        <section>
          <h3>{activity.title}</h3>
          <p>{activity.purpose}</p>
          <p class="meta">{activity.dataCategories.map((category) => category.label).join("; ")}</p>
          <p class="meta">
            {t.legalBasis}: {activity.legalBases.join("; ")}
          </p>
          <p class="meta">
            {t.recipientsTitle}: {activity.recipients.map((id) => recipients.get(id)?.name ?? id).join(", ")}
          </p>
        </section>
      ))}
      <h2>{t.recipientsTitle}</h2>
      <ul>
        {register.recipients.map((recipient) => (
          <li>
            <strong>{recipient.name}</strong>: {recipient.service} ({recipient.location})
          </li>
        ))}
      </ul>
      <h2>{t.transfersTitle}</h2>
      <ul>
        {register.internationalTransfers.map((transfer) => (
          <li>
            {transfer.name} ({transfer.location}): {transfer.safeguard}
          </li>
        ))}
      </ul>
      <h2>{t.retentionTitle}</h2>
      <ul>
        {register.activities.map((activity) => (
          <li>
            <strong>{activity.title}</strong>:{" "}
            {[
              ...activity.retention.map(
                (rule) =>
                  `${period(rule.minAgeDays, locale)}${
                    rule.maxAgeDays !== null && rule.maxAgeDays !== rule.minAgeDays
                      ? ` – ${period(rule.maxAgeDays, locale)}`
                      : ""
                  } (${rule.legalBasis})`,
              ),
              ...(activity.retentionNote ? [activity.retentionNote] : []),
            ].join("; ")}
          </li>
        ))}
      </ul>
      <h2>{t.securityTitle}</h2>
      <ul>
        {register.securityMeasures.map((measure) => (
          <li>{measure}</li>
        ))}
      </ul>
    </div>
  );
};

/**
 * The privacy page (LGPD Art. 9: clear, accessible information on the processing; Art. 41 §1: the encarregado's
 * identity and contact published): the tenant's notice or the one generated from the register, the DPO, and how
 * to exercise the data subject's rights (Art. 18).
 */
export const PrivacyView: FC<{ page: PrivacyPage; locale: ContentLocale }> = ({ page, locale }) => {
  const t = STRINGS[locale];
  return (
    <article class="privacy">
      <h1>{t.privacy}</h1>
      {page.noticeHtml !== null ? (
        // The notice shows no pictures: a library image (`media:`) is resolved only in articles.
        <div class="content" dangerouslySetInnerHTML={{ __html: page.noticeHtml.replace(/<img\b[^>]*>/g, "") }} />
      ) : page.register ? (
        <RegisterNotice register={page.register} locale={locale} />
      ) : null}
      <section class="review" id="dpo">
        <h2>{t.dpo}</h2>
        {page.dpo ? (
          <p>
            {page.dpo.name} — <a href={`mailto:${page.dpo.email}`}>{page.dpo.email}</a> —{" "}
            <a href={`tel:${page.dpo.phone.replace(/[^+0-9]/g, "")}`}>{page.dpo.phone}</a>
          </p>
        ) : (
          <p>{t.dpoNotNamed(page.controllerName)}</p>
        )}
      </section>
      <section id="rights">
        <h2>{t.yourRights}</h2>
        <ul>
          {t.rights.map((right) => (
            <li>{right}</li>
          ))}
        </ul>
        <p>{t.howToExercise}</p>
      </section>
    </article>
  );
};
