import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { requireSection } from "../middleware/services";
import { publishDueScheduledContent } from "../services/workflow";

/**
 * Every minute: publishes scheduled content whose time has come. Cron runs have no request and no tenant;
 * the service walks the tenants and works inside each one's row-level-security scope. Overlapping runs
 * are safe (see publishDueScheduledContent).
 */
export async function publishScheduledContent(env: Bindings): Promise<void> {
  const { db, pool } = createDatabase(requireSection("database", getConfig(env).database));
  try {
    const published = await publishDueScheduledContent(db);
    if (published > 0) createLogger({ job: "publish-scheduled" }).info("published scheduled content", { published });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
