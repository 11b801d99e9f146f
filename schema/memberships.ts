import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { appRole, currentTenantSql, writtenInThisTransactionSql, platformRole } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";
import { ROLES } from "../functions/contract";

export { ROLES as roles } from "../functions/contract";
export type { Role } from "../functions/contract";

export const MEMBERSHIP_STATUSES = ["active", "disabled"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/**
 * Who a tenant may attach: a person already a member here (another role), one this transaction created, or the
 * person who accepted one of this tenant's invitations in this very transaction, for a role the invitation names.
 * Anyone else is another tenant's member, whom this tenant cannot see and must not be able to claim.
 */
const attachable =
  `exists (select 1 from memberships m where m.user_id = memberships.user_id and m.tenant_id = ${currentTenantSql})` +
  ` or exists (select 1 from users u where u.id = memberships.user_id and ${writtenInThisTransactionSql("u")})` +
  ` or exists (select 1 from invitations i where i.tenant_id = ${currentTenantSql} and i.accepted_by = memberships.user_id` +
  ` and memberships.role = any(i.roles) and ${writtenInThisTransactionSql("i")})`;

/**
 * A role a user holds in a tenant; one row per role. `status` is the tenant's own say over the person: a
 * tenant admin disables the membership (every row of it), which ends sign-in in this tenant only.
 */
export const memberships = pgTable(
  "memberships",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    status: text("status", { enum: MEMBERSHIP_STATUSES }).notNull().default("active"),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId, table.role] }),
    index("memberships_user_idx").on(table.userId),
    check("memberships_status_check", sql`${table.status} in ('active', 'disabled')`),
    pgPolicy("memberships_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    // Restrictive: AND-ed with the tenant check above, so a membership row needs both.
    pgPolicy("memberships_attach", {
      as: "restrictive",
      for: "insert",
      to: appRole,
      withCheck: sql.raw(attachable),
    }),
    // The platform operator reads which tenants a person belongs to (to audit a global disable in each).
    pgPolicy("memberships_platform_read", { for: "select", to: platformRole, using: sql`true` }),
  ],
).enableRLS();

export type Membership = typeof memberships.$inferSelect;
