import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paddedPng } from "../support/images.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { makeDicom } from "../support/dicom.js";
import { signInWithMfa } from "../support/mfa.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let s3: S3Client;
let reviewer: TestUser;
let reviewerToken: string;
let editorToken: string;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** A real PNG of `size` bytes (a 1×1 image padded with a private chunk): completion reads images' structure. */
const png = (size: number): Uint8Array<ArrayBuffer> => paddedPng(size);

interface Ticket {
  id: string;
  method: "single" | "multipart";
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  parts?: Array<{ partNumber: number; url: string }>;
  urlExpiresIn: number;
}

async function api(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return worker.fetch(path, {
    host: tenant.hostname,
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...bearer(token), ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function start(
  token: string,
  file: {
    bytes: Uint8Array;
    kind: string;
    contentType: string;
    filename?: string;
    declaredSha?: string;
    declaredSize?: number;
    subjectId?: string;
  },
) {
  const res = await api("/api/uploads", token, {
    body: {
      filename: file.filename ?? "estudo.dcm",
      size: file.declaredSize ?? file.bytes.length,
      contentType: file.contentType,
      sha256: file.declaredSha ?? sha256(file.bytes),
      kind: file.kind,
      ...(file.subjectId ? { subjectId: file.subjectId } : {}),
    },
  });
  return res;
}

async function putSingle(ticket: Ticket, bytes: Uint8Array, contentType: string): Promise<Response> {
  return fetch(ticket.url ?? "", {
    method: "PUT",
    headers: { "content-type": contentType },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

async function uploadAndComplete(
  token: string,
  file: { bytes: Uint8Array; kind: string; contentType: string; filename?: string },
) {
  const started = await start(token, file);
  expect(started.status).toBe(201);
  const ticket = (await started.json()) as Ticket;
  expect((await putSingle(ticket, file.bytes, file.contentType)).status).toBe(200);
  return { ticket, completed: await api(`/api/uploads/${ticket.id}/complete`, token, { method: "POST" }) };
}

/** Pending objects still in the bucket (s3rver cannot list with a signed bucket-level path, so HEAD each known key). */
async function pendingObjects(): Promise<string[]> {
  const rows = await admin.query<{ pending_key: string }>(
    "select pending_key from uploads where tenant_id = $1 and status <> 'pending'",
    [tenant.id],
  );
  const present: string[] = [];
  for (const { pending_key: key } of rows.rows) {
    const found = await s3.send(new HeadObjectCommand({ Bucket: worker.env.s3.bucket, Key: key })).then(
      () => true,
      () => false,
    );
    if (found) present.push(key);
  }
  return present;
}

async function auditActions(): Promise<string[]> {
  const rows = await admin.query<{ action: string }>(
    "select action from audit_events where tenant_id = $1 order by seq",
    [tenant.id],
  );
  return rows.rows.map((row) => row.action);
}

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  tenant = await seedTenant(admin, "uploads");
  const env = worker.env.s3;
  s3 = new S3Client({
    region: env.region,
    endpoint: env.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  // The SDK sends bucket-level requests (ListObjectsV2) to "/<bucket>/" and signs that path, while s3rver
  // verifies "/<bucket>": drop the trailing slash before signing so the test can list what is stored.
  s3.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path === `/${env.bucket}/`) request.path = `/${env.bucket}`;
      return next(args);
    },
    { step: "build", name: "bucketPathWithoutSlash" },
  );
  reviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
  reviewerToken = (await signInWithMfa(worker, tenant.hostname, reviewer)).accessToken;
  const editor = await createUser(admin, tenant, { roles: ["editor"] });
  editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
});
afterAll(async () => {
  s3?.destroy();
  await admin?.end();
  await worker?.dispose();
});

describe("DICOM uploads", () => {
  it("accepts a dcmtk-made study, reads its header and flags the PHI it carries", async () => {
    const study = await makeDicom({ modality: "MR", studyDate: "20231102" });
    const { ticket, completed } = await uploadAndComplete(reviewerToken, {
      bytes: study.bytes,
      kind: "dicom",
      contentType: "application/dicom",
      filename: "Maria Silva - RM.dcm",
    });
    expect(ticket.method).toBe("single");
    expect(ticket.urlExpiresIn).toBeLessThanOrEqual(600);
    expect(new URL(ticket.url ?? "").searchParams.get("X-Amz-SignedHeaders")).toContain("content-type");
    expect(completed.status).toBe(201);
    const media = (await completed.json()) as {
      id: string;
      retentionClass: string;
      dicom: Record<string, string>;
      phiTags: string[];
      sha256: string;
    };
    expect(media.retentionClass).toBe("medical_imaging");
    expect(media.sha256).toBe(sha256(study.bytes));
    expect(media.dicom).toMatchObject({
      modality: "MR",
      studyDate: "20231102",
      studyInstanceUid: study.studyUid,
      seriesInstanceUid: study.seriesUid,
      sopClassUid: "1.2.840.10008.5.1.4.1.1.2",
      transferSyntaxUid: "1.2.840.10008.1.2.1",
    });
    expect(media.phiTags).toEqual(expect.arrayContaining(["PatientName", "PatientID", "PatientBirthDate"]));

    // The key is built by the server under the class's prefix; the filename appears nowhere in it.
    const stored = await admin.query<{ object_key: string }>("select object_key from media_items where id = $1", [
      media.id,
    ]);
    const key = stored.rows[0]!.object_key;
    expect(key).toMatch(new RegExp(`^medical-imaging/${tenant.id}/\\d{4}/\\d{2}/[0-9a-f]{32}$`));
    const object = await s3.send(new GetObjectCommand({ Bucket: worker.env.s3.bucket, Key: key }));
    expect(sha256(await object.Body!.transformToByteArray())).toBe(sha256(study.bytes));
    expect(await pendingObjects()).toEqual([]);

    // Reading the metadata and downloading are PHI reads: audited, and the link is short-lived.
    const read = await api(`/api/media/${media.id}`, reviewerToken);
    expect(read.status).toBe(200);
    const download = await api(`/api/media/${media.id}/download`, reviewerToken);
    expect(download.status).toBe(200);
    const link = (await download.json()) as { url: string; expiresIn: number };
    expect(link.expiresIn).toBeLessThanOrEqual(300);
    expect(Number(new URL(link.url).searchParams.get("X-Amz-Expires"))).toBeLessThanOrEqual(300);
    const fetched = await fetch(link.url);
    expect(fetched.status).toBe(200);
    expect(sha256(new Uint8Array(await fetched.arrayBuffer()))).toBe(sha256(study.bytes));
    expect(await auditActions()).toEqual(
      expect.arrayContaining(["upload.created", "media.created", "media.read", "media.download"]),
    );
  });

  it("asks a password-only session to step up before it may upload a study, but not an illustration", async () => {
    const study = await makeDicom();
    const upload = { bytes: study.bytes, kind: "dicom", contentType: "application/dicom" };
    // A medical reviewer without a second factor: MFA alone would lift the trust score over PHI's bar, so the
    // answer is a step-up challenge (RFC 9470), never an upload URL.
    const passwordOnly = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const refused = await start((await signIn(worker, tenant.hostname, passwordOnly)).accessToken, upload);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_user_authentication"(,|$)/);
    expect(refused.headers.get("www-authenticate")).toMatch(/[ ,]acr_values="mfa"(,|$)/);
    expect(((await refused.json()) as { code: string }).code).toBe("step_up_required");
    // An editor on a new device stays under PHI's bar even with MFA (the audit records device, credential,
    // sensitivity and authentication as lost), so stepping up would not help: denied outright.
    const denied = await start(editorToken, upload);
    expect(denied.status).toBe(403);
    expect(denied.headers.get("www-authenticate")).toBeNull();
    expect(((await denied.json()) as { code: string }).code).toBe("trust_denied");
    const image = await start(editorToken, {
      bytes: png(1024),
      kind: "image",
      contentType: "image/png",
      filename: "capa.png",
    });
    expect(image.status).toBe(201);
  });

  it("refuses a PNG renamed .dcm, deletes it, and says why", async () => {
    const fake = png(4096);
    const { completed } = await uploadAndComplete(reviewerToken, {
      bytes: fake,
      kind: "dicom",
      contentType: "application/dicom",
      filename: "exame.dcm",
    });
    expect(completed.status).toBe(422);
    expect(((await completed.json()) as { code: string }).code).toBe("upload_not_dicom");
    expect(await pendingObjects()).toEqual([]);
    expect(await auditActions()).toContain("upload.rejected");
  });

  it("refuses a file whose checksum or size is not what was declared", async () => {
    const image = png(2048);
    const wrongSha = await start(editorToken, {
      bytes: image,
      kind: "image",
      contentType: "image/png",
      declaredSha: sha256(png(2048)),
    });
    const wrongShaTicket = (await wrongSha.json()) as Ticket;
    expect((await putSingle(wrongShaTicket, image, "image/png")).status).toBe(200);
    const checksum = await api(`/api/uploads/${wrongShaTicket.id}/complete`, editorToken, { method: "POST" });
    expect(checksum.status).toBe(422);
    expect(((await checksum.json()) as { code: string }).code).toBe("upload_checksum_mismatch");

    const wrongSize = await start(editorToken, {
      bytes: image,
      kind: "image",
      contentType: "image/png",
      declaredSize: 4096,
    });
    const wrongSizeTicket = (await wrongSize.json()) as Ticket;
    // The presigned URL is signed for 4096 bytes, so S3 itself refuses the 2048; the completion still checks
    // the size of whatever is under the pending key (here written with the bucket's own credentials).
    expect((await putSingle(wrongSizeTicket, image, "image/png")).status).toBe(403);
    await s3.send(
      new PutObjectCommand({
        Bucket: worker.env.s3.bucket,
        Key: (await uploadRow(wrongSizeTicket.id)).pending_key,
        Body: image,
        ContentType: "image/png",
      }),
    );
    const size = await api(`/api/uploads/${wrongSizeTicket.id}/complete`, editorToken, { method: "POST" });
    expect(size.status).toBe(422);
    expect(((await size.json()) as { code: string }).code).toBe("upload_size_mismatch");
    // A refused upload cannot be completed again.
    const again = await api(`/api/uploads/${wrongSizeTicket.id}/complete`, editorToken, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await pendingObjects()).toEqual([]);
  });

  it("has S3 refuse a tampered URL, another content type, and an expired URL", async () => {
    const image = png(1024);
    const ticket = (await (
      await start(editorToken, { bytes: image, kind: "image", contentType: "image/png" })
    ).json()) as Ticket;
    const tampered = new URL(ticket.url ?? "");
    tampered.pathname = tampered.pathname.replace(/[0-9a-f]{4}$/, "beef");
    expect(
      (await fetch(tampered, { method: "PUT", headers: { "content-type": "image/png" }, body: image })).status,
    ).toBe(403);
    expect((await putSingle(ticket, image, "text/html")).status).toBe(403);
    // The same request signed by the same identity eleven minutes ago, with our TTL, has expired.
    const original = new URL(ticket.url ?? "");
    const key = decodeURIComponent(original.pathname.split("/").slice(2).join("/"));
    const old = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: worker.env.s3.bucket, Key: key, ContentType: "image/png" }),
      {
        expiresIn: ticket.urlExpiresIn,
        signableHeaders: new Set(["content-type"]),
        signingDate: new Date(Date.now() - 11 * 60_000),
      },
    );
    expect((await fetch(old, { method: "PUT", headers: { "content-type": "image/png" }, body: image })).status).toBe(
      403,
    );
    expect((await putSingle(ticket, image, "image/png")).status).toBe(200);
  });

  it("uploads a large file in presigned parts and completes it with the parts' ETags", async () => {
    const big = png(17 * 1024 * 1024 + 123);
    const started = await start(editorToken, {
      bytes: big,
      kind: "image",
      contentType: "image/png",
      filename: "panorama.png",
    });
    expect(started.status).toBe(201);
    const ticket = (await started.json()) as Ticket;
    expect(ticket.method).toBe("multipart");
    expect(ticket.parts).toHaveLength(3);
    const etags: Array<{ partNumber: number; etag: string }> = [];
    for (const part of ticket.parts ?? []) {
      const from = (part.partNumber - 1) * (ticket.partSize ?? 0);
      const res = await fetch(part.url, {
        method: "PUT",
        body: big.subarray(from, from + (ticket.partSize ?? 0)) as Uint8Array<ArrayBuffer>,
      });
      expect(res.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: res.headers.get("etag") ?? "" });
    }
    const missing = await api(`/api/uploads/${ticket.id}/complete`, editorToken, {
      body: { parts: etags.slice(0, 2) },
    });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { code: string }).code).toBe("upload_parts_required");
    const done = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { body: { parts: etags } });
    expect(done.status).toBe(201);
    // The Worker hashed the assembled object (workerd's DigestStream) and found the digest sha256sum gives.
    const scratch = await mkdtemp(join(tmpdir(), "vitalis-upload-"));
    try {
      await writeFile(join(scratch, "panorama.png"), big);
      const { stdout } = await promisify(execFile)("sha256sum", [join(scratch, "panorama.png")]);
      expect(await done.json()).toMatchObject({
        kind: "image",
        size: big.length,
        sha256: stdout.split(" ")[0],
        retentionClass: "general_media",
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("refuses a multipart upload whose assembled file is not the declared one, and cancels an upload", async () => {
    const big = png(16 * 1024 * 1024 + 10);
    const ticket = (await (
      await start(editorToken, { bytes: big, kind: "image", contentType: "image/png" })
    ).json()) as Ticket;
    const corrupted = new Uint8Array(big);
    corrupted[9 * 1024 * 1024] = (corrupted[9 * 1024 * 1024] ?? 0) ^ 0xff; // one flipped byte in part 2
    const etags: Array<{ partNumber: number; etag: string }> = [];
    for (const part of ticket.parts ?? []) {
      const from = (part.partNumber - 1) * (ticket.partSize ?? 0);
      const res = await fetch(part.url, {
        method: "PUT",
        body: corrupted.subarray(from, from + (ticket.partSize ?? 0)) as Uint8Array<ArrayBuffer>,
      });
      etags.push({ partNumber: part.partNumber, etag: res.headers.get("etag") ?? "" });
    }
    const wrong = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { body: { parts: etags } });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { code: string }).code).toBe("upload_checksum_mismatch");
    expect(await pendingObjects()).toEqual([]);

    const other = (await (
      await start(editorToken, { bytes: png(100), kind: "image", contentType: "image/png" })
    ).json()) as Ticket;
    expect((await api(`/api/uploads/${other.id}/abort`, editorToken, { method: "POST" })).status).toBe(204);
    const row = await admin.query("select status from uploads where id = $1", [other.id]);
    expect(row.rows[0].status).toBe("aborted");
  });

  it("validates the request: limits, content types, unknown fields and roles", async () => {
    const tooBig = await api("/api/uploads", editorToken, {
      body: {
        filename: "x.png",
        size: 26 * 1024 * 1024,
        contentType: "image/png",
        sha256: "a".repeat(64),
        kind: "image",
      },
    });
    expect(tooBig.status).toBe(422);
    expect(((await tooBig.json()) as { code: string }).code).toBe("upload_too_large");
    const wrongType = await api("/api/uploads", editorToken, {
      body: { filename: "x.svg", size: 10, contentType: "image/svg+xml", sha256: "a".repeat(64), kind: "image" },
    });
    expect(((await wrongType.json()) as { code: string }).code).toBe("upload_content_type_refused");
    const extra = await api("/api/uploads", editorToken, {
      body: {
        filename: "x.png",
        size: 10,
        contentType: "image/png",
        sha256: "a".repeat(64),
        kind: "image",
        key: "media/evil",
      },
    });
    expect(extra.status).toBe(422);
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const officerToken = (await signIn(worker, tenant.hostname, officer)).accessToken;
    const refused = await api("/api/uploads", officerToken, {
      body: { filename: "x.png", size: 10, contentType: "image/png", sha256: "a".repeat(64), kind: "image" },
    });
    expect(refused.status).toBe(403);
    const anonymous = await worker.fetch("/api/uploads", {
      host: tenant.hostname,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(anonymous.status).toBe(401);
  });
});

