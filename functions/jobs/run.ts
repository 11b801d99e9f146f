import type { Bindings } from "../env";
import { deliverCommittedEvents } from "../effects";
import { getConfig } from "../env";
import { createLogger } from "../lib/logging";
import { createPlatformScope, openClients, type PlatformScope } from "../scope";

export type Job = (env: Bindings, ctx: ExecutionContext) => Promise<void>;

/**
 * Makes a cron job: opens the clients from `env`, hands `work` a platform scope whose per-tenant scopes act
 * as the system (`{ kind: "system", job: name }`), then delivers their after-commit effects and closes the
 * clients, whether the work succeeded or not.
 */
export function defineJob(name: string, work: (platform: PlatformScope) => Promise<void>): Job {
  const job: Job = async (env) => {
    const clients = openClients(getConfig(env));
    const logger = createLogger({ job: name });
    const { platform, scopes } = createPlatformScope(clients, {
      actor: { kind: "system", job: name },
      requestId: null,
      logger,
    });
    try {
      await work(platform);
    } finally {
      for (const scope of scopes) await deliverCommittedEvents(scope);
      await clients.close();
    }
  };
  Object.defineProperty(job, "name", { value: name });
  return job;
}
