import { and, eq, inArray, isNull, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { z } from "zod";
import {
  categories,
  contentAuthors,
  contentItems,
  type ComplianceLevel,
  type ContentLocale,
  type ContentType,
  tags,
  tenantHostnames,
} from "../../schema";
import { listedContentTypes } from "../content-types";
import type { Scope } from "../scope";
import type { Transaction } from "../lib/db";
import { preparedRead, type ReadPlaceholders, type ReadQuery } from "../lib/db-http";
import { ANONYMOUS_VIEWER, indexableSql, publicVisibility, readViewer, type Viewer } from "./content/access";
import { cappedCount, countCap } from "./content/paging";
import { searchMatchSql, searchRankSql } from "./content/search";
import type { SiteImage } from "../image-urls";
import { FEED_SIZE, PAGE_SIZE, sitemapFileWpIds } from "../site/urls";
import { bodyImagesSql, expandBodyImages, featuredImageSql } from "./public-images";

/**
 * The public site's reads. Visibility is `publicVisibility` from services/content/access.ts (published, not trashed, at a
 * level the viewer may read) everywhere, with one exception: an article page also finds a published
 * `professional` item for a reader who may not read it, so it can show a teaser (never its body).
 * `restricted` and `phi` are never selected here at all. Each page's statements go to Neon together in one HTTP
 * request (`scope.read`: one read-only transaction under the tenant's row-level security), each shaped so it
 * needs nothing from another: a page is one round trip (a signed-in reader's credential adds one).
 */

export interface SiteTerm {
  name: string;
  slug: string;
}

export interface SiteAuthor {
  name: string;
  slug: string;
}

export interface SiteItemSummary {
  id: string;
  type: ContentType;
  title: string;
  slug: string;
  excerpt: string;
  locale: ContentLocale;
  complianceLevel: ComplianceLevel;
  publishedAt: Date;
  updatedAt: Date;
  author: SiteAuthor | null;
  /** The featured image, when it may appear publicly (services/media.ts `publicMediaSql`). */
  featuredImage: SiteImage | null;
}

/**
 * The responsible physician (the medical reviewer who approved the item; CFM 2.336/2023): name, CRM and UF as
 * copied at approval, and, when the article is in their specialty, that specialty and its RQE numbers.
 */
export interface SiteReviewer {
  name: string;
  crm: string | null;
  uf: string | null;
  specialist: { specialty: string; rqe: string[] } | null;
}

export interface SiteTranslation {
  locale: ContentLocale;
  type: ContentType;
  slug: string;
  title: string;
}

export interface SiteArticle extends SiteItemSummary {
  /** The sanitized body with its library images resolved; empty when `gated` (the reader may not read it). */
  bodyHtml: string;
  /** The public images the page shows (featured and in the body), for its Cache-Tags. */
  imageIds: string[];
  gated: boolean;
  reviewer: SiteReviewer | null;
  lastMedicallyReviewedAt: Date | null;
  categories: SiteTerm[];
  tags: SiteTerm[];
  translations: SiteTranslation[];
  /** The content-finalizer's `MedicalWebPage` for the current revision, as the pipeline stored it. */
  jsonLd: unknown;
  /** The content-finalizer's table of contents (headings with their anchors), checked. */
  toc: TocEntry[];
  /** The content-finalizer's key-points summary of the body (its first sentences), or null. */
  summary: string | null;
  /** What search engines are told (null: the title, the excerpt, the page's own URL). */
  metaTitle: string | null;
  metaDescription: string | null;
  canonicalUrl: string | null;
  noindex: boolean;
}

/** One heading of the table of contents; the anchor obeys the HTML policy's `id` rule. */
export const tocEntrySchema = z.object({
  level: z.number().int().min(1).max(6),
  text: z.string().min(1).max(500),
  anchor: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/),
});
export type TocEntry = z.infer<typeof tocEntrySchema>;

