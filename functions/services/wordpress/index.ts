import { type AnyColumn, and, eq, exists, inArray, isNull, type SQL, sql } from "drizzle-orm";
import {
  categories,
  contentAuthors,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type ContentType,
  mediaItems,
  tags,
  users,
} from "../../../schema";
import type { Scope } from "../../scope";
import { type HttpDatabase, preparedRead, type ReadPlaceholders } from "../../lib/db-http";
import { ANONYMOUS_VIEWER, publicVisibility, readViewer, type Viewer } from "../content/access";
import { cappedCount, countCap } from "../content/paging";
import { searchMatchSql, searchRankSql } from "../content/search";
import {
  authorRowsQuery,
  itemRowsQuery,
  shapeItems,
  termRowsQuery,
  visibleCountSql,
  wpDateSql,
  wpIdIn,
} from "./queries";
import { publicMediaSql } from "../media-rules";
import {
  filterFields,
  type Json,
  type MediaRow,
  mediaShape,
  type TermRow,
  termShape,
  userShape,
  type WpTaxonomy,
} from "./shapes";

/**
 * The WordPress REST API (wp/v2) as a read-only view of published content, so existing WordPress clients,
 * themes and integrations can read a Vitalis site. Shapes and query semantics follow WordPress core
 * (wp-includes/rest-api/endpoints); only published content at a level the reader may see is ever returned:
 * `public` to everyone, `professional` to verified professionals, never `restricted` or `phi`. A lookup that
 * finds nothing returns null; routes/wp answers it in WordPress's error shape.
 */

export type { Json, WpTaxonomy } from "./shapes";

/** A collection's query, as routes/wp/query.ts parses it from WordPress's parameters. */
export interface WpCollectionQuery {
  page: number;
  perPage: number;
  search?: string;
  slug?: string[];
  include?: number[];
  author?: number[];
  categories?: number[];
  tags?: number[];
  after?: Date;
  before?: Date;
  orderby: string;
  order: "asc" | "desc";
  fields?: string[];
  embed: boolean;
  /** Terms only: hide_empty, parent, post. */
  hideEmpty?: boolean;
  parent?: number;
  post?: number;
}

/** One item's query: `_embed` and `_fields`. */
export interface WpItemQuery {
  embed: boolean;
  fields?: string[];
}

export interface WpPage {
  items: Json[];
  total: number;
  totalPages: number;
}

/** Every read names the site's origin as the client reached it, for `link` and `_links`. */
interface WpRead {
  origin: string;
}

/**
 * Whether `page` lies past the collection's last page; WordPress answers such a page with an error, except
 * an empty collection's page 1. Such a page has no items, so the reads do not fetch any.
 */
export function isPastLastPage(page: number, totalPages: number): boolean {
  return page > 1 && page > totalPages;
}

function totalPagesOf(total: number, perPage: number): number {
  return Math.ceil(total / perPage);
}

// Content --------------------------------------------------------------------------------------------

/**
 * The viewer a statement built once per isolate is built for: what the content reads show depends only on whether
 * the reader is a verified professional (`publicComplianceLevels`), so those statements are built for that and for
 * nothing else of the reader.
 */
function visibleAs(viewer: Viewer): Viewer {
  return viewer.verifiedProfessional ? { ...ANONYMOUS_VIEWER, verifiedProfessional: true } : ANONYMOUS_VIEWER;
}

/**
 * Prepared reads, one for each form of a request (the reader's levels, an order, which filters it has): each form's
 * statements are built at its first request in an isolate and then only bound. Forms are few in practice (most
 * clients ask for the unfiltered list); a client sweeping through combinations of filters empties the map rather
 * than growing it.
 */
class PreparedForms<F, R> {
  readonly #reads = new Map<string, R>();
  constructor(private readonly build: (form: F) => R) {}

