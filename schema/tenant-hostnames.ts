import { sql } from "drizzle-orm";
import { boolean, index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { appRole, platformRole } from "./roles";
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
    // The platform operator adds and removes any tenant's hostnames.
    pgPolicy("tenant_hostnames_platform", { for: "all", to: platformRole, using: sql`true`, withCheck: sql`true` }),
  ],
).enableRLS();
