import { type AnyColumn, and, eq, exists, gt, inArray, isNull, lt, type Placeholder, type SQL, sql } from "drizzle-orm";
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
import { authorRowsQuery, itemRowsQuery, shapeItems, termRowsQuery, visibleCountSql } from "./queries";
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
 * A list's filters (all but its order and its page): a list without any, which is what most clients ask for, is
 * read with statements built once per isolate; a filtered one is built for its request.
 */
function isFiltered(query: WpCollectionQuery): boolean {
  return Boolean(
    query.search ||
    query.slug ||
    query.include ||
    query.after ||
    query.before ||
    query.author ||
    query.categories ||
    query.tags,
  );
}

/**
 * The viewer a statement built once per isolate is built for: what the content reads show depends only on whether
 * the reader is a verified professional (`publicComplianceLevels`), so those statements are built for that and for
 * nothing else of the reader.
 */
function visibleAs(viewer: Viewer): Viewer {
  return viewer.verifiedProfessional ? { ...ANONYMOUS_VIEWER, verifiedProfessional: true } : ANONYMOUS_VIEWER;
}

/** The conditions of a content collection's query (the subqueries are built on `db`). */
function contentWhere(
  db: HttpDatabase,
  viewer: Viewer,
  type: ContentType | Placeholder<"type", ContentType>,
  query: WpCollectionQuery,
): SQL | undefined {
  const conditions: SQL[] = [eq(contentItems.type, type), publicVisibility(viewer)];
  if (query.search) conditions.push(searchMatchSql(query.search, undefined));
  if (query.slug) conditions.push(inArray(contentItems.slug, query.slug));
  if (query.include) conditions.push(inArray(contentItems.wpId, query.include));
  if (query.after) conditions.push(gt(contentItems.publishedAt, query.after));
  if (query.before) conditions.push(lt(contentItems.publishedAt, query.before));
  if (query.author) {
    conditions.push(
      inArray(
        contentItems.authorId,
        db.select({ id: contentAuthors.userId }).from(contentAuthors).where(inArray(contentAuthors.wpId, query.author)),
      ),
    );
  }
  if (query.categories) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(contentItemCategories)
          .innerJoin(categories, eq(categories.id, contentItemCategories.categoryId))
          .where(and(eq(contentItemCategories.contentId, contentItems.id), inArray(categories.wpId, query.categories))),
      ),
    );
  }
  if (query.tags) {
    conditions.push(
      exists(
        db
          .select({ one: sql`1` })
          .from(contentItemTags)
          .innerJoin(tags, eq(tags.id, contentItemTags.tagId))
          .where(and(eq(contentItemTags.contentId, contentItems.id), inArray(tags.wpId, query.tags))),
      ),
    );
  }
  return and(...conditions);
}

function contentOrder(query: Pick<WpCollectionQuery, "orderby" | "order" | "search" | "include">): SQL[] {
  // The indexes are DESC NULLS LAST (drizzle's `.desc()`); ordering the same way (ASC NULLS FIRST is the same
  // index read backwards) lets a page be read from the index instead of sorting every match.
  const direction = (column: SQL | AnyColumn) =>
    query.order === "asc" ? sql`${column} asc nulls first` : sql`${column} desc nulls last`;
  const orderColumn =
    query.orderby === "relevance"
      ? searchRankSql(query.search!, undefined)
      : query.orderby === "id"
        ? contentItems.wpId
        : query.orderby === "modified"
          ? contentItems.updatedAt
          : query.orderby === "slug"
            ? contentItems.slug
            : query.orderby === "title"
              ? contentItems.title
              : query.orderby === "include"
                ? sql`array_position(${sql.raw(`ARRAY[${query.include!.map(Number).join(",")}]::bigint[]`)}, ${contentItems.wpId})`
                : contentItems.publishedAt;
  return [direction(orderColumn), direction(contentItems.wpId)];
}