  /** The reads of `form`, whose `key` names it: the same key for the same form. */
  get(key: string, form: F): R {
    let reads = this.#reads.get(key);
    if (!reads) {
      if (this.#reads.size >= 256) this.#reads.clear();
      reads = this.build(form);
      this.#reads.set(key, reads);
    }
    return reads;
  }
}

/** Where a page starts and ends, and how far its list is counted. */
type PageValues = {
  limit: number;
  offset: number;
  cap: number;
};

function pageValues(query: Pick<WpCollectionQuery, "page" | "perPage">): PageValues {
  return {
    limit: query.perPage,
    offset: (query.page - 1) * query.perPage,
    cap: countCap(query.page, query.perPage),
  };
}

/**
 * The ids of the rows of `table` on one page of its list, chosen in `order` on narrow rows first, so the rows skipped
 * by the offset are never read whole.
 */
function pageIds(
  db: HttpDatabase,
  table: typeof contentItems | typeof categories | typeof tags,
  where: SQL | undefined,
  order: SQL[],
  p: ReadPlaceholders<PageValues>,
) {
  return db
    .select({ id: table.id })
    .from(table)
    .where(where)
    .orderBy(...order)
    .limit(p.limit)
    .offset(p.offset);
}

/** The condition that a row of `table` is on one page of its list (`pageIds`). */
function onPage(
  db: HttpDatabase,
  table: typeof categories | typeof tags,
  where: SQL | undefined,
  order: SQL[],
  p: ReadPlaceholders<PageValues>,
): SQL {
  return inArray(table.id, pageIds(db, table, where, order, p));
}

/** The filters of a content list; a list's statements are built for the set of them it has. */
const CONTENT_FILTERS = ["search", "slug", "include", "after", "before", "author", "categories", "tags"] as const;
type ContentFilter = (typeof CONTENT_FILTERS)[number];

/** A content list's values: its page, and each filter's (a filter the list does not have is bound to nothing). */
type ContentListValues = PageValues & {
  type: ContentType;
  search: string;
  slug: string[];
  include: number[];
  after: string;
  before: string;
  author: number[];
  categories: number[];
  tags: number[];
};
type ContentListPlaceholders = ReadPlaceholders<ContentListValues>;

/** The conditions of a content list with `filters`, on placeholders. */
function contentWhere(
  db: HttpDatabase,
  viewer: Viewer,
  filters: ReadonlySet<ContentFilter>,
  p: ContentListPlaceholders,
): SQL | undefined {
  const conditions: SQL[] = [eq(contentItems.type, p.type), publicVisibility(viewer)];
  if (filters.has("search")) conditions.push(searchMatchSql(p.search, undefined));
  if (filters.has("slug")) conditions.push(sql`${contentItems.slug} = any(${p.slug}::text[])`);
  if (filters.has("include")) conditions.push(wpIdIn(contentItems.wpId, p.include));
  if (filters.has("after")) conditions.push(sql`${contentItems.publishedAt} > ${p.after}::timestamptz`);
  if (filters.has("before")) conditions.push(sql`${contentItems.publishedAt} < ${p.before}::timestamptz`);
  if (filters.has("author")) {
    conditions.push(
      inArray(
        contentItems.authorId,
        db.select({ id: contentAuthors.userId }).from(contentAuthors).where(wpIdIn(contentAuthors.wpId, p.author)),
      ),
    );
  }
  if (filters.has("categories")) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(contentItemCategories)
          .innerJoin(categories, eq(categories.id, contentItemCategories.categoryId))
          .where(and(eq(contentItemCategories.contentId, contentItems.id), wpIdIn(categories.wpId, p.categories))),
      ),
    );
  }
  if (filters.has("tags")) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(contentItemTags)
          .innerJoin(tags, eq(tags.id, contentItemTags.tagId))
          .where(and(eq(contentItemTags.contentId, contentItems.id), wpIdIn(tags.wpId, p.tags))),
      ),
    );
  }
  return and(...conditions);
}

