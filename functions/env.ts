import { z } from "zod";
import { ConfigError } from "./lib/errors";
import { RECIPIENTS, type RecipientId } from "./processing-register";

/** A service binding to another Worker (the part of workerd's `Fetcher` this code uses). */
export interface ServiceBinding {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/**
 * Everything the Worker reads from its environment. Vars come from wrangler.toml, secrets from
 * `wrangler secret put` (production) or the dev/test harness. Nothing else is read from globals.
 */
export interface Bindings {
  ENVIRONMENT?: string;
  DATABASE_URL?: string;
  /** Local development and tests only: "host:port/v1" of the WebSocket→TCP proxy in front of PostgreSQL. */
  NEON_WS_PROXY?: string;
  /** Local development and tests only: URL of the local endpoint that answers Neon's HTTP protocol (`…/sql`). */
  NEON_HTTP_ENDPOINT?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  S3_ENDPOINT?: string;
  S3_REGION?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_FORCE_PATH_STYLE?: string;
  /** JSON array of Ed25519 private JWKs, each with a `kid`; the first signs, all verify (rotation). */
  JWT_PRIVATE_KEYS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  /** 32 random bytes, base64: encrypts TOTP secrets at rest (AES-256-GCM). */
  MFA_ENCRYPTION_KEY?: string;
  /** Comma-separated origins of the admin SPA, accepted on cookie-authenticated endpoints (CSRF). */
  ADMIN_ORIGINS?: string;
  /**
   * Development and tests only: one origin that stands in for both Crossref (`/works/{doi}`) and NCBI
   * E-utilities (`/entrez/eutils/esummary.fcgi`), the local-cloud fixtures. Unset: the real APIs.
   */
  REFERENCE_RESOLVER_URL?: string;
  /** The `tool` parameter NCBI E-utilities asks every caller for (default "vitalis"). */
  NCBI_TOOL?: string;
  /** Who to contact about our traffic: NCBI's `email` parameter and the `mailto:` of Crossref's polite pool. */
  REFERENCES_CONTACT_EMAIL?: string;
  /** Secret, optional: an NCBI API key, which raises E-utilities' limit from 3 to 10 requests a second. */
  NCBI_API_KEY?: string;
  /** Ed25519 private JWK (JSON) that signs the daily audit-chain checkpoints. */
  AUDIT_SIGNING_ED25519_JWK?: string;
  /** 32 random bytes, base64: the ML-DSA-65 (FIPS 204) key-generation seed for audit checkpoints. */
  AUDIT_SIGNING_MLDSA_SEED?: string;
  /**
   * Comma-separated SHA-256 fingerprints (hex) of retired audit checkpoint keys whose checkpoints still verify.
   * The current signing keys are always trusted; a checkpoint signed by any other key is refused.
   */
  AUDIT_RETIRED_KEY_FINGERPRINTS?: string;
  /** Seconds a public site page stays fresh in the Worker cache and at the CDN (default 300; 0 = no Worker cache). */
  SITE_CACHE_SECONDS?: string;
  /**
   * Seconds a public page may be answered from the isolate's own memory before the Worker cache is asked again
   * (default 5; 0 = off). Also the longest another isolate may go on serving a page after a purge.
   */
  SITE_MICRO_CACHE_SECONDS?: string;
  /** URLs per sitemap list file (default 45,000, at most 50,000 as the sitemaps protocol allows). */
  SITEMAP_FILE_URLS?: string;
  /**
   * How public images are resized: "worker" (default) sends the original to the IMAGE_RESIZER Worker (photon,
   * WASM); "cloudflare" uses the zone's Image Resizing (`fetch(url, { cf: { image } })`), where it is enabled.
   */
  IMAGE_RESIZING?: string;
  /**
   * "true" only where the Worker sits behind Cloudflare, whose edge sets `CF-Connecting-IP` itself: then that
   * header is the client's address for the per-IP throttles. Unset or "false": the header is ignored.
   */
  TRUST_CLIENT_IP_HEADER?: string;
  /** The Cloudflare zone whose CDN cache is purged by Cache-Tag when content changes. Unset: no CDN purge. */
  CLOUDFLARE_ZONE_ID?: string;
  /** An API token with the zone's Cache Purge permission only (infra-terraform/modules/cloudflare-worker). */
  CLOUDFLARE_PURGE_TOKEN?: string;
  /** Local only: the Cloudflare API stand-in (`http://host:port`); unset in production (api.cloudflare.com). */
  CLOUDFLARE_API_BASE?: string;
  /**
   * The platform operator's database login (a role granted `vitalis_platform`, never the app role): used by
   * `/api/platform/*` and the `tenant:*` CLI. Unset: the platform API has nothing to connect with.
   */
  PLATFORM_DATABASE_URL?: string;
  /**
   * SHA-256 (hex) of the platform operator's API token. Unset: `/api/platform/*` does not exist (404). Only the
   * hash is configured, so the Worker's settings never hold the credential itself.
   */
  PLATFORM_API_TOKEN_SHA256?: string;
  /** The SMTP relay outgoing mail goes through (SES, Postmark, a hospital's own; maildev locally). */
  SMTP_HOST?: string;
  /** Default 465 for `tls`, 587 for `starttls`, 1025 for `none`. Workers cannot connect to port 25. */
  SMTP_PORT?: string;
  SMTP_USERNAME?: string;
  SMTP_PASSWORD?: string;
  /** `tls` (TLS from the first byte), `starttls` (upgraded after the greeting) or `none` (development and tests only). */
  SMTP_SECURITY?: string;
  /** The sender: `noreply@clinic.example` or `Vitalis <noreply@clinic.example>`. */
  MAIL_FROM?: string;
  /**
   * The DNS-over-HTTPS resolver (RFC 8484 JSON API) webhook hosts are resolved with before registration and before
   * every delivery (default Cloudflare's, `https://cloudflare-dns.com/dns-query`). Workers have no DNS API.
   */
  WEBHOOK_DNS_RESOLVER_URL?: string;
  /**
   * Development and tests only: "true" lets webhook endpoints be plain http on a loopback address (a receiver on
   * this machine). Refused by the configuration anywhere else.
   */
  WEBHOOK_ALLOW_LOOPBACK_HTTP?: string;
}

const environments = ["development", "test", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

const booleanString = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const environmentSchema = z.enum(environments);

const databaseSchema = z.object({
  DATABASE_URL: z
    .string({ error: "is required" })
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  NEON_WS_PROXY: z
    .string()
    .regex(/^[\w.-]+:\d+(\/[\w/-]*)?$/, "must look like host:port/v1")
    .optional(),
  NEON_HTTP_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
});

const redisSchema = z.object({
  UPSTASH_REDIS_REST_URL: z.url({ error: "must be an https:// or http:// URL" }),
  UPSTASH_REDIS_REST_TOKEN: z.string({ error: "is required" }).min(1, "is required"),
});

const s3Schema = z.object({
  S3_ENDPOINT: z.url({ error: "must be a URL" }).optional(),
  S3_REGION: z.string({ error: "is required" }).min(1, "is required"),
  S3_BUCKET: z
    .string({ error: "is required" })
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
  S3_ACCESS_KEY_ID: z.string({ error: "is required" }).min(1, "is required"),
  S3_SECRET_ACCESS_KEY: z.string({ error: "is required" }).min(1, "is required"),
  S3_FORCE_PATH_STYLE: booleanString.default(false),
});

const ed25519PrivateJwk = z
  .object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    x: z.string().min(40),
    d: z.string().min(40),
    kid: z.string().min(1).max(64),
  })
  .loose();

