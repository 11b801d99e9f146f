import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const legalHoldScopes = ["tenant", "subject", "user", "item"] as const;
export type LegalHoldScope = (typeof legalHoldScopes)[number];

/**
 * A legal hold (litigation, a regulator's or court's order, an ANPD inquiry): while it is active, nothing
 * it covers is deleted or anonymised, whatever the retention table says. Scope `tenant` covers everything
 * of the tenant; `subject` a data subject's data; `user` what a user created; `item` one row (`item_type`
 * names the table, e.g. `media_item`).
 */
export const legalHolds = pgTable(
  "legal_holds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    scope: text("scope", { enum: legalHoldScopes }).notNull(),
    /** The subject, user or item id for scopes other than `tenant`. */
    targetId: uuid("target_id"),
    itemType: text("item_type"),
    reason: text("reason").notNull(),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt({ precision: 3 }),
    releasedAt: instant("released_at", { precision: 3 }),
    releasedBy: uuid("released_by").references(() => users.id),
  },
  (table) => [
    index("legal_holds_tenant_active_idx").on(table.tenantId, table.scope, table.targetId),
    check("legal_holds_target", sql`(${table.scope} = 'tenant') = (${table.targetId} is null)`),
    pgPolicy("legal_holds_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type LegalHold = typeof legalHolds.$inferSelect;
