/**
 * The trust bookkeeping script (services/trust-signals.ts) against real Redis through the local Upstash adapter:
 * what it answers and what it leaves behind, key by key, so the one command keeps every meaning of the
 * commands it replaced.
 */
import { randomUUID } from "node:crypto";
import { Redis as UpstashRedis } from "@upstash/redis/cloudflare";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { UserActor } from "../../functions/lib/actor.js";
import {
  breakGlassKey,
  countPhiRead,
  gatherSignals,
  phiReadsKey,
  tenantNotBeforeKey,
} from "../../functions/services/trust-signals.js";

let upstash: UpstashRedis;
let upstashConfig: { url: string; token: string };
let direct: Redis;
const DAY = 86400;

beforeAll(() => {
  const env = inject("testEnvironment");
  upstash = new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false });
  upstashConfig = { url: env.upstashUrl, token: env.upstashToken };
  direct = new Redis(env.redisUrl);
});
afterAll(() => {
  direct?.disconnect();
});

function principal(issuedAt = Math.floor(Date.now() / 1000)): UserActor {
  return {
    kind: "user",
    userId: randomUUID(),
    tenantId: randomUUID(),
    roles: ["editor"],
    amr: ["pwd"],
    authTime: issuedAt,
    tokenId: randomUUID(),
    issuedAt,
  };
}

const context = (nowMs: number, extra: Partial<Parameters<typeof gatherSignals>[2]> = {}) => ({
  ipHash: `ip-${randomUUID()}`,
  deviceHash: "device-a",
  network: { country: "BR", latitude: -23.5, longitude: -46.6 },
  sensitivity: "professional" as const,
  isPhiRead: false,
  nowMs,
  ...extra,
});

describe("the trust signals script", () => {
  it("counts, remembers and expires like the commands it replaced", async () => {
    const user = principal();
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    const ctx = context(nowMs);
    const first = await gatherSignals(upstashConfig, user, ctx);
    expect(first).toEqual({
      revoked: false,
      subjectThisMinute: 1,
      ipThisMinute: 1,
      phiReadsToday: 0,
      deviceKnown: false,
      lastSeen: null,
      hourShare: { share: 1, total: 1 },
      breakGlassUntilMs: null,
    });
    const ttl = (key: string) => direct.ttl(key);
    expect(await ttl(`vitalis:rate:s:${user.userId}:${minute}`)).toBeGreaterThan(100);
    expect(await ttl(`vitalis:rate:s:${user.userId}:${minute}`)).toBeLessThanOrEqual(120);
    expect(await ttl(`vitalis:rate:ip:${ctx.ipHash}:${minute}`)).toBeLessThanOrEqual(120);
    expect(await ttl(`vitalis:seen:${user.userId}`)).toBeGreaterThan(29 * DAY);
    expect(await ttl(`vitalis:hours:${user.userId}`)).toBeGreaterThan(89 * DAY);
    // The day's PHI counter exists at 0 with its expiry, so a later single INCR keeps one.
    expect(await direct.get(phiReadsKey(user.userId, nowMs))).toBe("0");
    expect(await ttl(phiReadsKey(user.userId, nowMs))).toBeGreaterThan(DAY);

    await direct.sadd(`vitalis:devices:${user.userId}`, "device-a");
    const second = await gatherSignals(upstashConfig, user, { ...ctx, isPhiRead: true, network: null });
    expect(second.subjectThisMinute).toBe(2);
    expect(second.ipThisMinute).toBe(2);
    expect(second.phiReadsToday).toBe(1);
    expect(second.deviceKnown).toBe(true);
    expect(second.lastSeen).toEqual({ latitude: -23.5, longitude: -46.6, atMs: nowMs });
    expect(second.hourShare).toEqual({ share: 1, total: 2 });
    // No sighting this time: the last one is kept (and its expiry renewed), not overwritten.
    expect(JSON.parse((await direct.get(`vitalis:seen:${user.userId}`)) ?? "null")).toEqual(second.lastSeen);

    expect(await countPhiRead(upstash, user.userId, nowMs)).toBe(2);
    expect(await ttl(phiReadsKey(user.userId, nowMs))).toBeGreaterThan(DAY);
    expect((await gatherSignals(upstashConfig, user, ctx)).phiReadsToday).toBe(2);

    // An open break-glass grant (services/break-glass.ts) comes back with the rest, read by the same command.
    const until = nowMs + 3_600_000;
    await direct.set(breakGlassKey(user.tenantId, user.userId), String(until), "PX", 60_000);
    expect((await gatherSignals(upstashConfig, user, ctx)).breakGlassUntilMs).toBe(until);
  });

  it("reports the hour's share of the histogram", async () => {
    const user = principal();
    const nowMs = Date.now();
    const otherHour = String((new Date(nowMs).getUTCHours() + 1) % 24);
    await direct.hset(`vitalis:hours:${user.userId}`, otherHour, "99", "total", "99");
    const signals = await gatherSignals(upstashConfig, user, context(nowMs));
    expect(signals.hourShare).toEqual({ share: 1 / 100, total: 100 });
  });

  it("reports a denylisted jti, a user-wide and a per-tenant not-before as revoked", async () => {
    const nowMs = Date.now();
    const issuedAt = Math.floor(nowMs / 1000) - 10;

    const denied = principal(issuedAt);
    await direct.set(`vitalis:deny:${denied.tokenId}`, "1", "EX", 60);
    expect((await gatherSignals(upstashConfig, denied, context(nowMs))).revoked).toBe(true);

    const loggedOutEverywhere = principal(issuedAt);
    await direct.set(`vitalis:nbf:${loggedOutEverywhere.userId}`, String(issuedAt + 1), "EX", 60);
    expect((await gatherSignals(upstashConfig, loggedOutEverywhere, context(nowMs))).revoked).toBe(true);

    const disabledHere = principal(issuedAt);
    await direct.set(tenantNotBeforeKey(disabledHere.tenantId, disabledHere.userId), String(issuedAt + 1), "EX", 60);
    expect((await gatherSignals(upstashConfig, disabledHere, context(nowMs))).revoked).toBe(true);

    const issuedAfter = principal(issuedAt);
    await direct.set(`vitalis:nbf:${issuedAfter.userId}`, String(issuedAt), "EX", 60);
    expect((await gatherSignals(upstashConfig, issuedAfter, context(nowMs))).revoked).toBe(false);
  });
});

describe("the script's one REST command", () => {
  it("loads the script with EVAL when Redis answers NOSCRIPT, then runs it by EVALSHA", async () => {
    await direct.script("FLUSH");
    const user = principal();
    const nowMs = Date.now();
    expect((await gatherSignals(upstashConfig, user, context(nowMs))).subjectThisMinute).toBe(1);
    expect((await gatherSignals(upstashConfig, user, context(nowMs))).subjectThisMinute).toBe(2);
  });

  it("throws when Upstash refuses the request, so protect() treats the signals as missing", async () => {
    const refused = { ...upstashConfig, token: "not-the-token" };
    await expect(gatherSignals(refused, principal(), context(Date.now()))).rejects.toThrow(/redis/);
  });
});