const authSchema = z.object({
  JWT_PRIVATE_KEYS: z
    .string({ error: "is required" })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON array of JWKs" });
        return z.NEVER;
      }
    })
    .pipe(z.array(ed25519PrivateJwk, { error: "must be a JSON array of Ed25519 private JWKs with kid" }).min(1)),
  JWT_ISSUER: z.url({ error: "must be the issuer URL" }),
  JWT_AUDIENCE: z.string().min(1).default("vitalis-api"),
  MFA_ENCRYPTION_KEY: z
    .string({ error: "is required" })
    .refine((value) => /^[A-Za-z0-9+/]{43}=$/.test(value), "must be 32 bytes, base64"),
  ADMIN_ORIGINS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
});

export type SigningJwk = z.output<typeof ed25519PrivateJwk>;

/**
 * A comma-separated list of key fingerprints (SHA-256 of a raw public key, 64 hex digits), as pinned by audit
 * verifiers; empty entries are ignored. Shared with `npm run audit:verify`, which reads the same variable.
 */
export const keyFingerprintList = z.string().transform((text, ctx) => {
  const entries = text
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  if (entries.some((entry) => !/^[0-9a-f]{64}$/.test(entry))) {
    ctx.addIssue({ code: "custom", message: "must be comma-separated SHA-256 fingerprints (64 hex digits)" });
    return z.NEVER;
  }
  return entries;
});

