import type { Bindings } from "../env";
import { deliverCommittedEvents } from "../effects";
import { getConfig } from "../env";
import { createLogger } from "../lib/logging";
import { createPlatformScope, openClients } from "../scope";
import type { DeliveryTally } from "../services/mail/delivery";
import { runForTenants, type TenantJob } from "./tenant-job";

export type Job = (env: Bindings) => Promise<void>;

/**
 * How a heavy job shares the machine (lib/pace.ts): at most a fifth of the wall time working (after each batch it
 * rests four times as long as the batch took, at most 2 s), and no new batch after 10 minutes, well inside a cron
 * run's 15 minutes of wall time. The retention sweep and the audit verification use it, each over its whole run.
 */
export const JOB_PACE = { budgetMs: 10 * 60_000, duty: 0.2, maxRestMs: 2_000 } as const;

/**
 * Makes a cron job: opens the clients from `env`, runs `job` for each active tenant in the tenant's own scope
 * (`runForTenants`, jobs/tenant-job.ts), acting as the system (`{ kind: "system", job: name }`), then delivers the
 * scopes' after-commit effects and closes the clients, whatever happened.
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
      let results: Result[];
      try {
        results = await runForTenants(platform, name, job, shared);
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
