import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import type { Role } from "./memberships";
import { appRole, currentTenantSql, platformRole } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * An invitation to join a tenant with some roles. The token is single-use, lives 72 hours and is stored only as
 * its SHA-256 hash; the e-mail carries it in the link's fragment, so it never reaches a server log.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Lower-cased. */
    email: text("email").notNull(),
    roles: text("roles").array().$type<Role[]>().notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Null when a platform operator invited the tenant's first admin. */
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: instant("expires_at").notNull(),
    acceptedAt: instant("accepted_at"),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: instant("revoked_at"),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("invitations_token_idx").on(table.tokenHash),
    index("invitations_tenant_email_idx").on(table.tenantId, table.email),
    // The platform operator invites a new tenant's first admin and queues the e-mail, in that tenant only.
    pgPolicy("invitations_platform", {
      for: "all",
      to: platformRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    pgPolicy("invitations_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type Invitation = typeof invitations.$inferSelect;