// Audit checkpoints are signed twice (Ed25519 and ML-DSA-65) so the chain head can be checked offline,
// also once classical signatures are no longer enough (see services/audit-checkpoints.ts).
const auditSchema = z.object({
  AUDIT_SIGNING_ED25519_JWK: z
    .string({ error: "is required" })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be an Ed25519 private JWK (JSON)" });
        return z.NEVER;
      }
    })
    .pipe(ed25519PrivateJwk),
  AUDIT_SIGNING_MLDSA_SEED: z
    .string({ error: "is required" })
    .refine((value) => /^[A-Za-z0-9+/]{43}=$/.test(value), "must be 32 bytes, base64"),
  AUDIT_RETIRED_KEY_FINGERPRINTS: z.string().default("").pipe(keyFingerprintList),
});

// Optional features: unset means off, a malformed value is a configuration error named by /readyz.
const analysisSchema = z.object({
  REFERENCE_RESOLVER_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  NCBI_TOOL: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be a short name without spaces")
    .default("vitalis"),
  REFERENCES_CONTACT_EMAIL: z.email({ error: "must be an e-mail address" }).optional(),
  // Terraform hands every environment the secret, empty when there is no key.
  NCBI_API_KEY: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .regex(/^[A-Za-z0-9]{16,64}$/, "must be an NCBI API key")
      .optional(),
  ),
});

const siteSchema = z.object({
  SITE_CACHE_SECONDS: z
    .string()
    .regex(/^\d{1,6}$/, "must be a number of seconds")
    .transform(Number)
    .optional(),
  SITE_MICRO_CACHE_SECONDS: z
    .string()
    .regex(/^\d{1,2}$/, "must be a number of seconds, at most 99")
    .transform(Number)
    .optional(),
  IMAGE_RESIZING: z.enum(["worker", "cloudflare"], { error: 'must be "worker" or "cloudflare"' }).default("worker"),
  SITEMAP_FILE_URLS: z
    .string()
    .regex(/^\d{1,5}$/, "must be a number of URLs")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 50_000, "must be between 1 and 50000 (the sitemaps protocol's limit)")
    .optional(),
});

// Off unless the deployment says so: anywhere but behind Cloudflare the header is whatever the client sent.
const edgeSchema = z
  .object({
    TRUST_CLIENT_IP_HEADER: booleanString.default(false),
    CLOUDFLARE_ZONE_ID: z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be a zone id (32 hex characters)")
      .optional(),
    CLOUDFLARE_PURGE_TOKEN: z.string().min(20, "must be an API token").optional(),
    CLOUDFLARE_API_BASE: z.url({ error: "must be a URL" }).optional(),
  })
  // A zone without a token (or the reverse) is a half-configured purge: say so rather than skip it silently.
  .refine((v) => (v.CLOUDFLARE_ZONE_ID === undefined) === (v.CLOUDFLARE_PURGE_TOKEN === undefined), {
    message: "CLOUDFLARE_ZONE_ID and CLOUDFLARE_PURGE_TOKEN must be set together",
    path: ["CLOUDFLARE_PURGE_TOKEN"],
  });

// The platform operator's API and CLI: off unless configured.
const platformSchema = z.object({
  PLATFORM_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
    .optional(),
  PLATFORM_API_TOKEN_SHA256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 digest (64 hex digits)")
    .transform((value) => value.toLowerCase())
    .optional(),
  NEON_WS_PROXY: databaseSchema.shape.NEON_WS_PROXY,
  NEON_HTTP_ENDPOINT: databaseSchema.shape.NEON_HTTP_ENDPOINT,
});

export interface PlatformConfig {
  /** The operator's database connection (`vitalis_platform`), or undefined when none is configured. */
  database: DatabaseConfig | undefined;
  /** SHA-256 (hex, lower case) of the operator's API token; undefined = the platform API is off (404). */
  apiTokenSha256: string | undefined;
}

export const SMTP_SECURITY_MODES = ["tls", "starttls", "none"] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY_MODES)[number];
const DEFAULT_SMTP_PORTS: Record<SmtpSecurity, number> = { tls: 465, starttls: 587, none: 1025 };

