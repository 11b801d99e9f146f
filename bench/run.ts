/**
 * `npm run bench`: serves the Worker and a hello-world Hono Worker in workerd on loopback, drives bounded
 * load at each (autocannon, ≤ 10 s per case), prints req/s, p50, p99 and the ratio to the baseline, and
 * writes bench/results/latest.json. Only 127.0.0.1 is ever targeted.
 */
import { join } from "node:path";
import pg from "pg";
import { contentBenchCases } from "./content.js";
import { siteBenchCases, startDatabaseMeter } from "./site.js";
import { printUploadBench, uploadBenchmarks } from "./uploads.js";
import { issueAccessToken } from "../functions/services/identity/tokens.js";
import { watchDatabase } from "./cpu.js";
import { buildWorkerBundle, startStack } from "../test/support/stack.js";
import { createWorker } from "../test/support/worker.js";
import {
  BENCH_CONNECTIONS,
  BENCH_SECONDS,
  benchPort,
  type CaseResult,
  cpuPerRequest,
  load,
  printTable,
  warm,
  withRatios,
  writeResults,
} from "./harness.js";

const BASELINE_PORT = benchPort(8801);
const SUBJECT_PORT = benchPort(8802);
const PROTECTED_PORT = benchPort(8803);
const PIPELINE_PORT = benchPort(8804);
/**
 * Signed-in users of the protected cases, each on one client address of its own (the 762 documentation
 * addresses, so a few users share one, as in a clinic's network). Enough that no user or address meets the
 * rate limits (600 and 1,200 requests a minute) at any throughput the machine reaches: at 6,000 req/s over the
 * protected cases' warm-ups and runs (about 22 s) a user sends about 130 requests and an address about 175.
 */
const BENCH_USERS = 1000;
const CLIENT_ADDRESSES = ["192.0.2", "198.51.100", "203.0.113"].flatMap((net) =>
  Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`),
);

interface BenchCase {
  name: string;
  path: string;
  /** The goal this case is held to, as a ratio to the baseline (informational: benchmarks do not fail tests). */
  target?: string;
}

/**
 * `BENCH_ONLY=site,protected` runs only those groups of cases (after the baseline, which every run measures):
 * `health`, `content` (the WordPress API), `site`, `protected`, `pipeline`, `uploads`. Unset: all of them.
 */
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? "")
    .split(",")
    .map((group) => group.trim())
    .filter(Boolean),
);
const runs = (group: string) => ONLY.size === 0 || ONLY.has(group);

const CASES: BenchCase[] = [
  { name: "/healthz", path: "/healthz", target: ">= 0.90" },
  { name: "/readyz (PostgreSQL + Redis + S3)", path: "/readyz" },
];

async function main(): Promise<void> {
  const stack = await startStack("bench");
  watchDatabase(new URL(stack.environment.adminDatabaseUrl).pathname.slice(1));
  const baselineDir = join(stack.scratch, "baseline");
  await buildWorkerBundle(baselineDir, new URL("./baseline/wrangler.toml", import.meta.url).pathname);
  const baseline = await createWorker(stack.environment, {}, { bundleDir: baselineDir, port: BASELINE_PORT });
  // The Workers under measurement reach PostgreSQL through the meter, which counts round trips and connections.
  const meter = await startDatabaseMeter(stack);
  const subject = await createWorker(stack.environment, meter.bindings, { port: SUBJECT_PORT });
  try {
    const baselineUrl = `http://127.0.0.1:${BASELINE_PORT}/`;
    await warm(baselineUrl);
    const baselineResult = await load("baseline: hello-world Hono", { url: baselineUrl });
    const results: CaseResult[] = [];
    for (const entry of runs("health") ? CASES : []) {
      const url = `http://127.0.0.1:${SUBJECT_PORT}${entry.path}`;
      await warm(url);
      results.push({ ...(await load(entry.name, { url })), ...(entry.target ? { target: entry.target } : {}) });
    }
    for (const entry of runs("content") ? await contentBenchCases(stack.environment) : []) {
      const url = `http://127.0.0.1:${SUBJECT_PORT}${entry.path}`;
      await warm(url, entry.headers);
      const trips = await meter.measure(url, entry.headers);
      results.push({
        ...(await load(entry.name, { url, headers: entry.headers })),
        ...(entry.target ? { target: entry.target } : {}),
        notes: trips,
      });
    }
    if (runs("site")) results.push(...(await siteBenchCases(stack, meter)));
    if (runs("protected")) results.push(...(await protectedCases(stack)));
    if (runs("pipeline")) results.push(...(await pipelineCases(stack)));
    const rows = [baselineResult, ...withRatios(baselineResult, results)];
    console.log(
      `\nVitalis benchmarks — ${BENCH_CONNECTIONS} connections, ${BENCH_SECONDS} s per case, workerd on 127.0.0.1\n`,
    );
    printTable(rows);
    // Uploads are latency, not throughput: p50/p99 of initiation and completion, and sweep items per second.
    const uploads = runs("uploads") ? await uploadBenchmarks(subject, { iterations: 30, sweepItems: 300 }) : undefined;
    if (uploads) printUploadBench(uploads);
    // A partial run is written beside the full run's file, never over it.
    await writeResults(ONLY.size === 0 ? "latest.json" : "partial.json", {
      date: new Date().toISOString(),
      connections: BENCH_CONNECTIONS,
      seconds: BENCH_SECONDS,
      cases: rows,
      uploads,
    });
  } finally {
    await Promise.allSettled([baseline.dispose(), subject.dispose()]);
    await meter.close();
    await stack.stop();
  }
}

