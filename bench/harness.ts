/**
 * Shared benchmark machinery: bounded autocannon runs against Workers served by workerd on loopback, and a
 * report that prints every case as a ratio to the hello-world baseline measured in the same run.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import autocannon from "autocannon";
import { cpuSnapshot, type CpuUse, cpuUse, formatCpuUse, workerdCpuNs } from "./cpu.js";

export interface LoadOptions {
  url: string;
  /** Seconds of load; at most 10 per case. */
  seconds?: number;
  connections?: number;
  headers?: Record<string, string>;
  method?: "GET" | "POST";
  body?: string;
  /** Varies each request's headers (e.g. one of several users' tokens), called per request. */
  headersFor?: (index: number) => Record<string, string>;
}

export interface CaseResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  /** Requests completed in the measured run. */
  total: number;
  ratioToBaseline?: number;
  target?: string;
  /** Extra measured facts, e.g. Redis round trips per request. */
  notes?: string;
  /** Cores each process group kept busy during the case (bench/cpu.ts): which one saturated. */
  cpu?: CpuUse;
  /** Answers that were not 2xx, by status, when there were any. */
  statuses?: Record<string, number>;
}

export const BENCH_SECONDS = Math.min(10, Math.max(1, Number(process.env.BENCH_SECONDS ?? 10)));
/**
 * Every bench Worker listens on loopback at its port plus `BENCH_PORT_OFFSET`, so two runs on one machine (two
 * checkouts, say) don't meet.
 */
export function benchPort(port: number): number {
  const offset = Number(process.env.BENCH_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) throw new Error("BENCH_PORT_OFFSET: 0 to 50000");
  return port + offset;
}
export const BENCH_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export async function load(name: string, options: LoadOptions): Promise<CaseResult> {
  const headersFor = options.headersFor;
  const before = cpuSnapshot();
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? BENCH_CONNECTIONS,
    duration: Math.min(10, options.seconds ?? BENCH_SECONDS),
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
    ...(headersFor ? varying(headersFor) : {}),
  });
  const cpu = cpuUse(before, cpuSnapshot());
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    const count = stats.count ?? 0;
    if (!status.startsWith("2") && count > 0) statuses[status] = count;
  }
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
    ...(Object.keys(cpu).length ? { cpu } : {}),
    ...(Object.keys(statuses).length ? { statuses } : {}),
  };
}

/** workerd's CPU for each of `count` sequential requests to `url` (ms, sorted), or null off Linux. */
export async function cpuPerRequest(url: string, count: number): Promise<number[] | null> {
  const runs: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = workerdCpuNs();
    if (before === null) return null;
    await (await fetch(url)).arrayBuffer();
    // workerd finishes a request's work (and any GC it triggers) just after the answer is sent.
    await new Promise((resolve) => setTimeout(resolve, 2));
    runs.push(Math.max(0, (workerdCpuNs() ?? before) - before) / 1e6);
  }
  return runs.sort((a, b) => a - b);
}

/**
 * A short unmeasured run first, so JIT warm-up and connection set-up do not count. `headers` may vary per
 * request like `LoadOptions.headersFor` (the protected cases spread their warm-up over every user).
 */
export async function warm(
  url: string,
  headers?: Record<string, string> | ((index: number) => Record<string, string>),
): Promise<void> {
  await autocannon({
    url,
    connections: 10,
    duration: 1,
    ...(typeof headers === "function" ? varying(headers) : { headers }),
  });
}

/** autocannon's option for headers that change with each request (`headersFor` is called with 0, 1, 2, …). */
function varying(headersFor: (index: number) => Record<string, string>): Pick<autocannon.Options, "requests"> {
  let counter = 0;
  return {
    requests: [
      {
        setupRequest: (request: autocannon.Request) => ({
          ...request,
          headers: { ...request.headers, ...headersFor(counter++) },
        }),
      },
    ],
  };
}

export function withRatios(baseline: CaseResult, cases: CaseResult[]): CaseResult[] {
  return cases.map((entry) => ({
    ...entry,
    ratioToBaseline: Number((entry.requestsPerSecond / Math.max(1, baseline.requestsPerSecond)).toFixed(3)),
  }));
}

/**
 * The Worker's CPU per request: workerd's busy cores divided by the throughput. workerd runs a Worker's requests on
 * one thread, so this is what bounds each case, and unlike req/s it holds roughly steady on a machine that is busy.
 */
function workerdMsPerRequest(row: CaseResult): string {
  const cores = row.cpu?.workerd;
  return cores === undefined || row.requestsPerSecond === 0 ? "" : ((cores * 1000) / row.requestsPerSecond).toFixed(3);
}

export function printTable(rows: CaseResult[]): void {
  const header = [
    "case",
    "req/s",
    "p50 ms",
    "p99 ms",
    "ratio",
    "target",
    "errors",
    "non-2xx",
    "CPU cores (workerd, node, postgres, redis)",
    "workerd ms/req",
    "notes",
  ];
  const lines = rows.map((row) => [
    row.name,
    String(row.requestsPerSecond),
    String(row.p50Ms),
    String(row.p99Ms),
    row.ratioToBaseline === undefined ? "1.000" : row.ratioToBaseline.toFixed(3),
    row.target ?? "",
    String(row.errors),
    row.statuses
      ? `${row.non2xx} (${Object.entries(row.statuses)
          .map(([status, count]) => `${status} ×${count}`)
          .join(", ")})`
      : String(row.non2xx),
    formatCpuUse(row.cpu),
    workerdMsPerRequest(row),
    row.notes ?? "",
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

export async function writeResults(file: string, payload: unknown): Promise<void> {
  const dir = join(new URL("..", import.meta.url).pathname, "bench", "results");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), `${JSON.stringify(payload, null, 2)}\n`);
}
