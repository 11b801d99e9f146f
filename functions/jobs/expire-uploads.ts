import { expireUploads } from "../services/uploads";
import { defineJob, nothingShared } from "./run";

/** Hourly: discards uploads never completed before their expiry (class upload_incomplete). */
export const expireStaleUploads = defineJob("expire-uploads", {
  prepare: nothingShared,
  run: (scope) => expireUploads(scope),
  report(logger, counts) {
    const expired = counts.reduce((sum, n) => sum + n, 0);
    if (expired > 0) logger.info("expired uploads", { expired });
  },
});
