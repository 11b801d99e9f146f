import { sql } from "drizzle-orm";
import { jsonb, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import type { Role } from "./memberships";
import { appRole, currentTenantSql, platformRole } from "./roles";

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
    /** What the tenant's admins set (GET/PUT /api/tenant/settings; shapes/tenant-settings.ts), beside `name`. */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Roles whose members must have a second factor to get a session in this tenant (they read PHI). Set by
     * the tenant's admins (PUT /api/auth/policy); the app role may update this column only (migration 0009).
     */
    mfaRequiredRoles: text("mfa_required_roles")
      .array()
      .$type<Role[]>()
      .notNull()
      .default(sql`'{admin,medical_reviewer,compliance_officer}'::text[]`),
    createdAt: createdAt(),
  },
  () => [
    // Tenants are resolved from the request's hostname before any tenant is selected, so the Worker may
    // read them all; it may not create or change them (that is the operator's migration/admin role).
    pgPolicy("tenants_read", { for: "select", to: appRole, using: sql`true` }),
    // A tenant's own admins change its sign-in policy; the column grant limits the update to that column.
    pgPolicy("tenants_update_own", {
      for: "update",
      to: appRole,
      using: sql.raw(`id = ${currentTenantSql}`),
      withCheck: sql.raw(`id = ${currentTenantSql}`),
    }),
    // The platform operator lists, creates, suspends and resumes tenants (the grants limit what it may change).
    pgPolicy("tenants_platform", { for: "all", to: platformRole, using: sql`true`, withCheck: sql`true` }),
  ],
).enableRLS();

export type Tenant = typeof tenants.$inferSelect;
