import { createPace } from "../lib/pace";
import { runRetentionSweep } from "../services/retention";
import { defineJob, JOB_PACE } from "./run";

/**
 * Hourly: the retention sweep (services/retention.ts), bounded per tenant and paced (JOB_PACE); tenants and their
 * batches run one after another, and the checkpoints resume what a run left (`stopped`) next hour, starting with the
 * tenant the budget ran out in (jobs/run.ts).
 */
export const retentionSweep = defineJob("retention-sweep", {
  // One pace for the whole run: the budget bounds every tenant's work together.
  prepare: async () => createPace(JOB_PACE),
  run: (scope, pace) => runRetentionSweep(scope, { pace }),
  budgetSpent: (pace) => pace.spent(),
  // The last batch's rest too: a run fired again at once (an overlapping invocation) keeps the duty.
  release: (pace) => pace.rest(),
  report(logger, summaries) {
    const total = { tenants: summaries.length, deleted: 0, anonymised: 0, held: 0, failed: 0, batches: 0, stopped: 0 };
    for (const summary of summaries) {
      total.deleted += summary.deleted;
      total.anonymised += summary.anonymised;
      total.held += summary.held;
      total.failed += summary.failed;
      total.batches += summary.batches;
      if (summary.stopped) total.stopped += 1;
    }
    logger.info("retention sweep finished", total);
  },
});
