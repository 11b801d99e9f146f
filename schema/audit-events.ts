import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgPolicy, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql, platformRole } from "./roles";
import { tenants } from "./tenants";

/**
 * The append-only audit log (HIPAA 45 CFR 164.312(b) audit controls; LGPD Art. 37 records of processing).
 * Each tenant has its own hash chain: `hash` = SHA-256 over the canonical encoding of the event including
 * `prev_hash`, so editing or removing any event breaks every later link. A trigger refuses UPDATE,
 * DELETE and TRUNCATE (see the migration), and the Worker's role may only insert and read.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    occurredAt: instant("occurred_at", { precision: 3 }).notNull(),
    actorType: text("actor_type", { enum: ["user", "service", "system", "anonymous", "platform"] }).notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    requestId: text("request_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (table) => [
    unique("audit_events_tenant_seq").on(table.tenantId, table.seq),
    index("audit_events_tenant_time_idx").on(table.tenantId, table.occurredAt),
    // The audit API's filters, newest first (`seq` descending is a backward scan of each).
    index("audit_events_tenant_action_idx").on(table.tenantId, table.action, table.seq),
    index("audit_events_tenant_actor_idx").on(table.tenantId, table.actorId, table.seq),
    index("audit_events_tenant_target_idx").on(table.tenantId, table.targetType, table.targetId, table.seq),
    pgPolicy("audit_events_read", { for: "select", to: appRole, using: sql.raw(`tenant_id = ${currentTenantSql}`) }),
    pgPolicy("audit_events_append", {
      for: "insert",
      to: appRole,
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    // Platform operations are audited in the chain of each tenant they touch, set with app.tenant_id.
    pgPolicy("audit_events_platform_read", {
      for: "select",
      to: platformRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    pgPolicy("audit_events_platform_append", {
      for: "insert",
      to: platformRole,
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type AuditEventRow = typeof auditEvents.$inferSelect;
