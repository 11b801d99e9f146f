import { expireUploads } from "../services/uploads";
import { defineJob } from "./run";

/** Hourly: discards uploads never completed before their expiry (class upload_incomplete). */
export const expireStaleUploads = defineJob("expire-uploads", async (platform) => {
  const expired = await expireUploads(platform);
  if (expired > 0) platform.logger.info("expired uploads", { expired });
});
