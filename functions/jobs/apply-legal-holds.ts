import { deliverDueObjectHolds } from "../services/legal-holds";
import { defineJob, nothingShared } from "./run";

/**
 * Every minute: sets the S3 legal holds (services/legal-holds.ts) that did not reach the bucket right after their
 * hold was placed or released, with the outbox's backoff and dead letter.
 */
export const applyLegalHolds = defineJob("apply-legal-holds", {
  prepare: nothingShared,
  run: (scope) => deliverDueObjectHolds(scope),
  report(logger, tallies) {
    const tally = { sent: 0, deferred: 0, dead: 0 };
    for (const t of tallies) {
      tally.sent += t.sent;
      tally.deferred += t.deferred;
      tally.dead += t.dead;
    }
    if (tally.sent + tally.deferred + tally.dead > 0) logger.info("applied S3 legal holds", tally);
  },
});
