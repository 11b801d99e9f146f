/**
 * Runs the real Worker bundle in workerd (Miniflare) with bindings pointing at the local cloud. Each test
 * file starts its own instance; `fetch` takes a path and an optional hostname (tenants are chosen by host).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptions } from "miniflare";
import { inject } from "vitest";
import { serviceBindingsOf } from "../../scripts/extra-workers.mjs";
import type { Bindings } from "../../functions/env.js";
import type { TestEnvironment } from "./environment.js";

export interface TestWorker {
  mf: Miniflare;
  env: TestEnvironment;
  fetch(path: string, init?: RequestInit & { host?: string }): Promise<Response>;
  dispose(): Promise<void>;
}

/** The Worker's `S3_*` variables for this run; also for a CLI that reads the bucket (`npm run audit:verify`). */
export function s3Environment(env: TestEnvironment) {
  return {
    S3_ENDPOINT: env.s3.endpoint,
    S3_REGION: env.s3.region,
    S3_BUCKET: env.s3.bucket,
    S3_ACCESS_KEY_ID: env.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
}

export function testBindings(env: TestEnvironment): Bindings {
  return {
    ENVIRONMENT: "test",
    DATABASE_URL: env.appDatabaseUrl,
    NEON_WS_PROXY: env.neonProxy,
    NEON_HTTP_ENDPOINT: env.neonHttp,
    UPSTASH_REDIS_REST_URL: env.upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: env.upstashToken,
    ...s3Environment(env),
    JWT_PRIVATE_KEYS: env.auth.privateJwks,
    JWT_ISSUER: env.auth.issuer,
    JWT_AUDIENCE: "vitalis-api",
    MFA_ENCRYPTION_KEY: env.auth.mfaEncryptionKey,
    ADMIN_ORIGINS: env.auth.adminOrigin,
    AUDIT_SIGNING_ED25519_JWK: env.audit.ed25519Jwk,
    AUDIT_SIGNING_MLDSA_SEED: env.audit.mldsaSeed,
    AUDIT_RETIRED_KEY_FINGERPRINTS: env.audit.retiredFingerprints,
    // The public site's cache lifetime (functions/services/site-cache.ts); tests that need stale pages lower it.
    SITE_CACHE_SECONDS: "300",
    // The harness plays Cloudflare's edge: `fetch` below sets CF-Connecting-IP on every request, so the Worker
    // trusts it as production does. Tests of an untrusted header start a Worker with "false".
    TRUST_CLIENT_IP_HEADER: "true",
    // The platform operator's database login; the platform API stays off (404) until a test sets
    // PLATFORM_API_TOKEN_SHA256.
    PLATFORM_DATABASE_URL: env.platformDatabaseUrl,
    // The mail catcher of this run: plain SMTP, which the configuration allows only in tests and development.
    SMTP_HOST: env.mail.smtpHost,
    SMTP_PORT: String(env.mail.smtpPort),
    SMTP_SECURITY: "none",
    MAIL_FROM: env.mail.from,
    // Cloudflare's purge-by-tag API, played by the local stand-in, which records the calls.
    CLOUDFLARE_ZONE_ID: env.cloudflare.zoneId,
    CLOUDFLARE_PURGE_TOKEN: env.cloudflare.purgeToken,
    CLOUDFLARE_API_BASE: env.cloudflare.apiBase,
    // Cited DOIs and PMIDs are checked against the fixtures of the local stand-in, never the real registries.
    REFERENCE_RESOLVER_URL: env.referenceApisUrl,
    REFERENCES_CONTACT_EMAIL: "references@vitalis.test",
    // Webhook hosts resolve through the DNS-over-HTTPS stand-in's fixtures; loopback receivers stay refused
    // unless a test sets WEBHOOK_ALLOW_LOOPBACK_HTTP.
    WEBHOOK_DNS_RESOLVER_URL: env.dnsResolverUrl,
  };
}

/** The bundle's files as workerd modules: the entry first, WASM plugins as compiled modules. */
export async function bundleModules(dir: string): Promise<Array<{ type: "ESModule" | "CompiledWasm"; path: string }>> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".js") || file.endsWith(".wasm"));
  // The entry first: wrangler names it after `main` (index.js for the product, worker.js for test Workers).
  const rank = (file: string) => (file === "index.js" ? 0 : file.endsWith(".js") ? 1 : 2);
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return files.map((file) => ({ type: file.endsWith(".wasm") ? "CompiledWasm" : "ESModule", path: join(dir, file) }));
}

