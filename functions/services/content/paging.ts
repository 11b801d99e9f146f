import { type Placeholder, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { HttpDatabase } from "../../lib/db-http";

/**
 * Counting a list without reading all of it. Counting every match would make each page cost the whole
 * collection; counting up to ten pages beyond the requested one keeps the total exact whenever the list ends
 * within them, and otherwise gives a lower bound that moves forward as a reader pages on (so following "next",
 * or WordPress's X-WP-TotalPages, still reaches the last page).
 */
export const COUNT_LOOKAHEAD_PAGES = 10;

/** How many rows a page's total is counted up to: this page, ten more, and one to tell that more exist. */
export function countCap(page: number, perPage: number): number {
  return (page + COUNT_LOOKAHEAD_PAGES) * perPage + 1;
}

/**
 * `count(*)` of the rows of `table` that match `where`, counting no further than `cap` (for `scope.read`; a
 * placeholder in a prepared read).
 */
export function cappedCount(db: HttpDatabase, table: PgTable, where: SQL | undefined, cap: number | Placeholder) {
  const rows = db
    .select({ one: sql<number>`1`.as("one") })
    .from(table)
    .where(where)
    .limit(cap)
    .as("capped");
  return db.select({ total: sql<number>`count(*)::int` }).from(rows);
}
