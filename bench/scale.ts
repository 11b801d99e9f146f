/**
 * `npm run bench:scale`: does a request's cost grow with the page or with the tenant? Loads one tenant at 1×,
 * then 10×, then 100× (bench/scale/load.ts: at 100×, 20,000 posts, 2,000 tags, 100k media rows, 50k data
 * subjects, 100k audit events with a valid chain), and after each load runs every case of bench/scale/cases/
 * against the real Worker in workerd on loopback: a few unmeasured requests, then `samples` sequential ones.
 * Prints p50 per scale and each case's growth factor (p50 at the largest scale / p50 at 1×; the goal of issue
 * #14 is at most 1.5), with the PostgreSQL round trips per request of the metered GETs, and writes
 * bench/results/scale-latest.json.
 *
 * BENCH_SCALES (default "1,10,100") and BENCH_SCALE_SAMPLES (default 25) bound the run; BENCH_SCALE_CASES
 * (substrings of case names, `|`-separated) runs some cases only. Only 127.0.0.1 is ever targeted.
 */
import { readdir } from "node:fs/promises";
import pg from "pg";
import { createUser, signIn } from "../test/support/auth.js";
import { signInWithMfa } from "../test/support/mfa.js";
import { startStack } from "../test/support/stack.js";
import { createWorker } from "../test/support/worker.js";
import { benchPort, writeResults } from "./harness.js";
import { requestOver, type ScaleCase, type ScaleContext } from "./scale/case.js";
import { loadTenant } from "./scale/load.js";
import { startDatabaseMeter } from "./site.js";

const PORT = benchPort(8821);
const WARM_UP = 3;
const SCALES = (process.env.BENCH_SCALES ?? "1,10,100")
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 1 && n <= 100);
const SAMPLES = Math.min(200, Math.max(3, Number(process.env.BENCH_SCALE_SAMPLES ?? 25)));
const ONLY = process.env.BENCH_SCALE_CASES;

interface Measured {
  p50Ms: number;
  p95Ms: number;
  samples: number;
  /** The meter's note for a metered GET: PostgreSQL round trips and connections per request. */
  roundTrips?: string;
  error?: string;
}

async function discoverCases(): Promise<ScaleCase[]> {
  const dir = new URL("./scale/cases/", import.meta.url);
  const files = (await readdir(dir)).filter((file) => file.endsWith(".ts")).sort();
  const lists = await Promise.all(
    files.map(async (file) => ((await import(new URL(file, dir).href)) as { default: ScaleCase[] }).default),
  );
  return lists.flat().filter((entry) => !ONLY || ONLY.split("|").some((part) => entry.name.includes(part)));
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Number(sorted[index]!.toFixed(1));
}

async function measure(entry: ScaleCase, ctx: ScaleContext): Promise<number[]> {
  const samples = entry.samples ?? SAMPLES;
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + samples; i++) {
    const started = performance.now();
    const own = await entry.run(ctx, i);
    const elapsed = typeof own === "number" ? own : performance.now() - started;
    if (i >= WARM_UP) times.push(elapsed);
  }
  return times.sort((a, b) => a - b);
}

function growth(first: Measured | undefined, last: Measured | undefined): number | null {
  if (!first || !last || first.error || last.error || first.p50Ms <= 0) return null;
  return Number((last.p50Ms / first.p50Ms).toFixed(2));
}

/** The meter's note in a table cell: "1.0 (1.0 HTTP, 0.0 WS; 0.0 new WS)". */
function shortTrips(note: string | undefined): string {
  const match = note && /^([\d.]+) .*?\(([\d.]+) HTTP, ([\d.]+) WebSocket\) \+ ([\d.]+)/.exec(note);
  return match ? `${match[1]} (${match[2]} HTTP, ${match[3]} WS; ${match[4]} new WS)` : "";
}

/** A case's p95 over the p95 of the case it names in `p95Against`, per scale (1.2 = 20 % slower). */
function p95Ratios(entry: ScaleCase, results: Map<string, Map<number, Measured>>): Record<string, number | null> {
  const own = results.get(entry.name)!;
  const other = results.get(entry.p95Against!);
  return Object.fromEntries(
    SCALES.map((s) => {
      const [a, b] = [own.get(s), other?.get(s)];
      const ratio = a && b && !a.error && !b.error && b.p95Ms > 0 ? Number((a.p95Ms / b.p95Ms).toFixed(2)) : null;
      return [`${s}x`, ratio];
    }),
  );
}

