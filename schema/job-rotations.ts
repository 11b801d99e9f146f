import { sql } from "drizzle-orm";
import { pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole } from "./roles";

/**
 * Where a paced job's next run starts (jobs/run.ts): the tenant during whose work the last run's time budget ran
 * out. Tenants are visited in id order from that one, wrapping around, so a backlog larger than one run's budget
 * reaches every tenant in turn rather than delaying the same last tenants every hour. One row per job; it holds
 * no tenant's data (a tenant id names no person), so every job reads it before it knows a tenant.
 */
export const jobRotations = pgTable(
  "job_rotations",
  {
    job: text("job").primaryKey(),
    /** The first tenant (by id) the next run visits; no foreign key: a tenant deleted since is passed over. */
    startTenantId: uuid("start_tenant_id").notNull(),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  () => [pgPolicy("job_rotations_jobs", { for: "all", to: appRole, using: sql`true`, withCheck: sql`true` })],
).enableRLS();
