import { Redis } from "@upstash/redis/cloudflare";
import type { RedisConfig } from "../env";

/**
 * The Upstash REST client for one request. Retries are kept short: a request that waits on Redis is a
 * reader waiting on a page, and callers decide how to degrade (fail open for public reads, closed for PHI).
 */
export function createRedis(config: RedisConfig): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    retry: { retries: 1, backoff: () => 50 },
    enableTelemetry: false,
  });
}
