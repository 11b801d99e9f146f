import { createMiddleware } from "hono/factory";
import { type AppBindings, type ConfigSection, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { ConfigError } from "../lib/errors";
import { createRedis } from "../lib/redis";
import { lazy } from "../lib/lazy";
import { createS3 } from "../lib/s3";

/** Returns a config section's value, or throws a ConfigError naming the variables that are wrong. */
export function requireSection<T>(name: string, section: ConfigSection<T>): T {
  if (!section.ok) throw new ConfigError(name, section.problems);
  return section.value;
}

/**
 * Builds the request's clients from `c.env` (never module-level: Workers may not share I/O objects between
 * requests) and ends the database pool after the response has been sent.
 */
export function services() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const config = getConfig(c.env);
    c.set("config", config);
    const { db, pool } = createDatabase(requireSection("database", config.database));
    c.set("db", db);
    c.set("pool", pool);
    c.set("redis", createRedis(requireSection("redis", config.redis)));
    const s3Config = requireSection("s3", config.s3);
    c.set(
      "s3",
      lazy(() => createS3(s3Config)),
    );
    try {
      await next();
    } finally {
      c.executionCtx.waitUntil(pool.end().catch(() => undefined));
    }
  });
}
