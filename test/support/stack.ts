/**
 * The whole local stack for integration tests and benchmarks: a fresh PostgreSQL database (migrated, app
 * role granted), a Redis logical database of its own, the local cloud (Neon proxy, Upstash adapter, S3
 * server, mail catcher, reference registries) and the Worker bundle. `stop()` tears every piece down, so runs never see each other's data.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { extraWorkers } from "../../scripts/extra-workers.mjs";
import {
  isReachable,
  startMailCatcher,
  startCloudflareApi,
  startDnsOverHttps,
  startNeonHttp,
  startNeonProxy,
  localLifecycleRules,
  startReferenceApis,
  startS3Server,
  startUpstashAdapter,
} from "../../local-cloud/index.js";
import {
  auditKeyFingerprints,
  generateAuditSigningKeys,
  generateMfaKey,
  generateSigningJwk,
} from "../../scripts/keys.js";
import { PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT, type TestEnvironment } from "./environment.js";
import { APP_ROLE, createFreshDatabase } from "./fresh-database.js";

const run = promisify(execFile);

async function requireServer(name: string, host: string, port: number, howToStart: string): Promise<void> {
  if (await isReachable(host, port, 1_500)) return;
  throw new Error(`${name} is not reachable at ${host}:${port}. Start it and run again:\n  ${howToStart}`);
}

/** Bundles a Worker exactly as `wrangler deploy` would, without uploading it. */
export async function buildWorkerBundle(outdir: string, configPath?: string): Promise<void> {
  await run(
    "npx",
    ["wrangler", "deploy", "--dry-run", "--outdir", outdir, ...(configPath ? ["--config", configPath] : [])],
    {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

export interface Stack {
  environment: TestEnvironment;
  scratch: string;
  /** Round trips the Upstash adapter has answered so far (benchmarks count Redis calls per request). */
  redisRoundTrips(): number;
  /** Redis commands the Upstash adapter has received so far (a pipeline of n is n; Upstash bills these). */
  redisCommands(): number;
  stop(): Promise<void>;
}

// Runs on one machine (a developer's worktrees, CI) share the Redis server: each claims a logical database
// 1–15 with a lease in database 0, so two runs never flush each other's counters.
const REDIS_LEASE_SECONDS = 2 * 60 * 60;

async function claimRedisDatabase(): Promise<number> {
  const control = new Redis(`redis://${REDIS_HOST}:${REDIS_PORT}/0`);
  try {
    const candidates = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    for (const db of candidates) {
      const claimed = await control.set(
        `vitalis:test-lease:${db}`,
        String(process.pid),
        "EX",
        REDIS_LEASE_SECONDS,
        "NX",
      );
      if (claimed === "OK") return db;
    }
    throw new Error("every Redis logical database 1-15 is leased by another test run");
  } finally {
    control.disconnect();
  }
}

async function releaseRedisDatabase(db: number): Promise<void> {
  const control = new Redis(`redis://${REDIS_HOST}:${REDIS_PORT}/0`);
  await control.del(`vitalis:test-lease:${db}`).catch(() => undefined);
  control.disconnect();
}

export async function startStack(label: string): Promise<Stack> {
  await requireServer(
    "PostgreSQL",
    PG_HOST,
    PG_PORT,
    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  );
  await requireServer(
    "Redis",
    REDIS_HOST,
    REDIS_PORT,
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  );

  const database = await createFreshDatabase(label);
  const adminDatabaseUrl = database.adminUrl;

  const redisDb = await claimRedisDatabase();
  const redisUrl = `redis://${REDIS_HOST}:${REDIS_PORT}/${redisDb}`;
  const redis = new Redis(redisUrl);
  await redis.flushdb();

  const scratch = await mkdtemp(join(tmpdir(), `vitalis-${label}-`));
  const bucket = "vitalis-test";
  const upstashToken = `token-${Math.random().toString(36).slice(2)}`;
  const cdnZoneId = randomBytes(16).toString("hex");
  const [neonProxy, neonHttp, upstash, s3, mail, referenceApis, cloudflare, dns] = await Promise.all([
    startNeonProxy({ allow: [`${PG_HOST}:${PG_PORT}`] }),
    startNeonHttp({ allow: [`${PG_HOST}:${PG_PORT}`] }),
    startUpstashAdapter({ token: upstashToken, redisUrl }),
    startS3Server({
      directory: join(scratch, "s3"),
      buckets: [bucket],
      // As in production (infra-terraform/modules/s3-dicom): Object Lock on, the lifecycle from the retention table.
      objectLockBuckets: [bucket],
      lifecycle: { [bucket]: localLifecycleRules() },
    }),
    startMailCatcher({ directory: join(scratch, "mail") }),
    startReferenceApis(),
    startCloudflareApi({ zoneId: cdnZoneId, token: `cf-purge-${randomBytes(16).toString("hex")}` }),
    startDnsOverHttps(),
  ]);
  const bundleDir = join(scratch, "bundle");
  await buildWorkerBundle(bundleDir);
  // The Workers deployed beside the main one (workers/*), run next to it with their service bindings.
  const root = new URL("../..", import.meta.url).pathname;
  const workerBundles: TestEnvironment["workerBundles"] = [];
  for (const worker of extraWorkers(root)) {
    const dir = join(scratch, "workers", worker.folder);
    await buildWorkerBundle(dir, worker.config);
    workerBundles.push({ name: worker.name, config: worker.config, bundleDir: dir });
  }
  // A rotation: checkpoints signed earlier with the retired keys must still verify.
  const retiredAuditKeys = await generateAuditSigningKeys();

  return {
    scratch,
    redisRoundTrips: () => upstash.requests,
    redisCommands: () => upstash.commands,
    environment: {
      adminDatabaseUrl,
      appDatabaseUrl: database.appUrl,
      appDatabaseRole: APP_ROLE,
      platformDatabaseUrl: database.platformUrl,
      neonProxy: `127.0.0.1:${neonProxy.port}/v1`,
      neonHttp: neonHttp.url,
      redisUrl,
      upstashUrl: upstash.url,
      upstashToken,
      s3: {
        endpoint: s3.endpoint,
        region: s3.region,
        bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
      bundleDir,
      workerBundles,
      referenceApisUrl: referenceApis.url,
      dnsResolverUrl: dns.url,
      mail: {
        smtpHost: mail.host,
        smtpPort: mail.smtpPort,
        webUrl: mail.webUrl,
        from: "Vitalis <noreply@vitalis.test>",
      },
      cloudflare: { apiBase: cloudflare.url, zoneId: cloudflare.zoneId, purgeToken: cloudflare.token },
      auth: {
        // Two keys, as in a rotation: the first signs, both verify.
        privateJwks: JSON.stringify([await generateSigningJwk("test-2"), await generateSigningJwk("test-1")]),
        issuer: "https://vitalis.test",
        mfaEncryptionKey: generateMfaKey(),
        adminOrigin: "https://admin.vitalis.test",
      },
      audit: {
        ...(await generateAuditSigningKeys()),
        retired: retiredAuditKeys,
        retiredFingerprints: auditKeyFingerprints(retiredAuditKeys).join(","),
      },
    },
    async stop() {
      await Promise.allSettled([
        neonProxy.close(),
        neonHttp.close(),
        upstash.close(),
        s3.close(),
        mail.close(),
        referenceApis.close(),
        cloudflare.close(),
        dns.close(),
      ]);
      await redis.flushdb().catch(() => undefined);
      redis.disconnect();
      await releaseRedisDatabase(redisDb);
      await database.drop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
