import { sql } from "drizzle-orm";
import { bigserial, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * The public face of a user who writes for a tenant: WordPress's integer author id and a slug. Users are
 * global and keyed by uuid; WordPress clients need integers, and the public API must show nothing else
 * about the person (never the e-mail).
 */
export const contentAuthors = pgTable(
  "content_authors",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    wpId: bigserial("wp_id", { mode: "number" }).notNull().unique(),
    slug: text("slug").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId] }),
    pgPolicy("content_authors_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
