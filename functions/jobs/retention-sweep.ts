import { createPace } from "../lib/pace";
import { runRetentionSweep } from "../services/retention";
import { defineJob } from "./run";

/**
 * How the sweep shares the machine: at most half the wall time working (after each batch it rests as long as the
 * batch took, at most 2 s), and no new batch after 10 minutes, well inside a cron run's 15 minutes of wall time.
 * Tenants and their batches run one after another; a run the budget stops is `stopped`, and the next hour resumes
 * from each task's checkpoint.
 */
export const SWEEP_PACE = { budgetMs: 10 * 60_000, duty: 0.5, maxRestMs: 2_000 } as const;

/** Hourly: the retention sweep (services/retention.ts), bounded per tenant; the checkpoint resumes the rest next hour. */
export const retentionSweep = defineJob("retention-sweep", {
  // One pace for the whole run: the budget bounds every tenant's work together.
  prepare: async () => createPace(SWEEP_PACE),
  run: (scope, pace) => runRetentionSweep(scope, { pace }),
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
