/**
 * Concurrent protected requests in one workerd isolate share one Redis command (services/trust-signals.ts,
 * "Coalescing"), and each still gets its own signals: every request counted, a revoked token refused among
 * passing ones, the rate limit held from batch to batch, the others answered when a sender's client goes away,
 * and every request refused when Redis is unreachable.
 *
 * The Worker under test (test/support/trust-batch/worker.ts) is the product's middleware with one step before
 * `protect()` that reports the request's arrival. Between it and the local Upstash adapter sits a gate the test
 * can close: while the first command waits there, the test sees every other request arrive, then opens it.
 */
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { issueAccessToken } from "../../functions/services/identity/tokens.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { buildWorkerBundle } from "../support/stack.js";
import { type BindingOverrides, createWorker, type TestWorker } from "../support/worker.js";

/** The commands that reached the gate (forwarded or held), and the requests that reported their arrival. */
interface Gate {
  url: string;
  arrivalUrl: string;
  /** Per command: its name and how many requests' signals it carries (KEYS / 10 for the signals script). */
  readonly commands: Array<{ name: string; requests: number }>;
  readonly arrivals: number;
  close(): void;
  open(): void;
  /** While set, every command's connection is dropped: Redis unreachable. */
  unreachable: boolean;
  stop(): Promise<void>;
}

async function startGate(upstashUrl: string): Promise<Gate> {
  const held: Array<() => void> = [];
  let closed = false;
  let arrivals = 0;
  const commands: Gate["commands"] = [];
  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (gate.unreachable) {
      res.socket?.destroy();
      return;
    }
    const answer = await fetch(upstashUrl, {
      method: "POST",
      headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
      body: body.toString("utf8"),
    });
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.url === "/arrived") {
        arrivals += 1;
        res.writeHead(204).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const command = JSON.parse(body.toString("utf8")) as string[];
      const name = String(command[0]).toUpperCase();
      commands.push({ name, requests: name.startsWith("EVAL") ? Number(command[2]) / 10 : 1 });
      const go = () => void forward(req, res, body).catch(() => res.socket?.destroy());
      if (closed) held.push(go);
      else go();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gate: Gate = {
    url: base,
    arrivalUrl: `${base}/arrived`,
    commands,
    get arrivals() {
      return arrivals;
    },
    close() {
      closed = true;
    },
    open() {
      closed = false;
      for (const go of held.splice(0)) go();
    },
    unreachable: false,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return gate;
}

/** Waits (polling, at most 30 s) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let admin: pg.Client;
let redis: Redis;
let gate: Gate;
let worker: TestWorker;
let bundleDir: string;
let site: SeededTenant;

interface Member {
  userId: string;
  tokenId: string;
  token: string;
}

/** A member of the test tenant with an access token minted by the Worker's own code and key. */
async function member(): Promise<Member> {
  const env = inject("testEnvironment");
  const user = await admin.query<{ id: string }>(
    "insert into users (email, display_name) values ($1, 'Batch editor') returning id",
    [`batch-${Math.random().toString(36).slice(2)}@example.test`],
  );
  const userId = user.rows[0]!.id;
  await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'editor')", [site.id, userId]);
  const { token, claims } = await issueAccessToken(
    {
      signingKeys: JSON.parse(env.auth.privateJwks),
      issuer: env.auth.issuer,
      audience: "vitalis-api",
      mfaEncryptionKey: env.auth.mfaEncryptionKey,
      adminOrigins: [],
    },
    { userId, tenantId: site.id, roles: ["editor"], amr: ["pwd"], authTime: Math.floor(Date.now() / 1000) - 5 },
  );
  return { userId, tokenId: claims.jti, token };
}

let address = 0;
/** One protected request of `who`, each from an address of its own so only the per-user limit can bite. */
function request(who: Member, signal?: AbortSignal): Promise<Response> {
  address += 1;
  return worker.fetch("/protected", {
    host: site.hostname,
    headers: {
      authorization: `Bearer ${who.token}`,
      // Addresses no other test file uses: their per-IP counters share this run's Redis.
      "cf-connecting-ip": `2001:db8:7b::${address.toString(16)}`,
    },
    ...(signal ? { signal } : {}),
  });
}

/**
 * Sends the first request, waits until its command is held at the closed gate, sends the rest, waits until all
 * have reached the trust check, then opens the gate: the rest can only have joined the batch behind the first.
 */
async function inOneBatchBehindAnother(
  first: () => Promise<Response>,
  rest: Array<() => Promise<Response>>,
  beforeOpening: () => Promise<void> = async () => undefined,
): Promise<{ first: Promise<Response>; rest: Promise<Response>[] }> {
  const arrivedBefore = gate.arrivals;
  const commandsBefore = gate.commands.length;
  gate.close();
  const firstAnswer = first();
  await until(() => gate.commands.length > commandsBefore, "the first command");
  const restAnswers = rest.map((send) => send());
  await until(() => gate.arrivals === arrivedBefore + 1 + rest.length, "every request to arrive");
  await beforeOpening();
  gate.open();
  return { first: firstAnswer, rest: restAnswers };
}