function printP95Comparisons(cases: ScaleCase[], results: Map<string, Map<number, Measured>>): void {
  for (const entry of cases.filter((c) => c.p95Against)) {
    const ratios = p95Ratios(entry, results);
    const cells = SCALES.map((s) => {
      const [a, b, r] = [results.get(entry.name)!.get(s), results.get(entry.p95Against!)?.get(s), ratios[`${s}x`]];
      return `${s}× ${a?.p95Ms ?? "?"} vs ${b?.p95Ms ?? "?"} ms (${r === null || r === undefined ? "?" : `${r.toFixed(2)}×`})`;
    });
    console.log(`\np95 of "${entry.name}" against "${entry.p95Against}" (goal ≤ 1.20×): ${cells.join("; ")}`);
  }
}

function printTable(cases: ScaleCase[], results: Map<string, Map<number, Measured>>): void {
  const header = ["request", ...SCALES.map((s) => `${s}× p50 ms`), "growth", `${SCALES.at(-1)}× round trips`];
  const lines = cases.map((entry) => {
    const row = results.get(entry.name)!;
    const factor = growth(row.get(SCALES[0]!), row.get(SCALES.at(-1)!));
    return [
      entry.name,
      ...SCALES.map((s) => {
        const m = row.get(s);
        return m ? (m.error ? "error" : String(m.p50Ms)) : "";
      }),
      factor === null ? "" : `${factor.toFixed(2)}×${factor > 1.5 ? " (> 1.5)" : ""}`,
      shortTrips(row.get(SCALES.at(-1)!)?.roundTrips),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const cases = await discoverCases();
  const stack = await startStack("scale");
  const meter = await startDatabaseMeter(stack);
  // Pages are rendered on every request: the Worker caches are what this bench must look past.
  const worker = await createWorker(
    stack.environment,
    { ...meter.bindings, SITE_CACHE_SECONDS: "0", SITE_MICRO_CACHE_SECONDS: "0" },
    { port: PORT },
  );
  const admin = new pg.Client({ connectionString: stack.environment.adminDatabaseUrl });
  await admin.connect();
  const baseUrl = `http://127.0.0.1:${PORT}`;
  const results = new Map(cases.map((entry) => [entry.name, new Map<number, Measured>()]));
  const loads: Array<{ scale: number; seconds: number }> = [];
  try {
    for (const scale of SCALES) {
      const tenant = await loadTenant(admin, scale);
      loads.push({ scale, seconds: tenant.seconds });
      console.log(`${scale}×: loaded in ${tenant.seconds.toFixed(1)} s`);
      const base = {
        scale,
        tenant,
        admin,
        stack,
        worker,
        baseUrl,
        warmUp: WARM_UP,
        samples: SAMPLES,
        request: requestOver(baseUrl, tenant.hostname),
      };
      for (const entry of cases) {
        const row = results.get(entry.name)!;
        try {
          // Staff sign in afresh for each case: the trust policy's velocity signal counts a person's requests per
          // minute, and one person sending every case's samples within a minute would be refused as a scraper.
          const editor = await createUser(admin, tenant, { roles: ["editor"] });
          const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
          const ctx: ScaleContext = {
            ...base,
            tokens: {
              editor: (await signIn(worker, tenant.hostname, editor)).accessToken,
              officer: (await signInWithMfa(worker, tenant.hostname, officer)).accessToken,
            },
          };
          await entry.setup?.(ctx);
          let times: number[];
          try {
            times = await measure(entry, ctx);
          } finally {
            await entry.teardown?.(ctx);
          }
          const measured: Measured = {
            p50Ms: percentile(times, 50),
            p95Ms: percentile(times, 95),
            samples: times.length,
          };
          const metered = entry.meter?.(ctx);
          if (metered) {
            measured.roundTrips = await meter.measure(
              baseUrl + metered.path,
              { host: tenant.hostname, ...metered.headers },
              5,
            );
          }
          row.set(scale, measured);
        } catch (error) {
          row.set(scale, { p50Ms: 0, p95Ms: 0, samples: 0, error: (error as Error).message.slice(0, 300) });
          console.error(`${entry.name} at ${scale}×: ${(error as Error).message}`);
        }
      }
    }
    console.log(`\nVitalis scale benchmark — p50 of ${SAMPLES} sequential requests per case and scale\n`);
    printTable(cases, results);
    printP95Comparisons(cases, results);
    await writeResults("scale-latest.json", {
      date: new Date().toISOString(),
      scales: SCALES,
      loads,
      cases: cases.map((entry) => {
        const row = results.get(entry.name)!;
        return {
          name: entry.name,
          byScale: Object.fromEntries(SCALES.map((s) => [`${s}x`, row.get(s) ?? null])),
          growth: growth(row.get(SCALES[0]!), row.get(SCALES.at(-1)!)),
          ...(entry.p95Against ? { p95Against: entry.p95Against, p95Ratio: p95Ratios(entry, results) } : {}),
        };
      }),
    });
  } finally {
    await admin.end();
    await worker.dispose();
    await meter.close();
    await stack.stop();
  }
}

await main();