// A display name and an address, or an address alone; no line breaks or quotes can reach the From header.
const MAIL_FROM =
  /^(?:([^"<>\p{Cc}]{1,100}) <([^\s<>@"]+@[^\s<>@"]+\.[^\s<>@"]+)>|([^\s<>@"]+@[^\s<>@"]+\.[^\s<>@"]+))$/u;

/**
 * Outgoing mail (functions/lib/mailer.ts). Credentials come in pairs; plain SMTP is refused outside development
 * and tests, where the relay is the local mail catcher: anywhere else the password and every message (one-time
 * links included) would cross the network in the clear.
 */
function mailSchema(environment: Environment) {
  return z
    .object({
      SMTP_HOST: z
        .string({ error: "is required" })
        .regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:.]+\]$/, "must be a host name or address"),
      SMTP_PORT: z
        .string()
        .regex(/^\d{1,5}$/, "must be a port number")
        .transform(Number)
        .refine((port) => port > 0 && port < 65536 && port !== 25, "must be a port number other than 25")
        .optional(),
      SMTP_USERNAME: z.string().min(1, "must not be empty").optional(),
      SMTP_PASSWORD: z.string().min(1, "must not be empty").optional(),
      SMTP_SECURITY: z.enum(SMTP_SECURITY_MODES, { error: "must be tls, starttls or none" }).default("tls"),
      MAIL_FROM: z.string({ error: "is required" }).regex(MAIL_FROM, "must be an address or Name <address>"),
    })
    .refine((v) => (v.SMTP_USERNAME === undefined) === (v.SMTP_PASSWORD === undefined), {
      message: "must be set together with SMTP_USERNAME",
      path: ["SMTP_PASSWORD"],
    })
    .refine((v) => v.SMTP_SECURITY !== "none" || environment === "development" || environment === "test", {
      message: "may be none only in development and tests",
      path: ["SMTP_SECURITY"],
    });
}

export interface MailConfig {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Absent when the relay takes mail without authentication (the local mail catcher). */
  credentials: { username: string; password: string } | undefined;
  from: { name: string | undefined; email: string };
}

function mailFrom(text: string): MailConfig["from"] {
  const match = MAIL_FROM.exec(text);
  return match?.[2] ? { name: match[1]?.trim(), email: match[2] } : { name: undefined, email: text };
}

/**
 * Webhooks (services/webhooks/). The resolver must be https outside development and tests, and the loopback
 * allowance exists only there: in production an endpoint is always https on a public address.
 */
function webhooksSchema(environment: Environment) {
  const local = environment === "development" || environment === "test";
  return z.object({
    WEBHOOK_DNS_RESOLVER_URL: z
      .url({ protocol: local ? /^https?$/ : /^https$/, error: local ? "must be a URL" : "must be an https:// URL" })
      .default("https://cloudflare-dns.com/dns-query"),
    WEBHOOK_ALLOW_LOOPBACK_HTTP: booleanString
      .default(false)
      .refine((allowed) => !allowed || local, "may be true only in development and tests"),
  });
}

export interface WebhooksConfig {
  dnsResolverUrl: string;
  /** Development and tests only: http endpoints on loopback addresses are accepted. */
  allowLoopbackHttp: boolean;
}

export interface EdgeConfig {
  /** Whether `CF-Connecting-IP` names the client (behind Cloudflare) or is ignored (anywhere else). */
  trustClientIpHeader: boolean;
  /** Cloudflare's purge-by-tag API for the zone; undefined: the CDN is not purged (pages age out by s-maxage). */
  cdnPurge: { zoneId: string; token: string; apiBase: string } | undefined;
}

export interface AnalysisConfig {
  /** Where DOIs, PMIDs and PMCIDs are resolved (functions/services/references/): the real APIs by default. */
  references: {
    crossrefUrl: string;
    eutilsUrl: string;
    ncbiTool: string;
    contactEmail: string | undefined;
    ncbiApiKey: string | undefined;
  };
}

export interface SiteConfig {
  /** Seconds a public page stays fresh in the Worker cache and at the CDN; unset = the default. */
  cacheSeconds: number | undefined;
  /** Seconds a page may be answered from the isolate's memory (the micro-cache); unset = the default. */
  microCacheSeconds: number | undefined;
  /** Who resizes public images: the resizer Worker, or Cloudflare's Image Resizing. */
  imageResizing: "worker" | "cloudflare";
  /** URLs per sitemap list file; unset = `SITEMAP_FILE_URLS` (site/urls.ts). */
  sitemapFileUrls: number | undefined;
}

export interface AuditConfig {
  ed25519PrivateJwk: SigningJwk;
  /** Base64 of the 32-byte ML-DSA-65 seed. */
  mldsaSeed: string;
  /** Fingerprints of retired checkpoint keys that verifiers still trust (rotation). */
  retiredKeyFingerprints: string[];
}