/**
 * Authentication + trust against the same endpoint without them (bench/protected/worker.ts), in one run,
 * with the Redis round trips per protected request counted at the Upstash adapter.
 */
async function protectedCases(stack: Awaited<ReturnType<typeof startStack>>): Promise<CaseResult[]> {
  const admin = new pg.Client({ connectionString: stack.environment.adminDatabaseUrl });
  await admin.connect();
  const dir = join(stack.scratch, "protected");
  await buildWorkerBundle(dir, new URL("./protected/wrangler.toml", import.meta.url).pathname);
  const worker = await createWorker(stack.environment, {}, { bundleDir: dir, port: PROTECTED_PORT });
  const auth = {
    signingKeys: JSON.parse(stack.environment.auth.privateJwks),
    issuer: stack.environment.auth.issuer,
    audience: "vitalis-api",
    mfaEncryptionKey: stack.environment.auth.mfaEncryptionKey,
    adminOrigins: [],
  };
  try {
    const tenant = await admin.query<{ id: string }>(
      "insert into tenants (slug, name) values ('bench', 'Bench clinic') returning id",
    );
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id) values ('127.0.0.1', $1)", [tenantId]);
    // Straight into the database as the owner role (no password: the tokens are minted below).
    const users = await admin.query<{ id: string }>(
      `insert into users (email, display_name)
       select 'editor-' || n || '@bench.test', 'Bench editor ' || n from generate_series(1, $1::int) as n returning id`,
      [BENCH_USERS],
    );
    await admin.query("insert into memberships (tenant_id, user_id, role) select $1, unnest($2::uuid[]), 'editor'", [
      tenantId,
      users.rows.map((row) => row.id),
    ]);
    const tokens: string[] = [];
    for (const user of users.rows) {
      // Tokens minted with the Worker's own key and code path (the login endpoint's throttle would shape the set-up).
      const { token } = await issueAccessToken(auth, {
        userId: user.id,
        tenantId,
        roles: ["editor"],
        amr: ["pwd"],
        authTime: Math.floor(Date.now() / 1000),
      });
      tokens.push(token);
    }
    // Each request comes from the next user, from that user's own address.
    const headersFor = (n: number) => ({
      authorization: `Bearer ${tokens[n % tokens.length]}`,
      "cf-connecting-ip": CLIENT_ADDRESSES[(n % tokens.length) % CLIENT_ADDRESSES.length]!,
    });
    const base = `http://127.0.0.1:${PROTECTED_PORT}`;
    await warm(`${base}/open`);
    const open = await load("JSON endpoint, auth + trust off", { url: `${base}/open` });
    await warm(`${base}/protected`, headersFor);
    const before = stack.redisRoundTrips();
    const commandsBefore = stack.redisCommands();
    const secured = await load("same endpoint, auth + trust on", { url: `${base}/protected`, headersFor });
    const served = secured.total;
    const perRequest = (stack.redisRoundTrips() - before) / Math.max(1, served);
    const commandsPerRequest = (stack.redisCommands() - commandsBefore) / Math.max(1, served);
    // The access log (Marco Civil art. 15) on the same protected endpoint: its insert runs after the response.
    await warm(`${base}/protected-logged`, headersFor);
    const logged = await load("same endpoint, auth + trust + access log", {
      url: `${base}/protected-logged`,
      headersFor,
    });
    return [
      open,
      {
        ...secured,
        target: ">= 0.85 of off",
        notes: `${(secured.requestsPerSecond / Math.max(1, open.requestsPerSecond)).toFixed(3)} of off; ${perRequest.toFixed(2)} Redis round trips/request, ${commandsPerRequest.toFixed(2)} Redis commands/request (target ≤ 1; concurrent requests share one)`,
      },
      {
        ...logged,
        notes: `${(logged.requestsPerSecond / Math.max(1, secured.requestsPerSecond)).toFixed(3)} of auth + trust without the log`,
      },
    ];
  } finally {
    await worker.dispose();
    await admin.end();
  }
}

