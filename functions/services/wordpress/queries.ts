import { and, eq, exists, inArray, type SQL, sql } from "drizzle-orm";
import {
  categories,
  contentAuthors,
  type ContentItem,
  contentItemCategories,
  contentItems,
  contentItemTags,
  tags,
  users,
} from "../../../schema";
import { listedContentTypes } from "../../content-types";
import type { Transaction } from "../../lib/db";
import { publicVisibility, type Viewer } from "../content/access";
import {
  type AuthorRow,
  filterFields,
  hasTerms,
  type ItemExtras,
  type Json,
  postShape,
  type TermRow,
  termShape,
  userShape,
  type WpTaxonomy,
} from "./shapes";

/** The SQL behind the WordPress reads: what an item links to, terms with their visible counts, authors. */

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
    if (hasTerms(item.type)) {
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

/** Items in WordPress's shape, with `_embedded` when asked for and `_fields` applied. */
export async function shapeItems(
  tx: Transaction,
  origin: string,
  viewer: Viewer,
  items: ContentItem[],
  query: { embed: boolean; fields?: string[] },
): Promise<Json[]> {
  const extras = await extrasFor(tx, items);
  const embedded = query.embed ? await embedFor(tx, origin, viewer, items, extras) : new Map<string, Json>();
  return items.map((item) => {
    const shape = postShape(origin, item, extras.get(item.id)!);
    if (query.embed) shape._embedded = embedded.get(item.id);
    return filterFields(shape, query.fields ? [...query.fields, ...(query.embed ? ["_embedded"] : [])] : undefined);
  });
}

/** Published items the viewer may see, per term: WordPress's `count` without revealing hidden content. */
function visibleCountSql(
  viewer: Viewer,
  joinTable: typeof contentItemCategories | typeof contentItemTags,
  termColumn: SQL,
): SQL<number> {
  const termId = "categoryId" in joinTable ? joinTable.categoryId : joinTable.tagId;
  return sql<number>`(select count(*)::int from ${joinTable} join ${contentItems} on ${contentItems.id} = ${joinTable.contentId}
    where ${termId} = ${termColumn} and ${inArray(contentItems.type, [...listedContentTypes])} and ${publicVisibility(viewer)})`;
}

export async function termRows(tx: Transaction, viewer: Viewer, taxonomy: WpTaxonomy, where?: SQL): Promise<TermRow[]> {
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

/**
 * Authors with at least one item the reader can see — WordPress shows anonymous readers only users with
 * published posts (`has_published_posts`), which also keeps staff who never published private.
 */
export function authorRows(tx: Transaction, viewer: Viewer, where?: SQL): Promise<AuthorRow[]> {
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