/** The main Worker's name in wrangler.toml: the service a Worker under workers/ binds to call back into it. */
export const MAIN_WORKER_NAME = "vitalis";
const MAIN_CONFIG = new URL("../../wrangler.toml", import.meta.url).pathname;

/**
 * The Workers under workers/ (built by the stack), as Miniflare workers next to the main one, each with the
 * service bindings its wrangler.toml declares; the main Worker's own `[[services]]` come from wrangler.toml.
 * `bindings` are the plain-text bindings each one gets here (its production vars and secrets).
 */
export async function companionWorkers(
  env: TestEnvironment,
  bindings: Record<string, Record<string, string>> = {},
): Promise<{ mainServiceBindings: Record<string, string>; workers: V4WorkerOptions[] }> {
  const workers: V4WorkerOptions[] = [];
  for (const worker of env.workerBundles) {
    workers.push({
      name: worker.name,
      modulesRoot: worker.bundleDir,
      modules: await bundleModules(worker.bundleDir),
      compatibilityDate: "2026-10-01",
      compatibilityFlags: ["nodejs_compat"],
      bindings: bindings[worker.name] ?? {},
      serviceBindings: serviceBindingsOf(worker.config),
    });
  }
  return { mainServiceBindings: serviceBindingsOf(MAIN_CONFIG), workers };
}

export type BindingOverrides = Partial<Record<keyof Bindings, string | undefined>>;

/** The Worker of this test run (see global-setup), with some bindings overridden. */
export function startWorker(overrides: BindingOverrides = {}): Promise<TestWorker> {
  return createWorker(inject("testEnvironment"), overrides);
}

/** Runs a Worker bundle in workerd; with `port`, it also listens on loopback (benchmarks drive it over HTTP). */
export async function createWorker(
  env: TestEnvironment,
  overrides: BindingOverrides = {},
  options: { bundleDir?: string; port?: number } = {},
): Promise<TestWorker> {
  const bundleDir = options.bundleDir ?? env.bundleDir;
  const bindings: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...testBindings(env), ...overrides })) {
    if (value !== undefined) bindings[key] = value;
  }
  // The product's bundle runs with the Workers it binds; a test or bench Worker of its own runs alone.
  const companions =
    options.bundleDir === undefined ? await companionWorkers(env) : { mainServiceBindings: {}, workers: [] };
  // Miniflare 5 takes a new option shape; the v4 form converts to it losslessly. The first Worker gets requests.
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...(options.port === undefined ? {} : { host: "127.0.0.1", port: options.port }),
      unsafeTriggerHandlers: true,
      workers: [
        {
          name: MAIN_WORKER_NAME,
          modulesRoot: bundleDir,
          modules: await bundleModules(bundleDir),
          compatibilityDate: "2026-10-01",
          compatibilityFlags: ["nodejs_compat"],
          bindings,
          serviceBindings: companions.mainServiceBindings,
        },
        ...companions.workers,
      ],
    }),
  );
  await mf.ready;
  return {
    mf,
    env,
    fetch: workerFetch(mf),
    dispose: () => mf.dispose(),
  };
}

/** `TestWorker.fetch` over a Miniflare: a path on a tenant's host, as Cloudflare would pass it to the Worker. */
export function workerFetch(mf: Miniflare): TestWorker["fetch"] {
  return (path, init = {}) => {
    const { host = "localhost", ...rest } = init;
    // Cloudflare sets CF-Connecting-IP on every request. Tests look like many clients unless they say
    // otherwise, so per-IP throttles only shape the tests that set an address on purpose.
    const headers = new Headers(rest.headers);
    if (!headers.has("cf-connecting-ip"))
      headers.set("cf-connecting-ip", `203.0.113.${Math.floor(Math.random() * 254) + 1}`);
    return mf.dispatchFetch(`http://${host}${path}`, { ...rest, headers } as never) as unknown as Promise<Response>;
  };
}
