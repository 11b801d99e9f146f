/**
 * Upload and retention benchmarks for bench/run.ts:
 *   - upload initiation (POST /api/uploads) and completion (PUT to S3, then POST …/complete: HEAD, streamed
 *     SHA-256, signature sniff, copy, tag, DB + audit) latency, p50/p99 over `iterations` sequential uploads;
 *   - retention-sweep throughput (items deleted per second, object + row + audit event each).
 * Latencies are measured one request at a time (they are multi-step flows, not a load test). The
 * ratio baseline is the hello-world case the harness already measures; these figures are absolute ms.
 *
 * Wiring (bench/run.ts): after the stack and the Worker are up,
 *   const uploads = await uploadBenchmarks(worker, { iterations: 30, sweepItems: 300 });
 *   printUploadBench(uploads); results.uploads = uploads;
 * where `worker` is the TestWorker from createWorker(stack.environment, …).
 */
import { createHash } from "node:crypto";
import type { S3Client } from "@aws-sdk/client-s3";
import { neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { WebSocket } from "ws";
import { getConfig } from "../functions/env.js";
import { createDatabase } from "../functions/lib/db.js";
import { createLogger } from "../functions/lib/logging.js";
import { hashPassword } from "../functions/lib/passwords.js";
import { type Clients, createPlatformScope } from "../functions/scope.js";
import { runRetentionSweep, type SweepSummary } from "../functions/services/retention.js";
import { paddedPng } from "../test/support/images.js";
import { insertMedia, testS3, yearsAgo } from "../test/support/media.js";
import type { TestEnvironment } from "../test/support/environment.js";
import type { TestWorker } from "../test/support/worker.js";

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface UploadBenchResult {
  initiate: LatencySummary;
  complete: LatencySummary;
  sweep: { items: number; seconds: number; itemsPerSecond: number };
}

function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    samples: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

/**
 * The retention sweep as the cron runs it (a platform scope whose per-tenant scopes act as the system), over the
 * app role's WebSocket pool and the run's S3, for one tenant.
 */
export async function sweepTenant(
  env: TestEnvironment,
  s3: S3Client,
  tenantId: string,
  options: { maxBatches?: number } = {},
): Promise<SweepSummary> {
  neonConfig.webSocketConstructor = WebSocket;
  const { db, pool } = createDatabase({ url: env.appDatabaseUrl, wsProxy: env.neonProxy });
  const clients: Clients = {
    config: getConfig({ ENVIRONMENT: "test" }),
    db,
    http: undefined as never, // the sweep never reads over HTTP
    redis: undefined as never, // the sweep never touches Redis
    storage: { s3, bucket: env.s3.bucket },
    close: async () => undefined,
  };
  const { platform } = createPlatformScope(clients, {
    actor: { kind: "system", job: "retention-sweep" },
    requestId: null,
    logger: createLogger({ job: "retention-sweep" }),
  });
  try {
    return await runRetentionSweep(platform.forTenant({ id: tenantId, slug: "bench", name: "bench" }), options);
  } finally {
    await pool.end();
  }
}

export async function uploadBenchmarks(
  worker: Pick<TestWorker, "fetch" | "env">,
  options: { iterations?: number; fileBytes?: number; sweepItems?: number } = {},
): Promise<UploadBenchResult> {
  const iterations = options.iterations ?? 30;
  const fileBytes = options.fileBytes ?? 256 * 1024;
  const sweepItems = options.sweepItems ?? 300;
  const env = worker.env;
  const admin = new pg.Client({ connectionString: env.adminDatabaseUrl });
  await admin.connect();
  const s3 = testS3(env);
  try {
    // ---- a tenant and an editor of its own ----
    const slug = `bench-uploads-${Date.now().toString(36)}`;
    const host = `${slug}.test`;
    const tenantId = (
      await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, 'Bench uploads') returning id", [
        slug,
      ])
    ).rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      host,
      tenantId,
    ]);
    const password = "bench uploads password";
    const userId = (
      await admin.query<{ id: string }>(
        "insert into users (email, display_name, password_hash) values ($1, 'Bench editor', $2) returning id",
        [`editor@${host}`, await hashPassword(password)],
      )
    ).rows[0]!.id;
    await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'editor')", [
      tenantId,
      userId,
    ]);
    const login = await worker.fetch("/api/auth/login", {
      host,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `editor@${host}`, password }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    // ---- upload latency ----
    const initiate: number[] = [];
    const complete: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // A real PNG: completing an image upload decodes its header and strips its metadata.
      const bytes = paddedPng(fileBytes);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      let started = performance.now();
      const res = await worker.fetch("/api/uploads", {
        host,
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          filename: `b${i}.png`,
          size: bytes.length,
          contentType: "image/png",
          sha256,
          kind: "image",
        }),
      });
      initiate.push(performance.now() - started);
      const ticket = (await res.json()) as { id: string; url: string };
      await fetch(ticket.url, { method: "PUT", headers: { "content-type": "image/png" }, body: bytes });
      started = performance.now();
      const done = await worker.fetch(`/api/uploads/${ticket.id}/complete`, {
        host,
        method: "POST",
        headers: { authorization: auth.authorization },
      });
      complete.push(performance.now() - started);
      if (done.status !== 201) throw new Error(`upload bench: completion answered ${done.status}`);
    }

    // ---- sweep throughput ----
    for (let i = 0; i < sweepItems; i++) {
      await insertMedia(admin, s3, env, {
        tenantId,
        userId,
        retentionClass: "medical_imaging",
        lastEntryAt: yearsAgo(22),
      });
    }
    const started = performance.now();
    const summary = await sweepTenant(env, s3, tenantId, { maxBatches: 1_000 });
    const seconds = (performance.now() - started) / 1000;
    return {
      initiate: summarise(initiate),
      complete: summarise(complete),
      sweep: {
        items: summary.deleted,
        seconds: Math.round(seconds * 100) / 100,
        itemsPerSecond: Math.round((summary.deleted / seconds) * 10) / 10,
      },
    };
  } finally {
    s3.destroy();
    await admin.end();
  }
}

export function printUploadBench(result: UploadBenchResult): void {
  console.log(
    `uploads: initiate p50 ${result.initiate.p50Ms} ms, p99 ${result.initiate.p99Ms} ms; complete p50 ${result.complete.p50Ms} ms, p99 ${result.complete.p99Ms} ms (n=${result.initiate.samples})`,
  );
  console.log(
    `retention sweep: ${result.sweep.items} items in ${result.sweep.seconds} s = ${result.sweep.itemsPerSecond} items/s`,
  );
}
