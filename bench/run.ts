/**
 * `npm run bench`: serves the Worker and a hello-world Hono Worker in workerd on loopback, drives bounded
 * load at each (autocannon, ≤ 10 s per case), prints req/s, p50, p99 and the ratio to the baseline, and
 * writes bench/results/latest.json. Only 127.0.0.1 is ever targeted.
 */
import { join } from "node:path";
import { buildWorkerBundle, startStack } from "../test/support/stack.js";
import { createWorker } from "../test/support/worker.js";
import { BENCH_CONNECTIONS, BENCH_SECONDS, type CaseResult, load, printTable, warm, withRatios, writeResults } from "./harness.js";

const BASELINE_PORT = 8801;
const SUBJECT_PORT = 8802;

interface BenchCase {
  name: string;
  path: string;
  /** The goal this case is held to, as a ratio to the baseline (informational: benchmarks do not fail tests). */
  target?: string;
}

const CASES: BenchCase[] = [
  { name: "/healthz", path: "/healthz", target: ">= 0.90" },
  { name: "/readyz (PostgreSQL + Redis + S3)", path: "/readyz" },
];

async function main(): Promise<void> {
  const stack = await startStack("bench");
  const baselineDir = join(stack.scratch, "baseline");
  await buildWorkerBundle(baselineDir, new URL("./baseline/wrangler.toml", import.meta.url).pathname);
  const baseline = await createWorker(stack.environment, {}, { bundleDir: baselineDir, port: BASELINE_PORT });
  const subject = await createWorker(stack.environment, {}, { port: SUBJECT_PORT });
  try {
    const baselineUrl = `http://127.0.0.1:${BASELINE_PORT}/`;
    await warm(baselineUrl);
    const baselineResult = await load("baseline: hello-world Hono", { url: baselineUrl });
    const results: CaseResult[] = [];
    for (const entry of CASES) {
      const url = `http://127.0.0.1:${SUBJECT_PORT}${entry.path}`;
      await warm(url);
      results.push({ ...(await load(entry.name, { url })), ...(entry.target ? { target: entry.target } : {}) });
    }
    const rows = [baselineResult, ...withRatios(baselineResult, results)];
    console.log(`\nVitalis benchmarks — ${BENCH_CONNECTIONS} connections, ${BENCH_SECONDS} s per case, workerd on 127.0.0.1\n`);
    printTable(rows);
    await writeResults("latest.json", {
      date: new Date().toISOString(),
      connections: BENCH_CONNECTIONS,
      seconds: BENCH_SECONDS,
      cases: rows,
    });
  } finally {
    await Promise.allSettled([baseline.dispose(), subject.dispose()]);
    await stack.stop();
  }
}

await main();
