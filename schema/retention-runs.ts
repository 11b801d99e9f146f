import { sql } from "drizzle-orm";
import { index, jsonb, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

export interface RetentionCounts {
  deleted: number;
  anonymised: number;
  held: number;
  failed: number;
}

/** One pass of the retention sweep over one tenant: when, how far it got, what it did. */
export const retentionRuns = pgTable(
  "retention_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    status: text("status", { enum: ["running", "completed", "stopped"] })
      .notNull()
      .default("running"),
    counts: jsonb("counts")
      .$type<RetentionCounts>()
      .notNull()
      .default({ deleted: 0, anonymised: 0, held: 0, failed: 0 }),
    startedAt: instant("started_at", { precision: 3 }).notNull().defaultNow(),
    finishedAt: instant("finished_at", { precision: 3 }),
  },
  (table) => [
    index("retention_runs_tenant_started_idx").on(table.tenantId, table.startedAt),
    pgPolicy("retention_runs_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

/**
 * Where the sweep of one task (`media`, `consents`) in one tenant stopped: a keyset cursor written in the
 * same transaction as the batch it follows, so a run that crashes resumes after the last committed batch
 * and never repeats or skips one. Null cursor = the last pass finished; the next starts from the beginning.
 */
export const retentionCheckpoints = pgTable(
  "retention_checkpoints",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    task: text("task").notNull(),
    cursorAt: instant("cursor_at", { precision: 3 }),
    cursorId: uuid("cursor_id"),
    runId: uuid("run_id"),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.task] }),
    pgPolicy("retention_checkpoints_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