const PART = 8 * 1024 * 1024;

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

/** Keys stored under a prefix, read back from the S3 server. */
async function storedKeys(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: worker.env.s3.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? "").sort();
}

async function uploadRow(id: string): Promise<{ status: string; pending_key: string }> {
  const row = await admin.query<{ status: string; pending_key: string }>(
    "select status, pending_key from uploads where id = $1",
    [id],
  );
  return row.rows[0]!;
}

async function startAndPut(token: string, bytes: Uint8Array, contentType = "image/png"): Promise<Ticket> {
  const started = await start(token, { bytes, kind: "image", contentType, filename: "figura.png" });
  expect(started.status).toBe(201);
  const ticket = (await started.json()) as Ticket;
  expect((await putSingle(ticket, bytes, contentType)).status).toBe(200);
  return ticket;
}

describe("presigned URLs bind the declared size", () => {
  it("has S3 refuse a single PUT whose body is larger or smaller than the size declared for the ticket", async () => {
    const image = png(1024);
    const ticket = (await (
      await start(editorToken, { bytes: image, kind: "image", contentType: "image/png" })
    ).json()) as Ticket;
    // An attacker holding the URL cannot park a large object in the bucket (or a short one) under this ticket.
    const larger = new Uint8Array(50_000);
    larger.set(image, 0);
    expect((await putSingle(ticket, larger, "image/png")).status).toBe(403);
    expect((await putSingle(ticket, image.subarray(0, 512), "image/png")).status).toBe(403);
    expect(new URL(ticket.url ?? "").searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(
      expect.arrayContaining(["content-length", "content-type", "host"]),
    );
    expect((await putSingle(ticket, image, "image/png")).status).toBe(200);
    const done = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
    expect(done.status).toBe(201);
  });

  it("has S3 refuse a part whose body is not exactly that part's share of the declared size", async () => {
    const big = png(2 * PART + 10);
    const ticket = (await (
      await start(editorToken, { bytes: big, kind: "image", contentType: "image/png" })
    ).json()) as Ticket;
    expect(ticket.parts).toHaveLength(3);
    const [first, , last] = ticket.parts ?? [];
    const oversizedFirst = new Uint8Array(PART + 4096);
    oversizedFirst.set(big.subarray(0, PART), 0);
    expect((await fetch(first!.url, { method: "PUT", body: oversizedFirst })).status).toBe(403);
    // The last part is the remainder (10 bytes): a full-size last part is refused too.
    expect((await fetch(last!.url, { method: "PUT", body: big.subarray(0, PART) })).status).toBe(403);

    for (const part of ticket.parts ?? []) {
      expect(new URL(part.url).searchParams.get("X-Amz-SignedHeaders")?.split(";")).toContain("content-length");
    }
    const etags: Array<{ partNumber: number; etag: string }> = [];
    for (const part of ticket.parts ?? []) {
      const from = (part.partNumber - 1) * PART;
      const res = await fetch(part.url, { method: "PUT", body: big.subarray(from, from + PART) });
      expect(res.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: res.headers.get("etag") ?? "" });
    }
    const done = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { body: { parts: etags } });
    expect(done.status).toBe(201);
    expect(((await done.json()) as { sha256: string }).sha256).toBe(sha256(big));
  });
});

