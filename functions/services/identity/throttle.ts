import { Ratelimit } from "@upstash/ratelimit";
import { RateLimitedError } from "../../lib/errors";
import type { Scope } from "../../scope";

/** A sliding-window limiter under `vitalis:rl:<prefix>`; every decision is made in Redis. */
export function limiter(scope: Scope, prefix: string, tokens: number, window: `${number} m`): Ratelimit {
  return new Ratelimit({
    redis: scope.redis,
    limiter: Ratelimit.slidingWindow(tokens, window),
    prefix: `vitalis:rl:${prefix}`,
    // Workers may not keep state between requests; every decision is made in Redis.
    ephemeralCache: false,
    analytics: false,
  });
}

/** Counts one request against each limit; 429 with Retry-After (the longest wait) when any is used up. */
export async function throttle(
  scope: Scope,
  limits: { prefix: string; tokens: number; window: `${number} m`; key: string }[],
  message: string,
): Promise<void> {
  const results = await Promise.all(
    limits.map((limit) => limiter(scope, limit.prefix, limit.tokens, limit.window).limit(limit.key)),
  );
  const blocked = results.filter((result) => !result.success);
  if (blocked.length > 0) {
    const reset = Math.max(...blocked.map((result) => result.reset));
    throw new RateLimitedError((reset - Date.now()) / 1000, message);
  }
}
