import {
  and,
  type AnyColumn,
  eq,
  exists,
  inArray,
  type Placeholder,
  type SQL,
  type SQLWrapper,
  sql,
} from "drizzle-orm";
import {
  categories,
  contentAuthors,
  contentItemCategories,
  contentItems,
  contentItemTags,
  tags,
  users,
} from "../../../schema";
import { listedContentTypes } from "../../content-types";
import type { BatchItem } from "drizzle-orm/batch";
import { type HttpDatabase, preparedRead, type ReadPlaceholders } from "../../lib/db-http";
import type { Scope } from "../../scope";
import { ANONYMOUS_VIEWER, publicVisibility, type Viewer } from "../content/access";
import { publicMediaSql } from "../media-rules";
import { bodyImagesSql, expandBodyImages } from "../public-images";
import {
  filterFields,
  hasTerms,
  type Json,
  postShape,
  type TermRow,
  termShape,
  userShape,
  type WpItem,
  type WpTaxonomy,
} from "./shapes";

/**
 * The SQL behind the WordPress reads: items with what they link to, terms with their visible counts, authors.
 * Each function builds a statement for `scope.read` (it runs nothing), so a route sends all of its statements
 * in one round trip.
 */

/**
 * An item row as the item statements select it: the item as the WordPress shapes read it, in one JSON value. A type
 * alias, not an interface, because `db.execute` takes a row type that has an index signature.
 */
export type ItemRow = { item: WpItem };

/**
 * The item as `postShape` and `_embed` read it, built by PostgreSQL as one JSON value a row: the columns the shape
 * shows (no body Markdown, no SEO or workflow columns), instants already written as WordPress writes them, the
 * author's and featured image's WordPress ids and the body's public images from correlated subqueries (no query per
 * item), and the categories' and tags' WordPress ids from `page_terms` (`itemRowsQuery`). The Worker then parses one
 * value a row instead of mapping some forty typed columns. The expression names no input: it is built once per
 * isolate.
 */
const ITEM_JSON = sql<WpItem>`json_build_object(
  'id', "content_items"."id",
  'wpId', "content_items"."wp_id",
  'type', "content_items"."type",
  'slug', "content_items"."slug",
  'locale', "content_items"."locale",
  'title', "content_items"."title",
  'bodyHtml', "content_items"."body_html",
  'excerpt', "content_items"."excerpt",
  'date', ${wpDateSql(sql.raw('coalesce("content_items"."published_at", "content_items"."created_at")'))},
  'modified', ${wpDateSql(sql.raw('"content_items"."updated_at"'))},
  'reviewed', "content_items"."reviewed_by" is not null,
  'reviewerName', "content_items"."reviewer_name",
  'reviewerCrm', "content_items"."reviewer_crm",
  'reviewerUf', "content_items"."reviewer_uf",
  'lastReviewedAt', ${isoInstantSql(sql.raw('"content_items"."last_medically_reviewed_at"'))},
  'authorWpId', coalesce((select a.wp_id from content_authors a where a.user_id = "content_items"."author_id"), 0),
  'categoryWpIds', coalesce("page_terms"."category_wp_ids", '[]'::json),
  'tagWpIds', coalesce("page_terms"."tag_wp_ids", '[]'::json),
  'featuredMediaWpId', coalesce((select m.wp_id from media_items m
    where m.id = "content_items"."featured_media_id" and ${publicMediaSql("m")}), 0),
  'bodyImages', ${bodyImagesSql()}
)`;

/**
 * An instant as a WordPress date: `date` in the site's zone and `date_gmt` in UTC, both without a zone suffix or
 * fraction (the site's zone is UTC, so each is the other). Written by PostgreSQL (`to_char` truncates, as slicing
 * an ISO string does), so the Worker copies a string instead of making a `Date` and formatting it for each date.
 */
export function wpDateSql(instant: SQL | AnyColumn): SQL<string> {
  return sql<string>`to_char(${instant} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')`;
}

