import { runRetentionSweep } from "../services/retention";
import { defineJob, nothingShared } from "./run";

/** Hourly: the retention sweep (services/retention.ts), bounded per tenant; the checkpoint resumes the rest next hour. */
export const retentionSweep = defineJob("retention-sweep", {
  prepare: nothingShared,
  run: (scope) => runRetentionSweep(scope),
  report(logger, summaries) {
    const total = { tenants: summaries.length, deleted: 0, anonymised: 0, held: 0, failed: 0, batches: 0 };
    for (const summary of summaries) {
      total.deleted += summary.deleted;
      total.anonymised += summary.anonymised;
      total.held += summary.held;
      total.failed += summary.failed;
      total.batches += summary.batches;
    }
    logger.info("retention sweep finished", total);
  },
});