function contentOrder(order: Pick<WpCollectionQuery, "orderby" | "order">, p: ContentListPlaceholders): SQL[] {
  // The indexes are DESC NULLS LAST (drizzle's `.desc()`); ordering the same way (ASC NULLS FIRST is the same
  // index read backwards) lets a page be read from the index instead of sorting every match.
  const direction = (column: SQL | AnyColumn) =>
    order.order === "asc" ? sql`${column} asc nulls first` : sql`${column} desc nulls last`;
  const orderColumn =
    order.orderby === "relevance"
      ? searchRankSql(p.search, undefined)
      : order.orderby === "id"
        ? contentItems.wpId
        : order.orderby === "modified"
          ? contentItems.updatedAt
          : order.orderby === "slug"
            ? contentItems.slug
            : order.orderby === "title"
              ? contentItems.title
              : order.orderby === "include"
                ? sql`array_position(${p.include}::bigint[], ${contentItems.wpId})`
                : contentItems.publishedAt;
  return [direction(orderColumn), direction(contentItems.wpId)];
}

/** A content list's form: the reader's levels, its order and its filters, as the key of its prepared reads. */
interface ContentListForm {
  viewer: Viewer;
  orderby: string;
  order: "asc" | "desc";
  filters: ContentFilter[];
}

function contentListForm(viewer: Viewer, query: WpCollectionQuery): { key: string; form: ContentListForm } {
  const filters = CONTENT_FILTERS.filter((filter) => query[filter] !== undefined);
  const shared = visibleAs(viewer);
  return {
    key: `${String(shared.verifiedProfessional)} ${query.orderby} ${query.order} ${filters.join(",")}`,
    form: { viewer: shared, orderby: query.orderby, order: query.order, filters },
  };
}

/** A list's two statements for one form, built once per isolate: its (capped) count, and its page's items. */
const contentLists = new PreparedForms((form: ContentListForm) => {
  const filters = new Set(form.filters);
  const where = (db: HttpDatabase, p: ContentListPlaceholders) => contentWhere(db, form.viewer, filters, p);
  return {
    count: preparedRead((db, p: ContentListPlaceholders) => cappedCount(db, contentItems, where(db, p), p.cap)),
    page: preparedRead((db, p: ContentListPlaceholders) => {
      const order = contentOrder(form, p);
      return itemRowsQuery(db, pageIds(db, contentItems, where(db, p), order, p), order);
    }),
  };
});

export async function listWpContent(
  scope: Scope,
  input: WpRead & { type: ContentType; query: WpCollectionQuery },
): Promise<WpPage> {
  const { query } = input;
  const viewer = await readViewer(scope);
  const { key, form } = contentListForm(viewer, query);
  const reads = contentLists.get(key, form);
  const values: ContentListValues = {
    type: input.type,
    ...pageValues(query),
    search: query.search ?? "",
    slug: query.slug ?? [],
    include: query.include ?? [],
    after: query.after?.toISOString() ?? "",
    before: query.before?.toISOString() ?? "",
    author: query.author ?? [],
    categories: query.categories ?? [],
    tags: query.tags ?? [],
  };
  // The count and the page in one round trip; a page past the end simply selects no rows.
  const [[counted], { rows }] = await scope.read(() => [reads.count(values), reads.page(values)]);
  const total = counted?.total ?? 0;
  const totalPages = totalPagesOf(total, query.perPage);
  if (isPastLastPage(query.page, totalPages)) return { items: [], total, totalPages };
  return { items: await shapeItems(scope, input.origin, viewer, rows, query), total, totalPages };
}

/** One item by its WordPress id and type, for each viewer's levels, built once per isolate. */
const itemReads = new Map(
  [false, true].map((professional) => {
    const viewer = visibleAs({ ...ANONYMOUS_VIEWER, verifiedProfessional: professional });
    const read = preparedRead((db, p: ReadPlaceholders<{ wpId: number; type: ContentType }>) =>
      itemRowsQuery(
        db,
        db
          .select({ id: contentItems.id })
          .from(contentItems)
          .where(and(eq(contentItems.wpId, p.wpId), eq(contentItems.type, p.type), publicVisibility(viewer))),
      ),
    );
    return [professional, read] as const;
  }),
);

