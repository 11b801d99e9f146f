import { and, asc, desc, eq, exists, gt, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import {
  categories,
  contentAuthors,
  type ContentItem,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type ContentType,
  tags,
  users,
} from "../../schema";
import type { Scope } from "../scope";
import { type Transaction } from "../lib/db";
import { publicVisibility, resolveViewer, type Viewer } from "./content/access";
import { escapeHtml } from "./content/sanitize";
import { searchMatchSql, searchRankSql } from "./content/search";
import { sitePaths } from "../site/urls";

// Taxonomies and authors have no locale of their own; their public pages are linked in the default locale.
const DEFAULT_LOCALE = "pt-BR" as const;

/**
 * The WordPress REST API (wp/v2) as a read-only view of published content, so existing WordPress clients,
 * themes and integrations can read a Vitalis site. Shapes, query parameters, headers and error bodies
 * follow WordPress core (wp-includes/rest-api/endpoints); only published content at a level the reader
 * may see is ever returned: `public` to everyone, `professional` to verified professionals, never
 * `restricted` or `phi`.
 */

/** WordPress's own error body: `{ code, message, data: { status, params? } }`. */
export class WordPressError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: string,
    message: string,
    readonly params?: Record<string, string>,
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string; data: { status: number; params?: Record<string, string> } } {
    return {
      code: this.code,
      message: this.message,
      data: { status: this.status, ...(this.params ? { params: this.params } : {}) },
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------------------------------

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

/** Reads a parameter given as `a=1,2`, `a[]=1&a[]=2` or `a=1&a=2` (WordPress accepts all three). */
function listParam(params: URLSearchParams, name: string): string[] | undefined {
  const values = [...params.getAll(name), ...params.getAll(`${name}[]`)];
  if (values.length === 0) return undefined;
  return values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

const ORDERBY: Record<"posts" | "terms" | "users", readonly string[]> = {
  posts: ["date", "id", "modified", "slug", "title", "relevance", "include"],
  terms: ["name", "id", "slug", "count", "include"],
  users: ["name", "id", "slug", "include"],
};

/**
 * Parses a collection's query like WP_REST_Controller::get_collection_params: every invalid parameter is
 * named in one `rest_invalid_param` error (HTTP 400), with WordPress's messages.
 */
export function parseWpQuery(params: URLSearchParams, kind: "posts" | "terms" | "users"): WpCollectionQuery {
  const invalid: Record<string, string> = {};
  const integer = (name: string, min: number, max: number | null, fallback: number): number => {
    const raw = params.get(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
      invalid[name] = `${name} is not of type integer.`;
      return fallback;
    }
    if (value < min || (max !== null && value > max)) {
      invalid[name] =
        max === null
          ? `${name} must be greater than or equal to ${min}`
          : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`;
      return fallback;
    }
    return value;
  };
  const integers = (name: string): number[] | undefined => {
    const values = listParam(params, name);
    if (!values) return undefined;
    if (values.some((value) => !/^\d+$/.test(value))) {
      invalid[name] = `${name}[0] is not of type integer.`;
      return undefined;
    }
    return values.map(Number);
  };
  const date = (name: string): Date | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    // RFC 3339 / ISO 8601 date-time, as rest_parse_date accepts; a missing zone means the site's (UTC here).
    const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw);
    const parsed = match ? new Date(match[2] ? raw : `${raw}Z`) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      invalid[name] = `Invalid date.`;
      return undefined;
    }
    return parsed;
  };

  const page = integer("page", 1, null, 1);
  const perPage = integer("per_page", 1, 100, 10);
  const orderby = params.get("orderby") ?? (kind === "posts" ? "date" : kind === "terms" ? "name" : "name");
  if (!ORDERBY[kind].includes(orderby)) invalid.orderby = `orderby is not one of ${ORDERBY[kind].join(", ")}.`;
  const order = params.get("order") ?? (kind === "posts" ? "desc" : "asc");
  if (order !== "asc" && order !== "desc") invalid.order = "order is not one of asc and desc.";
  const search = params.get("search") ?? undefined;
  if (search !== undefined && search.length > 200) invalid.search = "search must be at most 200 characters long.";

  const query: WpCollectionQuery = {
    page,
    perPage,
    orderby,
    order: order === "asc" ? "asc" : "desc",
    embed: params.has("_embed"),
    ...(search ? { search } : {}),
  };
  const slug = listParam(params, "slug");
  if (slug) query.slug = slug;
  const include = integers("include");
  if (include) query.include = include;
  const fields = listParam(params, "_fields");
  if (fields) query.fields = fields;
  if (kind === "posts") {
    const author = integers("author");
    if (author) query.author = author;
    const categoryIds = integers("categories");
    if (categoryIds) query.categories = categoryIds;
    const tagIds = integers("tags");
    if (tagIds) query.tags = tagIds;
    const after = date("after");
    if (after) query.after = after;
    const before = date("before");
    if (before) query.before = before;
  }
  if (kind === "terms") {
    const hideEmpty = params.get("hide_empty");
    if (hideEmpty !== null) {
      if (!["true", "false", "1", "0"].includes(hideEmpty)) invalid.hide_empty = "hide_empty is not of type boolean.";
      else query.hideEmpty = hideEmpty === "true" || hideEmpty === "1";
    }
    if (params.has("parent")) query.parent = integer("parent", 0, null, 0);
    if (params.has("post")) query.post = integer("post", 1, null, 1);
  }
  const names = Object.keys(invalid);
  if (names.length > 0)
    throw new WordPressError(400, "rest_invalid_param", `Invalid parameter(s): ${names.join(", ")}`, invalid);
  if (query.orderby === "relevance" && !query.search) {
    throw new WordPressError(
      400,
      "rest_no_search_term_defined",
      "You need to define a search term to order by relevance.",
    );
  }
  if (query.orderby === "include" && !query.include) {
    throw new WordPressError(
      400,
      "rest_orderby_include_missing_include",
      "You need to define an include parameter to order by include.",
    );
  }
  return query;
}

// ---------------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** WordPress dates: `date` in the site's zone and `date_gmt` in UTC, both without a zone suffix. */
function wpDate(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export interface WpPage {
  items: Json[];
  total: number;
  totalPages: number;
}

/** Applies `_fields` (top-level names, or `a.b` for one nested member), as WordPress's rest_filter_response_fields. */
export function filterFields(item: Json, fields: string[] | undefined): Json {
  if (!fields) return item;
  const out: Json = {};
  for (const field of fields) {
    const [head, ...rest] = field.split(".");
    if (!head || !(head in item)) continue;
    if (rest.length === 0) {
      out[head] = item[head];
    } else {
      const nested = item[head];
      if (nested && typeof nested === "object" && rest[0]! in (nested as Json)) {
        out[head] = { ...((out[head] as Json | undefined) ?? {}), [rest[0]!]: (nested as Json)[rest[0]!] };
      }
    }
  }
  return out;
}

function restBase(type: ContentType): "posts" | "pages" {
  return type === "post" ? "posts" : "pages";
}

/** The item's page on the public site (functions/site/urls.ts is the one place public URLs are made). */
function itemLink(origin: string, item: Pick<ContentItem, "type" | "slug" | "locale">): string {
  return `${origin}${sitePaths.item(item.locale, item.type, item.slug)}`;
}

interface ItemExtras {
  authorWpId: number;
  categoryWpIds: number[];
  tagWpIds: number[];
}

function postShape(origin: string, item: ContentItem, extras: ItemExtras): Json {
  const api = `${origin}/wp-json/wp/v2`;
  const base = restBase(item.type);
  const published = item.publishedAt ?? item.createdAt;
  const shape: Json = {
    id: item.wpId,
    date: wpDate(published),
    date_gmt: wpDate(published),
    guid: { rendered: `${api}/${base}/${item.wpId}` },
    modified: wpDate(item.updatedAt),
    modified_gmt: wpDate(item.updatedAt),
    slug: item.slug,
    status: "publish",
    type: item.type,
    link: itemLink(origin, item),
    title: { rendered: escapeHtml(item.title) },
    content: { rendered: item.bodyHtml, protected: false },
    excerpt: { rendered: item.excerpt ? `<p>${escapeHtml(item.excerpt)}</p>\n` : "", protected: false },
    author: extras.authorWpId,
    // Media arrive with a later issue; WordPress uses 0 for "none".
    featured_media: 0,
    comment_status: "closed",
    ping_status: "closed",
    template: "",
    meta: {},
    lang: item.locale,
    // Published medical content names its responsible physician (CFM 2.336/2023) and the review date.
    medical_review: item.reviewedBy
      ? {
          reviewer: item.reviewerName,
          crm: item.reviewerCrm && item.reviewerUf ? `CRM/${item.reviewerUf} ${item.reviewerCrm}` : null,
          last_reviewed: item.lastMedicallyReviewedAt ? item.lastMedicallyReviewedAt.toISOString() : null,
        }
      : null,
  };
  if (item.type === "post") {
    Object.assign(shape, {
      sticky: false,
      format: "standard",
      categories: extras.categoryWpIds,
      tags: extras.tagWpIds,
    });
  } else {
    Object.assign(shape, { parent: 0, menu_order: 0 });
  }
  shape._links = {
    self: [{ href: `${api}/${base}/${item.wpId}` }],
    collection: [{ href: `${api}/${base}` }],
    about: [{ href: `${api}/types/${item.type}` }],
    author: [{ embeddable: true, href: `${api}/users/${extras.authorWpId}` }],
    ...(item.type === "post"
      ? {
          "wp:term": [
            { taxonomy: "category", embeddable: true, href: `${api}/categories?post=${item.wpId}` },
            { taxonomy: "post_tag", embeddable: true, href: `${api}/tags?post=${item.wpId}` },
          ],
        }
      : {}),
    curies: [{ name: "wp", href: "https://api.w.org/{rel}", templated: true }],
  };
  return shape;
}

interface TermRow {
  id: string;
  wpId: number;
  name: string;
  slug: string;
  description: string;
  parentWpId: number | null;
  count: number;
}

function termShape(origin: string, taxonomy: "category" | "post_tag", term: TermRow): Json {
  const api = `${origin}/wp-json/wp/v2`;
  const base = taxonomy === "category" ? "categories" : "tags";
  return {
    id: term.wpId,
    count: term.count,
    description: term.description,
    link: `${origin}${taxonomy === "category" ? sitePaths.category(DEFAULT_LOCALE, term.slug) : sitePaths.tag(DEFAULT_LOCALE, term.slug)}`,
    name: term.name,
    slug: term.slug,
    taxonomy,
    // A raw bigint arrives from the driver as a string.
    ...(taxonomy === "category" ? { parent: term.parentWpId === null ? 0 : Number(term.parentWpId) } : {}),
    meta: [],
    _links: {
      self: [{ href: `${api}/${base}/${term.wpId}` }],
      collection: [{ href: `${api}/${base}` }],
      about: [{ href: `${api}/taxonomies/${taxonomy}` }],
      "wp:post_type": [{ href: `${api}/posts?${base}=${term.wpId}` }],
      curies: [{ name: "wp", href: "https://api.w.org/{rel}", templated: true }],
    },
  };
}

interface AuthorRow {
  wpId: number;
  slug: string;
  name: string;
}

/** Public author data only: never the e-mail or anything else about the person. */
function userShape(origin: string, author: AuthorRow): Json {
  const api = `${origin}/wp-json/wp/v2`;
  return {
    id: author.wpId,
    name: author.name,
    url: "",
    description: "",
    link: `${origin}${sitePaths.author(DEFAULT_LOCALE, author.slug)}`,
    slug: author.slug,
    avatar_urls: {},
    meta: [],
    _links: {
      self: [{ href: `${api}/users/${author.wpId}` }],
      collection: [{ href: `${api}/users` }],
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------

function pageOf(total: number, perPage: number, page: number): number {
  const totalPages = Math.ceil(total / perPage);
  // WordPress answers a page past the end with this error, except for an empty collection's page 1.
  if (page > 1 && page > totalPages) {
    throw new WordPressError(
      400,
      "rest_post_invalid_page_number",
      "The page number requested is larger than the number of pages available.",
    );
  }
  return totalPages;
}

async function extrasFor(tx: Transaction, items: ContentItem[]): Promise<Map<string, ItemExtras>> {
  const ids = items.map((item) => item.id);
  const extras = new Map<string, ItemExtras>();
  if (ids.length === 0) return extras;
  const [authorRows, categoryRows, tagRows] = await Promise.all([
    tx
      .select({ userId: contentAuthors.userId, wpId: contentAuthors.wpId })
      .from(contentAuthors)
      .where(inArray(contentAuthors.userId, [...new Set(items.map((item) => item.authorId))])),
    tx
      .select({ contentId: contentItemCategories.contentId, wpId: categories.wpId })
      .from(contentItemCategories)
      .innerJoin(categories, eq(categories.id, contentItemCategories.categoryId))
      .where(inArray(contentItemCategories.contentId, ids)),
    tx
      .select({ contentId: contentItemTags.contentId, wpId: tags.wpId })
      .from(contentItemTags)
      .innerJoin(tags, eq(tags.id, contentItemTags.tagId))
      .where(inArray(contentItemTags.contentId, ids)),
  ]);
  const authorWpId = new Map(authorRows.map((row) => [row.userId, row.wpId]));
  for (const item of items) {
    extras.set(item.id, {
      authorWpId: authorWpId.get(item.authorId) ?? 0,
      categoryWpIds: categoryRows
        .filter((row) => row.contentId === item.id)
        .map((row) => row.wpId)
        .sort((a, b) => a - b),
      tagWpIds: tagRows
        .filter((row) => row.contentId === item.id)
        .map((row) => row.wpId)
        .sort((a, b) => a - b),
    });
  }
  return extras;
}

async function embedFor(
  tx: Transaction,
  origin: string,
  viewer: Viewer,
  items: ContentItem[],
  extras: Map<string, ItemExtras>,
): Promise<Map<string, Json>> {
  const embedded = new Map<string, Json>();
  if (items.length === 0) return embedded;
  const authorIds = [...new Set([...extras.values()].map((extra) => extra.authorWpId))];
  const categoryIds = [...new Set([...extras.values()].flatMap((extra) => extra.categoryWpIds))];
  const tagIds = [...new Set([...extras.values()].flatMap((extra) => extra.tagWpIds))];
  const [authors, categoryTerms, tagTerms] = await Promise.all([
    authorIds.length ? authorRows(tx, viewer, inArray(contentAuthors.wpId, authorIds)) : Promise.resolve([]),
    categoryIds.length ? termRows(tx, viewer, "category", inArray(categories.wpId, categoryIds)) : Promise.resolve([]),
    tagIds.length ? termRows(tx, viewer, "post_tag", inArray(tags.wpId, tagIds)) : Promise.resolve([]),
  ]);
  for (const item of items) {
    const extra = extras.get(item.id)!;
    const entry: Json = {
      author: authors.filter((author) => author.wpId === extra.authorWpId).map((author) => userShape(origin, author)),
    };
    if (item.type === "post") {
      entry["wp:term"] = [
        categoryTerms
          .filter((term) => extra.categoryWpIds.includes(term.wpId))
          .map((term) => termShape(origin, "category", term)),
        tagTerms
          .filter((term) => extra.tagWpIds.includes(term.wpId))
          .map((term) => termShape(origin, "post_tag", term)),
      ];
    }
    embedded.set(item.id, entry);
  }
  return embedded;
}

export interface WpReadContext extends Scope {
  /** The site's origin as the client reached it, for `link` and `_links`. */
  origin: string;
}

async function shapeItems(
  tx: Transaction,
  ctx: WpReadContext,
  viewer: Viewer,
  items: ContentItem[],
  query: { embed: boolean; fields?: string[] },
): Promise<Json[]> {
  const extras = await extrasFor(tx, items);
  const embedded = query.embed ? await embedFor(tx, ctx.origin, viewer, items, extras) : new Map<string, Json>();
  return items.map((item) => {
    const shape = postShape(ctx.origin, item, extras.get(item.id)!);
    if (query.embed) shape._embedded = embedded.get(item.id);
    return filterFields(shape, query.fields ? [...query.fields, ...(query.embed ? ["_embedded"] : [])] : undefined);
  });
}

export async function listWpContent(ctx: WpReadContext, type: ContentType, query: WpCollectionQuery): Promise<WpPage> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
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
          tx
            .select({ id: contentAuthors.userId })
            .from(contentAuthors)
            .where(inArray(contentAuthors.wpId, query.author)),
        ),
      );
    }
    if (query.categories) {
      conditions.push(
        exists(
          tx
            .select({ one: sql`1` })
            .from(contentItemCategories)
            .innerJoin(categories, eq(categories.id, contentItemCategories.categoryId))
            .where(
              and(eq(contentItemCategories.contentId, contentItems.id), inArray(categories.wpId, query.categories)),
            ),
        ),
      );
    }
    if (query.tags) {
      conditions.push(
        exists(
          tx
            .select({ one: sql`1` })
            .from(contentItemTags)
            .innerJoin(tags, eq(tags.id, contentItemTags.tagId))
            .where(and(eq(contentItemTags.contentId, contentItems.id), inArray(tags.wpId, query.tags))),
        ),
      );
    }
    const where = and(...conditions);
    const [counted] = await tx
      .select({ total: sql<number>`count(*)::int` })
      .from(contentItems)
      .where(where);
    const total = counted?.total ?? 0;
    const totalPages = pageOf(total, query.perPage, query.page);
    const direction = query.order === "asc" ? asc : desc;
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
    const rows = await tx
      .select()
      .from(contentItems)
      .where(where)
      .orderBy(direction(orderColumn), direction(contentItems.wpId))
      .limit(query.perPage)
      .offset((query.page - 1) * query.perPage);
    return { items: await shapeItems(tx, ctx, viewer, rows, query), total, totalPages };
  });
}

export async function getWpContent(
  ctx: WpReadContext,
  type: ContentType,
  wpId: number,
  query: { embed: boolean; fields?: string[] },
): Promise<Json> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const [item] = await tx
      .select()
      .from(contentItems)
      .where(and(eq(contentItems.wpId, wpId), eq(contentItems.type, type), publicVisibility(viewer)));
    // Not published, not visible to this reader, another tenant's, or no such id: the same answer.
    if (!item)
      throw new WordPressError(
        404,
        type === "post" ? "rest_post_invalid_id" : "rest_post_invalid_id",
        "Invalid post ID.",
      );
    const [shape] = await shapeItems(tx, ctx, viewer, [item], query);
    return shape!;
  });
}

// Terms --------------------------------------------------------------------------------------------

/** Published items the viewer may see, per term: WordPress's `count` without revealing hidden content. */
function visibleCountSql(
  viewer: Viewer,
  joinTable: typeof contentItemCategories | typeof contentItemTags,
  termColumn: SQL,
): SQL<number> {
  const termId = "categoryId" in joinTable ? joinTable.categoryId : joinTable.tagId;
  return sql<number>`(select count(*)::int from ${joinTable} join ${contentItems} on ${contentItems.id} = ${joinTable.contentId}
    where ${termId} = ${termColumn} and ${contentItems.type} = 'post' and ${publicVisibility(viewer)})`;
}

async function termRows(
  tx: Transaction,
  viewer: Viewer,
  taxonomy: "category" | "post_tag",
  where?: SQL,
): Promise<TermRow[]> {
  if (taxonomy === "category") {
    // Qualified by hand: inside the subquery an unqualified "parent_id" would bind to the alias p.
    const parent = sql<
      number | null
    >`(select p.wp_id from categories p where p.id = ${sql.raw('"categories"."parent_id"')})`;
    return tx
      .select({
        id: categories.id,
        wpId: categories.wpId,
        name: categories.name,
        slug: categories.slug,
        description: categories.description,
        parentWpId: parent,
        count: visibleCountSql(viewer, contentItemCategories, sql.raw('"categories"."id"')),
      })
      .from(categories)
      .where(where);
  }
  return tx
    .select({
      id: tags.id,
      wpId: tags.wpId,
      name: tags.name,
      slug: tags.slug,
      description: tags.description,
      parentWpId: sql<null>`null`,
      count: visibleCountSql(viewer, contentItemTags, sql.raw('"tags"."id"')),
    })
    .from(tags)
    .where(where);
}

export async function listWpTerms(
  ctx: WpReadContext,
  taxonomy: "category" | "post_tag",
  query: WpCollectionQuery,
): Promise<WpPage> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const table = taxonomy === "category" ? categories : tags;
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
              tx.select({ id: categories.id }).from(categories).where(eq(categories.wpId, query.parent)),
            ),
      );
    }
    if (query.post !== undefined) {
      // Terms of one post, only if that post is visible to the reader.
      const join = taxonomy === "category" ? contentItemCategories : contentItemTags;
      const termId = taxonomy === "category" ? contentItemCategories.categoryId : contentItemTags.tagId;
      conditions.push(
        inArray(
          table.id,
          tx
            .select({ id: termId })
            .from(join)
            .innerJoin(contentItems, eq(contentItems.id, join.contentId))
            .where(and(eq(contentItems.wpId, query.post), publicVisibility(viewer))),
        ),
      );
    }
    let rows = await termRows(tx, viewer, taxonomy, conditions.length ? and(...conditions) : undefined);
    if (query.hideEmpty) rows = rows.filter((row) => row.count > 0);
    const direction = query.order === "asc" ? 1 : -1;
    const key = (row: TermRow): string | number =>
      query.orderby === "id"
        ? row.wpId
        : query.orderby === "slug"
          ? row.slug
          : query.orderby === "count"
            ? row.count
            : query.orderby === "include"
              ? query.include!.indexOf(row.wpId)
              : row.name.toLocaleLowerCase("pt-BR");
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const cmp =
        typeof ka === "number" && typeof kb === "number" ? ka - kb : String(ka).localeCompare(String(kb), "pt-BR");
      return cmp * direction || (a.wpId - b.wpId) * direction;
    });
    const total = rows.length;
    const totalPages = pageOf(total, query.perPage, query.page);
    const pageRows = rows.slice((query.page - 1) * query.perPage, query.page * query.perPage);
    return {
      items: pageRows.map((row) => filterFields(termShape(ctx.origin, taxonomy, row), query.fields)),
      total,
      totalPages,
    };
  });
}

export async function getWpTerm(
  ctx: WpReadContext,
  taxonomy: "category" | "post_tag",
  wpId: number,
  fields?: string[],
): Promise<Json> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const table = taxonomy === "category" ? categories : tags;
    const [row] = await termRows(tx, viewer, taxonomy, eq(table.wpId, wpId));
    if (!row) throw new WordPressError(404, "rest_term_invalid", "Term does not exist.");
    return filterFields(termShape(ctx.origin, taxonomy, row), fields);
  });
}

// Users --------------------------------------------------------------------------------------------

/**
 * Authors with at least one item the reader can see — WordPress shows anonymous readers only users with
 * published posts (`has_published_posts`), which also keeps staff who never published private.
 */
function authorRows(tx: Transaction, viewer: Viewer, where?: SQL): Promise<AuthorRow[]> {
  const published = exists(
    tx
      .select({ one: sql`1` })
      .from(contentItems)
      .where(and(eq(contentItems.authorId, contentAuthors.userId), publicVisibility(viewer))),
  );
  return tx
    .select({ wpId: contentAuthors.wpId, slug: contentAuthors.slug, name: users.displayName })
    .from(contentAuthors)
    .innerJoin(users, eq(users.id, contentAuthors.userId))
    .where(where ? and(published, where) : published);
}

export async function listWpUsers(ctx: WpReadContext, query: WpCollectionQuery): Promise<WpPage> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const conditions: SQL[] = [];
    if (query.slug) conditions.push(inArray(contentAuthors.slug, query.slug));
    if (query.include) conditions.push(inArray(contentAuthors.wpId, query.include));
    if (query.search)
      conditions.push(
        sql`vitalis_unaccent(${users.displayName}) ilike '%' || vitalis_unaccent(${query.search}) || '%'`,
      );
    const rows = await authorRows(tx, viewer, conditions.length ? and(...conditions) : undefined);
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
    const totalPages = pageOf(total, query.perPage, query.page);
    return {
      items: rows
        .slice((query.page - 1) * query.perPage, query.page * query.perPage)
        .map((row) => filterFields(userShape(ctx.origin, row), query.fields)),
      total,
      totalPages,
    };
  });
}

export async function getWpUser(ctx: WpReadContext, wpId: number, fields?: string[]): Promise<Json> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const [row] = await authorRows(tx, viewer, eq(contentAuthors.wpId, wpId));
    if (!row) throw new WordPressError(404, "rest_user_invalid_id", "Invalid user ID.");
    return filterFields(userShape(ctx.origin, row), fields);
  });
}
