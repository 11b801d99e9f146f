/**
 * Where a bench case's CPU goes: user + system time of each process of the measured system, read from
 * /proc/<pid>/stat before and after the case. On a small machine the load generator, workerd, the local
 * cloud, PostgreSQL and Redis all compete for the same cores, so a case's req/s is only explained next to
 * which of them saturated. Linux only; elsewhere the breakdown is empty.
 *
 * Groups: "node" is this process (autocannon and every local-cloud endpoint: the Neon HTTP endpoint, the
 * WebSocket proxy and counting relay, the Upstash adapter), "workerd" the Workers under measurement (children
 * of this process), "postgres" the server's backends connected to this run's database, "redis" the server.
 */
import { readdirSync, readFileSync } from "node:fs";

export type CpuGroup = "node" | "workerd" | "postgres" | "redis";
const CPU_GROUPS: CpuGroup[] = ["workerd", "node", "postgres", "redis"];

/** CPU milliseconds per group at one instant. */
export type CpuSnapshot = Map<CpuGroup, number> & { at: number };

const TICKS_PER_SECOND = 100;

function readStat(pid: string): { comm: string; ppid: number; ms: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: the fields that follow start after the last ')'.
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // After the name: state(0) ppid(1) … utime(11) stime(12), in clock ticks.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { comm, ppid: Number(fields[1]), ms: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

let database: string | null = null;

/** Names the run's PostgreSQL database, whose backends are the "postgres" group (none is counted before). */
export function watchDatabase(name: string): void {
  database = name;
}

/** A snapshot of the groups' CPU time. */
export function cpuSnapshot(): CpuSnapshot {
  const totals = new Map<CpuGroup, number>() as CpuSnapshot;
  totals.at = performance.now();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return totals;
  }
  const self = String(process.pid);
  const add = (group: CpuGroup, ms: number) => totals.set(group, (totals.get(group) ?? 0) + ms);
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    if (pid === self) add("node", stat.ms);
    else if (stat.comm === "workerd" && stat.ppid === process.pid) add("workerd", stat.ms);
    else if (stat.comm === "redis-server") add("redis", stat.ms);
    else if (database && stat.comm === "postgres" && cmdline(pid).includes(` ${database} `)) add("postgres", stat.ms);
  }
  return totals;
}

/** Cores each group kept busy between two snapshots (1 = one core for the whole case). */
export type CpuUse = Partial<Record<CpuGroup, number>>;

/** The CPU each group used between two snapshots. Backends that ended in between are not counted. */
export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const wall = Math.max(1, after.at - before.at);
  const use: CpuUse = {};
  for (const group of CPU_GROUPS) {
    if (!after.has(group)) continue;
    const used = Math.max(0, (after.get(group) ?? 0) - (before.get(group) ?? 0));
    use[group] = Number((used / wall).toFixed(2));
  }
  return use;
}

/** "workerd 1.02, node 0.71, postgres 0.18, redis 0.00", for the report. */
export function formatCpuUse(use: CpuUse | undefined): string {
  if (!use) return "";
  return CPU_GROUPS.filter((group) => use[group] !== undefined)
    .map((group) => `${group} ${use[group]!.toFixed(2)}`)
    .join(", ");
}

/**
 * CPU nanoseconds the workerd children of this process have run so far, all threads (GC and compiler threads
 * included), from /proc/<pid>/task/<tid>/schedstat: exact to the nanosecond where stat counts 10 ms ticks, so
 * one request's CPU can be read. null off Linux. A thread that ends between two readings takes its time along.
 */
export function workerdCpuNs(): number | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat?.comm !== "workerd" || stat.ppid !== process.pid) continue;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      // The process ended since /proc was listed.
    }
    for (const task of tasks) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended since its directory was listed.
      }
    }
  }
  return total;
}
