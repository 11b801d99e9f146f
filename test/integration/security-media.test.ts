/**
 * An image or PDF uploaded for a data subject (a patient) is PHI: its retention class is `medical_record`,
 * so reading it needs PHI-level trust (a stolen password alone is not enough) and every read counts against
 * the daily PHI read cap. A stock image with no subject stays a `restricted` read.
 */
import { createHash } from "node:crypto";
import { paddedPng } from "../support/images.js";
import type { S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let redis: Redis;
let s3: S3Client;
let tenant: SeededTenant;
let subjectId: string;
let mfaReviewer: TestUser;
let mfaToken: string;
let passwordOnlyToken: string;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A real PNG of `size` bytes: completion reads an image's structure. */
const png = (size: number): Uint8Array<ArrayBuffer> => paddedPng(size);

async function api(path: string, token: string, body?: unknown): Promise<Response> {
  return worker.fetch(path, {
    host: tenant.hostname,
    method: body === undefined ? "GET" : "POST",
    headers: { ...bearer(token), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function uploadRequest(bytes: Uint8Array, subject?: string) {
  return {
    filename: "lesao.png",
    size: bytes.length,
    contentType: "image/png",
    sha256: sha256(bytes),
    kind: "image",
    ...(subject ? { subjectId: subject } : {}),
  };
}

/** Uploads a PNG through the real endpoints and returns the media item's id. */
async function uploadImage(token: string, subject?: string): Promise<{ id: string; retentionClass: string }> {
  const bytes = png(2048);
  const started = await api("/api/uploads", token, uploadRequest(bytes, subject));
  expect(started.status).toBe(201);
  const ticket = (await started.json()) as { id: string; url: string };
  const put = await fetch(ticket.url, { method: "PUT", headers: { "content-type": "image/png" }, body: bytes });
  expect(put.status).toBe(200);
  const completed = await api(`/api/uploads/${ticket.id}/complete`, token, {});
  expect(completed.status).toBe(201);
  return (await completed.json()) as { id: string; retentionClass: string };
}

async function phiReadsToday(userId: string): Promise<number> {
  const day = new Date().toISOString().slice(0, 10);
  return Number((await redis.get(`vitalis:phi:${userId}:${day}`)) ?? 0);
}

function expectStepUp(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_user_authentication"(,|$)/);
}

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  redis = new Redis(worker.env.redisUrl);
  s3 = testS3(worker.env);
  tenant = await seedTenant(admin, "secmedia");
  subjectId = await insertSubject(admin, tenant.id);
  mfaReviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
  mfaToken = (await signInWithMfa(worker, tenant.hostname, mfaReviewer)).accessToken;
  // The stolen password: a medical reviewer (a role that may see patient media) without a second factor.
  const passwordOnly = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
  passwordOnlyToken = (await signIn(worker, tenant.hostname, passwordOnly)).accessToken;
});
afterAll(async () => {
  redis?.disconnect();
  s3?.destroy();
  await admin?.end();
  await worker?.dispose();
});

describe("an image of a patient is PHI", () => {
  it("asks a password-only session to step up before it reads or downloads a patient's image", async () => {
    const media = await uploadImage(mfaToken, subjectId);
    expect(media.retentionClass).toBe("medical_record");
    const read = await api(`/api/media/${media.id}`, passwordOnlyToken);
    expectStepUp(read);
    expect(((await read.json()) as { code: string }).code).toBe("step_up_required");
    const download = await api(`/api/media/${media.id}/download`, passwordOnlyToken);
    expectStepUp(download);
    expect(((await download.json()) as { code: string }).code).toBe("step_up_required");
  });

  it("asks a password-only session to step up before it uploads an image for a patient", async () => {
    const refused = await api("/api/uploads", passwordOnlyToken, uploadRequest(png(512), subjectId));
    expectStepUp(refused);
    expect(((await refused.json()) as { code: string }).code).toBe("step_up_required");
  });

  it("lets an MFA session read and download it, and counts both as PHI reads", async () => {
    const media = await uploadImage(mfaToken, subjectId);
    const before = await phiReadsToday(mfaReviewer.id);
    const read = await api(`/api/media/${media.id}`, mfaToken);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { subjectId: string }).subjectId).toBe(subjectId);
    const download = await api(`/api/media/${media.id}/download`, mfaToken);
    expect(download.status).toBe(200);
    expect(await phiReadsToday(mfaReviewer.id)).toBe(before + 2);
    const audited = await admin.query<{ action: string }>(
      "select action from audit_events where tenant_id = $1 and target_id = $2 order by seq",
      [tenant.id, media.id],
    );
    expect(audited.rows.map((row) => row.action)).toEqual(expect.arrayContaining(["media.read", "media.download"]));
  });

  it("keeps a stock image readable by a password-only session, without counting a PHI read", async () => {
    const stock = await uploadImage(passwordOnlyToken);
    expect(stock.retentionClass).toBe("general_media");
    const before = await phiReadsToday(mfaReviewer.id);
    const read = await api(`/api/media/${stock.id}`, passwordOnlyToken);
    expect(read.status).toBe(200);
    const download = await api(`/api/media/${stock.id}/download`, passwordOnlyToken);
    expect(download.status).toBe(200);
    const mfaRead = await api(`/api/media/${stock.id}`, mfaToken);
    expect(mfaRead.status).toBe(200);
    expect(await phiReadsToday(mfaReviewer.id)).toBe(before);
  });

  it("treats an item whose stored row carries PHI tags as PHI, whatever its kind and class", async () => {
    const tagged = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: mfaReviewer.id,
      retentionClass: "general_media",
      lastEntryAt: new Date(),
      kind: "document",
    });
    await admin.query("update media_items set phi_tags = '{PatientName}' where id = $1", [tagged.id]);
    expectStepUp(await api(`/api/media/${tagged.id}`, passwordOnlyToken));
    expect((await api(`/api/media/${tagged.id}`, mfaToken)).status).toBe(200);
  });

  it("fails closed for a media item that does not exist", async () => {
    const missing = await api("/api/media/00000000-0000-4000-8000-000000000000", passwordOnlyToken);
    expectStepUp(missing);
  });
});
