/**
 * Legal holds reach the bucket: placing a hold sets an S3 legal hold (Object Lock) on every object it covers, so
 * neither the bucket's lifecycle expiry nor anyone's DELETE removes a held study; releasing it clears the hold
 * where no other active hold still covers the object. The local S3 server honours legal holds as S3 does
 * (local-cloud/s3-object-lock.ts) and runs the lifecycle expiry on demand, as of any date.
 *
 * The lifecycle pass runs decades ahead over the whole test bucket: integration files run one after another, so
 * it only ever expires objects of files that have finished.
 */
import { createHash } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectLegalHoldCommand,
  HeadObjectCommand,
  S3Client,
  type S3Client as S3ClientType,
} from "@aws-sdk/client-s3";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { runRetentionSweep } from "../../functions/services/retention.js";
import { deliverDueObjectHolds } from "../../functions/services/legal-holds.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { paddedPng } from "../support/images.js";
import { insertMedia, insertSubject, testS3, yearsAgo } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { eventually } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let app: DatabaseClients;
let s3: S3ClientType;
let tenant: SeededTenant;
let officerToken: string;
let releaserToken: string;
let uploaderToken: string;

const bucket = () => worker.env.s3.bucket;
const exists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key })).then(
    () => true,
    () => false,
  );
const holdStatus = async (key: string) =>
  (await s3.send(new GetObjectLegalHoldCommand({ Bucket: bucket(), Key: key }))).LegalHold?.Status;
const expectHold = (key: string, status: "ON" | "OFF") =>
  eventually(async () => expect(await holdStatus(key)).toBe(status), 10_000);

