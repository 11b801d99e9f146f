import { and, desc, eq, gt, sql } from "drizzle-orm";
import { jobRotations, jobRuns } from "../../schema";
import type { Database, Transaction } from "../lib/db";
import { AppError } from "../lib/errors";
import type { Scope } from "../scope";
import { alertComplianceOfficers } from "./compliance-alerts";

/** Failures in a row after which the compliance officers are told, once per failing streak. */
export const JOB_FAILURES_ALERT = 3;

/**
 * What a failed run records: a stable code, never the message (a database error quotes the row it choked on, and
 * that may be personal data) and never a stack. An AppError's own code; a PostgreSQL error's SQLSTATE (also when
 * the driver's error wraps it, as drizzle's does); otherwise the error's class name.
 */
export function jobErrorCode(error: unknown): string {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (current instanceof AppError) return current.code;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return `sqlstate_${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  const name = error instanceof Error ? error.constructor.name : "";
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) ? name : "error";
}

/**
 * Records one job run's outcome in the tenant (one row per job, overwritten): success resets the count of
 * failures in a row, a failure adds one. The change of state is audited (`job.failed` at each failure,
 * `job.recovered` at the first success after failures); a run that succeeds like the one before is bookkeeping
 * of times only and is not. The third failure in a row queues the alert to the compliance officers in the same
 * transaction, keyed by the streak's start, so a job that keeps failing alerts once.
 */
export async function recordJobRun(
  scope: Scope,
  run: { job: string; startedAt: Date; finishedAt: Date; errorCode: string | null },
): Promise<void> {
  const ok = run.errorCode === null;
  await scope.transaction(async (tx) => {
    const [before] = await tx
      .select({ consecutiveFailures: jobRuns.consecutiveFailures })
      .from(jobRuns)
      .where(eq(jobRuns.job, run.job))
      .for("update");
    const startedAt = run.startedAt.toISOString();
    const [row] = await tx
      .insert(jobRuns)
      .values({
        tenantId: scope.tenant.id,
        job: run.job,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        ok,
        errorCode: run.errorCode,
        consecutiveFailures: ok ? 0 : 1,
        failingSince: ok ? null : run.startedAt,
        lastSuccessAt: ok ? run.finishedAt : null,
      })
      .onConflictDoUpdate({
        target: [jobRuns.tenantId, jobRuns.job],
        set: ok
          ? {
              startedAt: run.startedAt,
              finishedAt: run.finishedAt,
              ok,
              errorCode: null,
              consecutiveFailures: 0,
              failingSince: null,
              lastSuccessAt: run.finishedAt,
            }
          : {
              startedAt: run.startedAt,
              finishedAt: run.finishedAt,
              ok,
              errorCode: run.errorCode,
              consecutiveFailures: sql`${jobRuns.consecutiveFailures} + 1`,
              failingSince: sql`coalesce(${jobRuns.failingSince}, ${startedAt}::timestamptz)`,
            },
      })
      .returning();
    if (!row) throw new Error("job run upsert returned nothing");
    const target = { type: "job", id: run.job };
    if (!ok) {
      await scope.audit(tx, "job.failed", target, {
        errorCode: run.errorCode,
        consecutiveFailures: row.consecutiveFailures,
      });
    } else if ((before?.consecutiveFailures ?? 0) > 0) {
      await scope.audit(tx, "job.recovered", target, { afterFailures: before?.consecutiveFailures ?? 0 });
    }
    if (!ok && row.consecutiveFailures === JOB_FAILURES_ALERT && row.failingSince) {
      const since = row.failingSince.toISOString();
      await alertComplianceOfficers(scope, tx, {
        alert: {
          kind: "job_failing",
          job: run.job,
          failures: row.consecutiveFailures,
          since,
          errorCode: run.errorCode,
        },
        dedupeKey: `job-failing:${run.job}:${since}`,
      });
    }
  });
}

/** The jobs whose last run in the tenant failed, longest streak first (the compliance dashboard). */
export async function failingJobs(tx: Transaction) {
  const rows = await tx
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.ok, false), gt(jobRuns.consecutiveFailures, 0)))
    .orderBy(desc(jobRuns.consecutiveFailures), jobRuns.job);
  return rows.map((row) => ({
    job: row.job,
    errorCode: row.errorCode,
    consecutiveFailures: row.consecutiveFailures,
    failingSince: row.failingSince?.toISOString() ?? null,
    lastRunAt: row.finishedAt.toISOString(),
    lastSuccessAt: row.lastSuccessAt?.toISOString() ?? null,
  }));
}

/**
 * The order a paced job visits `tenants` in (schema/job-rotations.ts): by id, from the tenant the last run's budget
 * ran out in (or the first after it, when that tenant is gone or suspended), wrapping around. Without a stored start,
 * from the lowest id.
 */
export function rotateTenants<T extends { id: string }>(tenants: readonly T[], startTenantId: string | null): T[] {
  const sorted = [...tenants].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const at = startTenantId === null ? -1 : sorted.findIndex((tenant) => tenant.id >= startTenantId);
  return at <= 0 ? sorted : [...sorted.slice(at), ...sorted.slice(0, at)];
}

/** Where the job's next run starts: the tenant stored by its last run whose budget ran out, or null. */
export async function rotationStart(db: Database, job: string): Promise<string | null> {
  const [row] = await db
    .select({ startTenantId: jobRotations.startTenantId })
    .from(jobRotations)
    .where(eq(jobRotations.job, job))
    .limit(1);
  return row?.startTenantId ?? null;
}

/** Stores the tenant the job's next run starts at. */
export async function recordRotationStart(db: Database, job: string, startTenantId: string): Promise<void> {
  const updatedAt = new Date();
  await db
    .insert(jobRotations)
    .values({ job, startTenantId, updatedAt })
    .onConflictDoUpdate({ target: jobRotations.job, set: { startTenantId, updatedAt } });
}