export interface AuthConfig {
  signingKeys: SigningJwk[];
  issuer: string;
  audience: string;
  mfaEncryptionKey: string;
  adminOrigins: string[];
}

export interface DatabaseConfig {
  url: string;
  wsProxy: string | undefined;
  /** Where the HTTP driver posts its queries; unset means Neon's own endpoint for the URL's host. */
  httpEndpoint?: string | undefined;
}
export interface RedisConfig {
  url: string;
  token: string;
}
export interface S3Config {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** A section of the config that parsed, or the names of the variables that did not. */
export type ConfigSection<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface Config {
  environment: Environment;
  database: ConfigSection<DatabaseConfig>;
  redis: ConfigSection<RedisConfig>;
  s3: ConfigSection<S3Config>;
  auth: ConfigSection<AuthConfig>;
  audit: ConfigSection<AuditConfig>;
  analysis: ConfigSection<AnalysisConfig>;
  site: ConfigSection<SiteConfig>;
  edge: ConfigSection<EdgeConfig>;
  platform: ConfigSection<PlatformConfig>;
  mail: ConfigSection<MailConfig>;
  webhooks: ConfigSection<WebhooksConfig>;
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(env)"} ${issue.message}`);
}

function parseSection<S extends z.ZodType, T>(
  schema: S,
  env: Bindings,
  map: (parsed: z.output<S>) => T,
): ConfigSection<T> {
  const result = schema.safeParse(env);
  return result.success ? { ok: true, value: map(result.data) } : { ok: false, problems: describeIssues(result.error) };
}

/**
 * Every variable that points the Worker at a service outside it, and who that service is in the processing register
 * (functions/processing-register.ts, LGPD Art. 37). A new outbound endpoint needs an entry here and a recipient
 * there: test/unit/processing-register.test.ts enumerates the schemas below and fails otherwise.
 */
export const OUTBOUND_ENDPOINTS = {
  DATABASE_URL: ["neon"],
  NEON_WS_PROXY: ["neon"],
  NEON_HTTP_ENDPOINT: ["neon"],
  PLATFORM_DATABASE_URL: ["neon"],
  UPSTASH_REDIS_REST_URL: ["upstash"],
  S3_ENDPOINT: ["aws_s3"],
  SMTP_HOST: ["smtp_relay"],
  REFERENCE_RESOLVER_URL: ["crossref", "ncbi"],
  CLOUDFLARE_API_BASE: ["cloudflare"],
  WEBHOOK_DNS_RESOLVER_URL: ["dns_resolver"],
} as const satisfies Partial<Record<keyof Bindings, readonly RecipientId[]>>;

/** The schemas of the configuration's sections, by section (mail's as production parses it). */
export const CONFIG_SCHEMAS = {
  database: databaseSchema,
  redis: redisSchema,
  s3: s3Schema,
  auth: authSchema,
  audit: auditSchema,
  analysis: analysisSchema,
  site: siteSchema,
  edge: edgeSchema,
  platform: platformSchema,
  mail: mailSchema("production"),
  webhooks: webhooksSchema("production"),
} as const;

// Parsed once per env object: workerd hands the same env to every request of an isolate.
const parsedConfigs = new WeakMap<object, Config>();

/**
 * Reads the configuration at first use. Each dependency parses on its own, so a bad Redis URL does not
 * stop the database from working, and `/readyz` can name exactly which variable is wrong. An unknown
 * ENVIRONMENT is treated as production: the strictest behaviour wins when in doubt.
 */
export function getConfig(env: Bindings): Config {
  const cached = parsedConfigs.get(env);
  if (cached) return cached;
  const environment = environmentSchema.safeParse(env.ENVIRONMENT ?? "production");
  const config: Config = {
    environment: environment.success ? environment.data : "production",
    database: parseSection(databaseSchema, env, (v) => ({
      url: v.DATABASE_URL,
      wsProxy: v.NEON_WS_PROXY,
      httpEndpoint: v.NEON_HTTP_ENDPOINT,
    })),
    redis: parseSection(redisSchema, env, (v) => ({
      url: v.UPSTASH_REDIS_REST_URL,
      token: v.UPSTASH_REDIS_REST_TOKEN,
    })),
    s3: parseSection(s3Schema, env, (v) => ({
      endpoint: v.S3_ENDPOINT,
      region: v.S3_REGION,
      bucket: v.S3_BUCKET,
      accessKeyId: v.S3_ACCESS_KEY_ID,
      secretAccessKey: v.S3_SECRET_ACCESS_KEY,
      forcePathStyle: v.S3_FORCE_PATH_STYLE,
    })),
    auth: parseSection(authSchema, env, (v) => ({
      signingKeys: v.JWT_PRIVATE_KEYS,
      issuer: v.JWT_ISSUER,
      audience: v.JWT_AUDIENCE,
      mfaEncryptionKey: v.MFA_ENCRYPTION_KEY,
      adminOrigins: v.ADMIN_ORIGINS,
    })),
    analysis: parseSection(analysisSchema, env, (v) => {
      const standIn = v.REFERENCE_RESOLVER_URL?.replace(/\/+$/, "");
      return {
        references: {
          crossrefUrl: standIn ?? RECIPIENTS.crossref.defaultEndpoint,
          eutilsUrl: standIn ? `${standIn}/entrez/eutils` : RECIPIENTS.ncbi.defaultEndpoint,
          ncbiTool: v.NCBI_TOOL,
          contactEmail: v.REFERENCES_CONTACT_EMAIL,
          ncbiApiKey: v.NCBI_API_KEY,
        },
      };
    }),
    site: parseSection(siteSchema, env, (v) => ({
      cacheSeconds: v.SITE_CACHE_SECONDS,
      microCacheSeconds: v.SITE_MICRO_CACHE_SECONDS,
      imageResizing: v.IMAGE_RESIZING,
      sitemapFileUrls: v.SITEMAP_FILE_URLS,
    })),
    edge: parseSection(edgeSchema, env, (v) => ({
      trustClientIpHeader: v.TRUST_CLIENT_IP_HEADER,
      cdnPurge:
        v.CLOUDFLARE_ZONE_ID && v.CLOUDFLARE_PURGE_TOKEN
          ? {
              zoneId: v.CLOUDFLARE_ZONE_ID,
              token: v.CLOUDFLARE_PURGE_TOKEN,
              apiBase: v.CLOUDFLARE_API_BASE ?? RECIPIENTS.cloudflare.defaultEndpoint,
            }
          : undefined,
    })),
    platform: parseSection(platformSchema, env, (v) => ({
      database: v.PLATFORM_DATABASE_URL
        ? { url: v.PLATFORM_DATABASE_URL, wsProxy: v.NEON_WS_PROXY, httpEndpoint: v.NEON_HTTP_ENDPOINT }
        : undefined,
      apiTokenSha256: v.PLATFORM_API_TOKEN_SHA256,
    })),
    mail: parseSection(mailSchema(environment.success ? environment.data : "production"), env, (v) => ({
      host: v.SMTP_HOST,
      port: v.SMTP_PORT ?? DEFAULT_SMTP_PORTS[v.SMTP_SECURITY],
      security: v.SMTP_SECURITY,
      credentials:
        v.SMTP_USERNAME !== undefined && v.SMTP_PASSWORD !== undefined
          ? { username: v.SMTP_USERNAME, password: v.SMTP_PASSWORD }
          : undefined,
      from: mailFrom(v.MAIL_FROM),
    })),
    webhooks: parseSection(webhooksSchema(environment.success ? environment.data : "production"), env, (v) => ({
      dnsResolverUrl: v.WEBHOOK_DNS_RESOLVER_URL,
      allowLoopbackHttp: v.WEBHOOK_ALLOW_LOOPBACK_HTTP,
    })),
    audit: parseSection(auditSchema, env, (v) => ({
      ed25519PrivateJwk: v.AUDIT_SIGNING_ED25519_JWK,
      mldsaSeed: v.AUDIT_SIGNING_MLDSA_SEED,
      retiredKeyFingerprints: v.AUDIT_RETIRED_KEY_FINGERPRINTS,
    })),
  };
  parsedConfigs.set(env, config);
  return config;
}

/** The config sections that parse on their own, by name. */
export type ConfigSections = Omit<Config, "environment">;
export type SectionName = keyof ConfigSections;
export type SectionValue<K extends SectionName> = ConfigSections[K] extends ConfigSection<infer T> ? T : never;

/** Returns a config section's value, or throws a ConfigError naming the variables that are wrong. */
export function requireSection<K extends SectionName>(config: Config, name: K): SectionValue<K> {
  const section = config[name] as ConfigSection<SectionValue<K>>;
  if (!section.ok) throw new ConfigError(name, section.problems);
  return section.value;
}
