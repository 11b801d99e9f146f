import { publishDueScheduledContent } from "../services/workflow";
import { defineJob, nothingShared } from "./run";

/**
 * Every minute: publishes scheduled content whose time has come. Cron runs have no request and no tenant; the
 * job works inside each tenant's scope, so the public site is purged by the same after-commit effect as an
 * editor's publish. Overlapping runs are safe (see publishDueScheduledContent).
 */
export const publishScheduledContent = defineJob("publish-scheduled", {
  prepare: nothingShared,
  run: (scope) => publishDueScheduledContent(scope, new Date()),
  report(logger, counts) {
    const published = counts.reduce((sum, n) => sum + n, 0);
    if (published > 0) logger.info("published scheduled content", { published });
  },
});
