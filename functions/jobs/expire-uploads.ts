import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { createS3 } from "../lib/s3";
import { requireSection } from "../middleware/services";
import { expireUploads } from "../services/uploads";

/** Hourly: discards uploads never completed before their expiry (class upload_incomplete). */
export async function expireStaleUploads(env: Bindings): Promise<void> {
  const config = getConfig(env);
  const s3 = requireSection("s3", config.s3);
  const { db, pool } = createDatabase(requireSection("database", config.database));
  try {
    const expired = await expireUploads(db, { s3: createS3(s3), bucket: s3.bucket });
    if (expired > 0) createLogger({ job: "expire-uploads" }).info("expired uploads", { expired });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