/** Where a page starts and ends, and how far its list is counted: values, or placeholders of a prepared read. */
interface PageBounds {
  limit: number | Placeholder<"limit", number>;
  offset: number | Placeholder<"offset", number>;
  cap: number | Placeholder<"cap", number>;
}

/**
 * A list's two statements: its (capped) count, and its page's items. The page's ids are chosen on narrow rows
 * first, so the rows skipped by the offset are never read whole.
 */
function contentPageStatements(db: HttpDatabase, where: SQL | undefined, order: SQL[], bounds: PageBounds) {
  const pageIds = db
    .select({ id: contentItems.id })
    .from(contentItems)
    .where(where)
    .orderBy(...order)
    .limit(bounds.limit)
    .offset(bounds.offset);
  return {
    count: cappedCount(db, contentItems, where, bounds.cap),
    page: itemRowsQuery(db)
      .where(inArray(contentItems.id, pageIds))
      .orderBy(...order),
  };
}

type UnfilteredValues = { type: ContentType; limit: number; offset: number; cap: number };

/** An unfiltered list's statements for one order and one viewer's levels, built once per isolate. */
function unfilteredPageReads(viewer: Viewer, order: Pick<WpCollectionQuery, "orderby" | "order">) {
  const statements = (db: HttpDatabase, p: ReadPlaceholders<UnfilteredValues>) =>
    contentPageStatements(
      db,
      contentWhere(db, viewer, p.type, { ...order, page: 1, perPage: 1, embed: false }),
      contentOrder(order),
      p,
    );
  return {
    count: preparedRead((db, p: ReadPlaceholders<UnfilteredValues>) => statements(db, p).count),
    page: preparedRead((db, p: ReadPlaceholders<UnfilteredValues>) => statements(db, p).page),
  };
}

// At most the orders without a filter (date, id, modified, slug, title; ascending or descending) for each of the two
// sets of levels: twenty entries.
const unfilteredPages = new Map<string, ReturnType<typeof unfilteredPageReads>>();

