/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { ContentLocale } from "../../schema";
import { contentTypes } from "../content-types";
import type { PrivacyPage } from "../services/privacy-notice";
import type { SiteArticle, SiteItemSummary, SiteTerm } from "../services/site";
import { councilRegistration, formatDate, STRINGS } from "./i18n";
import { type Citation, citationsOf, medicalWebPageOf } from "./json-ld";
import { linkHeadings } from "./toc";
import { imageAttributes, type SiteImage } from "../image-urls";
import { sitePaths, withPage } from "./urls";

/** A public image of the library (srcset, sizes, width/height); lazy unless it is the first thing a reader sees. */
const Picture: FC<{ image: SiteImage; lazy: boolean; sizes?: string }> = ({ image, lazy, sizes }) => (
  <img {...imageAttributes(image, { lazy, ...(sizes ? { sizes } : {}) })} />
);

const DateText: FC<{ date: Date; locale: ContentLocale }> = ({ date, locale }) => (
  <time datetime={date.toISOString()}>{formatDate(date, locale)}</time>
);

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

const Terms: FC<{ label: string; terms: SiteTerm[]; href: (slug: string) => string }> = ({ label, terms, href }) =>
  terms.length === 0 ? null : (
    <nav aria-label={label}>
      <ul class="terms">
        {terms.map((term) => (
          <li>
            <a href={href(term.slug)}>{term.name}</a>
          </li>
        ))}
      </ul>
    </nav>
  );

const References: FC<{ citations: Citation[]; locale: ContentLocale }> = ({ citations, locale }) =>
  citations.length === 0 ? null : (
    <section aria-labelledby="references">
      <h2 id="references">{STRINGS[locale].references}</h2>
      <ol>
        {citations.map((citation) => (
          <li>
            {citation.url ? (
              <a href={citation.url}>{citation.name ?? citation.identifier}</a>
            ) : (
              (citation.name ?? citation.identifier)
            )}
            {citation.name ? <> ({citation.identifier})</> : null}
          </li>
        ))}
      </ol>
    </section>
  );

/**
 * CFM Resolução 2.336/2023 (medical publicity): the responsible physician is named with CRM and UF (and, on an
 * article in their specialty, the RQE and the specialty), and published medical content shows when it was last
 * medically reviewed.
 */
const MedicalReview: FC<{ article: SiteArticle; locale: ContentLocale }> = ({ article, locale }) => {
  const t = STRINGS[locale];
  const { reviewer } = article;
  if (!reviewer) return null;
  const registration =
    reviewer.crm && reviewer.uf ? councilRegistration(reviewer.crm, reviewer.uf, reviewer.specialist?.rqe) : null;
  return (
    <aside class="review" aria-label={t.responsiblePhysician}>
      <p>
        <strong>{t.responsiblePhysician}:</strong> {reviewer.name}
        {registration ? ` — ${registration}` : null}
        {reviewer.specialist && registration ? ` — ${reviewer.specialist.specialty}` : null}
      </p>
      {article.lastMedicallyReviewedAt ? (
        <p>
          <strong>{t.lastMedicallyReviewed}:</strong>{" "}
          <DateText date={article.lastMedicallyReviewedAt} locale={locale} />
        </p>
      ) : null}
    </aside>
  );
};

export interface ArticleViewProps {
  article: SiteArticle;
  /** Where a professional signs in, coming back to this page. */
  signInHref: string;
}

export const ArticleView: FC<ArticleViewProps> = ({ article, signInHref }) => {
  const locale = article.locale;
  const t = STRINGS[locale];
  // The listed types are the site's articles: their byline links to the author's list (which holds only
  // them), and they always carry the disclaimer; other items only once medically reviewed.
  const listed = contentTypes[article.type].listed;
  // Body images carry their alt text (the Markdown's or the library's, which marking public requires: WCAG 1.1.1).
  const body = linkHeadings(article.bodyHtml, article.toc);
  return (
    <article>
      <h1>{article.title}</h1>
      {article.featuredImage ? (
        <figure class="featured">
          <Picture image={article.featuredImage} lazy={false} />
        </figure>
      ) : null}
      <p class="meta">
        {t.publishedOn} <DateText date={article.publishedAt} locale={locale} />
        {article.author && listed ? (
          <>
            {" · "}
            {t.by} <a href={sitePaths.author(locale, article.author.slug)}>{article.author.name}</a>
          </>
        ) : null}
      </p>
      <MedicalReview article={article} locale={locale} />
      {article.gated ? (
        <section class="teaser" aria-labelledby="professional-only">
          {article.excerpt ? <p>{article.excerpt}</p> : null}
          <h2 id="professional-only">{t.professionalOnlyTitle}</h2>
          <p>{t.professionalOnlyText}</p>
          <p>
            <a href={signInHref}>{t.signIn}</a>
          </p>
        </section>
      ) : (
        <>
          {article.summary ? (
            <section class="summary" aria-labelledby="article-summary">
              <h2 id="article-summary">{t.summary}</h2>
              <p>{article.summary}</p>
            </section>
          ) : null}
          {body.toc.length >= 2 ? (
            <nav class="toc" aria-labelledby="article-toc">
              <h2 id="article-toc">{t.tableOfContents}</h2>
              <ol>
                {body.toc.map((entry) => (
                  <li class={`toc-level-${entry.level}`}>
                    {entry.id ? <a href={`#${entry.id}`}>{entry.text}</a> : entry.text}
                  </li>
                ))}
              </ol>
            </nav>
          ) : null}
          <div class="content" dangerouslySetInnerHTML={{ __html: body.html }} />
        </>
      )}
      {article.gated ? null : <References citations={citationsOf(medicalWebPageOf(article.jsonLd))} locale={locale} />}
      <Terms label={t.categories} terms={article.categories} href={(slug) => sitePaths.category(locale, slug)} />
      <Terms label={t.tags} terms={article.tags} href={(slug) => sitePaths.tag(locale, slug)} />
      {article.translations.length > 0 ? (
        <nav aria-label={t.translations}>
          <h2>{t.translations}</h2>
          <ul>
            {article.translations.map((translation) => (
              <li>
                <a
                  href={sitePaths.item(translation.locale, translation.type, translation.slug)}
                  hreflang={translation.locale}
                  lang={translation.locale}
                >
                  {translation.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {listed || article.reviewer ? (
        <p class="disclaimer" role="note">
          {t.disclaimer}
        </p>
      ) : null}
    </article>
  );
};

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