/** The user's requests counted this minute (and the next, for a test that crosses the minute). */
async function countedThisMinute(userId: string): Promise<number> {
  const minute = Math.floor(Date.now() / 60_000);
  const values = await Promise.all(
    [minute - 1, minute, minute + 1].map((m) => redis.get(`vitalis:rate:s:${userId}:${m}`)),
  );
  return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
}

const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code;

beforeAll(async () => {
  const env = inject("testEnvironment");
  admin = await adminClient();
  redis = new Redis(env.redisUrl);
  site = await seedTenant(admin, "trust-batch");
  gate = await startGate(env.upstashUrl);
  bundleDir = await mkdtemp(join(tmpdir(), "vitalis-trust-batch-"));
  await buildWorkerBundle(bundleDir, new URL("../support/trust-batch/wrangler.toml", import.meta.url).pathname);
  const overrides = { UPSTASH_REDIS_REST_URL: gate.url, TRUST_ARRIVAL_URL: gate.arrivalUrl } as BindingOverrides;
  worker = await createWorker(env, overrides, { bundleDir });
});
afterAll(async () => {
  await worker?.dispose();
  await gate?.stop();
  redis?.disconnect();
  await admin?.end();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});
beforeEach(() => {
  gate.open();
  gate.unreachable = false;
});

describe("protected requests in one isolate share the trust command", () => {
  it("counts every request of a user, with fewer commands than requests", async () => {
    const editor = await member();
    const commandsBefore = gate.commands.length;
    const sent = await inOneBatchBehindAnother(
      () => request(editor),
      Array.from({ length: 7 }, () => () => request(editor)),
    );
    const answers = await Promise.all([sent.first, ...sent.rest]);
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
    expect(await countedThisMinute(editor.userId)).toBe(8);
    const commands = gate.commands.slice(commandsBefore);
    expect(commands.length).toBeLessThan(8);
    // Every command is the signals script, and together they carry each request once.
    expect(commands.every((command) => command.name === "EVALSHA" || command.name === "EVAL")).toBe(true);
    expect(commands.reduce((sum, command) => sum + command.requests, 0)).toBe(8);
  });

  it("refuses a denylisted and a not-before-revoked token in a batch while the others pass", async () => {
    const [first, denylisted, loggedOut, other] = [await member(), await member(), await member(), await member()];
    await redis.set(`vitalis:deny:${denylisted.tokenId}`, "1", "EX", 60);
    await redis.set(`vitalis:nbf:${loggedOut.userId}`, String(Math.floor(Date.now() / 1000) + 1), "EX", 60);
    const sent = await inOneBatchBehindAnother(
      () => request(first),
      [() => request(denylisted), () => request(loggedOut), () => request(other)],
    );
    const [a, b, c, d] = await Promise.all([sent.first, ...sent.rest]);
    expect(a!.status).toBe(200);
    expect([b!.status, await codeOf(b!)]).toEqual([401, "token_revoked"]);
    expect([c!.status, await codeOf(c!)]).toEqual([401, "token_revoked"]);
    expect(d!.status).toBe(200);
  });

  it("holds the per-user rate limit from batch to batch", async () => {
    // The counter is per minute: start a burst far enough from the minute's end that it stays in one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    const editor = await member();
    await redis.set(`vitalis:rate:s:${editor.userId}:${Math.floor(Date.now() / 60_000)}`, "590", "EX", 180);
    const statuses: number[] = [];
    for (let wave = 0; wave < 2; wave++) {
      const sent = await inOneBatchBehindAnother(
        () => request(editor),
        Array.from({ length: 7 }, () => () => request(editor)),
      );
      for (const res of await Promise.all([sent.first, ...sent.rest])) statuses.push(res.status);
    }
    // 600 a minute: ten more pass, the other six are refused, whichever batch they came in.
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });

  it("answers the requests behind a batch whose sender's client went away", async () => {
    const [sender, second, third] = [await member(), await member(), await member()];
    const abort = new AbortController();
    let senderAnswer: Promise<unknown> = Promise.resolve();
    const sent = await inOneBatchBehindAnother(
      () => {
        const answer = request(sender, abort.signal);
        senderAnswer = answer.catch(() => undefined);
        return answer;
      },
      [() => request(second), () => request(third)],
      async () => {
        // The sender's client hangs up while its command is still held.
        abort.abort();
        await senderAnswer;
      },
    );
    const answers = await Promise.all(sent.rest);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    expect(await countedThisMinute(second.userId)).toBe(1);
    expect(await countedThisMinute(third.userId)).toBe(1);
  });

  it("refuses every request of a batch when Redis is unreachable, and recovers after", async () => {
    const editors = [await member(), await member(), await member()];
    gate.unreachable = true;
    const sent = await inOneBatchBehindAnother(
      () => request(editors[0]!),
      editors.slice(1).map((editor) => () => request(editor)),
    );
    const answers = await Promise.all([sent.first, ...sent.rest]);
    // Restricted data fails closed without the signals (services/trust.ts), as with a command of its own.
    for (const res of answers) expect([res.status, await codeOf(res)]).toEqual([403, "trust_denied"]);
    gate.unreachable = false;
    expect((await request(editors[0]!)).status).toBe(200);
  });
});
