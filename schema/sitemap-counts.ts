import { sql } from "drizzle-orm";
import { integer, pgPolicy, pgTable, primaryKey, smallint, text, uuid } from "drizzle-orm/pg-core";
import { CONTENT_LOCALES } from "../functions/contract";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * What the sitemaps offer, counted by the database itself (triggers of migration 0028 on content items, their
 * category and tag links, categories, tags and authors): per tenant and locale, one row per
 *   kind 0, the home: the locale's indexable items (`items`), its non-empty lists (`lists`);
 *   kind 1, 2, 3, a category, tag or author list by slug: its indexable items of a listed type;
 *   kind 4, an item file (`file`, by fixed `wp_id` ranges: `sitemap_file(wp_id)`): its indexable items;
 * each with the instant of its last change (an item added or updated: its `updated_at`; removed: the transaction's).
 * So the sitemap index reads one row per file and a list file one row per URL, never the locale's items. Rows of
 * lists and files are deleted when they empty; a home row stays (at 0 the locale offers nothing).
 */
export const sitemapCounts = pgTable(
  "sitemap_counts",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    locale: text("locale", { enum: CONTENT_LOCALES }).notNull(),
    kind: smallint("kind").notNull(),
    slug: text("slug").notNull().default(""),
    file: integer("file").notNull().default(0),
    items: integer("items").notNull(),
    lists: integer("lists").notNull().default(0),
    lastModified: instant("last_modified", { precision: 3 }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.locale, table.kind, table.slug, table.file] }),
    pgPolicy("sitemap_counts_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
