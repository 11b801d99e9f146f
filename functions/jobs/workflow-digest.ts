import { sendWorkflowDigests } from "../services/workflow-notices";
import { defineJob } from "./run";

/**
 * Daily at 03:30 UTC (the daily trigger; 00:30 in Brasília): each member who chose the digest gets their waiting workflow notices
 * in one e-mail (services/workflow-notices.ts); the outbox sends it like any other message.
 */
export const sendWorkflowDigest = defineJob("workflow-digest", async (platform) => {
  const queued = await sendWorkflowDigests(platform);
  if (queued > 0) platform.logger.info("queued workflow digests", { queued });
});
