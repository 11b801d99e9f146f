import { deliverDueObjectHolds } from "../services/legal-holds";
import { defineChannelJob, nothingShared } from "./run";

/**
 * Every minute: sets the S3 legal holds (services/legal-holds.ts) that did not reach the bucket right after their
 * hold was placed or released, with the outbox's backoff and dead letter.
 */
export const applyLegalHolds = defineChannelJob("apply-legal-holds", {
  prepare: nothingShared,
  run: (scope) => deliverDueObjectHolds(scope),
  delivered: "applied S3 legal holds",
});
