/**
 * S3 Object Lock for the local S3 server (s3rver has none), so a test that says "the bucket refuses to delete a
 * locked object" is true of this server and not only of AWS:
 * - bucket lock configuration: enabled at creation only (`objectLockBuckets`), `GET/PUT /<bucket>?object-lock`
 *   with an optional default retention applied to new objects;
 * - retention per object (`PUT /<bucket>/<key>` with `x-amz-object-lock-mode` and `-retain-until-date`, or
 *   `PUT|GET ?retention`): COMPLIANCE cannot be shortened, removed or turned into GOVERNANCE, GOVERNANCE cannot be
 *   shortened either (this server grants nobody `s3:BypassGovernanceRetention`);
 * - legal holds (`x-amz-object-lock-legal-hold` or `PUT|GET ?legal-hold`), ON until someone sets OFF;
 * - while a retention date is in the future or a legal hold is ON, DELETE, DeleteObjects, overwriting PUT, copy
 *   and CompleteMultipartUpload onto the key are refused (AccessDenied), and the lifecycle sweep skips the object.
 * S3 refuses lock parameters without a body digest: a PUT carrying them, and every `?retention`, `?legal-hold` and
 * `?object-lock` PUT, needs `Content-MD5` or an `x-amz-checksum-*` header, and the digest is checked (BadDigest).
 *
 * AWS keeps versions in a lock-enabled bucket: there a plain DELETE only adds a delete marker and an overwrite a new
 * version, and it is deleting the locked *version* that is refused. s3rver keeps one version per key, so here the
 * key is the version: deleting or replacing it would destroy the locked bytes, and is refused instead.
 *
 * The lock state lives beside the objects in `<directory>/.object-lock.json` (a file, so s3rver never lists it as
 * a bucket), written on every change, so `npm run dev` keeps its locks across restarts.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import type S3rver from "@20minutes/s3rver";
import type { S3rverContext, S3rverErrorClass } from "@20minutes/s3rver";

const require = createRequire(import.meta.url);
// s3rver's own SigV4 check and error type: the lock routes authenticate and answer exactly as its routes do.
const authentication = (
  require("@20minutes/s3rver/lib/middleware/authentication") as () => (
    ctx: S3rverContext,
    next: () => Promise<void>,
  ) => Promise<void>
)();
const S3Error = require("@20minutes/s3rver/lib/models/error") as S3rverErrorClass;

export type LockMode = "COMPLIANCE" | "GOVERNANCE";

export interface ObjectLockFacts {
  mode: LockMode | null;
  retainUntil: Date | null;
  legalHold: boolean;
}

interface StoredLock {
  mode?: LockMode;
  retainUntil?: string;
  legalHold?: boolean;
}

interface StoredBucket {
  defaultRetention?: { mode: LockMode; days: number };
  objects: Record<string, StoredLock>;
}

/** A bucket lifecycle rule the sweep applies: objects under `prefix` expire `expirationDays` after creation. */
export interface LifecycleRule {
  prefix: string;
  expirationDays: number;
}

export interface ExpirySweep {
  /** `bucket/key` of each object the sweep deleted. */
  expired: string[];
  /** `bucket/key` of each expired object the sweep kept because a legal hold or a retention date protects it. */
  locked: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const LIFECYCLE_SWEEP_PATH = "/_local/lifecycle/expire";
const LOCK_MODES: readonly string[] = ["COMPLIANCE", "GOVERNANCE"];

function s3Error(code: string, message: string, status?: number): Error {
  const error = new S3Error(code, message);
  if (status) error.status = status;
  return error;
}

function tagText(xml: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1]?.trim() ?? null;
}

function xmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The digest headers S3 accepts as the body integrity Object Lock requires; each present one is checked. */
function checkBodyDigest(ctx: S3rverContext, body: Buffer): void {
  const digests: Array<[string, () => string]> = [
    ["content-md5", () => createHash("md5").update(body).digest("base64")],
    ["x-amz-checksum-sha256", () => createHash("sha256").update(body).digest("base64")],
    ["x-amz-checksum-sha1", () => createHash("sha1").update(body).digest("base64")],
    [
      "x-amz-checksum-crc32",
      () => {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE(crc32(body));
        return bytes.toString("base64");
      },
    ],
  ];
  const present = digests.filter(([header]) => typeof ctx.headers[header] === "string");
  if (present.length === 0)
    throw s3Error(
      "InvalidRequest",
      "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
    );
  for (const [header, digest] of present) {
    if (ctx.headers[header] !== digest())
      throw s3Error("BadDigest", `The ${header} you specified did not match what we received.`);
  }
}

