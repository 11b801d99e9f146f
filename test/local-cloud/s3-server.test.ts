import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectsCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, type S3Server } from "../../local-cloud/index.js";

const BUCKET = "vitalis-media";
const OTHER_BUCKET = "vitalis-dicom";

let directory: string;
let server: S3Server;
let s3: S3Client;

function clientFor(srv: S3Server, accessKeyId = srv.accessKeyId, secretAccessKey = srv.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: srv.endpoint,
    region: srv.region,
    credentials: { accessKeyId, secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** A DICOM Part 10 file starts with a 128-byte preamble and the magic "DICM". */
function fakeDicom(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes.fill(0, 0, 128);
  bytes.write("DICM", 128, "latin1");
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function bodyBytes(key: string, range?: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
  if (!res.Body) throw new Error("no body");
  return Buffer.from(await res.Body.transformToByteArray());
}

async function bodyOf(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function s3ErrorOf(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3ServiceException) return { name: err.name, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error("expected an S3 error");
}

function tamper(url: string): string {
  const parsed = new URL(url);
  const signature = parsed.searchParams.get("X-Amz-Signature") ?? "";
  const last = signature.slice(-1) === "0" ? "1" : "0";
  parsed.searchParams.set("X-Amz-Signature", signature.slice(0, -1) + last);
  return parsed.toString();
}

describe("S3 server (s3rver with SigV4)", () => {
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "vitalis-s3-"));
    server = await startS3Server({ directory, buckets: [BUCKET, OTHER_BUCKET] });
    s3 = clientFor(server);
  });

  afterAll(async () => {
    s3?.destroy();
    await server?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("reports the credentials it accepts and creates the configured buckets", async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.accessKeyId).toBe("S3RVER");
    expect(server.secretAccessKey).toBe("S3RVER");
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name).sort()).toEqual([OTHER_BUCKET, BUCKET].sort());
  });

  it("puts, heads, gets, ranges and deletes an object", async () => {
    const key = "studies/2026/ct-001.dcm";
    const body = fakeDicom(64 * 1024);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: body,
        ContentType: "application/dicom",
        Metadata: { retention: "medical-record-20y" },
      }),
    );

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe("application/dicom");
    expect(head.Metadata).toEqual({ retention: "medical-record-20y" });

    expect(sha256(await bodyBytes(key))).toBe(sha256(body));
    const magic = await bodyBytes(key, "bytes=128-131");
    expect(magic.toString("latin1")).toBe("DICM");
    const tail = await bodyBytes(key, `bytes=${body.length - 10}-`);
    expect(tail.equals(body.subarray(body.length - 10))).toBe(true);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({
      status: 404,
    });
  });

  it("assembles a multipart upload", async () => {
    const key = "studies/2026/mr-large.dcm";
    const part1 = fakeDicom(5 * 1024 * 1024);
    const part2 = randomBytes(300 * 1024);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: "application/dicom" }),
    );
    expect(UploadId).toBeTruthy();
    const parts = [];
    for (const [index, part] of [part1, part2].entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: part }),
      );
      parts.push({ ETag, PartNumber: index + 1 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    const whole = Buffer.concat([part1, part2]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(whole.length);
    expect(sha256(await bodyBytes(key))).toBe(sha256(whole));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  });

  it("rejects unknown credentials and a wrong secret", async () => {
    const stranger = clientFor(server, "AKIAEXAMPLE", "not-the-secret");
    expect(await s3ErrorOf(stranger.send(new ListBucketsCommand({})))).toMatchObject({
      name: "InvalidAccessKeyId",
      status: 403,
    });
    stranger.destroy();
    const wrongSecret = clientFor(server, server.accessKeyId, "wrong-secret");
    expect(await s3ErrorOf(wrongSecret.send(new ListBucketsCommand({})))).toMatchObject({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
    wrongSecret.destroy();
  });

  describe("presigned PUT (browser upload)", () => {
    const contentType = "application/dicom";
    const signableHeaders = new Set(["content-type"]);

    async function presignPut(key: string, opts: { expiresIn?: number; signingDate?: Date } = {}): Promise<string> {
      const command = new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: contentType });
      return getSignedUrl(s3, command, {
        expiresIn: opts.expiresIn ?? 300,
        signableHeaders,
        ...(opts.signingDate ? { signingDate: opts.signingDate } : {}),
      });
    }

    function put(url: string, body: Buffer, type = contentType): Promise<Response> {
      // A Blob is a BodyInit under every lib typing; the bytes sent are the same.
      return fetch(url, { method: "PUT", headers: { "content-type": type }, body: new Blob([new Uint8Array(body)]) });
    }

    it("accepts the untouched URL and stores the bytes", async () => {
      const key = "uploads/presigned-ok.dcm";
      const body = fakeDicom(4096);
      const url = await presignPut(key);
      expect(new URL(url).searchParams.get("X-Amz-SignedHeaders")).toContain("content-type");
      const res = await put(url, body);
      expect(res.status).toBe(200);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.ContentType).toBe(contentType);
      expect(sha256(await bodyBytes(key))).toBe(sha256(body));

      const download = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
      const fetched = await fetch(download);
      expect(fetched.status).toBe(200);
      expect(sha256(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha256(body));
    });

    it("refuses a tampered signature with 403", async () => {
      const key = "uploads/presigned-tampered.dcm";
      const res = await put(tamper(await presignPut(key)), fakeDicom(256));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("SignatureDoesNotMatch");
      expect(await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).toMatchObject({
        status: 404,
      });
    });

    it("refuses an expired URL with 403", async () => {
      const key = "uploads/presigned-expired.dcm";
      const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
      const res = await put(await presignPut(key, { expiresIn: 60, signingDate: anHourAgo }), fakeDicom(256));
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("expired");

      const shortLived = await presignPut(key, { expiresIn: 1 });
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect((await put(shortLived, fakeDicom(256))).status).toBe(403);
    });

    it("refuses a content type other than the signed one with 403", async () => {
      const key = "uploads/presigned-wrong-type.dcm";
      const res = await put(await presignPut(key), fakeDicom(256), "text/html");
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("SignatureDoesNotMatch");
    });
  });

  it("answers CORS preflights for the configured browser origins only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vitalis-s3-cors-"));
    const cors = await startS3Server({
      directory: dir,
      buckets: ["cors-bucket"],
      corsOrigins: ["http://localhost:8787"],
    });
    try {
      const preflight = (origin: string) =>
        fetch(`${cors.endpoint}/cors-bucket/upload-pending/x`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
        });
      const allowed = await preflight("http://localhost:8787");
      expect(allowed.status).toBe(200);
      // s3rver answers a matched preflight with "*" (S3 itself echoes the origin); what matters is the refusal below.
      expect(["*", "http://localhost:8787"]).toContain(allowed.headers.get("access-control-allow-origin"));
      expect((await preflight("https://evil.example")).status).toBe(403);
    } finally {
      await cors.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe("Object Lock", () => {
    const LOCKED = "vitalis-locked";
    let dir: string;
    let locked: S3Server;
    let client: S3Client;
    const inAYear = () => new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
    const md5 = (body: string | Buffer) => createHash("md5").update(body).digest("base64");

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "vitalis-s3-lock-"));
      locked = await startS3Server({
        directory: dir,
        buckets: [LOCKED, "plain-bucket"],
        objectLockBuckets: [LOCKED],
        lifecycle: { [LOCKED]: [{ prefix: "medical-imaging/", expirationDays: 7671 }] },
      });
      client = clientFor(locked);
    });
    afterAll(async () => {
      client?.destroy();
      await locked?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function putLocked(key: string, body: string, until = inAYear()) {
      return client.send(
        new PutObjectCommand({
          Bucket: LOCKED,
          Key: key,
          Body: body,
          ContentMD5: md5(body),
          ObjectLockMode: "COMPLIANCE",
          ObjectLockRetainUntilDate: until,
        }),
      );
    }

    it("reports the bucket's lock configuration, and none for a bucket created without it", async () => {
      const config = await client.send(new GetObjectLockConfigurationCommand({ Bucket: LOCKED }));
      expect(config.ObjectLockConfiguration?.ObjectLockEnabled).toBe("Enabled");
      expect(
        await s3ErrorOf(
          client.send(
            new PutObjectRetentionCommand({
              Bucket: "plain-bucket",
              Key: "x",
              Retention: { Mode: "COMPLIANCE", RetainUntilDate: inAYear() },
            }),
          ),
        ),
      ).toMatchObject({ name: "InvalidRequest", status: 400 });
      expect(
        await s3ErrorOf(client.send(new GetObjectLockConfigurationCommand({ Bucket: "plain-bucket" }))),
      ).toMatchObject({ name: "ObjectLockConfigurationNotFoundError", status: 404 });
    });

    it("refuses overwriting, deleting and shortening a COMPLIANCE-locked object until its date", async () => {
      const key = "audit/t1/checkpoints/00000000000000000007.json";
      const until = inAYear();
      await putLocked(key, '{"seq":7}', until);
      const head = await client.send(new HeadObjectCommand({ Bucket: LOCKED, Key: key }));
      expect(head.ObjectLockMode).toBe("COMPLIANCE");
      expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe(until.toISOString());

      expect(
        await s3ErrorOf(client.send(new PutObjectCommand({ Bucket: LOCKED, Key: key, Body: '{"seq":7,"forged":1}' }))),
      ).toMatchObject({ name: "AccessDenied", status: 403 });
      expect(await s3ErrorOf(client.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: key })))).toMatchObject({
        name: "AccessDenied",
        status: 403,
      });
      const many = await client.send(new DeleteObjectsCommand({ Bucket: LOCKED, Delete: { Objects: [{ Key: key }] } }));
      expect(many.Errors?.map((e) => [e.Key, e.Code])).toEqual([[key, "AccessDenied"]]);
      expect(
        await s3ErrorOf(
          client.send(
            new PutObjectRetentionCommand({
              Bucket: LOCKED,
              Key: key,
              Retention: { Mode: "COMPLIANCE", RetainUntilDate: new Date(until.getTime() - 60_000) },
            }),
          ),
        ),
      ).toMatchObject({ name: "AccessDenied" });
      expect(
        await s3ErrorOf(
          client.send(
            new PutObjectRetentionCommand({
              Bucket: LOCKED,
              Key: key,
              Retention: { Mode: "GOVERNANCE", RetainUntilDate: until },
            }),
          ),
        ),
      ).toMatchObject({ name: "AccessDenied" });
      // Extending is allowed, and the bytes are the original ones.
      const later = new Date(until.getTime() + 86_400_000);
      await client.send(
        new PutObjectRetentionCommand({
          Bucket: LOCKED,
          Key: key,
          Retention: { Mode: "COMPLIANCE", RetainUntilDate: later },
        }),
      );
      const retention = await client.send(new GetObjectRetentionCommand({ Bucket: LOCKED, Key: key }));
      expect(retention.Retention?.RetainUntilDate?.toISOString()).toBe(later.toISOString());
      expect((await bodyOf(client, LOCKED, key)).toString()).toBe('{"seq":7}');
    });

    it("needs a matching body digest for a PUT with lock parameters", async () => {
      const key = "audit/t1/checkpoints/digest.json";
      const bare = new PutObjectCommand({
        Bucket: LOCKED,
        Key: key,
        Body: "x",
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: inAYear(),
      });
      expect(await s3ErrorOf(client.send(bare))).toMatchObject({ name: "InvalidRequest", status: 400 });
      const wrong = new PutObjectCommand({
        Bucket: LOCKED,
        Key: key,
        Body: "x",
        ContentMD5: md5("y"),
        ObjectLockMode: "COMPLIANCE",
        ObjectLockRetainUntilDate: inAYear(),
      });
      expect(await s3ErrorOf(client.send(wrong))).toMatchObject({ name: "BadDigest", status: 400 });
      expect(await s3ErrorOf(client.send(new HeadObjectCommand({ Bucket: LOCKED, Key: key })))).toMatchObject({
        status: 404,
      });
    });

    it("keeps a held object through its lifecycle expiry, and lets it go once the hold is released", async () => {
      const held = "medical-imaging/t1/2026/12/held";
      const free = "medical-imaging/t1/2026/12/free";
      for (const key of [held, free]) await client.send(new PutObjectCommand({ Bucket: LOCKED, Key: key, Body: key }));
      await client.send(new PutObjectLegalHoldCommand({ Bucket: LOCKED, Key: held, LegalHold: { Status: "ON" } }));
      expect((await client.send(new GetObjectLegalHoldCommand({ Bucket: LOCKED, Key: held }))).LegalHold?.Status).toBe(
        "ON",
      );
      expect(await s3ErrorOf(client.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: held })))).toMatchObject({
        name: "AccessDenied",
      });

      const past = new Date(Date.now() + 7672 * 24 * 60 * 60 * 1000);
      expect(await locked.sweepExpired(past)).toEqual({
        expired: [`${LOCKED}/${free}`],
        locked: [`${LOCKED}/${held}`],
      });
      expect((await bodyOf(client, LOCKED, held)).toString()).toBe(held);

      await client.send(new PutObjectLegalHoldCommand({ Bucket: LOCKED, Key: held, LegalHold: { Status: "OFF" } }));
      expect(await locked.sweepExpired(past)).toEqual({ expired: [`${LOCKED}/${held}`], locked: [] });
      expect(await s3ErrorOf(client.send(new HeadObjectCommand({ Bucket: LOCKED, Key: held })))).toMatchObject({
        status: 404,
      });
    });

    it("applies the bucket's default retention to new objects and keeps the lock state across restarts", async () => {
      await client.send(
        new PutObjectLockConfigurationCommand({
          Bucket: LOCKED,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1 } },
          },
        }),
      );
      await client.send(new PutObjectCommand({ Bucket: LOCKED, Key: "defaulted", Body: "d" }));
      expect(locked.objectLock(LOCKED, "defaulted")).toMatchObject({ mode: "COMPLIANCE", legalHold: false });
      await client.send(
        new PutObjectLockConfigurationCommand({
          Bucket: LOCKED,
          ObjectLockConfiguration: { ObjectLockEnabled: "Enabled" },
        }),
      );
      await client.send(new PutObjectCommand({ Bucket: LOCKED, Key: "undefaulted", Body: "u" }));
      expect(locked.objectLock(LOCKED, "undefaulted")).toEqual({ mode: null, retainUntil: null, legalHold: false });

      const again = await startS3Server({ directory: dir, buckets: [LOCKED], objectLockBuckets: [LOCKED] });
      try {
        const other = clientFor(again);
        expect(
          await s3ErrorOf(other.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: "defaulted" }))),
        ).toMatchObject({
          name: "AccessDenied",
        });
        other.destroy();
      } finally {
        await again.close();
      }
    });

    it("lists keys under a prefix (the SDK signs the bucket path with a trailing slash)", async () => {
      for (const key of ["list/a", "list/b", "other/c"])
        await client.send(new PutObjectCommand({ Bucket: LOCKED, Key: key, Body: key }));
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: LOCKED, Prefix: "list/", StartAfter: "list/a" }),
      );
      expect(listed.Contents?.map((o) => o.Key)).toEqual(["list/b"]);
      const stranger = clientFor(locked, locked.accessKeyId, "wrong-secret");
      expect(await s3ErrorOf(stranger.send(new ListObjectsV2Command({ Bucket: LOCKED })))).toMatchObject({
        name: "SignatureDoesNotMatch",
      });
      stranger.destroy();
    });

    it("authenticates the lock routes like every other", async () => {
      const stranger = clientFor(locked, locked.accessKeyId, "wrong-secret");
      await client.send(new PutObjectCommand({ Bucket: LOCKED, Key: "victim", Body: "v" }));
      expect(
        await s3ErrorOf(
          stranger.send(new PutObjectLegalHoldCommand({ Bucket: LOCKED, Key: "victim", LegalHold: { Status: "ON" } })),
        ),
      ).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
      expect(locked.objectLock(LOCKED, "victim").legalHold).toBe(false);
      stranger.destroy();
    });
  });

  it("closes and frees its port", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vitalis-s3-close-"));
    const extra = await startS3Server({ directory: dir, buckets: ["scratch-bucket"] });
    const client = clientFor(extra);
    await client.send(new ListBucketsCommand({}));
    await extra.close();
    await expect(client.send(new ListBucketsCommand({}))).rejects.toThrow();
    client.destroy();
    await rm(dir, { recursive: true, force: true });
    await expect(startS3Server({ directory: dir, buckets: ["Bad_Name"] })).rejects.toThrow("invalid bucket name");
  });
});
