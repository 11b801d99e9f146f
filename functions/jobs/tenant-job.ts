import type { Logger } from "../lib/logging";
import type { PlatformScope, Scope } from "../scope";
import { jobErrorCode, recordJobRun, recordRotationStart, rotateTenants, rotationStart } from "../services/job-runs";

/** What a cron job does, tenant by tenant. */
export interface TenantJob<Result, Shared> {
  /** Once a run, before any tenant: what every tenant's work shares (an SMTP connection, the pinned keys). */
  prepare(platform: PlatformScope): Promise<Shared>;
  /** One tenant's work, in that tenant's scope (row-level security in force, the job as the system actor). */
  run(scope: Scope, shared: Shared): Promise<Result>;
  /** After the last tenant, whether the work succeeded or not: closes what `prepare` opened. */
  release?(shared: Shared): Promise<void>;
  /** Logs the run from the results of the tenants that succeeded. */
  report?(logger: Logger, results: Result[]): void;
  /**
   * For a job paced over its whole run (JOB_PACE): whether its time budget is spent. Such a job rotates: it visits
   * the tenants from the one the last run's budget ran out in (services/job-runs.ts, `rotateTenants`), so a backlog
   * larger than one run's budget reaches every tenant in turn instead of delaying the same last tenants every hour.
   */
  budgetSpent?(shared: Shared): boolean;
}

/**
 * Runs `job` for each of `platform.activeTenants()`, in the tenant's own scope, one after another, and answers the
 * results of the tenants that succeeded.
 *
 * A tenant whose work throws is logged and the others go on: one clinic's broken row must not stop another's
 * scheduled publication or mail. Each tenant's outcome is recorded in `job_runs` (services/job-runs.ts), which
 * counts the failures in a row and alerts the compliance officers at the third. A paced job (`budgetSpent`) starts
 * at the tenant its last run's budget ran out in (`job_rotations`); a run that ends within its budget keeps it.
 */
export async function runForTenants<Result, Shared>(
  platform: PlatformScope,
  name: string,
  job: TenantJob<Result, Shared>,
  shared: Shared,
): Promise<Result[]> {
  const { logger, clients } = platform;
  const results: Result[] = [];
  const active = await platform.activeTenants();
  const tenants = job.budgetSpent ? rotateTenants(active, await rotationStart(clients.db, name)) : active;
  let nextStart: string | null = null;
  for (const tenant of tenants) {
    const scope = platform.forTenant(tenant);
    const startedAt = new Date();
    let errorCode: string | null = null;
    try {
      results.push(await job.run(scope, shared));
    } catch (error) {
      errorCode = jobErrorCode(error);
      logger.error("scheduled job failed for a tenant", { tenant: tenant.slug, error });
    }
    try {
      await recordJobRun(scope, { job: name, startedAt, finishedAt: new Date(), errorCode });
    } catch (error) {
      logger.error("job run not recorded", { tenant: tenant.slug, error });
    }
    // The tenant the budget ran out in: its work may be unfinished, and the ones after it got none.
    if (nextStart === null && job.budgetSpent?.(shared)) nextStart = tenant.id;
  }
  if (nextStart !== null) await recordRotationStart(clients.db, name, nextStart);
  return results;
}
