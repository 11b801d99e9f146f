import { runRetentionSweep } from "../services/retention";
import { defineJob } from "./run";

/** Hourly: the retention sweep (services/retention.ts), bounded per tenant; the checkpoint resumes the rest next hour. */
export const retentionSweep = defineJob("retention-sweep", async (platform) => {
  const summary = await runRetentionSweep(platform);
  platform.logger.info("retention sweep finished", { ...summary });
});
