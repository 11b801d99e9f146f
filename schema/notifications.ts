import { sql } from "drizzle-orm";
import { check, index, jsonb, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { CONTENT_LOCALES } from "../functions/contract";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const NOTICE_DELIVERIES = ["immediate", "digest"] as const;
export type NoticeDelivery = (typeof NOTICE_DELIVERIES)[number];

/**
 * How a member of a tenant wants the editorial workflow's notices (an item awaiting their medical review, their
 * item sent back or published, an override past a blocking finding): each by e-mail at once, or gathered in one
 * daily digest, in the language they chose. One row per membership (tenant and person); none means at once, in
 * the tenant's default language.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    delivery: text("delivery", { enum: NOTICE_DELIVERIES }).notNull().default("immediate"),
    locale: text("locale", { enum: CONTENT_LOCALES }).notNull(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId] }),
    check("notification_preferences_delivery_check", sql`${table.delivery} in ('immediate', 'digest')`),
    pgPolicy("notification_preferences_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

/**
 * Workflow notices waiting for a member's daily digest, written in the transaction of the change they report.
 * `data` is the notice as the e-mail shows it (never PHI); the digest job marks what it sent (`digested_at`) in
 * the transaction that queues the digest e-mail.
 */
export const workflowNotices = pgTable(
  "workflow_notices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt({ precision: 3 }),
    digestedAt: instant("digested_at"),
  },
  (table) => [
    index("workflow_notices_waiting_idx")
      .on(table.tenantId, table.userId, table.createdAt)
      .where(sql`${table.digestedAt} is null`),
    pgPolicy("workflow_notices_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type NotificationPreference = typeof notificationPreferences.$inferSelect;
