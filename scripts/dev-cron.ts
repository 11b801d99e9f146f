/**
 * The Worker's cron triggers for `npm run dev`: wrangler does not fire them locally, so this runs each of
 * wrangler.toml's `[triggers] crons` on its schedule (UTC, as Cloudflare does) through `wrangler dev
 * --test-scheduled`'s `/__scheduled?cron=` route, and prints when each fired and the Worker's answer. The
 * Worker runs a trigger's jobs in `waitUntil` (functions/index.ts), so each job's own result follows as its log
 * line (`published scheduled content`, `retention sweep finished`, …). One tick a minute; a trigger whose
 * request is still open when it is due again is skipped, not stacked. `stop()` ends it.
 */
import { readFile } from "node:fs/promises";

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  // 0 and 7 are both Sunday.
  { name: "day of week", min: 0, max: 7 },
] as const;

export interface CronSchedule {
  expression: string;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Whether day of month / day of week were restricted (cron runs on either when both are). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

function parseField(text: string, field: (typeof FIELDS)[number], expression: string): Set<number> {
  const values = new Set<number>();
  const fail = (): never => {
    throw new Error(`cron "${expression}": invalid ${field.name} "${text}"`);
  };
  for (const part of text.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) fail();
    const [, range, from, to, stepText] = match!;
    const start = range === "*" ? field.min : Number(from);
    const end = range === "*" ? field.max : to !== undefined ? Number(to) : stepText ? field.max : start;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (start < field.min || end > field.max || start > end || step < 1) fail();
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

/** Parses a five-field cron expression: numbers, `*`, ranges `a-b`, steps `/n` and lists `a,b`. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) throw new Error(`cron "${expression}": expected 5 fields, got ${parts.length}`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((part, index) =>
    parseField(part, FIELDS[index]!, expression),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.has(7)) daysOfWeek.add(0);
  return {
    expression,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    domRestricted: !parts[2]!.startsWith("*"),
    dowRestricted: !parts[4]!.startsWith("*"),
  };
}

/** Whether the schedule fires in the (UTC) minute of `at`. */
export function cronMatches(schedule: CronSchedule, at: Date): boolean {
  if (!schedule.minutes.has(at.getUTCMinutes()) || !schedule.hours.has(at.getUTCHours())) return false;
  if (!schedule.months.has(at.getUTCMonth() + 1)) return false;
  const dom = schedule.daysOfMonth.has(at.getUTCDate());
  const dow = schedule.daysOfWeek.has(at.getUTCDay());
  if (schedule.domRestricted && schedule.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The crons of wrangler.toml's `[triggers]` table. */
export function cronsFromWranglerToml(toml: string): string[] {
  const triggers = /^\[triggers\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? "";
  const list = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(triggers)?.[1];
  if (list === undefined) return [];
  return [...list.matchAll(/"([^"]*)"|'([^']*)'/g)].map((match) => match[1] ?? match[2]!);
}

export async function readWranglerCrons(path: string): Promise<string[]> {
  return cronsFromWranglerToml(await readFile(path, "utf8"));
}

/** How many times (every half second) to look for the Worker before giving up: two minutes. */
const READY_ATTEMPTS = 240;

export interface DevCron {
  stop(): void;
}

/**
 * Fires each cron at the start of every minute it matches. Requests are bounded (`timeoutMs`); the Worker's
 * answer (`Ran scheduled event`, or its error) and how long it took are printed.
 */
export function startDevCron(options: {
  workerUrl: string;
  crons: string[];
  log?: (line: string) => void;
  timeoutMs?: number;
}): DevCron {
  const log = options.log ?? ((line: string) => console.log(line));
  const schedules = options.crons.map(parseCron);
  const running = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const fire = async (schedule: CronSchedule, at: Date): Promise<void> => {
    const label = `[cron ${at.toISOString().slice(11, 16)}Z "${schedule.expression}"]`;
    if (running.has(schedule.expression)) {
      log(`${label} skipped: the previous run has not finished`);
      return;
    }
    running.add(schedule.expression);
    const started = Date.now();
    try {
      const response = await fetch(`${options.workerUrl}/__scheduled?cron=${encodeURIComponent(schedule.expression)}`, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
      const body = (await response.text()).trim().slice(0, 200);
      const outcome = response.ok ? "fired" : `failed (HTTP ${response.status})`;
      log(`${label} ${outcome} in ${Date.now() - started} ms: ${body}`);
    } catch (error) {
      log(`${label} did not run: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      running.delete(schedule.expression);
    }
  };

  const tick = (): void => {
    if (stopped) return;
    const now = new Date();
    for (const schedule of schedules) if (cronMatches(schedule, now)) void fire(schedule, now);
    armNextTick();
  };
  const armNextTick = (): void => {
    // The start of the next minute, plus a little so that the clock has surely turned.
    const wait = 60_000 - (Date.now() % 60_000) + 50;
    timer = setTimeout(tick, wait);
  };
  // The first tick waits for the Worker: wrangler takes a few seconds to build and start it.
  void (async () => {
    for (let attempt = 0; attempt < READY_ATTEMPTS && !stopped; attempt += 1) {
      const ready = await fetch(`${options.workerUrl}/healthz`, { signal: AbortSignal.timeout(10_000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (ready) {
        log(`[cron] firing ${options.crons.map((cron) => `"${cron}"`).join(", ")} on schedule (UTC)`);
        armNextTick();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!stopped) log("[cron] the Worker never answered /healthz: cron triggers are not fired");
  })();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
