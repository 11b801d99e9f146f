import { recheckTenantReferences } from "../services/references/retractions";
import { defineJob, nothingShared } from "./run";

/**
 * Daily: a paper can be retracted years after an article cited it. Asks Crossref and NCBI again about every
 * reference of every published item and e-mails the item's medical reviewer about each one retracted since
 * (functions/services/references/retractions.ts). Re-running the same day queues nothing twice.
 */
export const recheckReferences = defineJob("recheck-references", {
  prepare: nothingShared,
  run: (scope) => recheckTenantReferences(scope),
  report(logger, counts) {
    const notices = counts.reduce((sum, n) => sum + n, 0);
    if (notices > 0) logger.info("retracted references reported", { notices });
  },
});