/** The bucket's lifecycle expiry, as S3 runs it daily, as of `years` from now. */
async function lifecycleSweep(years: number): Promise<{ expired: string[]; locked: string[] }> {
  const now = new Date(Date.now() + years * 365.25 * 86_400_000).toISOString();
  const response = await fetch(`${worker.env.s3.endpoint}/_local/lifecycle/expire?now=${encodeURIComponent(now)}`, {
    method: "POST",
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { expired: string[]; locked: string[] };
}

const sweep = () => runRetentionSweep(tenantScope(app.db, tenant, "retention-sweep", { s3, bucket: bucket() }));

async function placeHold(body: Record<string, unknown>): Promise<string> {
  const response = await worker.fetch("/api/compliance/legal-holds", {
    host: tenant.hostname,
    ...jsonPost(body, bearer(officerToken)),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function releaseHold(id: string): Promise<void> {
  const response = await worker.fetch(`/api/compliance/legal-holds/${id}/release`, {
    host: tenant.hostname,
    method: "POST",
    headers: bearer(releaserToken),
  });
  expect(response.status).toBe(200);
}

/** A patient's image uploaded through the real endpoints (a medical-record object). */
async function uploadPatientImage(subjectId: string): Promise<{ id: string }> {
  // A real PNG: completing an image upload decodes its header and strips its metadata.
  const bytes = paddedPng(1024);
  const started = await worker.fetch("/api/uploads", {
    host: tenant.hostname,
    ...jsonPost(
      {
        filename: "lesao.png",
        size: bytes.length,
        contentType: "image/png",
        sha256: createHash("sha256").update(bytes).digest("hex"),
        kind: "image",
        subjectId,
      },
      bearer(uploaderToken),
    ),
  });
  expect(started.status).toBe(201);
  const ticket = (await started.json()) as { id: string; url: string };
  const put = await fetch(ticket.url, { method: "PUT", headers: { "content-type": "image/png" }, body: bytes });
  expect(put.status).toBe(200);
  const completed = await worker.fetch(`/api/uploads/${ticket.id}/complete`, {
    host: tenant.hostname,
    ...jsonPost({}, bearer(uploaderToken)),
  });
  expect(completed.status).toBe(201);
  return (await completed.json()) as { id: string };
}

const objectKeyOf = async (mediaId: string) =>
  (await admin.query<{ object_key: string }>("select object_key from media_items where id = $1", [mediaId])).rows[0]!
    .object_key;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  app = appDatabase();
  s3 = testS3(worker.env);
  tenant = await seedTenant(admin, "bucketholds");
  const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  officerToken = (await signIn(worker, tenant.hostname, officer)).accessToken;
  // Releasing a hold is a PHI-level write; uploading a patient's image a PHI-level one too.
  const releaser = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  releaserToken = (await signInWithMfa(worker, tenant.hostname, releaser)).accessToken;
  const uploader = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
  uploaderToken = (await signInWithMfa(worker, tenant.hostname, uploader)).accessToken;
});

afterAll(async () => {
  s3?.destroy();
  await app?.pool.end();
  await admin?.end();
  await worker?.dispose();
});

describe("legal holds in the bucket", () => {
  it("keeps a held study through the retention sweep and the lifecycle expiry; released, the next sweeps delete it", async () => {
    const subjectId = await insertSubject(admin, tenant.id, "retido@example.test");
    const base = { tenantId: tenant.id, userId: tenant.userId, subjectId };
    // Past its 21 years: the retention sweep's to delete.
    const overdue = await insertMedia(admin, s3, worker.env, {
      ...base,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(22),
    });
    // A record whose clock is young, but whose object the bucket's rule expires 21 years after its creation.
    const recent = await insertMedia(admin, s3, worker.env, {
      ...base,
      retentionClass: "medical_record",
      lastEntryAt: new Date(),
    });
    const unrelated = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(22),
    });

    const subjectHold = await placeHold({ scope: "subject", targetId: subjectId, reason: "Processo 0001234-56" });
    await expectHold(overdue.objectKey, "ON");
    await expectHold(recent.objectKey, "ON");
    expect(await holdStatus(unrelated.objectKey)).toBe("OFF");

    // Nobody deletes a held object: S3 answers AccessDenied.
    await expect(s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: recent.objectKey }))).rejects.toMatchObject({
      name: "AccessDenied",
    });

    expect(await sweep()).toMatchObject({ deleted: 1, held: 1 });
    expect(await exists(unrelated.objectKey)).toBe(false);
    const expiry = await lifecycleSweep(22);
    expect(expiry.locked).toEqual(
      expect.arrayContaining([`${bucket()}/${overdue.objectKey}`, `${bucket()}/${recent.objectKey}`]),
    );
    for (const key of [overdue.objectKey, recent.objectKey]) expect(await exists(key)).toBe(true);

    // A second hold on one item: releasing the subject's hold clears only the objects nothing else holds.
    const itemHold = await placeHold({
      scope: "item",
      itemType: "media_item",
      targetId: overdue.id,
      reason: "Ofício ANPD 42/2026",
    });
    await releaseHold(subjectHold);
    await expectHold(recent.objectKey, "OFF");
    expect(await holdStatus(overdue.objectKey)).toBe("ON");
    expect(await sweep()).toMatchObject({ deleted: 0, held: 1 });
    expect(await exists(overdue.objectKey)).toBe(true);

    await releaseHold(itemHold);
    await expectHold(overdue.objectKey, "OFF");
    expect(await sweep()).toMatchObject({ deleted: 1, held: 0 });
    expect(await exists(overdue.objectKey)).toBe(false);
    const later22 = await lifecycleSweep(22);
    expect(later22.expired).toContain(`${bucket()}/${recent.objectKey}`);
    expect(await exists(recent.objectKey)).toBe(false);

    // Audited: the holds with how many objects they reached, and each application to the bucket.
    const placed = await admin.query<{ details: { objects: number } }>(
      "select details from audit_events where tenant_id = $1 and action = 'legal_hold.placed' and target_id = $2",
      [tenant.id, subjectHold],
    );
    expect(placed.rows[0]?.details.objects).toBe(2);
    const applied = await admin.query(
      "select 1 from audit_events where tenant_id = $1 and action = 'legal_hold.objects_set'",
      [tenant.id],
    );
    expect(applied.rows.length).toBeGreaterThanOrEqual(4);
  });

  it("holds an object uploaded later for a held patient, and clears it with the hold", async () => {
    const subjectId = await insertSubject(admin, tenant.id, "depois@example.test");
    const hold = await placeHold({ scope: "subject", targetId: subjectId, reason: "Mandado judicial 77/2026" });
    const later = await uploadPatientImage(subjectId);
    const laterKey = await objectKeyOf(later.id);
    await expectHold(laterKey, "ON");
    expect((await lifecycleSweep(22)).locked).toContain(`${bucket()}/${laterKey}`);
    expect(await exists(laterKey)).toBe(true);
    await releaseHold(hold);
    await expectHold(laterKey, "OFF");
  });

  it("retries a hold S3 refused until it reaches the bucket", async () => {
    const subjectId = await insertSubject(admin, tenant.id, "retry@example.test");
    const item = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      subjectId,
      retentionClass: "medical_imaging",
      lastEntryAt: new Date(),
    });
    // A hold committed with its outbox row whose first delivery failed (the state a crash or an S3 outage leaves).
    await admin.query("insert into legal_holds (tenant_id, scope, target_id, reason) values ($1, 'subject', $2, 'x')", [
      tenant.id,
      subjectId,
    ]);
    const row = await admin.query<{ id: string }>(
      `insert into outbox (id, tenant_id, channel, template, locale, recipient, data)
       values (gen_random_uuid(), $1, 'legal_hold', 'object_legal_hold', '-', $2, $3) returning id`,
      [tenant.id, bucket(), JSON.stringify({ mediaIds: [item.id] })],
    );
    const outboxId = row.rows[0]!.id;
    const refusing = new S3Client({
      region: worker.env.s3.region,
      endpoint: worker.env.s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "WRONGKEY", secretAccessKey: "wrong" },
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    try {
      const failed = await deliverDueObjectHolds(
        tenantScope(app.db, tenant, "apply-legal-holds", { s3: refusing, bucket: bucket() }),
      );
      expect(failed.deferred).toBeGreaterThanOrEqual(1);
    } finally {
      refusing.destroy();
    }
    expect(await holdStatus(item.objectKey)).toBe("OFF");
    const deferred = await admin.query("select status, attempts, last_error from outbox where id = $1", [outboxId]);
    expect(deferred.rows[0]).toMatchObject({ status: "pending", attempts: 1 });

    await admin.query("update outbox set next_attempt_at = now() where id = $1", [outboxId]);
    const sent = await deliverDueObjectHolds(
      tenantScope(app.db, tenant, "apply-legal-holds", { s3, bucket: bucket() }),
    );
    expect(sent.sent).toBeGreaterThanOrEqual(1);
    expect(await holdStatus(item.objectKey)).toBe("ON");
    expect((await admin.query("select status from outbox where id = $1", [outboxId])).rows[0]).toMatchObject({
      status: "sent",
    });
  });
});
