/** What the global setup hands every integration test (through vitest's `provide`/`inject`). */
export interface TestEnvironment {
  /** Superuser connection to this run's database, for seeding and for proving what the app role cannot do. */
  adminDatabaseUrl: string;
  /** The Worker's connection: a LOGIN role granted `vitalis_app`, no BYPASSRLS. */
  appDatabaseUrl: string;
  appDatabaseRole: string;
  /** The platform operator's connection: a LOGIN role granted `vitalis_platform`, no BYPASSRLS. */
  platformDatabaseUrl: string;
  neonProxy: string;
  /** URL of the local endpoint that answers Neon's HTTP protocol (the Worker's NEON_HTTP_ENDPOINT). */
  neonHttp: string;
  redisUrl: string;
  upstashUrl: string;
  upstashToken: string;
  s3: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  auth: { privateJwks: string; issuer: string; mfaEncryptionKey: string; adminOrigin: string };
  /** The mail catcher (maildev): the Worker's SMTP relay, and its web inbox's REST API for reading what was sent. */
  mail: { smtpHost: string; smtpPort: number; webUrl: string; from: string };
  /** The Cloudflare API stand-in (local-cloud/cloudflare-api.ts): the CDN purges land there, recorded. */
  cloudflare: { apiBase: string; zoneId: string; purgeToken: string };
  /**
   * Audit checkpoint signing keys: an Ed25519 private JWK (JSON) and an ML-DSA-65 seed (base64); `retired` is an
   * earlier pair whose fingerprints are pinned in `AUDIT_RETIRED_KEY_FINGERPRINTS` (`retiredFingerprints`).
   */
  audit: {
    ed25519Jwk: string;
    mldsaSeed: string;
    retired: { ed25519Jwk: string; mldsaSeed: string };
    retiredFingerprints: string;
  };
  /** The stand-in for Crossref and NCBI E-utilities (local-cloud/reference-apis.ts): the Worker's REFERENCE_RESOLVER_URL. */
  referenceApisUrl: string;
  /** The DNS-over-HTTPS stand-in (local-cloud/dns-over-https.ts): the Worker's WEBHOOK_DNS_RESOLVER_URL. */
  dnsResolverUrl: string;
  /** The Worker bundle built by `wrangler deploy --dry-run`. */
  bundleDir: string;
  /** The Workers under workers/, each built the same way: its name (the service others bind), config and bundle. */
  workerBundles: Array<{ name: string; config: string; bundleDir: string }>;
}

declare module "vitest" {
  export interface ProvidedContext {
    testEnvironment: TestEnvironment;
  }
}

export const PG_HOST = "127.0.0.1";
export const PG_PORT = 5432;
export const REDIS_HOST = "127.0.0.1";
export const REDIS_PORT = 6379;
