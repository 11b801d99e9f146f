import { recheckPublishedReferences } from "../services/references/retractions";
import { defineJob } from "./run";

/**
 * Daily: a paper can be retracted years after an article cited it. Asks Crossref and NCBI again about every
 * reference of every published item and e-mails the item's medical reviewer about each one retracted since
 * (functions/services/references/retractions.ts). Re-running the same day queues nothing twice.
 */
export const recheckReferences = defineJob("recheck-references", async (platform) => {
  const notices = await recheckPublishedReferences(platform);
  if (notices > 0) platform.logger.info("retracted references reported", { notices });
});
