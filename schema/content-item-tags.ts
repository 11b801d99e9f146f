import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, primaryKey, uuid } from "drizzle-orm/pg-core";
import { contentItems } from "./content-items";
import { appRole, currentTenantSql } from "./roles";
import { tags } from "./tags";
import { tenants } from "./tenants";

/** Which tags a content item carries. */
export const contentItemTags = pgTable(
  "content_item_tags",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    contentId: uuid("content_id")
      .notNull()
      .references(() => contentItems.id, { onDelete: "cascade" }),
    tagId: uuid("tag_id")
      .notNull()
      .references(() => tags.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.contentId, table.tagId] }),
    index("content_item_tags_tag_idx").on(table.tagId),
    pgPolicy("content_item_tags_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
