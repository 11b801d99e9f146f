/**
 * S3-compatible server for dev and tests: `@20minutes/s3rver` 4.0.4, which (unlike s3rver 3.x) verifies SigV4
 * signatures and presigned-URL expiry, so the Worker's presigning is exercised for real, with Object Lock and a
 * lifecycle expiry sweep added in front of it (s3-object-lock.ts).
 */
import { mkdir } from "node:fs/promises";
import S3rver from "@20minutes/s3rver";
import { lifecycleRulesFromPolicies } from "../schema/retention-policies.js";
import { type ExpirySweep, type LifecycleRule, ObjectLockLayer, type ObjectLockFacts } from "./s3-object-lock.js";

export interface S3ServerOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where objects are stored on disk; created if missing. */
  directory: string;
  /** Buckets that exist from the start. */
  buckets: string[];
  /** Browser origins allowed to PUT and GET with presigned URLs (CORS), e.g. the admin SPA's; ETag exposed for multipart. */
  corsOrigins?: string[];
  /** Buckets created with Object Lock enabled (as Terraform's `object_lock_enabled = true`). */
  objectLockBuckets?: string[];
  /** Lifecycle expiration rules per bucket, applied by `sweepExpired` (e.g. from the retention table). */
  lifecycle?: Record<string, LifecycleRule[]>;
}

export interface S3Server {
  /** S3 endpoint for the SDK (use with `forcePathStyle: true`), e.g. http://127.0.0.1:41235. */
  endpoint: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** An object's Object Lock state as this server keeps it (tests read it without signing a request). */
  objectLock(bucket: string, key: string): ObjectLockFacts;
  /** Runs the lifecycle expiration as of `now`: expired objects go unless a legal hold or retention keeps them. */
  sweepExpired(now?: Date): Promise<ExpirySweep>;
  close(): Promise<void>;
}

/**
 * s3rver registers exactly one key pair, for its dummy account (lib/models/account.js): S3RVER / S3RVER.
 * Any other key id is answered with InvalidAccessKeyId.
 */
const ACCESS_KEY_ID = "S3RVER";
const SECRET_ACCESS_KEY = "S3RVER";
/** s3rver derives the signing key from whatever region the request names; us-east-1 is the SDK's usual. */
const REGION = "us-east-1";
/** S3's bucket naming rules (3–63 chars, lower-case letters, digits, dots, hyphens). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The bucket CORS rule the admin SPA needs for presigned uploads, as S3 (and s3rver) take it: XML. */
function corsXml(origins: string[]): string {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const allowed = origins.map((origin) => `<AllowedOrigin>${escape(origin)}</AllowedOrigin>`).join("");
  return `<CORSConfiguration><CORSRule>${allowed}<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

/** The bucket's expiration rules as Terraform generates them from the retention table (lifecycle.auto.tf.json). */
export function localLifecycleRules(): LifecycleRule[] {
  return lifecycleRulesFromPolicies().flatMap((rule) =>
    rule.expirationDays === null ? [] : [{ prefix: rule.prefix, expirationDays: rule.expirationDays }],
  );
}

export async function startS3Server(opts: S3ServerOptions): Promise<S3Server> {
  const host = opts.host ?? "127.0.0.1";
  for (const bucket of opts.buckets) {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`s3-server: invalid bucket name "${bucket}"`);
  }
  await mkdir(opts.directory, { recursive: true });
  const server = new S3rver({
    address: host,
    port: opts.port ?? 0,
    silent: true,
    directory: opts.directory,
    resetOnClose: false,
    // Path-style only: the SDK is configured with forcePathStyle, and vhost matching would look at Host.
    vhostBuckets: false,
    // Creating buckets through the SDK fails on s3rver's trailing-slash route; configure them up front.
    configureBuckets: opts.buckets.map((name) => ({
      name,
      configs: opts.corsOrigins?.length ? [corsXml(opts.corsOrigins)] : [],
    })),
  });
  const lock = new ObjectLockLayer(opts.directory, opts.objectLockBuckets ?? [], opts.lifecycle ?? {});
  for (const bucket of opts.objectLockBuckets ?? []) {
    if (!opts.buckets.includes(bucket)) throw new Error(`s3-server: Object Lock bucket "${bucket}" is not configured`);
  }
  // In front of s3rver's router (the last middleware), behind its logging, XML rendering and error handling.
  server.middleware.splice(
    server.middleware.length - 1,
    0,
    lock.middleware((now) => lock.sweepExpired(server, now)),
  );
  const address = await server.run();
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    endpoint: `http://${urlHost}:${address.port}`,
    port: address.port,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    region: REGION,
    objectLock: (bucket, key) => lock.facts(bucket, key),
    sweepExpired: (now) => lock.sweepExpired(server, now),
    close(): Promise<void> {
      closing ??= stop(server);
      return closing;
    },
  };
}

async function stop(server: S3rver): Promise<void> {
  const closed = server.close();
  // SDK clients keep connections alive; without this, close() waits for their idle timeout.
  server.httpServer?.closeAllConnections();
  await closed;
}
