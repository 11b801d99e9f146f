import { expireUploads } from "../services/uploads";
import { defineJob } from "./run";

/** Hourly: discards uploads never completed before their expiry (class upload_incomplete). */
export const expireStaleUploads = defineJob("expire-uploads", async ({ clients, logger }) => {
  const expired = await expireUploads(clients.db, clients.storage);
  if (expired > 0) logger.info("expired uploads", { expired });
});
