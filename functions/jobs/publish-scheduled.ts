import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { requireSection } from "../middleware/services";
import { purgeForContent, siteCache } from "../services/site-cache";
import { publishDueScheduledContent } from "../services/workflow";

/**
 * Every minute: publishes scheduled content whose time has come. Cron runs have no request and no tenant;
 * the service walks the tenants and works inside each one's row-level-security scope. Overlapping runs
 * are safe (see publishDueScheduledContent).
 */
export async function publishScheduledContent(env: Bindings): Promise<void> {
  const { db, pool } = createDatabase(requireSection("database", getConfig(env).database));
  try {
    const logger = createLogger({ job: "publish-scheduled" });
    // Site purge (#7): the newly public items' pages, lists, feeds and sitemaps, after each tenant's commit.
    const published = await publishDueScheduledContent(db, new Date(), (tenantId, ids) =>
      purgeForContent(siteCache(), db, tenantId, ids).then(
        () => undefined,
        (error: unknown) => logger.warn("site purge failed", { error, tenantId }),
      ),
    );
    if (published > 0) logger.info("published scheduled content", { published });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
