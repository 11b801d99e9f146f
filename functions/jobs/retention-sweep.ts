import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { createS3 } from "../lib/s3";
import { requireSection } from "../middleware/services";
import { runRetentionSweep } from "../services/retention";

/** Hourly: the retention sweep (services/retention.ts), bounded per tenant; the checkpoint resumes the rest next hour. */
export async function retentionSweep(env: Bindings): Promise<void> {
  const config = getConfig(env);
  const s3 = requireSection("s3", config.s3);
  const { db, pool } = createDatabase(requireSection("database", config.database));
  try {
    const summary = await runRetentionSweep(db, { s3: createS3(s3), bucket: s3.bucket });
    createLogger({ job: "retention-sweep" }).info("retention sweep finished", { ...summary });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
