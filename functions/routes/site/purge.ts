import type { Context } from "hono";
import type { AppBindings } from "../../env";
import { createDatabase } from "../../lib/db";
import { requireSection } from "../../middleware/services";
import { purgeForContent, siteCache } from "../../services/site-cache";

/**
 * After a content change has committed, purges the public pages that show the item, without holding up
 * the editor's response (`waitUntil`). It uses a database client of its own: the request's pool is ended
 * as soon as the response is sent. A failed purge is logged; the pages then age out within s-maxage.
 */
export function purgeSiteAfterCommit(c: Context<AppBindings>, contentId: string): void {
  const tenantId = c.var.tenant.id;
  const logger = c.var.logger;
  const { db, pool } = createDatabase(requireSection("database", c.var.config.database));
  c.executionCtx.waitUntil(
    purgeForContent(siteCache(), db, tenantId, [contentId])
      .catch((error: unknown) => logger.warn("site purge failed", { error, contentId }))
      .finally(() => pool.end().catch(() => undefined)),
  );
}