describe("upload controls", () => {
  it("refuses a file whose bytes are not the declared type (a PDF sent as a PNG), deletes it and audits why", async () => {
    const pdf = new Uint8Array(randomBytes(2048));
    pdf.set(new TextEncoder().encode("%PDF-1.7\n"), 0);
    const ticket = await startAndPut(editorToken, pdf, "image/png");
    const completed = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
    expect(completed.status).toBe(422);
    expect(completed.headers.get("content-type")).toContain("application/problem+json");
    expect(await code(completed)).toBe("upload_type_mismatch");
    const row = await uploadRow(ticket.id);
    expect(row.status).toBe("rejected");
    expect(await storedKeys(row.pending_key)).toEqual([]);
    const audited = await admin.query<{ details: { reason: string } }>(
      "select details from audit_events where tenant_id = $1 and action = 'upload.rejected' and target_id = $2",
      [tenant.id, ticket.id],
    );
    expect(audited.rows.map((event) => event.details.reason)).toEqual(["upload_type_mismatch"]);
  });

  it("tags the stored object with its retention class, for a stock image and for a patient's image", async () => {
    const stock = await uploadAndComplete(editorToken, { bytes: png(600), kind: "image", contentType: "image/png" });
    expect(stock.completed.status).toBe(201);
    const subjectId = (
      await admin.query<{ id: string }>("insert into data_subjects (tenant_id, email) values ($1, $2) returning id", [
        tenant.id,
        "tags@example.test",
      ])
    ).rows[0]!.id;
    const image = png(700);
    const started = await start(reviewerToken, { bytes: image, kind: "image", contentType: "image/png", subjectId });
    expect(started.status).toBe(201);
    const ticket = (await started.json()) as Ticket;
    expect((await putSingle(ticket, image, "image/png")).status).toBe(200);
    const record = await api(`/api/uploads/${ticket.id}/complete`, reviewerToken, { method: "POST" });
    expect(record.status).toBe(201);

    for (const [res, expected] of [
      [stock.completed, "general_media"],
      [record, "medical_record"],
    ] as const) {
      const media = (await res.json()) as { id: string; retentionClass: string };
      expect(media.retentionClass).toBe(expected);
      const key = (
        await admin.query<{ object_key: string }>("select object_key from media_items where id = $1", [media.id])
      ).rows[0]!.object_key;
      const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: worker.env.s3.bucket, Key: key }));
      expect(tagging.TagSet).toEqual([{ Key: "retention-class", Value: expected }]);
    }
  });

  it("deletes its copy when the database refuses the media item, and the upload can be completed later", async () => {
    const ticket = await startAndPut(editorToken, png(900));
    // A media item already recorded for this upload (media_items.upload_id is unique): the insert fails for real.
    const blocker = await admin.query<{ id: string }>(
      `insert into media_items (tenant_id, upload_id, created_by, kind, filename, content_type, size, sha256, object_key, retention_class, last_entry_at)
       values ($1, $2, $3, 'image', 'x.png', 'image/png', 1, $4, $5, 'general_media', now()) returning id`,
      [tenant.id, ticket.id, tenant.userId, "0".repeat(64), `media/${tenant.id}/conflict`],
    );
    const before = await storedKeys(`media/${tenant.id}/`);
    const failed = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toContain("application/problem+json");
    const body = await failed.text();
    expect(body).not.toContain("media_items");
    expect(body).not.toContain("duplicate");
    // The copy made under the class's prefix is gone again; the upload and what was uploaded are untouched.
    expect(await storedKeys(`media/${tenant.id}/`)).toEqual(before);
    const row = await uploadRow(ticket.id);
    expect(row.status).toBe("pending");
    expect(await storedKeys(row.pending_key)).toEqual([row.pending_key]);

    await admin.query("delete from media_items where id = $1", [blocker.rows[0]!.id]);
    const retried = await api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
    expect(retried.status).toBe(201);
    expect(await storedKeys(`media/${tenant.id}/`)).toHaveLength(before.length + 1);
  });

  it("keeps the stored object when two completions of one upload race and the second one loses", async () => {
    const ticket = await startAndPut(editorToken, png(1100));
    // Hold the upload row so both completions verify and copy, then queue on the row; release them together.
    const holder = await adminClient();
    try {
      await holder.query("begin");
      await holder.query("select id from uploads where id = $1 for update", [ticket.id]);
      const first = api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
      const second = api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" });
      for (;;) {
        const waiting = await admin.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query ilike 'update "uploads"%'`,
        );
        if (waiting.rows[0]!.n >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await holder.query("commit");
      const answers = await Promise.all([first, second]);
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
      const loser = answers.find((res) => res.status === 409)!;
      expect(await code(loser)).toBe("upload_not_pending");
    } finally {
      await holder.end();
    }
    const stored = await admin.query<{ id: string; object_key: string }>(
      "select id, object_key from media_items where upload_id = $1",
      [ticket.id],
    );
    expect(stored.rows).toHaveLength(1);
    // The loser deletes only its own copy: the committed media item's object is still there.
    expect(await storedKeys(stored.rows[0]!.object_key)).toEqual([stored.rows[0]!.object_key]);
    const download = await api(`/api/media/${stored.rows[0]!.id}/download`, editorToken);
    expect(download.status).toBe(200);
    expect((await fetch(((await download.json()) as { url: string }).url)).status).toBe(200);
  });

  it("refuses to complete or cancel another user's upload (upload_not_yours)", async () => {
    const ticket = await startAndPut(editorToken, png(500));
    const other = await createUser(admin, tenant, { roles: ["editor"] });
    const otherToken = (await signIn(worker, tenant.hostname, other)).accessToken;
    for (const action of ["complete", "abort"]) {
      const refused = await api(`/api/uploads/${ticket.id}/${action}`, otherToken, { method: "POST" });
      expect(refused.status).toBe(403);
      expect(await code(refused)).toBe("upload_not_yours");
    }
    const row = await uploadRow(ticket.id);
    expect(row.status).toBe("pending");
    expect(await storedKeys(row.pending_key)).toEqual([row.pending_key]);
    expect((await api(`/api/uploads/${ticket.id}/complete`, editorToken, { method: "POST" })).status).toBe(201);
  });

  it("refuses to complete or cancel an expired upload (upload_expired)", async () => {
    const ticket = await startAndPut(editorToken, png(500));
    await admin.query("update uploads set expires_at = now() - interval '1 minute' where id = $1", [ticket.id]);
    for (const action of ["complete", "abort"]) {
      const refused = await api(`/api/uploads/${ticket.id}/${action}`, editorToken, { method: "POST" });
      expect(refused.status).toBe(409);
      expect(await code(refused)).toBe("upload_expired");
    }
    expect((await uploadRow(ticket.id)).status).toBe("pending");
    expect((await admin.query("select 1 from media_items where upload_id = $1", [ticket.id])).rowCount).toBe(0);
  });
});
