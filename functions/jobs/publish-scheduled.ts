import { publishDueScheduledContent } from "../services/workflow";
import { defineJob } from "./run";

/**
 * Every minute: publishes scheduled content whose time has come. Cron runs have no request and no tenant;
 * the service walks the tenants and works inside each one's scope, so the public site is purged by the same
 * after-commit effect as an editor's publish. Overlapping runs are safe (see publishDueScheduledContent).
 */
export const publishScheduledContent = defineJob("publish-scheduled", async (platform) => {
  const published = await publishDueScheduledContent(platform, new Date());
  if (published > 0) platform.logger.info("published scheduled content", { published });
});