/** One item of `type`; null when it is not published, not visible to this reader, another tenant's, or no such id. */
export async function getWpContent(
  scope: Scope,
  input: WpRead & WpItemQuery & { type: ContentType; wpId: number },
): Promise<Json | null> {
  const viewer = await readViewer(scope);
  const read = itemReads.get(visibleAs(viewer).verifiedProfessional)!;
  const [{ rows }] = await scope.read(() => [read({ wpId: input.wpId, type: input.type })]);
  if (rows.length === 0) return null;
  const [shape] = await shapeItems(scope, input.origin, viewer, rows, input);
  return shape!;
}

// Terms ----------------------------------------------------------------------------------------------

/** The filters of a terms list (`parent=0` asks for the top level, any other `parent` for one term's children). */
const TERM_FILTERS = ["search", "slug", "include", "topLevel", "parent", "post", "hideEmpty"] as const;
type TermFilter = (typeof TERM_FILTERS)[number];

type TermListValues = PageValues & {
  search: string;
  slug: string[];
  include: number[];
  parent: number;
  post: number;
};
type TermListPlaceholders = ReadPlaceholders<TermListValues>;

interface TermListForm {
  taxonomy: WpTaxonomy;
  viewer: Viewer;
  orderby: string;
  order: "asc" | "desc";
  filters: ReadonlySet<TermFilter>;
}

function termFiltersOf(taxonomy: WpTaxonomy, query: WpCollectionQuery): TermFilter[] {
  const present: Record<TermFilter, boolean> = {
    search: query.search !== undefined,
    slug: query.slug !== undefined,
    include: query.include !== undefined,
    // Only categories have a hierarchy; `parent` on tags is ignored, as WordPress does.
    topLevel: taxonomy === "category" && query.parent === 0,
    parent: taxonomy === "category" && query.parent !== undefined && query.parent !== 0,
    post: query.post !== undefined,
    hideEmpty: query.hideEmpty === true,
  };
  return TERM_FILTERS.filter((filter) => present[filter]);
}

/** The conditions of a terms list with `form.filters`, on placeholders. */
function termWhere(db: HttpDatabase, form: TermListForm, p: TermListPlaceholders): SQL | undefined {
  const { taxonomy, viewer, filters } = form;
  const table = taxonomy === "category" ? categories : tags;
  const links = taxonomy === "category" ? contentItemCategories : contentItemTags;
  const conditions: SQL[] = [];
  if (filters.has("search"))
    conditions.push(sql`vitalis_unaccent(${table.name}) ilike '%' || vitalis_unaccent(${p.search}) || '%'`);
  if (filters.has("slug")) conditions.push(sql`${table.slug} = any(${p.slug}::text[])`);
  if (filters.has("include")) conditions.push(wpIdIn(table.wpId, p.include));
  if (filters.has("topLevel")) conditions.push(isNull(categories.parentId));
  if (filters.has("parent")) {
    conditions.push(
      inArray(
        categories.parentId,
        db.select({ id: categories.id }).from(categories).where(eq(categories.wpId, p.parent)),
      ),
    );
  }
  if (filters.has("post")) {
    // Terms of one post, only if that post is visible to the reader.
    const linkedTerm = taxonomy === "category" ? contentItemCategories.categoryId : contentItemTags.tagId;
    conditions.push(
      inArray(
        table.id,
        db
          .select({ id: linkedTerm })
          .from(links)
          .innerJoin(contentItems, eq(contentItems.id, links.contentId))
          .where(and(eq(contentItems.wpId, p.post), publicVisibility(viewer))),
      ),
    );
  }
  if (filters.has("hideEmpty")) conditions.push(sql`${termCountSql(form)} > 0`);
  return conditions.length ? and(...conditions) : undefined;
}

/** Each term's count of the items the reader may see. */
function termCountSql({ taxonomy, viewer }: Pick<TermListForm, "taxonomy" | "viewer">): SQL<number> {
  // Written out (not the columns' names) because the count subquery aliases its own tables.
  return taxonomy === "category"
    ? visibleCountSql(viewer, contentItemCategories, sql.raw('"categories"."id"'))
    : visibleCountSql(viewer, contentItemTags, sql.raw('"tags"."id"'));
}

