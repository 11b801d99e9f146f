import { sendWorkflowDigests } from "../services/workflow-notices";
import { defineJob, nothingShared } from "./run";

/**
 * Daily at 03:30 UTC (the daily trigger; 00:30 in Brasília): each member who chose the digest gets their waiting workflow notices
 * in one e-mail (services/workflow-notices.ts); the outbox sends it like any other message.
 */
export const sendWorkflowDigest = defineJob("workflow-digest", {
  prepare: nothingShared,
  run: (scope) => sendWorkflowDigests(scope),
  report(logger, counts) {
    const queued = counts.reduce((sum, n) => sum + n, 0);
    if (queued > 0) logger.info("queued workflow digests", { queued });
  },
});