export async function listWpContent(
  scope: Scope,
  input: WpRead & { type: ContentType; query: WpCollectionQuery },
): Promise<WpPage> {
  const { query } = input;
  const viewer = await readViewer(scope);
  const bounds = {
    limit: query.perPage,
    offset: (query.page - 1) * query.perPage,
    cap: countCap(query.page, query.perPage),
  };
  // The count and the page in one round trip; a page past the end simply selects no rows.
  let read;
  if (isFiltered(query)) {
    read = scope.read((db) => {
      const { count, page } = contentPageStatements(
        db,
        contentWhere(db, viewer, input.type, query),
        contentOrder(query),
        bounds,
      );
      return [count, page];
    });
  } else {
    const shared = visibleAs(viewer);
    const key = `${String(shared.verifiedProfessional)} ${query.orderby} ${query.order}`;
    let reads = unfilteredPages.get(key);
    if (!reads) {
      reads = unfilteredPageReads(shared, { orderby: query.orderby, order: query.order });
      unfilteredPages.set(key, reads);
    }
    const values = { type: input.type, ...bounds };
    read = scope.read(() => [reads.count(values), reads.page(values)]);
  }
  const [[counted], rows] = await read;
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
      itemRowsQuery(db).where(
        and(eq(contentItems.wpId, p.wpId), eq(contentItems.type, p.type), publicVisibility(viewer)),
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
  const [rows] = await scope.read(() => [read({ wpId: input.wpId, type: input.type })]);
  if (rows.length === 0) return null;
  const [shape] = await shapeItems(scope, input.origin, viewer, rows, input);
  return shape!;
}

// Terms ----------------------------------------------------------------------------------------------

export async function listWpTerms(
  scope: Scope,
  input: WpRead & { taxonomy: WpTaxonomy; query: WpCollectionQuery },
): Promise<WpPage> {
  const { taxonomy, query } = input;
  const viewer = await readViewer(scope);
  const table = taxonomy === "category" ? categories : tags;
  const links = taxonomy === "category" ? contentItemCategories : contentItemTags;
  // Written out (not the columns' names) because the count subquery aliases its own tables.
  const termId = sql.raw(taxonomy === "category" ? '"categories"."id"' : '"tags"."id"');
  // The count, the order, the page and each term's count all in SQL, in one round trip: only the page's terms
  // are counted (except to order by count, which needs every term's).
  const [[counted], found] = await scope.read((db) => {
    const conditions: SQL[] = [];
    if (query.search)
      conditions.push(sql`vitalis_unaccent(${table.name}) ilike '%' || vitalis_unaccent(${query.search}) || '%'`);
    if (query.slug) conditions.push(inArray(table.slug, query.slug));
    if (query.include) conditions.push(inArray(table.wpId, query.include));
    if (taxonomy === "category" && query.parent !== undefined) {
      conditions.push(
        query.parent === 0
          ? isNull(categories.parentId)
          : inArray(
              categories.parentId,
              db.select({ id: categories.id }).from(categories).where(eq(categories.wpId, query.parent)),
            ),
      );
    }
    if (query.post !== undefined) {
      // Terms of one post, only if that post is visible to the reader.
      const linkedTerm = taxonomy === "category" ? contentItemCategories.categoryId : contentItemTags.tagId;
      conditions.push(
        inArray(
          table.id,
          db
            .select({ id: linkedTerm })
            .from(links)
            .innerJoin(contentItems, eq(contentItems.id, links.contentId))
            .where(and(eq(contentItems.wpId, query.post), publicVisibility(viewer))),
        ),
      );
    }
    if (query.hideEmpty) conditions.push(sql`${visibleCountSql(viewer, links, termId)} > 0`);
    const where = conditions.length ? and(...conditions) : undefined;
    const order = termOrder(query, table, visibleCountSql(viewer, links, termId));
    const pageIds = db
      .select({ id: table.id })
      .from(table)
      .where(where)
      .orderBy(...order)
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage);
    return [
      cappedCount(db, table, where, countCap(query.page, query.perPage)),
      termRowsQuery(db, viewer, taxonomy, inArray(table.id, pageIds), order),
    ];
  });
  const total = counted?.total ?? 0;
  return {
    items: (found as TermRow[]).map((row) => filterFields(termShape(input.origin, taxonomy, row), query.fields)),
    total,
    totalPages: totalPagesOf(total, query.perPage),
  };
}

/** WordPress's term orders; names and slugs in Portuguese collation (case and accents after the letter). */
function termOrder(query: WpCollectionQuery, table: typeof categories | typeof tags, count: SQL<number>): SQL[] {
  const key =
    query.orderby === "id"
      ? sql`${table.wpId}`
      : query.orderby === "slug"
        ? sql`${table.slug} collate "pt-BR-x-icu"`
        : query.orderby === "count"
          ? count
          : query.orderby === "include"
            ? sql`array_position(${sql.raw(`ARRAY[${query.include!.map(Number).join(",")}]::bigint[]`)}, ${table.wpId})`
            : sql`${table.name} collate "pt-BR-x-icu"`;
  const direction = query.order === "asc" ? sql`asc` : sql`desc`;
  return [sql`${key} ${direction}`, sql`${table.wpId} ${direction}`];
}

/** One term; null when there is none with this id. */
export async function getWpTerm(
  scope: Scope,
  input: WpRead & { taxonomy: WpTaxonomy; wpId: number; fields?: string[] },
): Promise<Json | null> {
  const viewer = await readViewer(scope);
  const table = input.taxonomy === "category" ? categories : tags;
  const [rows] = await scope.read((db) => [termRowsQuery(db, viewer, input.taxonomy, eq(table.wpId, input.wpId))]);
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
  createdAt: mediaItems.createdAt,
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
