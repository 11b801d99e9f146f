import type { Bindings } from "../env";
import { deliverCommittedEvents } from "../effects";
import { getConfig } from "../env";
import { createLogger, type Logger } from "../lib/logging";
import { createPlatformScope, openClients, type PlatformScope, type Scope } from "../scope";
import { jobErrorCode, recordJobRun } from "../services/job-runs";
import type { DeliveryTally } from "../services/mail/delivery";

export type Job = (env: Bindings) => Promise<void>;

/**
 * How a heavy job shares the machine (lib/pace.ts): at most a fifth of the wall time working (after each batch it
 * rests four times as long as the batch took, at most 2 s), and no new batch after 10 minutes, well inside a cron
 * run's 15 minutes of wall time. The retention sweep and the audit verification use it, each over its whole run.
 */
export const JOB_PACE = { budgetMs: 10 * 60_000, duty: 0.2, maxRestMs: 2_000 } as const;

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
}

/**
 * Makes a cron job: opens the clients from `env`, runs `job` for each of `platform.activeTenants()` in the
 * tenant's own scope, acting as the system (`{ kind: "system", job: name }`), then delivers the scopes'
 * after-commit effects and closes the clients, whatever happened.
 *
 * A tenant whose work throws is logged and the others go on: one clinic's broken row must not stop another's
 * scheduled publication or mail. Each tenant's outcome is recorded in `job_runs` (services/job-runs.ts), which
 * counts the failures in a row and alerts the compliance officers at the third.
 */
export function defineJob<Result, Shared = undefined>(name: string, job: TenantJob<Result, Shared>): Job {
  const defined: Job = async (env) => {
    const clients = openClients(getConfig(env));
    const logger = createLogger({ job: name });
    const { platform, scopes } = createPlatformScope(clients, {
      actor: { kind: "system", job: name },
      requestId: null,
      logger,
    });
    try {
      const shared = await job.prepare(platform);
      const results: Result[] = [];
      try {
        for (const tenant of await platform.activeTenants()) {
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
        }
      } finally {
        await job.release?.(shared);
      }
      job.report?.(logger, results);
    } finally {
      for (const scope of scopes) await deliverCommittedEvents(scope);
      await clients.close();
    }
  };
  Object.defineProperty(defined, "name", { value: name });
  return defined;
}

/** For jobs that share nothing between tenants. */
export const nothingShared = async (): Promise<undefined> => undefined;

/**
 * Makes the job of one outbox channel (mail, CDN purges, S3 legal holds, webhooks): each tenant's due rows, with
 * the channel's backoff and dead letter; the run is logged as `delivered`, with the tenants' tallies added up,
 * when it sent, deferred or gave up anything.
 */
export function defineChannelJob<Shared = undefined>(
  name: string,
  job: Omit<TenantJob<DeliveryTally, Shared>, "report"> & { delivered: string },
): Job {
  const { delivered, ...tenantJob } = job;
  return defineJob(name, {
    ...tenantJob,
    report(logger, tallies) {
      const tally = { sent: 0, deferred: 0, dead: 0 };
      for (const t of tallies) {
        tally.sent += t.sent;
        tally.deferred += t.deferred;
        tally.dead += t.dead;
      }
      if (tally.sent + tally.deferred + tally.dead > 0) logger.info(delivered, tally);
    },
  });
}