/** Sequential requests per article size whose workerd CPU the pipeline case reads one by one. */
const RUNS_PER_SIZE: Record<number, number> = { 20: 300, 100: 80, 200: 40 };

/**
 * The analysis pipeline inside workerd (bench/pipeline/worker.ts): all five stages on a Portuguese article of
 * 20, 100 and 200 KB, one request at a time so p99 is the pipeline's own latency (target < 20 ms at 20 KB, and
 * cost linear in size: the notes give each size's p50 per 20 KB), and each plugin's call overhead on a short
 * text. Notes carry workerd's CPU per run, read request by request (its p99 and how many runs took over 1.5 times
 * the median), and the linear memory each instance used (64 KiB pages).
 */
async function pipelineCases(stack: Awaited<ReturnType<typeof startStack>>): Promise<CaseResult[]> {
  const dir = join(stack.scratch, "pipeline");
  await buildWorkerBundle(dir, new URL("./pipeline/wrangler.toml", import.meta.url).pathname);
  const worker = await createWorker(stack.environment, {}, { bundleDir: dir, port: PIPELINE_PORT });
  try {
    const base = `http://127.0.0.1:${PIPELINE_PORT}`;
    const rows: CaseResult[] = [];
    let stages: Array<{ plugin: string }> = [];
    for (const kb of [20, 100, 200]) {
      const url = `${base}/pipeline?kb=${kb}`;
      const probe = (await (await fetch(url)).json()) as {
        bytes: number;
        stages: Array<{ plugin: string; memoryPages?: number }>;
      };
      stages = probe.stages;
      const memory = probe.stages.map((s) => `${s.plugin} ${((s.memoryPages ?? 0) * 64) / 1024} MiB`).join(", ");
      await warm(url);
      const result = await load(`analysis pipeline, ${Math.round(probe.bytes / 1000)} KB article, 1 connection`, {
        url,
        connections: 1,
      });
      const per20 = (result.p50Ms / kb) * 20;
      // One request's CPU at a time: the tail of this distribution is the Worker's own (GC), not the machine's.
      const cpu = await cpuPerRequest(url, RUNS_PER_SIZE[kb] ?? 30);
      let cpuNote = "";
      if (cpu && cpu.length > 0) {
        const at = (q: number) => cpu[Math.min(cpu.length - 1, Math.floor(q * cpu.length))]!;
        const spikes = cpu.filter((ms) => ms > 1.5 * at(0.5)).length;
        cpuNote = `; workerd CPU per run p50 ${at(0.5).toFixed(1)}, p99 ${at(0.99).toFixed(1)} ms, over 1.5× p50 in ${spikes} of ${cpu.length} sequential runs`;
      }
      rows.push({
        ...result,
        ...(kb === 20 ? { target: "p99 < 20 ms" } : { target: "linear" }),
        notes: `p50 per 20 KB ${per20.toFixed(1)} ms${cpuNote}; memory: ${memory}`,
      });
    }
    for (const stage of stages) {
      const url = `${base}/plugin/${stage.plugin}`;
      await warm(url);
      rows.push(
        await load(`plugin call overhead: ${stage.plugin}`, {
          url,
          connections: 1,
          seconds: Math.min(3, BENCH_SECONDS),
        }),
      );
    }
    return rows;
  } finally {
    await worker.dispose();
  }
}

await main();