/** WordPress's term orders; names and slugs in Portuguese collation (case and accents after the letter). */
function termOrder(form: TermListForm, p: TermListPlaceholders): SQL[] {
  const table = form.taxonomy === "category" ? categories : tags;
  const key =
    form.orderby === "id"
      ? sql`${table.wpId}`
      : form.orderby === "slug"
        ? sql`${table.slug} collate "pt-BR-x-icu"`
        : form.orderby === "count"
          ? termCountSql(form)
          : form.orderby === "include"
            ? sql`array_position(${p.include}::bigint[], ${table.wpId})`
            : sql`${table.name} collate "pt-BR-x-icu"`;
  const direction = form.order === "asc" ? sql`asc` : sql`desc`;
  return [sql`${key} ${direction}`, sql`${table.wpId} ${direction}`];
}

/**
 * A terms list's two statements for one form, built once per isolate: the count, and the page's terms ordered,
 * paged and counted in SQL (only the page's terms are counted, except to order by count, which needs every term's).
 */
const termLists = new PreparedForms((form: TermListForm) => {
  const table = form.taxonomy === "category" ? categories : tags;
  return {
    count: preparedRead((db, p: TermListPlaceholders) => cappedCount(db, table, termWhere(db, form, p), p.cap)),
    page: preparedRead((db, p: TermListPlaceholders) => {
      const order = termOrder(form, p);
      return termRowsQuery(db, form.viewer, form.taxonomy, onPage(db, table, termWhere(db, form, p), order, p), order);
    }),
  };
});

export async function listWpTerms(
  scope: Scope,
  input: WpRead & { taxonomy: WpTaxonomy; query: WpCollectionQuery },
): Promise<WpPage> {
  const { taxonomy, query } = input;
  const viewer = visibleAs(await readViewer(scope));
  const filters = termFiltersOf(taxonomy, query);
  const key = `${taxonomy} ${String(viewer.verifiedProfessional)} ${query.orderby} ${query.order} ${filters.join(",")}`;
  const reads = termLists.get(key, {
    taxonomy,
    viewer,
    orderby: query.orderby,
    order: query.order,
    filters: new Set(filters),
  });
  const values: TermListValues = {
    ...pageValues(query),
    search: query.search ?? "",
    slug: query.slug ?? [],
    include: query.include ?? [],
    parent: query.parent ?? 0,
    post: query.post ?? 0,
  };
  // The count and the page in one round trip.
  const [[counted], found] = await scope.read(() => [reads.count(values), reads.page(values)]);
  const total = counted?.total ?? 0;
  return {
    items: (found as TermRow[]).map((row) => filterFields(termShape(input.origin, taxonomy, row), query.fields)),
    total,
    totalPages: totalPagesOf(total, query.perPage),
  };
}

/** One term by its WordPress id, for each taxonomy and each viewer's levels, built once per isolate. */
const termReads = new PreparedForms(({ taxonomy, viewer }: { taxonomy: WpTaxonomy; viewer: Viewer }) =>
  preparedRead((db, p: ReadPlaceholders<{ wpId: number }>) =>
    termRowsQuery(db, viewer, taxonomy, eq((taxonomy === "category" ? categories : tags).wpId, p.wpId)),
  ),
);

/** One term; null when there is none with this id. */
export async function getWpTerm(
  scope: Scope,
  input: WpRead & { taxonomy: WpTaxonomy; wpId: number; fields?: string[] },
): Promise<Json | null> {
  const viewer = visibleAs(await readViewer(scope));
  const read = termReads.get(`${input.taxonomy} ${String(viewer.verifiedProfessional)}`, {
    taxonomy: input.taxonomy,
    viewer,
  });
  const [rows] = await scope.read(() => [read({ wpId: input.wpId })]);
  const [row] = rows as TermRow[];
  return row ? filterFields(termShape(input.origin, input.taxonomy, row), input.fields) : null;
}

// Users ----------------------------------------------------------------------------------------------

