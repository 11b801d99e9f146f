import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, primaryKey, uuid } from "drizzle-orm/pg-core";
import { categories } from "./categories";
import { contentItems } from "./content-items";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/** Which categories a content item is filed under. */
export const contentItemCategories = pgTable(
  "content_item_categories",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    contentId: uuid("content_id")
      .notNull()
      .references(() => contentItems.id, { onDelete: "cascade" }),
    categoryId: uuid("category_id")
      .notNull()
      .references(() => categories.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.contentId, table.categoryId] }),
    index("content_item_categories_category_idx").on(table.categoryId),
    pgPolicy("content_item_categories_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
