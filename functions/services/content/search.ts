import { and, desc, eq, isNull, ne, type Placeholder, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { CONTENT_LOCALES, CONTENT_TYPES } from "../../contract";
import { contentItems, type ContentLocale, type ContentType } from "../../../schema";
import type { Scope } from "../../scope";
import { adminVisibility, publicVisibility, readViewer } from "./access";

/**
 * The tsquery of a reader's words (websearch syntax: quotes, `or`, `-word`), unaccented like the indexed
 * documents (see the migration `content-rls-search`). With a locale, that language's dictionary; without,
 * the union of the three, so a query matches whichever language the article is written in. `q` and `locale` may be
 * a prepared read's placeholders.
 */
export function searchQuerySql(q: string | Placeholder, locale: ContentLocale | Placeholder | undefined): SQL {
  if (locale) return sql`websearch_to_tsquery(vitalis_search_config(${locale}), vitalis_unaccent(${q}))`;
  return sql`(websearch_to_tsquery('pg_catalog.portuguese'::regconfig, vitalis_unaccent(${q}))
    || websearch_to_tsquery('pg_catalog.english'::regconfig, vitalis_unaccent(${q}))
    || websearch_to_tsquery('pg_catalog.spanish'::regconfig, vitalis_unaccent(${q})))`;
}

/**
 * Whether a row matches the query. The match runs in `vitalis_search_content` (migration `scale-queries`), which
 * finds the tenant's matching ids through the GIN index on (tenant_id, search_vector): written here as `@@`, the
 * match would run after the row-level security policy (it is not LEAKPROOF), so never on the index.
 */
export function searchMatchSql(q: string | Placeholder, locale: ContentLocale | Placeholder | undefined): SQL {
  return sql`"content_items"."id" in (select s.id from vitalis_search_content(${searchQuerySql(q, locale)}) s)`;
}

/** ts_rank over the weighted document: title (A) above excerpt (B) above body (C). */
export function searchRankSql(q: string | Placeholder, locale: ContentLocale | Placeholder | undefined): SQL<number> {
  return sql<number>`ts_rank("content_items"."search_vector", ${searchQuerySql(q, locale)})`;
}

export const searchHitSchema = z.object({
  id: z.uuid(),
  wpId: z.number().int(),
  type: z.enum(CONTENT_TYPES),
  title: z.string(),
  slug: z.string(),
  excerpt: z.string(),
  locale: z.enum(CONTENT_LOCALES),
  state: z.string(),
  publishedAt: z.string().nullable(),
  rank: z.number(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export interface SearchOptions {
  q: string;
  locale?: ContentLocale;
  type?: ContentType;
  limit?: number;
  offset?: number;
  /** Whether the session qualifies for PHI (a trust evaluation at `phi`); without it, `phi` items are left out. */
  includePhi?: boolean;
}

/**
 * Ranked full-text search over what the caller may see: staff see the admin view (drafts included, by
 * role), everyone else the published public view.
 */
export async function searchContent(scope: Scope, options: SearchOptions): Promise<{ hits: SearchHit[] }> {
  const limit = Math.min(100, Math.max(1, options.limit ?? 20));
  const viewer = await readViewer(scope);
  const visibility = viewer.userId ? adminVisibility(viewer) : publicVisibility(viewer);
  const rank = searchRankSql(options.q, options.locale);
  const conditions: SQL[] = [visibility, isNull(contentItems.trashedAt), searchMatchSql(options.q, options.locale)];
  if (!options.includePhi) conditions.push(ne(contentItems.complianceLevel, "phi"));
  if (options.locale) conditions.push(eq(contentItems.locale, options.locale));
  if (options.type) conditions.push(eq(contentItems.type, options.type));
  const [rows] = await scope.read((db) => [
    db
      .select({
        id: contentItems.id,
        wpId: contentItems.wpId,
        type: contentItems.type,
        title: contentItems.title,
        slug: contentItems.slug,
        excerpt: contentItems.excerpt,
        locale: contentItems.locale,
        state: contentItems.state,
        publishedAt: contentItems.publishedAt,
        rank,
      })
      .from(contentItems)
      .where(and(...conditions))
      .orderBy(desc(rank), desc(contentItems.publishedAt), desc(contentItems.id))
      .limit(limit)
      .offset(Math.max(0, options.offset ?? 0)),
  ]);
  return {
    hits: rows.map((row) => ({
      ...row,
      rank: Number(row.rank),
      publishedAt: row.publishedAt ? row.publishedAt.toISOString() : null,
    })),
  };
}