export async function listWpUsers(scope: Scope, input: WpRead & { query: WpCollectionQuery }): Promise<WpPage> {
  const { query } = input;
  const viewer = await readViewer(scope);
  const conditions: SQL[] = [];
  if (query.slug) conditions.push(inArray(contentAuthors.slug, query.slug));
  if (query.include) conditions.push(inArray(contentAuthors.wpId, query.include));
  if (query.search)
    conditions.push(sql`vitalis_unaccent(${users.displayName}) ilike '%' || vitalis_unaccent(${query.search}) || '%'`);
  const [rows] = await scope.read((db) => [
    authorRowsQuery(db, viewer, conditions.length ? and(...conditions) : undefined),
  ]);
  const direction = query.order === "asc" ? 1 : -1;
  rows.sort((a, b) => {
    const cmp =
      query.orderby === "id"
        ? a.wpId - b.wpId
        : query.orderby === "slug"
          ? a.slug.localeCompare(b.slug)
          : query.orderby === "include"
            ? query.include!.indexOf(a.wpId) - query.include!.indexOf(b.wpId)
            : a.name.localeCompare(b.name, "pt-BR");
    return cmp * direction;
  });
  const total = rows.length;
  const totalPages = totalPagesOf(total, query.perPage);
  return {
    items: rows
      .slice((query.page - 1) * query.perPage, query.page * query.perPage)
      .map((row) => filterFields(userShape(input.origin, row), query.fields)),
    total,
    totalPages,
  };
}

/** One author with content the reader can see; null otherwise. */
export async function getWpUser(
  scope: Scope,
  input: WpRead & { wpId: number; fields?: string[] },
): Promise<Json | null> {
  const viewer = await readViewer(scope);
  const [[row]] = await scope.read((db) => [authorRowsQuery(db, viewer, eq(contentAuthors.wpId, input.wpId))]);
  return row ? filterFields(userShape(input.origin, row), input.fields) : null;
}

// Media ----------------------------------------------------------------------------------------------

const mediaColumns = {
  wpId: mediaItems.wpId,
  id: mediaItems.id,
  contentType: mediaItems.contentType,
  sha256: mediaItems.sha256,
  width: sql<number>`${mediaItems.width}`,
  height: sql<number>`${mediaItems.height}`,
  altText: sql<string>`${mediaItems.altText}`,
  date: wpDateSql(mediaItems.createdAt),
};

/**
 * `/wp/v2/media`: the images that may appear on the public site (services/media.ts `publicMediaSql`), newest
 * first; nothing else of the library exists for this API.
 */
export async function listWpMedia(scope: Scope, input: WpRead & { query: WpCollectionQuery }): Promise<WpPage> {
  const { query } = input;
  const conditions: SQL[] = [publicMediaSql("media_items")];
  if (query.include) conditions.push(inArray(mediaItems.wpId, query.include));
  const direction = query.order === "asc" ? sql`asc` : sql`desc`;
  const order =
    query.orderby === "id"
      ? sql`${mediaItems.wpId} ${direction}`
      : sql`${mediaItems.createdAt} ${direction}, ${mediaItems.wpId} ${direction}`;
  const [rows] = await scope.read((db) => [
    db
      .select({ ...mediaColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(mediaItems)
      .where(and(...conditions))
      .orderBy(order)
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage),
  ]);
  const total = rows[0]?.total ?? 0;
  return {
    items: rows.map(({ total: _total, ...row }) =>
      filterFields(mediaShape(input.origin, row as MediaRow), query.fields),
    ),
    total,
    totalPages: totalPagesOf(total, query.perPage),
  };
}

/** One public image by its WordPress id; null when there is none the public may see. */
export async function getWpMedia(
  scope: Scope,
  input: WpRead & { wpId: number; fields?: string[] },
): Promise<Json | null> {
  const [[row]] = await scope.read((db) => [
    db
      .select(mediaColumns)
      .from(mediaItems)
      .where(and(eq(mediaItems.wpId, input.wpId), publicMediaSql("media_items")))
      .limit(1),
  ]);
  return row ? filterFields(mediaShape(input.origin, row as MediaRow), input.fields) : null;
}