/** The finalizer's stored output is plugin output (untrusted as to shape): only well-formed entries are kept. */
function tocOf(value: unknown): TocEntry[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, 200).flatMap((entry) => {
    const parsed = tocEntrySchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/** A specialty or category name compared as readers read it: case, accents and spacing do not matter. */
function specialtyKey(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * The specialty a physician may be presented in on this article, with its RQE numbers, or null. A category stands
 * for a specialty by its name (the default categories are the CFM's specialty names): when one of the article's
 * categories is the specialty of the physician's verified credential, and the credential holds an RQE, the page
 * names both. CFM 2.336/2023 lets a physician be announced as a specialist only with the RQE; a category that is
 * not their specialty announces nothing.
 */
function specialistFor(
  credential: { rqe: string[]; specialty: string | null } | null,
  categories: SiteTerm[],
): SiteReviewer["specialist"] {
  if (!credential?.specialty || credential.rqe.length === 0) return null;
  const key = specialtyKey(credential.specialty);
  return categories.some((category) => specialtyKey(category.name) === key)
    ? { specialty: credential.specialty.trim(), rqe: credential.rqe }
    : null;
}

/** The levels an article page can find: `public`, and `professional` (full text or teaser). Never more. */
const ARTICLE_LEVELS: ComplianceLevel[] = ["public", "professional"];

/**
 * A column of the outer `content_items` row, qualified by hand: drizzle writes selected fields' columns
 * unqualified, and inside a correlated subquery an unqualified name binds to the subquery's own tables.
 */
function outer(
  column: "id" | "author_id" | "translation_group_id" | "current_revision_id" | "reviewed_by" | "locale",
): SQL {
  return sql`${sql.identifier("content_items")}.${sql.identifier(column)}`;
}

/** The item's author as the public sees them: the byline kept on the tenant's author row (never `users`). */
const authorSql = sql<SiteAuthor | null>`(select json_build_object('name', a.display_name, 'slug', a.slug)
  from content_authors a where a.user_id = ${outer("author_id")})`;

/**
 * A select list whose columns are named as `fields`' keys. The site's statements are sent raw (`db.execute`) and
 * their rows, keyed by these names, are mapped here by hand: drizzle's generic row mapping (a decoder lookup and a
 * path walk per column and row) was a larger share of a page's CPU than everything else the page does with its
 * data. What the driver answers is kept as it is (JSON parsed, numbers and booleans typed) except `timestamptz`,
 * which drizzle's Neon client leaves as text (`instantOf`).
 */
function namedColumns(fields: Record<string, SQLWrapper>): SQL {
  return sql.join(
    Object.entries(fields).map(([name, field]) => sql`${field} as ${sql.identifier(name)}`),
    sql`, `,
  );
}

/** A `timestamptz` as the driver answers it, read as drizzle's `instant` columns read it. */
function instantOf(text: string): Date {
  return new Date(text);
}

const summaryColumns = {
  id: contentItems.id,
  type: contentItems.type,
  title: contentItems.title,
  slug: contentItems.slug,
  excerpt: contentItems.excerpt,
  locale: contentItems.locale,
  complianceLevel: contentItems.complianceLevel,
  publishedAt: contentItems.publishedAt,
  updatedAt: contentItems.updatedAt,
  author: authorSql,
  featuredImage: featuredImageSql(),
};

/** A row of `summaryColumns`, as the driver answers it: the summary, its instants as text. */
type SummaryRow = Omit<SiteItemSummary, "publishedAt" | "updatedAt"> & {
  publishedAt: string | null;
  updatedAt: string;
};

function toSummary(row: SummaryRow): SiteItemSummary {
  const updatedAt = instantOf(row.updatedAt);
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    slug: row.slug,
    excerpt: row.excerpt,
    locale: row.locale,
    complianceLevel: row.complianceLevel,
    publishedAt: row.publishedAt === null ? updatedAt : instantOf(row.publishedAt),
    updatedAt,
    author: row.author,
    featuredImage: row.featuredImage,
  };
}

// ---------------------------------------------------------------------------------------------------
// Article (post or page)
// ---------------------------------------------------------------------------------------------------

/**
 * An article page's one statement, built once per isolate (lib/db-http `preparedRead`): the item with its author,
 * images, reviewer credential, terms, translations and the finalizer's artefacts, as correlated subqueries.
 */
const articleColumns = {
  ...summaryColumns,
  bodyHtml: contentItems.bodyHtml,
  bodyImages: bodyImagesSql(),
  reviewerName: contentItems.reviewerName,
  reviewerCrm: contentItems.reviewerCrm,
  reviewerUf: contentItems.reviewerUf,
  lastMedicallyReviewedAt: contentItems.lastMedicallyReviewedAt,
  // The approving reviewer's verified credential as it stands now: a rejected or withdrawn one shows no RQE.
  reviewerCredential: sql`(select json_build_object('rqe', pc.rqe, 'specialty', pc.specialty)
    from professional_credentials pc where pc.user_id = ${outer("reviewed_by")} and pc.status = 'verified')`,
  categories: sql`coalesce((select json_agg(json_build_object('name', c.name, 'slug', c.slug) order by c.name)
    from content_item_categories ic join categories c on c.id = ic.category_id where ic.content_id = ${outer("id")}), '[]'::json)`,
  tags: sql`coalesce((select json_agg(json_build_object('name', t.name, 'slug', t.slug) order by t.name)
    from content_item_tags it join tags t on t.id = it.tag_id where it.content_id = ${outer("id")}), '[]'::json)`,
  // Sibling translations a reader could reach (published, public or professional); never restricted/PHI.
  translations: sql`coalesce((select json_agg(json_build_object('locale', s.locale, 'type', s.type, 'slug', s.slug, 'title', s.title) order by s.locale)
    from content_items s where s.translation_group_id = ${outer("translation_group_id")} and s.id <> ${outer("id")}
      and s.state = 'published' and s.trashed_at is null and s.compliance_level in ('public', 'professional')), '[]'::json)`,
  metaTitle: contentItems.metaTitle,
  metaDescription: contentItems.metaDescription,
  canonicalUrl: contentItems.canonicalUrl,
  noindex: contentItems.noindex,
  // The content-finalizer's artefacts for the current revision: JSON-LD, table of contents, summary.
  finalized: sql`(select
    json_build_object('jsonLd', a.output -> 'jsonLd', 'toc', a.output -> 'toc', 'summary', a.output -> 'summary')
    from content_analyses a
    where a.revision_id = ${outer("current_revision_id")} and a.stage = 'content-finalizer' order by a.created_at desc limit 1)`,
};

/** A row of `articleColumns`, as the driver answers it. */
type ArticleRow = SummaryRow & {
  bodyHtml: string;
  bodyImages: SiteImage[];
  reviewerName: string | null;
  reviewerCrm: string | null;
  reviewerUf: string | null;
  lastMedicallyReviewedAt: string | null;
  reviewerCredential: { rqe: string[]; specialty: string | null } | null;
  categories: SiteTerm[];
  tags: SiteTerm[];
  translations: SiteTranslation[];
  metaTitle: string | null;
  metaDescription: string | null;
  canonicalUrl: string | null;
  noindex: boolean;
  finalized: { jsonLd: unknown; toc: unknown; summary: unknown } | null;
};

const articleRead = preparedRead(
  (db, p: ReadPlaceholders<{ locale: ContentLocale; type: ContentType; slug: string }>) =>
    db.execute<ArticleRow>(sql`select ${namedColumns(articleColumns)} from ${contentItems}
      where ${and(
        eq(contentItems.locale, p.locale),
        eq(contentItems.type, p.type),
        eq(contentItems.slug, p.slug),
        eq(contentItems.state, "published"),
        isNull(contentItems.trashedAt),
        inArray(contentItems.complianceLevel, ARTICLE_LEVELS),
      )}
      limit 1`),
);

export async function getSiteArticle(
  scope: Scope,
  { locale, type, slug }: { locale: ContentLocale; type: ContentType; slug: string },
): Promise<SiteArticle | null> {
  const [viewer, [result]] = await Promise.all([
    readViewer(scope),
    scope.read(() => [articleRead({ locale, type, slug })]),
  ]);
  const row = result.rows[0];
  if (!row) return null;
  const gated = row.complianceLevel === "professional" && !viewer.verifiedProfessional;
  const { bodyImages } = row;
  const shown = gated ? [] : bodyImages;
  return {
    ...toSummary(row),
    bodyHtml: gated ? "" : expandBodyImages(row.bodyHtml, bodyImages),
    imageIds: [...new Set([...(row.featuredImage ? [row.featuredImage.id] : []), ...shown.map((image) => image.id)])],
    gated,
    reviewer: row.reviewerName
      ? {
          name: row.reviewerName,
          crm: row.reviewerCrm,
          uf: row.reviewerUf,
          specialist: specialistFor(row.reviewerCredential, row.categories),
        }
      : null,
    lastMedicallyReviewedAt: row.lastMedicallyReviewedAt === null ? null : instantOf(row.lastMedicallyReviewedAt),
    categories: row.categories,
    tags: row.tags,
    translations: row.translations,
    jsonLd: row.finalized?.jsonLd ?? null,
    toc: gated ? [] : tocOf(row.finalized?.toc),
    summary:
      !gated && typeof row.finalized?.summary === "string" && row.finalized.summary ? row.finalized.summary : null,
    metaTitle: row.metaTitle,
    metaDescription: row.metaDescription,
    canonicalUrl: row.canonicalUrl,
    noindex: row.noindex,
  };
}

// ---------------------------------------------------------------------------------------------------
// Lists: home, category, tag, author, search
// ---------------------------------------------------------------------------------------------------

export type ListFilter = { kind: "category" | "tag" | "author"; slug: string } | null;

export interface SiteListPage {
  /** The category, tag or author the list is of (null for the home page). */
  term: (SiteTerm & { description: string }) | null;
  items: SiteItemSummary[];
  total: number;
}

type ListTerm = SiteTerm & { description: string };
type FilterKind = NonNullable<ListFilter>["kind"];

/**
 * What a list's statements vary by besides their values: the viewer's compliance levels (`publicVisibility`). Each
 * prepared read is built for one of them, with the viewer that stands for it: the condition depends on nothing
 * else of the viewer (`publicComplianceLevels`).
 */
type ViewerLevel = "public" | "professional";
const LEVEL_VIEWERS: Record<ViewerLevel, Viewer> = {
  public: ANONYMOUS_VIEWER,
  professional: { ...ANONYMOUS_VIEWER, verifiedProfessional: true },
};

function levelOf(viewer: Viewer): ViewerLevel {
  return viewer.verifiedProfessional ? "professional" : "public";
}

/** The list's filter as a condition on the outer `content_items` row, its slug a placeholder. */
function filterSql(kind: FilterKind, slug: Placeholder): SQL {
  if (kind === "category") {
    return sql`exists (select 1 from content_item_categories ic join categories c on c.id = ic.category_id
    where ic.content_id = ${outer("id")} and c.slug = ${slug})`;
  }
  if (kind === "tag") {
    return sql`exists (select 1 from content_item_tags it join tags t on t.id = it.tag_id where it.content_id = ${outer("id")} and t.slug = ${slug})`;
  }
  return sql`${outer("author_id")} in (select a.user_id from content_authors a where a.slug = ${slug})`;
}

/** What a list of a kind shows a viewer level: the listed types (posts) of a locale, visible, of the filter. */
function listedWhere(
  level: ViewerLevel,
  kind: FilterKind | null,
  p: { locale: Placeholder; slug: Placeholder },
): SQL | undefined {
  return and(
    inArray(contentItems.type, [...listedContentTypes]),
    eq(contentItems.locale, p.locale),
    publicVisibility(LEVEL_VIEWERS[level]),
    ...(kind ? [filterSql(kind, p.slug)] : []),
  );
}

type ListValues = { locale: ContentLocale; slug: string };

/** A list's order: newest first, in the order of the index `content_items_public_locale_idx`. */
const listOrder = sql`${contentItems.publishedAt} desc nulls last, ${contentItems.id} desc nulls last`;

/** The columns of `content_items` a summary reads, its subqueries' included (the author, the featured image). */
const summarySourceColumns = sql.join(
  [
    contentItems.id,
    contentItems.type,
    contentItems.title,
    contentItems.slug,
    contentItems.excerpt,
    contentItems.locale,
    contentItems.complianceLevel,
    contentItems.publishedAt,
    contentItems.updatedAt,
    contentItems.authorId,
    contentItems.featuredMediaId,
  ],
  sql`, `,
);

/**
 * A list's prepared reads, one set per filter kind (null: the home page and its feed) and viewer level: one page
 * (`listOrder`), and the list's size counted no further than `cap` (`cappedCount`).
 *
 * The page is chosen first, in a subquery of the narrow columns a summary reads, and only its rows get their
 * author and image subqueries: the rows an offset skips are never built (page 51 of 20,000 posts read 510 whole
 * rows before). On a short list the generic plan (the limit unknown) then costs what a custom one does, so
 * PostgreSQL plans the prepared statement once per connection rather than on every request.
 */
function listReads(kind: FilterKind | null, level: ViewerLevel) {
  return {
    page: preparedRead((db, p: ReadPlaceholders<ListValues & { limit: number; offset: number }>) =>
      db.execute<SummaryRow>(sql`select ${namedColumns(summaryColumns)}
        from (select ${summarySourceColumns} from ${contentItems}
          where ${listedWhere(level, kind, p)}
          order by ${listOrder}
          limit ${p.limit} offset ${p.offset}) ${contentItems}
        order by ${listOrder}`),
    ),
    count: preparedRead((db, p: ReadPlaceholders<ListValues & { cap: number }>) =>
      cappedCount(db, contentItems, listedWhere(level, kind, p), p.cap),
    ),
  };
}

type ListReads = ReturnType<typeof listReads>;

function byLevel(kind: FilterKind | null): Record<ViewerLevel, ListReads> {
  return { public: listReads(kind, "public"), professional: listReads(kind, "professional") };
}

const LIST_READS = {
  home: byLevel(null),
  category: byLevel("category"),
  tag: byLevel("tag"),
  author: byLevel("author"),
} satisfies Record<FilterKind | "home", Record<ViewerLevel, ListReads>>;

/** The category, tag or author a list is of (no row when there is none). */
const TERM_READS = {
  category: preparedRead((db, p: ReadPlaceholders<{ slug: string }>) =>
    db
      .select({ name: categories.name, slug: categories.slug, description: categories.description })
      .from(categories)
      .where(eq(categories.slug, p.slug)),
  ),
  tag: preparedRead((db, p: ReadPlaceholders<{ slug: string }>) =>
    db
      .select({ name: tags.name, slug: tags.slug, description: tags.description })
      .from(tags)
      .where(eq(tags.slug, p.slug)),
  ),
  author: preparedRead((db, p: ReadPlaceholders<{ slug: string }>) =>
    db
      .select({ name: contentAuthors.displayName, slug: contentAuthors.slug, description: sql<string>`''` })
      .from(contentAuthors)
      .where(eq(contentAuthors.slug, p.slug))
      .limit(1),
  ),
} satisfies Record<FilterKind, unknown>;

interface ListPage {
  locale: ContentLocale;
  filter: ListFilter;
  limit: number;
  offset: number;
}

/**
 * A list's term (when it has one) and one page of it, in one round trip; null when the term does not exist. With
 * `countPages`, also the list's size, counted no further than that many pages past this one (`cappedCount`); a
 * feed needs none.
 */
async function readList(
  scope: Scope,
  viewer: Viewer,
  { locale, filter, limit, offset }: ListPage,
  countPages?: { page: number },
): Promise<{ term: ListTerm | null; items: SiteItemSummary[]; total: number } | null> {
  const reads = LIST_READS[filter?.kind ?? "home"][levelOf(viewer)];
  const values = { locale, slug: filter?.slug ?? "" };
  const [rows, ...rest] = await scope.read(() => {
    const statements: [ReadQuery, ...ReadQuery[]] = [reads.page({ ...values, limit, offset })];
    if (filter) statements.push(TERM_READS[filter.kind]({ slug: filter.slug }));
    if (countPages) statements.push(reads.count({ ...values, cap: countCap(countPages.page, limit) }));
    return statements;
  });
  const term = filter ? ((rest.shift() as ListTerm[])[0] ?? null) : null;
  if (filter && !term) return null;
  const items = (rows as { rows: SummaryRow[] }).rows.map(toSummary);
  const total = countPages ? ((rest.shift() as Array<{ total: number }>)[0]?.total ?? 0) : items.length;
  return { term, items, total };
}

/**
 * One page of the published items of the listed types (posts) in a locale, optionally of a category, tag or
 * author; null when the term does not exist.
 */
export async function listSiteItems(
  scope: Scope,
  { locale, filter, page }: { locale: ContentLocale; filter: ListFilter; page: number },
): Promise<SiteListPage | null> {
  const viewer = await readViewer(scope);
  return readList(scope, viewer, { locale, filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, { page });
}

type SearchValues = { locale: ContentLocale; q: string; limit: number; offset: number };

/** Search's prepared read per viewer level: one page of the ranked matches, each row with the number of matches. */
function searchRead(level: ViewerLevel) {
  return preparedRead((db, p: ReadPlaceholders<SearchValues>) =>
    db.execute<
      SummaryRow & { total: string }
    >(sql`select ${namedColumns({ ...summaryColumns, total: sql`count(*) over ()` })}
      from ${contentItems}
      where ${and(eq(contentItems.locale, p.locale), publicVisibility(LEVEL_VIEWERS[level]), searchMatchSql(p.q, p.locale))}
      order by ${searchRankSql(p.q, p.locale)} desc, ${contentItems.publishedAt} desc, ${contentItems.id} desc
      limit ${p.limit} offset ${p.offset}`),
  );
}

const SEARCH_READS: Record<ViewerLevel, ReturnType<typeof searchRead>> = {
  public: searchRead("public"),
  professional: searchRead("professional"),
};

/** Ranked full-text search of the published content of one locale (posts and pages). */
export async function searchSite(
  scope: Scope,
  { locale, q, page }: { locale: ContentLocale; q: string; page: number },
): Promise<{ items: SiteItemSummary[]; total: number }> {
  const viewer = await readViewer(scope);
  const [{ rows }] = await scope.read(() => [
    SEARCH_READS[levelOf(viewer)]({ locale, q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
  ]);
  return { items: rows.map(toSummary), total: Number(rows[0]?.total ?? 0) };
}

// ---------------------------------------------------------------------------------------------------
// Feeds and sitemaps: always the anonymous view (they are public documents, cached and shared)
// ---------------------------------------------------------------------------------------------------

export interface FeedData {
  term: (SiteTerm & { description: string }) | null;
  items: SiteItemSummary[];
}

export async function siteFeed(
  scope: Scope,
  { locale, categorySlug }: { locale: ContentLocale; categorySlug: string | null },
): Promise<FeedData | null> {
  const filter: ListFilter = categorySlug ? { kind: "category", slug: categorySlug } : null;
  const list = await readList(scope, ANONYMOUS_VIEWER, { locale, filter, limit: FEED_SIZE, offset: 0 });
  return list ? { term: list.term, items: list.items } : null;
}

export interface SitemapEntry {
  path:
    | { kind: "item"; type: ContentType; slug: string }
    | { kind: "home" }
    | { kind: "category" | "tag" | "author"; slug: string };
  lastModified: Date;
  translations: Array<{ locale: ContentLocale; type: ContentType; slug: string }>;
}

/**
 * One file of the sitemaps: a locale's items (`items`, by fixed `wp_id` ranges: `sitemapFileOf`) or its home and
 * lists (`lists`, at most `fileUrls` URLs each), numbered from 1. The index names every non-empty file with its
 * newest change.
 */
export interface SitemapFile {
  kind: "items" | "lists";
  locale: ContentLocale;
  file: number;
  lastModified: Date;
}

/** Where list file `file` starts: the lists before it are skipped in the index alone, never the rows they name. */
function fileOffset(file: number, fileUrls: number): number {
  return (file - 1) * fileUrls;
}

/** The `sitemap_counts` kinds (migration 0028): the home, the lists by slug, the item files. */
const LIST_KINDS = ["home", "category", "tag", "author"] as const;
const ITEM_FILE_KIND = 4;

/**
 * The files of the sitemap index, in one round trip over the counts the database keeps (`sitemap_counts`): per
 * locale, its home row (how many items and non-empty lists, and its last change) and one row per non-empty item
 * file. Never the locale's items: the cost follows the number of files. Locales with nothing to offer search
 * engines are left out.
 */
export async function sitemapFiles(scope: Scope, { fileUrls }: { fileUrls: number }): Promise<SitemapFile[]> {
  const [result] = await scope.read((db) => [
    db.execute<{ locale: ContentLocale; kind: number; file: number; lists: number; last_modified: string }>(sql`
      select locale, kind, file, lists, last_modified from sitemap_counts
      where kind in (0, ${ITEM_FILE_KIND}) and items > 0 order by locale, kind, file`),
  ]);
  const files: SitemapFile[] = [];
  for (const row of result.rows) {
    const lastModified = new Date(row.last_modified);
    if (row.kind === ITEM_FILE_KIND) {
      files.push({ kind: "items", locale: row.locale, file: row.file, lastModified });
      continue;
    }
    // The home, then every non-empty list.
    const listFiles = Math.ceil((1 + row.lists) / fileUrls);
    for (let file = 1; file <= listFiles; file++) files.push({ kind: "lists", locale: row.locale, file, lastModified });
  }
  return files;
}

/**
 * One file of a locale's items, with each item's indexable translations (the hreflang alternates), in one
 * statement: the file's `wp_id` range is read from the index `content_items_sitemap_idx`, and translations are
 * joined per row. Empty when the file holds nothing.
 */
export async function sitemapItems(
  scope: Scope,
  { locale, file }: { locale: ContentLocale; file: number },
): Promise<SitemapEntry[]> {
  const [first, end] = sitemapFileWpIds(file);
  const [result] = await scope.read((db) => [
    db.execute<{ type: ContentType; slug: string; updated_at: string; translations: SitemapEntry["translations"] }>(sql`
      with page as (
        select ci.id, ci.type, ci.slug, ci.updated_at, ci.translation_group_id, ci.wp_id
        from content_items ci
        where ${indexableSql("ci")} and ci.locale = ${locale} and ci.wp_id >= ${first} and ci.wp_id < ${end}
        order by ci.wp_id)
      select p.type, p.slug, p.updated_at, coalesce(alt.translations, '[]'::json) as translations
      from page p left join lateral (
        select json_agg(json_build_object('locale', s.locale, 'type', s.type, 'slug', s.slug) order by s.locale)
          as translations
        from content_items s
        where s.translation_group_id = p.translation_group_id and s.id <> p.id and ${indexableSql("s")}) alt on true
      order by p.wp_id`),
  ]);
  return result.rows.map((row) => ({
    path: { kind: "item", type: row.type, slug: row.slug },
    lastModified: new Date(row.updated_at),
    translations: row.translations,
  }));
}

/**
 * One file of a locale's lists: its home, then its categories, tags and authors by slug, each dated by its last
 * change; lists with no indexable item of a listed type are not kept. One statement over the counts the database
 * keeps (`sitemap_counts`), a page of them by their key: never the locale's items. Empty when the file does not
 * exist.
 */
export async function sitemapLists(
  scope: Scope,
  { locale, file, fileUrls }: { locale: ContentLocale; file: number; fileUrls: number },
): Promise<SitemapEntry[]> {
  const [result] = await scope.read((db) => [
    db.execute<{ kind: number; slug: string; last_modified: string }>(sql`
      select kind, slug, last_modified from sitemap_counts
      where locale = ${locale} and kind between 0 and 3 and items > 0
      order by kind, slug offset ${fileOffset(file, fileUrls)} limit ${fileUrls}`),
  ]);
  return result.rows.map((row) => {
    const kind = LIST_KINDS[row.kind]!;
    return {
      path: kind === "home" ? { kind } : { kind, slug: row.slug },
      lastModified: new Date(row.last_modified),
      translations: [],
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The site's origin, and what a content change shows up in (for the purge)
// ---------------------------------------------------------------------------------------------------

// The primary hostname changes about never; a per-isolate memo of plain data, like the tenant lookup's.
const PRIMARY_MEMO_MS = 60_000;
const primaryMemo = new Map<string, { hostname: string | null; expires: number }>();

/**
 * The tenant's primary hostname. Canonical URLs, feeds and sitemaps name it whichever hostname the page
 * was rendered for, so one cached page is right for every hostname of the tenant.
 */
export async function primaryHostname(scope: Scope): Promise<string | null> {
  const tenantId = scope.tenant.id;
  const now = Date.now();
  const memo = primaryMemo.get(tenantId);
  if (memo && memo.expires > now) return memo.hostname;
  // Hostnames are readable without a tenant (the lookup by Host needs that), so this is one plain query.
  const [row] = await scope.http
    .select({ hostname: tenantHostnames.hostname })
    .from(tenantHostnames)
    .where(and(eq(tenantHostnames.tenantId, tenantId), eq(tenantHostnames.isPrimary, true)))
    .limit(1);
  if (primaryMemo.size > 500) primaryMemo.clear();
  primaryMemo.set(tenantId, { hostname: row?.hostname ?? null, expires: now + PRIMARY_MEMO_MS });
  return row?.hostname ?? null;
}

/** Everything public a content item appears on (the purge rules read it: services/site-cache.ts `purgeTags`). */
export interface ContentFootprint {
  id: string;
  type: ContentType;
  locale: ContentLocale;
  /** Its sitemap file follows from it (`sitemapFileOf`). */
  wpId: number;
  /** Sibling translations, with their wp ids (their sitemap files' hreflang alternates name this item). */
  translations: Array<{ id: string; locale: ContentLocale; wpId: number }>;
  categorySlugs: string[];
  tagSlugs: string[];
  authorSlug: string | null;
}

/**
 * Where content items show, read in the transaction that changed them (after its writes): their own page, their
 * translations' pages and sitemap files (whose hreflang alternates name them), and the lists, feeds and sitemap
 * files of their locale that may hold them. One statement over the items' own rows and links, whatever the lists'
 * length or the locale's size. The item's state does not matter: a page that just stopped being public must be
 * purged too.
 */
export async function contentFootprints(tx: Transaction, contentIds: string[]): Promise<ContentFootprint[]> {
  if (contentIds.length === 0) return [];
  return tx
    .select({
      id: contentItems.id,
      type: contentItems.type,
      locale: contentItems.locale,
      wpId: contentItems.wpId,
      translations: sql<ContentFootprint["translations"]>`coalesce((select json_agg(json_build_object('id', s.id,
          'locale', s.locale, 'wpId', s.wp_id))
        from content_items s where s.translation_group_id = ${outer("translation_group_id")} and s.id <> ${outer("id")}), '[]'::json)`,
      categorySlugs: sql<
        string[]
      >`coalesce((select json_agg(c.slug) from content_item_categories ic join categories c on c.id = ic.category_id where ic.content_id = ${outer("id")}), '[]'::json)`,
      tagSlugs: sql<
        string[]
      >`coalesce((select json_agg(t.slug) from content_item_tags it join tags t on t.id = it.tag_id where it.content_id = ${outer("id")}), '[]'::json)`,
      authorSlug: sql<string | null>`(select a.slug from content_authors a where a.user_id = ${outer("author_id")})`,
    })
    .from(contentItems)
    .where(inArray(contentItems.id, [...new Set(contentIds)]));
}
