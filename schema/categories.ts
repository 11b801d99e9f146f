import { sql } from "drizzle-orm";
import { bigserial, type AnyPgColumn, index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/** Hierarchical categories (WordPress's); each tenant starts with the medical specialties. */
export const categories = pgTable(
  "categories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    wpId: bigserial("wp_id", { mode: "number" }).notNull().unique(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    description: text("description").notNull().default(""),
    parentId: uuid("parent_id").references((): AnyPgColumn => categories.id, { onDelete: "set null" }),
    createdAt: createdAt({ precision: 3 }),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("categories_tenant_slug").on(table.tenantId, table.slug),
    index("categories_parent_idx").on(table.parentId),
    pgPolicy("categories_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type Category = typeof categories.$inferSelect;
