import { createHash, randomBytes } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReachable, startUpstashAdapter, type UpstashAdapter } from "../../local-cloud/index.js";

const REDIS_URL = "redis://127.0.0.1:6379/0";
const TOKEN = `test-token-${randomBytes(8).toString("hex")}`;
const PREFIX = `lc:upstash:${randomBytes(4).toString("hex")}:`;

let adapter: UpstashAdapter;
let redis: Redis;
let direct: IORedis;

function key(name: string): string {
  return PREFIX + name;
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

interface RawReply {
  status: number;
  body: unknown;
}

/** Talks to the adapter without the SDK, to check the wire shapes themselves. */
async function raw(
  path: string,
  body: unknown,
  opts: { base64?: boolean; token?: string | null } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.base64 ?? true) headers["upstash-encoding"] = "base64";
  const res = await fetch(adapter.url + path, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe("upstash adapter → Redis", () => {
  beforeAll(async () => {
    if (!(await isReachable("127.0.0.1", 6379))) throw new Error("Redis is not reachable on 127.0.0.1:6379");
    adapter = await startUpstashAdapter({ token: TOKEN, redisUrl: REDIS_URL });
    redis = new Redis({ url: adapter.url, token: TOKEN, enableTelemetry: false });
    direct = new IORedis(REDIS_URL);
  });

  afterAll(async () => {
    if (direct) {
      let cursor = "0";
      for (let i = 0; i < 1_000; i++) {
        const [next, keys] = await direct.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", 500);
        if (keys.length > 0) await direct.del(...keys);
        cursor = next;
        if (cursor === "0") break;
      }
      direct.disconnect();
    }
    await adapter?.close();
  });

  it("round-trips text with emoji, NUL and accents through @upstash/redis", async () => {
    const value = "olá 🩺 paciente\u0000fim — ção";
    expect(await redis.set(key("text"), value)).toBe("OK");
    expect(await redis.get(key("text"))).toBe(value);
    expect(await direct.get(key("text"))).toBe(value);
  });

  it("returns arbitrary bytes intact with Upstash-Encoding: base64", async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a, 0x4f, 0x4b]);
    await direct.set(key("bytes"), bytes);
    const reply = await raw("/", ["GET", key("bytes")]);
    expect(reply.status).toBe(200);
    const result = (reply.body as { result: string }).result;
    expect(Buffer.from(result, "base64").equals(bytes)).toBe(true);

    // Nested: bulk strings inside arrays are encoded too, nulls pass through.
    const multi = await raw("/", ["MGET", key("bytes"), key("missing")]);
    const [first, second] = (multi.body as { result: [string, null] }).result;
    expect(Buffer.from(first, "base64").equals(bytes)).toBe(true);
    expect(second).toBeNull();
  });

  it("answers in Upstash's shapes", async () => {
    expect(await raw("/", ["SET", key("shape"), "v"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await raw("/", ["GET", key("shape")])).toEqual({ status: 200, body: { result: "dg==" } });
    expect(await raw("/", ["GET", key("shape")], { base64: false })).toEqual({ status: 200, body: { result: "v" } });
    expect(await raw("/", ["INCR", key("counter-shape")])).toEqual({ status: 200, body: { result: 1 } });
    expect(await raw("/", ["GET", key("never-set")])).toEqual({ status: 200, body: { result: null } });
    const failed = await raw("/", ["INCR", key("shape")]);
    expect(failed.status).toBe(400);
    expect(failed.body).toEqual({ error: "ERR value is not an integer or out of range" });
    const malformed = await fetch(adapter.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toHaveProperty("error");
    const unavailable = await raw("/", ["SUBSCRIBE", key("channel")]);
    expect(unavailable.status).toBe(400);
    expect((unavailable.body as { error: string }).error).toContain("not available");
  });

  it("answers plain JSON as UTF-8 text, nested replies and scripts included", async () => {
    const bytes = Buffer.from([0x6f, 0x6c, 0xc3, 0xa1, 0xff, 0x00, 0x0a]);
    await direct.set(key("plain-bytes"), bytes);
    // Without base64, Upstash answers a value's bytes read as UTF-8 (an invalid sequence as U+FFFD).
    const text = bytes.toString("utf8");
    expect(await raw("/", ["GET", key("plain-bytes")], { base64: false })).toEqual({
      status: 200,
      body: { result: text },
    });
    const script = "return {redis.call('GET', KEYS[1]), 7, false, {ARGV[1], 'ok'}}";
    expect(await raw("/", ["EVAL", script, "1", key("plain-bytes"), "ção"], { base64: false })).toEqual({
      status: 200,
      body: { result: [text, 7, null, ["ção", "ok"]] },
    });
    const pipeline = await raw(
      "/pipeline",
      [
        ["GET", key("plain-bytes")],
        ["INCR", key("plain-bytes")],
      ],
      {
        base64: false,
      },
    );
    expect(pipeline.body).toEqual([{ result: text }, { error: "ERR value is not an integer or out of range" }]);
    // A mapped reply stays exact: SCRIPT LOAD answers the SHA of the script the client sent.
    const shebang = "#!lua flags=allow-key-locking\nreturn 1";
    expect(await raw("/", ["SCRIPT", "LOAD", shebang], { base64: false })).toEqual({
      status: 200,
      body: { result: sha1(shebang) },
    });
  });

  it("passes integers and nulls through and keeps hash field order and names", async () => {
    expect(await redis.incr(key("n"))).toBe(1);
    expect(await redis.incrby(key("n"), 41)).toBe(42);
    expect(await redis.get(key("absent"))).toBeNull();
    expect(await redis.mget(key("n"), key("absent"))).toEqual([42, null]);
    expect(await redis.exists(key("n"), key("absent"))).toBe(1);
    await redis.hset(key("hash"), { "10": "ten", "2": "two", "émoji🩺": "yes" });
    expect(await redis.hgetall(key("hash"))).toEqual({ "10": "ten", "2": "two", "émoji🩺": "yes" });
    await redis.zadd(key("z"), { score: 1.5, member: "a" }, { score: 2, member: "b" });
    expect(await redis.zrange(key("z"), 0, -1, { withScores: true })).toEqual(["a", 1.5, "b", 2]);
  });

  it("runs pipelines with a result or an error per command", async () => {
    const results = await redis
      .pipeline()
      .set(key("p"), "1")
      .incr(key("p"))
      .hset(key("p"), { field: "wrong type" })
      .get(key("p"))
      .exec({ keepErrors: true });
    expect(results[0]).toEqual({ error: undefined, result: "OK" });
    expect(results[1]).toEqual({ error: undefined, result: 2 });
    expect(results[2]?.error).toContain("WRONGTYPE");
    expect(results[3]).toEqual({ error: undefined, result: 2 });

    await expect(redis.pipeline().get(key("p")).hget(key("p"), "x").exec()).rejects.toThrow("WRONGTYPE");

    const wire = await raw("/pipeline", [
      ["SET", key("pw"), "x"],
      ["INCR", key("pw")],
      ["GET", key("pw")],
      ["NOSUCHCOMMAND"],
    ]);
    expect(wire.status).toBe(200);
    const entries = wire.body as Array<{ result?: unknown; error?: string }>;
    expect(entries[0]).toEqual({ result: "OK" });
    expect(entries[1]?.error).toContain("not an integer");
    expect(entries[2]).toEqual({ result: Buffer.from("x").toString("base64") });
    expect(entries[3]?.error).toContain("unknown command");
  });

  it("runs multi-exec transactions atomically", async () => {
    expect(await redis.multi().set(key("m"), 1).incr(key("m")).get(key("m")).exec()).toEqual(["OK", 2, 2]);

    // Writers bump two counters inside transactions while a separate connection keeps reading both: it must
    // never see one bumped without the other. (Redis rarely interleaves a back-to-back batch anyway, so the
    // EXECABORT check below is what proves MULTI/EXEC is really used.)
    await direct.mset(key("a"), 0, key("b"), 0);
    let reading = true;
    const mismatches: string[] = [];
    const reader = (async (): Promise<void> => {
      for (let i = 0; i < 5_000 && reading; i++) {
        const [a, b] = await direct.mget(key("a"), key("b"));
        if (a !== b) mismatches.push(`${a}/${b}`);
      }
    })();
    const spacer = "x".repeat(64 * 1024);
    const writes = Array.from({ length: 50 }, () =>
      redis.multi().incr(key("a")).set(key("spacer"), spacer).incr(key("b")).exec(),
    );
    await Promise.all(writes);
    reading = false;
    await reader;
    expect(mismatches).toEqual([]);
    expect(await direct.mget(key("a"), key("b"))).toEqual(["50", "50"]);

    // A command Redis cannot queue aborts the whole transaction: nothing is applied (a plain pipeline would
    // have applied the first SET).
    const aborted = await raw("/multi-exec", [
      ["SET", key("abort"), "1"],
      ["SET", key("abort")],
    ]);
    expect(aborted.status).toBe(400);
    expect((aborted.body as { error: string }).error).toContain("EXECABORT");
    expect(await direct.exists(key("abort"))).toBe(0);

    // A runtime error fails only its command, as in Redis.
    const partial = await raw("/multi-exec", [
      ["SET", key("partial"), "text"],
      ["INCR", key("partial")],
      ["APPEND", key("partial"), "!"],
    ]);
    expect(partial.status).toBe(200);
    const entries = partial.body as Array<{ result?: unknown; error?: string }>;
    expect(entries[0]).toEqual({ result: "OK" });
    expect(entries[1]?.error).toContain("not an integer");
    expect(entries[2]).toEqual({ result: 5 });
  });

  it("rejects a missing or wrong token with 401 and Upstash's error", async () => {
    const wrong = new Redis({ url: adapter.url, token: "not-the-token", enableTelemetry: false });
    await expect(wrong.get(key("x"))).rejects.toThrow("WRONGPASS");
    expect(await raw("/", ["GET", key("x")], { token: null })).toEqual({
      status: 401,
      body: { error: "WRONGPASS invalid or missing auth token" },
    });
    expect((await raw("/", ["GET", key("x")], { token: `${TOKEN}x` })).status).toBe(401);
    const viaQuery = await fetch(`${adapter.url}/?_token=${encodeURIComponent(TOKEN)}`, {
      method: "POST",
      body: JSON.stringify(["PING"]),
    });
    expect(await viaQuery.json()).toEqual({ result: "PONG" });
  });

  it("accepts the REST path form", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const set = await fetch(`${adapter.url}/set/${encodeURIComponent(key("path"))}/hello%20world`, { headers: auth });
    expect(await set.json()).toEqual({ result: "OK" });
    const get = await fetch(`${adapter.url}/get/${encodeURIComponent(key("path"))}`, { headers: auth });
    expect(await get.json()).toEqual({ result: "hello world" });
    const posted = await fetch(`${adapter.url}/set/${encodeURIComponent(key("path-body"))}`, {
      method: "POST",
      headers: auth,
      body: "from the body",
    });
    expect(await posted.json()).toEqual({ result: "OK" });
    expect(await direct.get(key("path-body"))).toBe("from the body");
  });

  it("runs blocking commands without stalling other requests", async () => {
    const started = Date.now();
    // @upstash/redis has no BLPOP helper; the REST protocol carries it like any other command.
    const blocked = raw("/", ["BLPOP", key("empty-list"), "1"]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await redis.set(key("meanwhile"), "fast")).toBe("OK");
    const meanwhileMs = Date.now() - started;
    expect(await blocked).toEqual({ status: 200, body: { result: null } });
    expect(meanwhileMs).toBeLessThan(800);
  });

  it("rewrites Upstash shebang scripts for Redis 7 and maps their SHA", async () => {
    const marker = randomBytes(6).toString("hex");
    const loaded = `#!lua flags=allow-key-locking\n-- ${marker} load\nreturn ARGV[1]`;
    const evaled = `#!lua flags=allow-key-locking\n-- ${marker} eval\nreturn {KEYS[1], tonumber(ARGV[1]) + 1}`;

    // The premise: Redis 7 refuses the flag outright.
    await expect(direct.eval(loaded, 0, "x")).rejects.toThrow(/shebang/i);

    // Unknown SHA: Redis's own NOSCRIPT, which makes clients fall back to EVAL.
    await expect(redis.evalsha(sha1(loaded), [], ["x"])).rejects.toThrow("NOSCRIPT");

    // SCRIPT LOAD answers the SHA the client computed; EVALSHA with it then runs the rewritten script.
    expect(await redis.scriptLoad(loaded)).toBe(sha1(loaded));
    expect(await redis.evalsha(sha1(loaded), [], ["value"])).toBe("value");
    expect(await redis.scriptExists(sha1(loaded))).toEqual([1]);

    // EVAL remembers the mapping as well.
    expect(await redis.eval(evaled, [key("k")], ["41"])).toEqual([key("k"), 42]);
    expect(await redis.evalsha(sha1(evaled), [key("k")], ["1"])).toEqual([key("k"), 2]);

    // Other flags survive the rewrite: a no-writes script still may not write.
    const readOnly = `#!lua flags=no-writes,allow-key-locking\n-- ${marker}\nreturn redis.call('SET', KEYS[1], 'x')`;
    await expect(redis.eval(readOnly, [key("ro")], [])).rejects.toThrow(/read-only|not allowed/i);
    expect(await direct.exists(key("ro"))).toBe(0);

    // The shebang line is blanked, not removed, so error line numbers match the client's source.
    const failing = `#!lua flags=allow-key-locking\nreturn redis.call('NOSUCHCOMMAND')`;
    await expect(redis.eval(failing, [], [])).rejects.toThrow(/user_script:2/);
  });

  it("lets @upstash/ratelimit slidingWindow allow N and then deny", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(3, "30 s"),
      prefix: key("rl-sliding"),
      ephemeralCache: false,
    });
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await limiter.limit("user-1"));
    expect(outcomes.map((o) => o.success)).toEqual([true, true, true, false, false]);
    expect(outcomes.map((o) => o.remaining)).toEqual([2, 1, 0, 0, 0]);
    expect(outcomes.every((o) => o.reason === undefined)).toBe(true);
    expect((await limiter.limit("user-2")).success).toBe(true);
    // The SHA @upstash/ratelimit 2.2.0 ships for its sliding-window script now resolves through the adapter,
    // so later calls take the EVALSHA path instead of NOSCRIPT + EVAL.
    expect(await redis.scriptExists("74740bb3d7792848093cdef586b6b6037c455fd6")).toEqual([1]);
    const stored = await direct.keys(`${key("rl-sliding")}*`);
    expect(stored.length).toBeGreaterThan(0);
  });

  it("lets @upstash/ratelimit fixedWindow allow N and then deny, and report what is left", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(2, "30 s"),
      prefix: key("rl-fixed"),
      ephemeralCache: false,
    });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await limiter.limit("ip-1"));
    expect(outcomes.map((o) => o.success)).toEqual([true, true, false, false]);
    expect(outcomes.every((o) => o.reason === undefined)).toBe(true);
    const remaining = await limiter.getRemaining("ip-1");
    expect(remaining.remaining).toBe(0);
    await limiter.resetUsedTokens("ip-1");
    expect((await limiter.limit("ip-1")).success).toBe(true);
  });

  it("closes cleanly and refuses connections afterwards", async () => {
    const extra = await startUpstashAdapter({ token: "t", redisUrl: REDIS_URL });
    const client = new Redis({ url: extra.url, token: "t", enableTelemetry: false, retry: false });
    expect(await client.ping()).toBe("PONG");
    await extra.close();
    await expect(client.ping()).rejects.toThrow();
    await expect(startUpstashAdapter({ token: "t", redisUrl: "redis://127.0.0.1:1/0" })).rejects.toThrow(
      "cannot reach Redis",
    );
  });
});
