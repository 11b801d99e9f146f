import { sql } from "drizzle-orm";
import { jsonb, pgPolicy, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appRole } from "./roles";

/** An organisation that publishes (a clinic, a hospital network). */
export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    status: text("status", { enum: ["active", "suspended"] })
      .notNull()
      .default("active"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  () => [
    // Tenants are resolved from the request's hostname before any tenant is selected, so the Worker may
    // read them all; it may not create or change them (that is the operator's migration/admin role).
    pgPolicy("tenants_read", { for: "select", to: appRole, using: sql`true` }),
  ],
).enableRLS();

export type Tenant = typeof tenants.$inferSelect;
