/**
 * The adapter counts Redis commands the way Upstash bills them (a pipeline of n is n, a script run is one) and
 * answers an unknown script SHA with Upstash's NOSCRIPT error, which `@upstash/redis` scripts fall back on.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReachable, startUpstashAdapter, type UpstashAdapter } from "../../local-cloud/index.js";

const REDIS_URL = "redis://127.0.0.1:6379/0";
const TOKEN = `test-token-${randomBytes(8).toString("hex")}`;
const PREFIX = `lc:upstash-commands:${randomBytes(4).toString("hex")}:`;

let adapter: UpstashAdapter;
let redis: Redis;
let direct: IORedis;

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(adapter.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The commands counted while `run` ran, by name. */
async function counted(run: () => Promise<unknown>): Promise<{ total: number; byName: Record<string, number> }> {
  const total = adapter.commands;
  const before = adapter.commandsByName();
  await run();
  const byName = Object.fromEntries(
    Object.entries(adapter.commandsByName())
      .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return { total: adapter.commands - total, byName };
}

describe("upstash adapter: commands", () => {
  beforeAll(async () => {
    if (!(await isReachable("127.0.0.1", 6379))) throw new Error("Redis is not reachable on 127.0.0.1:6379");
    adapter = await startUpstashAdapter({ token: TOKEN, redisUrl: REDIS_URL });
    redis = new Redis({ url: adapter.url, token: TOKEN, enableTelemetry: false, enableAutoPipelining: false });
    direct = new IORedis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await direct?.keys(`${PREFIX}*`);
    if (keys && keys.length > 0) await direct.del(...keys);
    direct?.disconnect();
    await adapter?.close();
  });

  it("counts a pipeline of n commands as n, and a single command, a transaction and a script run by name", async () => {
    const k = `${PREFIX}counter`;
    expect(
      await counted(() =>
        post("/pipeline", [
          ["INCR", k],
          ["EXPIRE", k, "60"],
          ["GET", k],
        ]),
      ),
    ).toEqual({ total: 3, byName: { INCR: 1, EXPIRE: 1, GET: 1 } });
    expect(await counted(() => post("/", ["GET", k]))).toEqual({ total: 1, byName: { GET: 1 } });
    expect(
      await counted(() =>
        post("/multi-exec", [
          ["INCR", k],
          ["INCR", k],
        ]),
      ),
    ).toEqual({
      total: 2,
      byName: { INCR: 2 },
    });
    expect(await counted(() => post(`/get/${encodeURIComponent(k)}`, ""))).toEqual({ total: 1, byName: { GET: 1 } });
    const script = "redis.call('INCR', KEYS[1]); redis.call('INCR', KEYS[1]); return redis.call('GET', KEYS[1])";
    expect(await counted(() => post("/", ["EVAL", script, "1", k]))).toEqual({ total: 1, byName: { EVAL: 1 } });
  });

  it("does not count a request it refuses before running anything", async () => {
    const refused = await counted(() =>
      fetch(adapter.url, { method: "POST", headers: { authorization: "Bearer wrong" }, body: '["GET","x"]' }),
    );
    expect(refused.total).toBe(0);
  });

  it("answers an unknown SHA with Upstash's NOSCRIPT error, and a script object falls back to EVAL once", async () => {
    const source = `return ARGV[1] .. '${randomBytes(6).toString("hex")}'`;
    const unknown = await post("/", ["EVALSHA", "0".repeat(40), "0"]);
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toMatch(/^NOSCRIPT /);

    const script = redis.createScript<string>(source);
    const first = await counted(() => script.exec([], ["a"]));
    expect(first).toEqual({ total: 2, byName: { EVALSHA: 1, EVAL: 1 } });
    const second = await counted(async () => expect(await script.exec([], ["b"])).toMatch(/^b/));
    expect(second).toEqual({ total: 1, byName: { EVALSHA: 1 } });
  });
});