async function readBody(ctx: S3rverContext): Promise<Buffer> {
  if (ctx.headers["x-amz-content-sha256"] === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    throw s3Error("NotImplemented", "Object Lock parameters with a chunked-signed body are not implemented here");
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The XML body of a `?object-lock`, `?retention` or `?legal-hold` PUT, its digest checked. */
async function readLockPut(ctx: S3rverContext): Promise<string> {
  if (ctx.method !== "PUT")
    throw s3Error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405);
  const body = await readBody(ctx);
  checkBodyDigest(ctx, body);
  return body.toString("utf8");
}

/** Hands s3rver a body this layer has already read. */
function replayBody(ctx: S3rverContext, body: Buffer): void {
  ctx.req = Object.assign(Readable.from([body]), { headers: ctx.req.headers }) as unknown as S3rverContext["req"];
}

export class ObjectLockLayer {
  private readonly file: string;
  private readonly buckets: Record<string, StoredBucket>;

  constructor(
    directory: string,
    lockBuckets: readonly string[],
    private readonly lifecycle: Readonly<Record<string, readonly LifecycleRule[]>> = {},
  ) {
    this.file = join(directory, ".object-lock.json");
    let stored: Record<string, StoredBucket>;
    try {
      stored = JSON.parse(readFileSync(this.file, "utf8")) as Record<string, StoredBucket>;
    } catch {
      stored = {};
    }
    this.buckets = {};
    for (const bucket of lockBuckets) this.buckets[bucket] = stored[bucket] ?? { objects: {} };
  }

  /** Object Lock enabled on this bucket (it can only be set when the bucket is created). */
  enabled(bucket: string): boolean {
    return bucket in this.buckets;
  }

  facts(bucket: string, key: string): ObjectLockFacts {
    const lock = this.buckets[bucket]?.objects[key];
    return {
      mode: lock?.mode ?? null,
      retainUntil: lock?.retainUntil ? new Date(lock.retainUntil) : null,
      legalHold: lock?.legalHold === true,
    };
  }

  /** Whether deleting or replacing the object is refused at `now`: a legal hold ON, or a retention date ahead. */
  isLocked(bucket: string, key: string, now = new Date()): boolean {
    const facts = this.facts(bucket, key);
    return facts.legalHold || (facts.retainUntil !== null && facts.retainUntil.getTime() > now.getTime());
  }

  /**
   * The Koa middleware, placed in front of s3rver's router. `sweep` runs the lifecycle expiry; it is also reachable
   * at `POST /_local/lifecycle/expire?now=<ISO date>` (no bucket name starts with "_"), so a test running in
   * another process than the server can make the bucket's lifecycle act years ahead.
   */
  middleware(
    sweep: (now: Date) => Promise<ExpirySweep>,
  ): (ctx: S3rverContext, next: () => Promise<void>) => Promise<void> {
    return async (ctx, next) => {
      const [bucketPart, ...keyParts] = ctx.path.slice(1).split("/");
      const bucket = decodeURIComponent(bucketPart ?? "");
      const key = keyParts.length ? decodeURIComponent(keyParts.join("/")) : "";
      if (ctx.path === LIFECYCLE_SWEEP_PATH && ctx.method === "POST") return this.sweepRoute(ctx, sweep);
      if (!bucket || ctx.method === "OPTIONS") return next();
      if (!key && ctx.path.endsWith("/") && typeof ctx.headers.authorization === "string") {
        // The SDK signs a bucket-level path with its trailing slash ("/bucket/?list-type=2"), s3rver checks the
        // signature of "/bucket" and refuses it. Check it here as it was signed, then hand s3rver the request as
        // checked (no credentials left to check): ListObjectsV2, DeleteObjects and the lock routes work.
        ctx.params = { bucket: `${bucket}/` };
        await authentication(ctx, () => Promise.resolve());
        delete ctx.headers.authorization;
      }
      const query = ctx.query;
      if (!this.enabled(bucket)) {
        if (!("object-lock" in query || "retention" in query || "legal-hold" in query) && !this.lockHeaders(ctx).any)
          return next();
        ctx.params = key ? { bucket, key } : { bucket };
        return authentication(ctx, () => {
          if (!key && "object-lock" in query)
            throw s3Error(
              "ObjectLockConfigurationNotFoundError",
              "Object Lock configuration does not exist for this bucket",
              404,
            );
          throw s3Error("InvalidRequest", "Bucket is missing Object Lock Configuration");
        });
      }
      ctx.params = key ? { bucket, key } : { bucket };
      if (!key) {
        if ("object-lock" in query) return authentication(ctx, () => this.bucketConfiguration(ctx, bucket));
        if ("delete" in query && ctx.method === "POST") return authentication(ctx, () => this.deleteMany(ctx, bucket));
        return next();
      }
      if ("retention" in query) return authentication(ctx, () => this.retention(ctx, bucket, key));
      if ("legal-hold" in query) return authentication(ctx, () => this.legalHold(ctx, bucket, key));
      if (ctx.method === "DELETE" && !("uploadId" in query)) {
        if (this.isLocked(bucket, key)) throw this.accessDenied();
        await next();
        if (ctx.status < 300) await this.forget(bucket, key);
        return;
      }
      if (ctx.method === "PUT" && !("tagging" in query) && !("uploadId" in query))
        return this.putObject(ctx, bucket, key, next);
      if (ctx.method === "POST" && "uploads" in query && this.lockHeaders(ctx).any)
        throw s3Error("NotImplemented", "Object Lock parameters on a multipart upload are not implemented here");
      if (ctx.method === "POST" && "uploadId" in query) {
        if (this.isLocked(bucket, key)) throw this.accessDenied();
        await next();
        if (ctx.status < 300) await this.applyDefault(bucket, key);
        return;
      }
      await next();
      if ((ctx.method === "GET" || ctx.method === "HEAD") && ctx.status < 300)
        this.lockResponseHeaders(ctx, bucket, key);
    };
  }

  /**
   * The bucket's lifecycle expiration, as S3 runs it once a day: every object older than its rule's days is
   * deleted, except one a legal hold or an unexpired retention date protects. `now` lets a test run the sweep
   * years ahead.
   */
  async sweepExpired(server: S3rver, now = new Date()): Promise<ExpirySweep> {
    const result: ExpirySweep = { expired: [], locked: [] };
    for (const [bucket, rules] of Object.entries(this.lifecycle)) {
      for (const rule of rules) {
        const listing = await server.store.listObjects(bucket, { prefix: rule.prefix, maxKeys: Infinity });
        for (const object of listing.objects) {
          if (object.lastModifiedDate.getTime() + rule.expirationDays * DAY_MS > now.getTime()) continue;
          if (this.isLocked(bucket, object.key, now)) {
            result.locked.push(`${bucket}/${object.key}`);
            continue;
          }
          await server.store.deleteObject(bucket, object.key);
          await this.forget(bucket, object.key);
          result.expired.push(`${bucket}/${object.key}`);
        }
      }
    }
    return result;
  }

  private async sweepRoute(ctx: S3rverContext, sweep: (now: Date) => Promise<ExpirySweep>): Promise<void> {
    const now = typeof ctx.query.now === "string" ? new Date(ctx.query.now) : new Date();
    if (Number.isNaN(now.getTime())) throw s3Error("InvalidArgument", "now must be an ISO date");
    ctx.status = 200;
    ctx.type = "application/json";
    ctx.body = JSON.stringify(await sweep(now));
  }

  private accessDenied(): Error {
    return s3Error("AccessDenied", "Access Denied because object protected by object lock.");
  }

  private lockHeaders(ctx: S3rverContext): { any: boolean; mode?: string; until?: string; hold?: string } {
    const mode = ctx.headers["x-amz-object-lock-mode"];
    const until = ctx.headers["x-amz-object-lock-retain-until-date"];
    const hold = ctx.headers["x-amz-object-lock-legal-hold"];
    return {
      any: mode !== undefined || until !== undefined || hold !== undefined,
      ...(typeof mode === "string" ? { mode } : {}),
      ...(typeof until === "string" ? { until } : {}),
      ...(typeof hold === "string" ? { hold } : {}),
    };
  }

  private async putObject(ctx: S3rverContext, bucket: string, key: string, next: () => Promise<void>): Promise<void> {
    if (this.isLocked(bucket, key)) throw this.accessDenied();
    const headers = this.lockHeaders(ctx);
    let lock: StoredLock | null = null;
    if (headers.any) {
      if ((headers.mode === undefined) !== (headers.until === undefined))
        throw s3Error(
          "InvalidArgument",
          "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        );
      lock = {};
      if (headers.mode !== undefined && headers.until !== undefined) {
        lock = { ...lock, ...this.validRetention(headers.mode, headers.until) };
      }
      if (headers.hold !== undefined) {
        if (headers.hold !== "ON" && headers.hold !== "OFF")
          throw s3Error("InvalidArgument", "Legal Hold must be either of 'ON' or 'OFF'");
        lock.legalHold = headers.hold === "ON";
      }
      if ("x-amz-copy-source" in ctx.headers) {
        await next();
      } else {
        const body = await readBody(ctx);
        checkBodyDigest(ctx, body);
        replayBody(ctx, body);
        await next();
      }
    } else {
      await next();
    }
    if (ctx.status >= 300) return;
    if (lock) await this.write(bucket, key, lock);
    else await this.applyDefault(bucket, key);
  }

  private validRetention(mode: string, until: string): { mode: LockMode; retainUntil: string } {
    if (!LOCK_MODES.includes(mode)) throw s3Error("InvalidArgument", "Unknown wormMode directive.");
    const date = new Date(until);
    if (Number.isNaN(date.getTime())) throw s3Error("InvalidArgument", "The retain until date is not valid");
    if (date.getTime() <= Date.now()) throw s3Error("InvalidArgument", "The retain until date must be in the future!");
    return { mode: mode as LockMode, retainUntil: date.toISOString() };
  }

  private async applyDefault(bucket: string, key: string): Promise<void> {
    const rule = this.buckets[bucket]?.defaultRetention;
    if (!rule) return this.forget(bucket, key);
    await this.write(bucket, key, {
      mode: rule.mode,
      retainUntil: new Date(Date.now() + rule.days * DAY_MS).toISOString(),
    });
  }

  private async bucketConfiguration(ctx: S3rverContext, bucket: string): Promise<void> {
    const state = this.buckets[bucket]!;
    if (ctx.method === "GET") {
      const rule = state.defaultRetention
        ? `<Rule><DefaultRetention><Mode>${state.defaultRetention.mode}</Mode><Days>${state.defaultRetention.days}</Days></DefaultRetention></Rule>`
        : "";
      this.xml(
        ctx,
        `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`,
      );
      return;
    }
    const xml = await readLockPut(ctx);
    if (tagText(xml, "ObjectLockEnabled") !== "Enabled")
      throw s3Error("MalformedXML", "ObjectLockEnabled must be Enabled");
    const mode = tagText(xml, "Mode");
    const days = tagText(xml, "Days");
    if (mode === null) {
      delete state.defaultRetention;
    } else {
      if (!LOCK_MODES.includes(mode) || days === null || !/^[1-9][0-9]*$/.test(days))
        throw s3Error("MalformedXML", "A default retention needs a mode and a positive number of days");
      state.defaultRetention = { mode: mode as LockMode, days: Number(days) };
    }
    await this.persist();
    ctx.status = 200;
    ctx.body = "";
  }

  private async retention(ctx: S3rverContext, bucket: string, key: string): Promise<void> {
    if (!(await ctx.store.existsObject(bucket, key))) throw s3Error("NoSuchKey", "The specified key does not exist.");
    const current = this.facts(bucket, key);
    if (ctx.method === "GET") {
      if (!current.mode || !current.retainUntil)
        throw s3Error(
          "NoSuchObjectLockConfiguration",
          "The specified object does not have a ObjectLock configuration",
          404,
        );
      this.xml(
        ctx,
        `<Retention><Mode>${current.mode}</Mode><RetainUntilDate>${current.retainUntil.toISOString()}</RetainUntilDate></Retention>`,
      );
      return;
    }
    const xml = await readLockPut(ctx);
    const mode = tagText(xml, "Mode");
    const until = tagText(xml, "RetainUntilDate");
    const active = current.retainUntil !== null && current.retainUntil.getTime() > Date.now();
    if (mode === null && until === null) {
      // Removing a retention that still runs is shortening it.
      if (active) throw this.accessDenied();
      await this.write(bucket, key, { ...this.stored(bucket, key), mode: undefined, retainUntil: undefined });
    } else {
      if (mode === null || until === null)
        throw s3Error("MalformedXML", "A retention needs a Mode and a RetainUntilDate");
      const next = this.validRetention(mode, until);
      if (active && current.retainUntil !== null) {
        // COMPLIANCE: nobody shortens it or weakens the mode; GOVERNANCE: only with a bypass nobody here holds.
        if (new Date(next.retainUntil).getTime() < current.retainUntil.getTime()) throw this.accessDenied();
        if (current.mode === "COMPLIANCE" && next.mode !== "COMPLIANCE") throw this.accessDenied();
      }
      await this.write(bucket, key, { ...this.stored(bucket, key), ...next });
    }
    ctx.status = 200;
    ctx.body = "";
  }

  private async legalHold(ctx: S3rverContext, bucket: string, key: string): Promise<void> {
    if (!(await ctx.store.existsObject(bucket, key))) throw s3Error("NoSuchKey", "The specified key does not exist.");
    if (ctx.method === "GET") {
      this.xml(ctx, `<LegalHold><Status>${this.facts(bucket, key).legalHold ? "ON" : "OFF"}</Status></LegalHold>`);
      return;
    }
    const status = tagText(await readLockPut(ctx), "Status");
    if (status !== "ON" && status !== "OFF")
      throw s3Error("MalformedXML", "Legal Hold must be either of 'ON' or 'OFF'");
    await this.write(bucket, key, { ...this.stored(bucket, key), legalHold: status === "ON" });
    ctx.status = 200;
    ctx.body = "";
  }

  /** DeleteObjects: the unlocked keys are deleted, each locked one is answered with its own AccessDenied. */
  private async deleteMany(ctx: S3rverContext, bucket: string): Promise<void> {
    const xml = (await readBody(ctx)).toString("utf8");
    const quiet = tagText(xml, "Quiet") === "true";
    const keys = [...xml.matchAll(/<Object>[\s\S]*?<Key>([^<]*)<\/Key>[\s\S]*?<\/Object>/g)].map((m) =>
      xmlUnescape(m[1] ?? ""),
    );
    if (keys.length === 0) throw s3Error("MalformedXML", "The XML you provided was not well-formed");
    const deleted: string[] = [];
    const refused: string[] = [];
    for (const key of keys) {
      if (this.isLocked(bucket, key)) {
        refused.push(key);
        continue;
      }
      if (await ctx.store.existsObject(bucket, key)) await ctx.store.deleteObject(bucket, key);
      await this.forget(bucket, key);
      deleted.push(key);
    }
    const deletedXml = quiet ? "" : deleted.map((key) => `<Deleted><Key>${xmlText(key)}</Key></Deleted>`).join("");
    const errorXml = refused
      .map(
        (key) =>
          `<Error><Key>${xmlText(key)}</Key><Code>AccessDenied</Code><Message>Access Denied because object protected by object lock.</Message></Error>`,
      )
      .join("");
    this.xml(
      ctx,
      `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${deletedXml}${errorXml}</DeleteResult>`,
    );
  }

  private lockResponseHeaders(ctx: S3rverContext, bucket: string, key: string): void {
    const facts = this.facts(bucket, key);
    if (facts.mode && facts.retainUntil) {
      ctx.set("x-amz-object-lock-mode", facts.mode);
      ctx.set("x-amz-object-lock-retain-until-date", facts.retainUntil.toISOString());
    }
    ctx.set("x-amz-object-lock-legal-hold", facts.legalHold ? "ON" : "OFF");
  }

  private xml(ctx: S3rverContext, body: string): void {
    ctx.status = 200;
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  }

  private stored(bucket: string, key: string): StoredLock {
    return { ...(this.buckets[bucket]?.objects[key] ?? {}) };
  }

  private async write(bucket: string, key: string, lock: StoredLock): Promise<void> {
    const state = this.buckets[bucket];
    if (!state) return;
    const clean: StoredLock = {
      ...(lock.mode && lock.retainUntil ? { mode: lock.mode, retainUntil: lock.retainUntil } : {}),
      ...(lock.legalHold ? { legalHold: true } : {}),
    };
    if (Object.keys(clean).length === 0) delete state.objects[key];
    else state.objects[key] = clean;
    await this.persist();
  }

  private async forget(bucket: string, key: string): Promise<void> {
    const state = this.buckets[bucket];
    if (!state || !(key in state.objects)) return;
    delete state.objects[key];
    await this.persist();
  }

  private async persist(): Promise<void> {
    await writeFile(this.file, JSON.stringify(this.buckets, null, 2));
  }
}
