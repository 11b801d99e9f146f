/**
 * `npm run dev`: the whole system on this machine with one command.
 *   PostgreSQL: DATABASE_URL (owner role) if set, otherwise embedded PGlite under .local-cloud/pglite.
 *   Redis: REDIS_URL or redis://127.0.0.1:6379/0, reached through the Upstash REST adapter.
 *   S3: the SigV4-checking local server, objects under .local-cloud/s3.
 *   Mail: the mail catcher (maildev), SMTP on 1025 and its web inbox on 1080, messages under .local-cloud/mail.
 *   References: the Crossref and NCBI E-utilities stand-in on 4570, answering from local-cloud/fixtures/references.
 * Then migrations, the demo tenant and its content, `wrangler dev` on 127.0.0.1:8787, and the Worker's cron
 * triggers on their schedules (scripts/dev-cron.ts). Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import {
  isReachable,
  localLifecycleRules,
  startEmbeddedPostgres,
  startMailCatcher,
  startNeonHttp,
  startNeonProxy,
  startReferenceApis,
  startCloudflareApi,
  startDnsOverHttps,
  startS3Server,
  startUpstashAdapter,
} from "../local-cloud/index.js";
import { readWranglerCrons, startDevCron } from "./dev-cron.js";
import { extraWorkers } from "./extra-workers.mjs";
import { generateAuditSigningKeys, generateMfaKey, generateSigningJwk } from "./keys.js";
import { grantAppRole, runMigrations } from "./migrate.js";
import { DEMO_ACCOUNTS, assertDemoSeedAllowed, seedDemo } from "./seed-demo.js";
import { DEMO_CREDENTIAL } from "./demo-articles.js";

const ROOT = new URL("..", import.meta.url).pathname;
const STATE = join(ROOT, ".local-cloud");
const HOST = "127.0.0.1";
const PORTS = {
  worker: 8787,
  neonProxy: 4444,
  neonHttp: 4445,
  upstash: 8079,
  s3: 4569,
  pglite: 5499,
  smtp: 1025,
  inbox: 1080,
  references: 4570,
  cloudflare: 4571,
  dns: 4572,
};
const DEV_APP_ROLE = "vitalis_app_dev";
const DEV_PLATFORM_ROLE = "vitalis_platform_dev";
const BUCKET = "vitalis-dev";

const stops: Array<() => Promise<void>> = [];
let wrangler: ChildProcess | null = null;

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  console.log(`\n${"=".repeat(width)}\n${lines.map((line) => `  ${line}`).join("\n")}\n${"=".repeat(width)}\n`);
}

/** The LOGIN roles the Worker and the platform operator connect as (granted their roles after the migrations). */
async function ensureLoginRoles(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    for (const role of [DEV_APP_ROLE, DEV_PLATFORM_ROLE]) {
      await client.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
          CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END $$`);
    }
  } finally {
    await client.end();
  }
}

interface DatabaseTarget {
  ownerUrl: string;
  appUrl: string;
  platformUrl: string;
  host: string;
  port: number;
  embedded: boolean;
}

async function startDatabase(): Promise<DatabaseTarget> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    const url = new URL(configured);
    const port = Number(url.port || 5432);
    if (!(await isReachable(url.hostname, port, 2_000))) {
      throw new Error(
        `DATABASE_URL points at ${url.hostname}:${port}, which does not answer. Start PostgreSQL or unset DATABASE_URL to use embedded PGlite.`,
      );
    }
    await ensureLoginRoles(configured);
    const as = (role: string): string => {
      const login = new URL(configured);
      login.username = role;
      login.password = "";
      return login.toString();
    };
    return {
      ownerUrl: configured,
      appUrl: as(DEV_APP_ROLE),
      platformUrl: as(DEV_PLATFORM_ROLE),
      host: url.hostname,
      port,
      embedded: false,
    };
  }
  const embedded = await startEmbeddedPostgres({ host: HOST, port: PORTS.pglite, dataDir: join(STATE, "pglite") });
  stops.push(() => embedded.close());
  const url = `postgres://postgres@${embedded.host}:${embedded.port}/postgres`;
  // PGlite is one superuser session: row-level security is not enforced in this mode.
  return { ownerUrl: url, appUrl: url, platformUrl: url, host: embedded.host, port: embedded.port, embedded: true };
}

async function startRedisAdapter(token: string): Promise<string> {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
  const target = new URL(redisUrl);
  if (!(await isReachable(target.hostname, Number(target.port || 6379), 2_000))) {
    throw new Error(
      `Redis does not answer at ${target.hostname}:${target.port || 6379}. Start it (redis-server --daemonize yes --port 6379) or set REDIS_URL.`,
    );
  }
  const adapter = await startUpstashAdapter({ host: HOST, port: PORTS.upstash, token, redisUrl });
  stops.push(() => adapter.close());
  return adapter.url;
}

/** Signing, MFA and audit checkpoint keys for local use, kept across restarts so sessions and enrolled authenticators survive. */
interface DevSecrets {
  privateJwks: string;
  mfaEncryptionKey: string;
  auditEd25519Jwk: string;
  auditMldsaSeed: string;
  /** The platform operator's API token (`Authorization: Bearer …` on /api/platform/*); the Worker gets its hash. */
  platformToken: string;
}

async function devSecrets(): Promise<DevSecrets> {
  const file = join(STATE, "dev-secrets.json");
  let stored: Partial<DevSecrets>;
  try {
    stored = JSON.parse(await readFile(file, "utf8")) as Partial<DevSecrets>;
  } catch {
    stored = {};
  }
  if (
    stored.privateJwks &&
    stored.mfaEncryptionKey &&
    stored.auditEd25519Jwk &&
    stored.auditMldsaSeed &&
    stored.platformToken
  )
    return stored as DevSecrets;
  // Secrets files written before audit checkpoints or the platform API existed get those added; the rest are kept.
  const audit = await generateAuditSigningKeys();
  const secrets: DevSecrets = {
    privateJwks: stored.privateJwks ?? JSON.stringify([await generateSigningJwk(`dev-${Date.now().toString(36)}`)]),
    mfaEncryptionKey: stored.mfaEncryptionKey ?? generateMfaKey(),
    auditEd25519Jwk: stored.auditEd25519Jwk ?? audit.ed25519Jwk,
    auditMldsaSeed: stored.auditMldsaSeed ?? audit.mldsaSeed,
    platformToken: stored.platformToken ?? randomBytes(32).toString("base64url"),
  };
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/** Single quotes keep a dotenv value literal (JSON keys carry double quotes that dotenv would not unescape). */
function dotenvValue(value: string): string {
  if (value.includes("'") || value.includes("\n")) throw new Error("a local secret holds a quote or newline");
  return `'${value}'`;
}

let shuttingDown: Promise<never> | null = null;

function shutdown(code: number): Promise<never> {
  shuttingDown ??= stopEverything(code);
  return shuttingDown;
}

async function stopEverything(code: number): Promise<never> {
  const child = wrangler;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}

async function main(): Promise<void> {
  // The embedded PGlite database lives only on this machine, so it is a development database by definition.
  // A configured DATABASE_URL could point anywhere: there ENVIRONMENT must say it is a development database.
  const environment = process.env.ENVIRONMENT ?? (process.env.DATABASE_URL ? undefined : "development");
  assertDemoSeedAllowed(environment);
  await mkdir(STATE, { recursive: true });

  const database = await startDatabase();
  const neonProxy = await startNeonProxy({
    host: HOST,
    port: PORTS.neonProxy,
    allow: [`${database.host}:${database.port}`],
  });
  stops.push(() => neonProxy.close());
  const neonHttp = await startNeonHttp({
    host: HOST,
    port: PORTS.neonHttp,
    allow: [`${database.host}:${database.port}`],
    // PGlite is one session shared by every connection: one connection keeps each request's transaction whole.
    ...(database.embedded ? { maxConnections: 1 } : {}),
  });
  stops.push(() => neonHttp.close());
  const upstashToken = randomBytes(24).toString("hex");
  const upstashUrl = await startRedisAdapter(upstashToken);
  const s3 = await startS3Server({
    host: HOST,
    port: PORTS.s3,
    directory: join(STATE, "s3"),
    buckets: [BUCKET],
    // As in production: Object Lock on the bucket, the lifecycle from the retention table.
    objectLockBuckets: [BUCKET],
    lifecycle: { [BUCKET]: localLifecycleRules() },
    // The admin SPA uploads straight to presigned URLs from the browser (package.json's dev script builds it
    // with this S3 origin in its CSP connect-src).
    corsOrigins: [`http://localhost:${PORTS.worker}`, `http://127.0.0.1:${PORTS.worker}`],
  });
  stops.push(() => s3.close());
  const mail = await startMailCatcher({
    host: HOST,
    smtpPort: PORTS.smtp,
    webPort: PORTS.inbox,
    directory: join(STATE, "mail"),
  });
  stops.push(() => mail.close());
  const referenceApis = await startReferenceApis({ host: HOST, port: PORTS.references });
  stops.push(() => referenceApis.close());
  // Cloudflare's purge-by-tag API: the CDN purges of publishing, unpublishing and trashing land here
  // (GET <url>/__calls lists them). Its zone and token are local stand-ins.
  const cloudflare = await startCloudflareApi({
    host: HOST,
    port: PORTS.cloudflare,
    zoneId: "0".repeat(32),
    token: `local-purge-${randomBytes(16).toString("hex")}`,
  });
  stops.push(() => cloudflare.close());
  // Webhook hosts resolve from local fixtures (local-cloud/fixtures/dns/records.json), never a real resolver.
  const dns = await startDnsOverHttps({ host: HOST, port: PORTS.dns });
  stops.push(() => dns.close());

  await runMigrations(database.ownerUrl);
  if (!database.embedded) {
    await grantAppRole(database.ownerUrl, DEV_APP_ROLE);
    await grantAppRole(database.ownerUrl, DEV_PLATFORM_ROLE, "vitalis_platform");
  }
  const password = process.env.DEMO_PASSWORD ?? "vitalis-demo";
  const seeded = await seedDemo(database.ownerUrl, { password, environment });

  // Local-only credentials, written where wrangler reads them and git ignores them.
  const secrets = await devSecrets();
  const vars: Record<string, string> = {
    ENVIRONMENT: environment,
    DATABASE_URL: database.appUrl,
    NEON_WS_PROXY: `${HOST}:${neonProxy.port}/v1`,
    NEON_HTTP_ENDPOINT: neonHttp.url,
    UPSTASH_REDIS_REST_URL: upstashUrl,
    UPSTASH_REDIS_REST_TOKEN: upstashToken,
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: s3.region,
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
    JWT_PRIVATE_KEYS: secrets.privateJwks,
    JWT_ISSUER: `http://localhost:${PORTS.worker}`,
    JWT_AUDIENCE: "vitalis-api",
    MFA_ENCRYPTION_KEY: secrets.mfaEncryptionKey,
    AUDIT_SIGNING_ED25519_JWK: secrets.auditEd25519Jwk,
    AUDIT_SIGNING_MLDSA_SEED: secrets.auditMldsaSeed,
    ADMIN_ORIGINS: `http://localhost:${PORTS.worker},http://127.0.0.1:${PORTS.worker}`,
    // wrangler.toml turns it on for Cloudflare; locally nothing vouches for CF-Connecting-IP unless you say so.
    TRUST_CLIENT_IP_HEADER: process.env.TRUST_CLIENT_IP_HEADER ?? "false",
    // The platform operator: the API takes the token whose hash this is; the CLI reads this file when run bare.
    PLATFORM_DATABASE_URL: database.platformUrl,
    PLATFORM_API_TOKEN_SHA256: createHash("sha256").update(secrets.platformToken).digest("hex"),
    // Every message goes to the local mail catcher; plain SMTP is allowed only in development and tests.
    SMTP_HOST: mail.host,
    SMTP_PORT: String(mail.smtpPort),
    SMTP_SECURITY: "none",
    MAIL_FROM: "Vitalis <noreply@vitalis.localhost>",
    // Cited DOIs and PMIDs are checked against local fixtures (the retracted Wakefield paper among them).
    REFERENCE_RESOLVER_URL: referenceApis.url,
    CLOUDFLARE_ZONE_ID: cloudflare.zoneId,
    CLOUDFLARE_PURGE_TOKEN: cloudflare.token,
    CLOUDFLARE_API_BASE: cloudflare.url,
    WEBHOOK_DNS_RESOLVER_URL: dns.url,
    // A webhook receiver on this machine (http://127.0.0.1:<port>/…) may be registered; refused in production.
    WEBHOOK_ALLOW_LOOPBACK_HTTP: "true",
  };
  const envFile = join(STATE, "dev.vars");
  await writeFile(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${dotenvValue(v)}`)
      .join("\n"),
    { mode: 0o600 },
  );

  // The package's own binary, not `npx`: signals must reach wrangler itself, or Ctrl-C would leave it running.
  wrangler = spawn(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      // The main Worker first (it gets the requests), then each Worker under workers/ it binds as a service.
      ...["wrangler.toml", ...extraWorkers(ROOT).map((worker) => worker.config)].flatMap((config) => ["-c", config]),
      "--ip",
      HOST,
      "--port",
      String(PORTS.worker),
      "--env-file",
      envFile,
      "--show-interactive-dev-session=false",
      // Exposes /__scheduled?cron=, which scripts/dev-cron.ts calls on each trigger's schedule.
      "--test-scheduled",
    ],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  wrangler.on("exit", (code) => void shutdown(code ?? 0));

  const base = `http://localhost:${PORTS.worker}`;
  banner([
    "Vitalis is running",
    `  site        ${base}/`,
    `  health      ${base}/healthz   ${base}/readyz`,
    `  admin       ${base}/admin/`,
    `  mail inbox  ${mail.webUrl}/   (every e-mail the Worker sends lands here)`,
    `  CDN purges  ${cloudflare.url}/__calls   (the Cache-Tags each change purged)`,
    `  API docs    ${base}/api/docs`,
    `  WordPress   ${base}/wp-json/wp/v2/posts`,
    `  database    ${database.embedded ? `embedded PGlite (${STATE}/pglite) — RLS not enforced in this mode` : `PostgreSQL at ${database.host}:${database.port}`}`,
    "",
    `Demo accounts (tenant "demo", password ${process.env.DEMO_PASSWORD ? "from DEMO_PASSWORD" : '"vitalis-demo"'}):`,
    ...DEMO_ACCOUNTS.map((account) => `  ${account.email.padEnd(24)} ${account.roles.join(", ")}`),
    `  (the reviewer's CRM ${DEMO_CREDENTIAL.input.crmNumber}/${DEMO_CREDENTIAL.input.crmUf} is verified)`,
    `Demo content: ${seeded.articlesCreated + seeded.articlesKept} articles (${seeded.articlesCreated} new); a new demo schedules one`,
    "  a few minutes ahead. The [cron …] lines show the Worker's cron jobs as they run.",
    "",
    "Platform operator (token in .local-cloud/dev-secrets.json, platformToken):",
    `  curl -H "Authorization: Bearer ${secrets.platformToken}" ${base}/api/platform/tenants`,
    "  npm run tenant:create -- --slug clinic --name Clinic --hostname clinic.localhost \\",
    `      --admin-email admin@clinic.test --origin http://clinic.localhost:${PORTS.worker}`,
    "  (tenant:list, tenant:hostname, tenant:suspend, tenant:resume, user:disable, user:enable: scripts/tenant.ts)",
    "",
    "Ctrl-C stops everything.",
  ]);
  const cron = startDevCron({
    workerUrl: `http://${HOST}:${PORTS.worker}`,
    crons: await readWranglerCrons(join(ROOT, "wrangler.toml")),
  });
  stops.push(async () => cron.stop());
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
main().catch(async (error: unknown) => {
  console.error(`\nnpm run dev could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  await shutdown(1);
});
