import type { Config, S3Config, SectionName } from "../env";
import { createDatabase } from "../lib/db";
import { createRedis } from "../lib/redis";
import { createS3 } from "../lib/s3";
import { isNoSuchKey, readRange } from "./media-storage";

export type DependencyName = "postgres" | "redis" | "s3";

export interface DependencyCheck {
  status: "up" | "down";
  latencyMs: number;
  /** Why it is down, in words safe to publish: a variable name, "timeout", "unreachable". Never a URL or secret. */
  reason?: string;
}

/** The config sections no dependency probe covers: they are only parsed, and named here when they do not. */
export const CONFIG_ONLY_SECTIONS = [
  "auth",
  "audit",
  "analysis",
  "site",
  "edge",
  "mail",
  "platform",
  "webhooks",
] as const satisfies SectionName[];
export type ConfigOnlySection = (typeof CONFIG_ONLY_SECTIONS)[number];

export interface ConfigCheck {
  status: "ok" | "invalid";
  /** The variables that are wrong and why, never their values. */
  reason?: string;
}

export interface Readiness {
  status: "ready" | "not_ready";
  down: DependencyName[];
  checks: Record<DependencyName, DependencyCheck>;
  /** Sections that need no dependency; one that does not parse makes the Worker not ready. */
  config: Record<ConfigOnlySection, ConfigCheck>;
  /** The sections of `config` that are invalid. */
  misconfigured: ConfigOnlySection[];
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Reads one byte of a probe key under the media prefix. "No such key" proves what matters — the bucket
 * exists, the credentials sign correctly and the role may read there — without HeadBucket, which needs
 * bucket-wide ListBucket rights the Worker's least-privilege role does not have (infra-terraform/iam).
 */
export const S3_PROBE_KEY = "media/.readiness-probe";

async function probeBucket(config: S3Config): Promise<void> {
  try {
    await readRange({ s3: createS3(config), bucket: config.bucket }, S3_PROBE_KEY, 1);
  } catch (error) {
    if (isNoSuchKey(error)) return;
    throw error;
  }
}

export interface ReadinessHooks {
  /** Work that must finish after the answer (closing sockets), i.e. `waitUntil`. */
  schedule: (promise: Promise<unknown>) => void;
  /** Told why a check failed, for the operator's log; the public answer only says "unreachable". */
  onFailure?: (dependency: DependencyName, error: unknown) => void;
}

async function timed(
  name: DependencyName,
  check: () => Promise<void>,
  { schedule, onFailure }: ReadinessHooks,
): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
  });
  const running = check();
  // A check that outlives its timeout is still awaited after the response, so its socket closes cleanly.
  schedule(running.catch(() => undefined));
  try {
    await Promise.race([running, timeout]);
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    onFailure?.(name, error);
    const reason = error instanceof Error && error.message === "timeout" ? "timeout" : "unreachable or refused";
    return { status: "down", latencyMs: Math.round(performance.now() - started), reason };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function misconfigured(problems: string[]): DependencyCheck {
  return { status: "down", latencyMs: 0, reason: `configuration: ${problems.join("; ")}` };
}

function configCheck(config: Config, name: ConfigOnlySection): ConfigCheck {
  const section = config[name];
  return section.ok ? { status: "ok" } : { status: "invalid", reason: `configuration: ${section.problems.join("; ")}` };
}

/**
 * Probes each backing service once, in parallel: PostgreSQL `select 1`, Redis PING, an S3 read; and names
 * every other config section that does not parse.
 */
export async function checkReadiness(config: Config, hooks: ReadinessHooks): Promise<Readiness> {
  const { schedule } = hooks;
  const database = config.database;
  const redisConfig = config.redis;
  const s3Config = config.s3;
  const [postgres, redis, s3] = await Promise.all([
    database.ok
      ? timed(
          "postgres",
          async () => {
            const { pool } = createDatabase(database.value);
            try {
              await pool.query("select 1");
            } finally {
              schedule(pool.end().catch(() => undefined));
            }
          },
          hooks,
        )
      : Promise.resolve(misconfigured(database.problems)),
    redisConfig.ok
      ? timed(
          "redis",
          async () => {
            const reply = await createRedis(redisConfig.value).ping();
            if (reply !== "PONG") throw new Error("unexpected reply");
          },
          hooks,
        )
      : Promise.resolve(misconfigured(redisConfig.problems)),
    s3Config.ok
      ? timed("s3", () => probeBucket(s3Config.value), hooks)
      : Promise.resolve(misconfigured(s3Config.problems)),
  ]);
  const checks = { postgres, redis, s3 };
  const down = (Object.keys(checks) as DependencyName[]).filter((name) => checks[name].status === "down");
  const sections = Object.fromEntries(CONFIG_ONLY_SECTIONS.map((name) => [name, configCheck(config, name)])) as Record<
    ConfigOnlySection,
    ConfigCheck
  >;
  const invalid = CONFIG_ONLY_SECTIONS.filter((name) => sections[name].status === "invalid");
  const ready = down.length === 0 && invalid.length === 0;
  return { status: ready ? "ready" : "not_ready", down, checks, config: sections, misconfigured: invalid };
}
