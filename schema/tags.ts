import { sql } from "drizzle-orm";
import { bigserial, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/** Flat tags (WordPress's post_tag). */
export const tags = pgTable(
  "tags",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    wpId: bigserial("wp_id", { mode: "number" }).notNull().unique(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt({ precision: 3 }),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("tags_tenant_slug").on(table.tenantId, table.slug),
    pgPolicy("tags_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type Tag = typeof tags.$inferSelect;
