import { sql } from "drizzle-orm";
import { boolean, integer, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * The last run of each cron job in each tenant (jobs/run.ts): when it started and finished, whether it succeeded,
 * the error's stable code when it did not (never a message or a stack, which may carry personal data), and how
 * many runs in a row have failed, so "a job failing three times" is a fact the alerts and the compliance dashboard
 * read. One row per (tenant, job), overwritten by each run: its history is in the logs and, for failures and
 * recoveries, in the audit chain.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    job: text("job").notNull(),
    startedAt: instant("started_at", { precision: 3 }).notNull(),
    finishedAt: instant("finished_at", { precision: 3 }).notNull(),
    ok: boolean("ok").notNull(),
    errorCode: text("error_code"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** The start of the first run of the current failing streak; null while the job succeeds. */
    failingSince: instant("failing_since", { precision: 3 }),
    lastSuccessAt: instant("last_success_at", { precision: 3 }),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.job] }),
    pgPolicy("job_runs_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type JobRun = typeof jobRuns.$inferSelect;
