import { sql } from "drizzle-orm";
import { boolean, index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { appRole, currentTenantSql, platformRole } from "./roles";
import { tenants } from "./tenants";

/** The public hostnames a tenant answers on; one hostname belongs to exactly one tenant. */
export const tenantHostnames = pgTable(
  "tenant_hostnames",
  {
    hostname: text("hostname").primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    isPrimary: boolean("is_primary").notNull().default(false),
  },
  (table) => [
    index("tenant_hostnames_tenant_idx").on(table.tenantId),
    pgPolicy("tenant_hostnames_read", { for: "select", to: appRole, using: sql`true` }),
    // A tenant's admins choose which of its own hostnames is primary (tenant settings; column grant: is_primary).
    pgPolicy("tenant_hostnames_primary_own", {
      for: "update",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    // The platform operator adds and removes any tenant's hostnames.
    pgPolicy("tenant_hostnames_platform", { for: "all", to: platformRole, using: sql`true`, withCheck: sql`true` }),
  ],
).enableRLS();
