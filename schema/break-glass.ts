import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const BREAK_GLASS_REVIEW_OUTCOMES = ["justified", "unjustified"] as const;
export type BreakGlassReviewOutcome = (typeof BREAK_GLASS_REVIEW_OUTCOMES)[number];

/**
 * Emergency access to PHI (HIPAA 45 CFR 164.312(a)(2)(ii), "emergency access procedure"): an admin or medical
 * reviewer states why, and for one hour passes the PHI trust requirement that would otherwise refuse them.
 * The row is the record compliance officers review after the fact; the Redis key the trust script reads
 * (services/trust-signals.ts) carries the same expiry.
 */
export const breakGlassGrants = pgTable(
  "break_glass_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    justification: text("justification").notNull(),
    openedAt: instant("opened_at", { precision: 3 }).notNull().defaultNow(),
    expiresAt: instant("expires_at", { precision: 3 }).notNull(),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    reviewedAt: instant("reviewed_at", { precision: 3 }),
    reviewOutcome: text("review_outcome", { enum: BREAK_GLASS_REVIEW_OUTCOMES }),
    reviewNote: text("review_note"),
  },
  (table) => [
    index("break_glass_grants_tenant_opened_idx").on(table.tenantId, table.openedAt),
    check("break_glass_grants_review_outcome", sql`${table.reviewOutcome} in ('justified', 'unjustified')`),
    pgPolicy("break_glass_grants_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type BreakGlassGrant = typeof breakGlassGrants.$inferSelect;
