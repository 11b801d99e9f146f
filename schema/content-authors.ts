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
    /**
     * The account's name, as the public site and the WordPress API show it: a copy of `users.display_name` that
     * triggers keep (migration 0030: filled on insert, followed when the account's name changes), so a public read
     * takes the byline from this tenant's own row under its own policy and never reads `users`, whose policy has
     * PostgreSQL build hash tables of the tenant's members, authors and invitations on every read. The default only
     * lets an insert leave it out; the trigger writes it.
     */
    displayName: text("display_name").notNull().default(""),
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