/** An instant as JavaScript's `toISOString` writes it (milliseconds, `Z`), or null. */
function isoInstantSql(instant: SQL): SQL {
  return sql`to_char(${instant} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The items whose ids `pageIds` selects, as `ItemRow`s in `order`. The page's categories and tags are read once for
 * the whole page: their links found by the page's item ids, grouped by item (`page_terms`, materialised so it is
 * built once however PostgreSQL joins it), where a correlated subquery per item and taxonomy cost each item two
 * subplans (about a third of a list's PostgreSQL time). The page's ids are an array to the links and to the items
 * alike, so both are looked up by id rather than joined against the page.
 */
export function itemRowsQuery(db: HttpDatabase, pageIds: SQLWrapper, order: SQL[] = []) {
  const ids = sql`any(array(select "id" from "page"))`;
  return db.execute<ItemRow>(sql`with "page" as (${pageIds}),
  "page_terms" as materialized (select l.content_id,
      json_agg(l.wp_id order by l.wp_id) filter (where l.taxonomy = 'category') as category_wp_ids,
      json_agg(l.wp_id order by l.wp_id) filter (where l.taxonomy = 'post_tag') as tag_wp_ids
    from (select ic.content_id, c.wp_id, 'category' as taxonomy from content_item_categories ic
        join categories c on c.id = ic.category_id where ic.content_id = ${ids}
      union all
      select it.content_id, t.wp_id, 'post_tag' from content_item_tags it
        join tags t on t.id = it.tag_id where it.content_id = ${ids}) l
    group by l.content_id)
  select ${ITEM_JSON} as "item" from ${contentItems}
    left join "page_terms" on "page_terms"."content_id" = ${contentItems.id}
    where ${contentItems.id} = ${ids}${order.length ? sql` order by ${sql.join(order, sql`, `)}` : sql``}`);
}

/** The WordPress ids of `ids`, as a condition on a `wp_id` column (`= any`, one array parameter however many ids). */
export function wpIdIn(column: AnyColumn, ids: Placeholder<string, number[]>): SQL {
  return sql`${column} = any(${ids}::bigint[])`;
}

type EmbedValues = { authorIds: number[]; categoryIds: number[]; tagIds: number[] };

/** `_embed`'s statements for each viewer's levels, built once per isolate: the authors and terms of some items. */
const embedReads = new Map(
  [false, true].map((professional) => {
    const viewer: Viewer = { ...ANONYMOUS_VIEWER, verifiedProfessional: professional };
    return [
      professional,
      {
        authors: preparedRead((db, p: ReadPlaceholders<EmbedValues>) =>
          authorRowsQuery(db, viewer, wpIdIn(contentAuthors.wpId, p.authorIds)),
        ),
        categories: preparedRead((db, p: ReadPlaceholders<EmbedValues>) =>
          termRowsQuery(db, viewer, "category", wpIdIn(categories.wpId, p.categoryIds)),
        ),
        tags: preparedRead((db, p: ReadPlaceholders<EmbedValues>) =>
          termRowsQuery(db, viewer, "post_tag", wpIdIn(tags.wpId, p.tagIds)),
        ),
      },
    ] as const;
  }),
);

/**
 * `_embed`: the authors and terms the items link to, read in one further round trip (only when a client asks
 * for it: they are known only once the items are).
 */
async function embedFor(scope: Scope, origin: string, viewer: Viewer, rows: ItemRow[]): Promise<Map<string, Json>> {
  const embedded = new Map<string, Json>();
  if (rows.length === 0) return embedded;
  const values: EmbedValues = {
    authorIds: [...new Set(rows.map((row) => row.item.authorWpId))],
    categoryIds: [...new Set(rows.flatMap((row) => row.item.categoryWpIds))],
    tagIds: [...new Set(rows.flatMap((row) => row.item.tagWpIds))],
  };
  const reads = embedReads.get(viewer.verifiedProfessional)!;
  const [authors, categoryRows, tagRows] = await scope.read(() => [
    reads.authors(values),
    reads.categories(values),
    reads.tags(values),
  ]);
  const categoryTerms = categoryRows as TermRow[];
  const tagTerms = tagRows as TermRow[];
  for (const { item } of rows) {
    const entry: Json = {
      author: authors.filter((author) => author.wpId === item.authorWpId).map((author) => userShape(origin, author)),
    };
    if (hasTerms(item.type)) {
      entry["wp:term"] = [
        categoryTerms
          .filter((term) => item.categoryWpIds.includes(term.wpId))
          .map((term) => termShape(origin, "category", term)),
        tagTerms.filter((term) => item.tagWpIds.includes(term.wpId)).map((term) => termShape(origin, "post_tag", term)),
      ];
    }
    embedded.set(item.id, entry);
  }
  return embedded;
}

/** Items in WordPress's shape, with `_embedded` when asked for and `_fields` applied. */
export async function shapeItems(
  scope: Scope,
  origin: string,
  viewer: Viewer,
  rows: ItemRow[],
  query: { embed: boolean; fields?: string[] },
): Promise<Json[]> {
  const embedded = query.embed ? await embedFor(scope, origin, viewer, rows) : new Map<string, Json>();
  return rows.map(({ item }) => {
    const shape = postShape(origin, {
      ...item,
      bodyHtml: expandBodyImages(item.bodyHtml, item.bodyImages, { origin }),
    });
    if (query.embed) shape._embedded = embedded.get(item.id);
    return filterFields(shape, query.fields ? [...query.fields, ...(query.embed ? ["_embedded"] : [])] : undefined);
  });
}

/** Published items the viewer may see, per term: WordPress's `count` without revealing hidden content. */
export function visibleCountSql(
  viewer: Viewer,
  joinTable: typeof contentItemCategories | typeof contentItemTags,
  termColumn: SQL,
): SQL<number> {
  const termId = "categoryId" in joinTable ? joinTable.categoryId : joinTable.tagId;
  return sql<number>`(select count(*)::int from ${joinTable} join ${contentItems} on ${contentItems.id} = ${joinTable.contentId}
    where ${termId} = ${termColumn} and ${inArray(contentItems.type, [...listedContentTypes])} and ${publicVisibility(viewer)})`;
}

/**
 * Terms with their visible counts (rows are `TermRow`s), as a statement for `scope.read`, in `order` when given.
 * A list selects its page's terms in `where` first, so only those terms are counted.
 */
export function termRowsQuery(
  db: HttpDatabase,
  viewer: Viewer,
  taxonomy: WpTaxonomy,
  where?: SQL,
  order: SQL[] = [],
): BatchItem<"pg"> {
  if (taxonomy === "category") {
    // Qualified by hand: inside the subquery an unqualified "parent_id" would bind to the alias p.
    const parent = sql<
      number | null
    >`(select p.wp_id from categories p where p.id = ${sql.raw('"categories"."parent_id"')})`;
    return db
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
      .where(where)
      .orderBy(...order);
  }
  return db
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
    .where(where)
    .orderBy(...order);
}

/**
 * Authors with at least one item the reader can see — WordPress shows anonymous readers only users with
 * published posts (`has_published_posts`), which also keeps staff who never published private.
 */
export function authorRowsQuery(db: HttpDatabase, viewer: Viewer, where?: SQL) {
  const published = exists(
    db
      .select({ one: sql`1` })
      .from(contentItems)
      .where(and(eq(contentItems.authorId, contentAuthors.userId), publicVisibility(viewer))),
  );
  return db
    .select({ wpId: contentAuthors.wpId, slug: contentAuthors.slug, name: users.displayName })
    .from(contentAuthors)
    .innerJoin(users, eq(users.id, contentAuthors.userId))
    .where(where ? and(published, where) : published);
}
