import { deliverDueObjectHolds } from "../services/legal-holds";
import { defineJob } from "./run";

/**
 * Every minute: sets the S3 legal holds (services/legal-holds.ts) that did not reach the bucket right after their
 * hold was placed or released, with the outbox's backoff and dead letter.
 */
export const applyLegalHolds = defineJob("apply-legal-holds", async (platform) => {
  const tally = await deliverDueObjectHolds(platform);
  if (tally.sent + tally.deferred + tally.dead > 0) platform.logger.info("applied S3 legal holds", { ...tally });
});
