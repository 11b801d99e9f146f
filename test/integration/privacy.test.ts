import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { insertMedia, testS3, yearsAgo } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let s3: S3Client;
let tenant: SeededTenant;
let officerToken: string;

const CPF = "529.982.247-25"; // a valid CPF (check digits), used only in tests

async function api<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
  token = officerToken,
): Promise<{ status: number; body: T }> {
  const res = await worker.fetch(path, {
    host: tenant.hostname,
    method: body === undefined ? "GET" : "POST",
    headers: { ...bearer(token), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const exists = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: worker.env.s3.bucket, Key: key })).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  s3 = testS3(worker.env);
  tenant = await seedTenant(admin, "privacy");
  const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  officerToken = (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
});
afterAll(async () => {
  s3?.destroy();
  await admin?.end();
  await worker?.dispose();
});

describe("LGPD data-subject requests", () => {
  it("exports a subject's data as JSON and as a FHIR R4 Bundle, within the 15-day deadline", async () => {
    const subject = await api<{ id: string }>("/api/privacy/subjects", {
      email: "Ana@Example.test",
      cpf: CPF,
      displayName: "Ana Souza",
    });
    expect(subject.status).toBe(200);
    const stored = await admin.query("select email, cpf_hash from data_subjects where id = $1", [subject.body.id]);
    expect(stored.rows[0].email).toBe("ana@example.test");
    expect(stored.rows[0].cpf_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows[0])).not.toContain("52998224725");

    expect(
      (
        await api("/api/privacy/consents", {
          subject: { cpf: CPF },
          purpose: "newsletter",
          version: "2024-01",
          source: "site",
        })
      ).status,
    ).toBe(201);
    await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(1),
      subjectId: subject.body.id,
      dicom: {
        studyInstanceUid: "1.2.3.4",
        seriesInstanceUid: "1.2.3.4.1",
        sopInstanceUid: "1.2.3.4.1.1",
        sopClassUid: "1.2.840.10008.5.1.4.1.1.2",
        modality: "CT",
        studyDate: "20240115",
      },
    });
    await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_record",
      lastEntryAt: yearsAgo(1),
      subjectId: subject.body.id,
    });

    const created = await api<{ id: string; receivedAt: string; dueAt: string; status: string }>(
      "/api/privacy/requests",
      { type: "portability", subject: { cpf: CPF } },
    );
    expect(created.status).toBe(201);
    expect(new Date(created.body.dueAt).getTime() - new Date(created.body.receivedAt).getTime()).toBe(15 * 86_400_000);

    const answer = await api<{
      request: { status: string };
      export: {
        json: Record<string, unknown>;
        fhir: {
          resourceType: string;
          type: string;
          entry: Array<{ fullUrl: string; resource: Record<string, unknown> }>;
        };
      };
    }>(`/api/privacy/requests/${created.body.id}/fulfil`, {});
    expect(answer.status).toBe(200);
    expect(answer.body.request.status).toBe("fulfilled");
    expect(answer.body.export.json).toMatchObject({
      subject: { email: "ana@example.test", cpfOnFile: true },
      consents: [{ purpose: "newsletter" }],
    });
    expect(JSON.stringify(answer.body.export)).not.toContain("52998224725");
    const bundle = answer.body.export.fhir;
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const types = bundle.entry.map((entry) => entry.resource.resourceType).sort();
    expect(types).toEqual(["Consent", "DocumentReference", "ImagingStudy", "Patient"]);
    for (const entry of bundle.entry) expect(entry.fullUrl).toMatch(/^urn:uuid:/);
    const study = bundle.entry.find((entry) => entry.resource.resourceType === "ImagingStudy")?.resource;
    expect(study).toMatchObject({
      status: "available",
      identifier: [{ system: "urn:dicom:uid", value: "urn:oid:1.2.3.4" }],
      subject: { reference: `urn:uuid:${subject.body.id}` },
      started: "2024-01-15",
      series: [
        {
          uid: "1.2.3.4.1",
          modality: { code: "CT" },
          instance: [{ uid: "1.2.3.4.1.1", sopClass: { code: "urn:oid:1.2.840.10008.5.1.4.1.1.2" } }],
        },
      ],
    });
    const consent = bundle.entry.find((entry) => entry.resource.resourceType === "Consent")?.resource;
    expect(consent).toMatchObject({
      status: "active",
      scope: { coding: [{ code: "patient-privacy" }] },
      patient: { reference: `urn:uuid:${subject.body.id}` },
    });
    const audit = await admin.query("select 1 from audit_events where tenant_id = $1 and action = 'privacy.exported'", [
      tenant.id,
    ]);
    expect(audit.rowCount).toBe(1);
  });

  it("refuses to erase a medical record under 20 years, blocks it, and cites the law; deletes what it may", async () => {
    const subject = await api<{ id: string }>("/api/privacy/subjects", { email: "bruno@example.test" });
    const young = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_imaging",
      lastEntryAt: yearsAgo(3),
      subjectId: subject.body.id,
    });
    const expired = await insertMedia(admin, s3, worker.env, {
      tenantId: tenant.id,
      userId: tenant.userId,
      retentionClass: "medical_record",
      lastEntryAt: yearsAgo(20.5),
      subjectId: subject.body.id,
    });
    await api("/api/privacy/consents", {
      subject: { email: "bruno@example.test" },
      purpose: "marketing",
      version: "v1",
      source: "form",
    });
    const request = await api<{ id: string }>("/api/privacy/requests", {
      type: "deletion",
      subject: { email: "bruno@example.test" },
    });
    const answer = await api<{
      request: {
        status: string;
        outcome: { retained: Array<Record<string, unknown>>; deleted: Record<string, number>; anonymised: boolean };
      };
    }>(`/api/privacy/requests/${request.body.id}/fulfil`, {});
    expect(answer.status).toBe(200);
    expect(answer.body.request.status).toBe("partially_fulfilled");
    expect(answer.body.request.outcome.retained).toEqual([
      expect.objectContaining({
        mediaId: young.id,
        reason: "legal_retention",
        legalBasis: expect.stringContaining("Lei 13.787/2018"),
        retainedUntil: expect.any(String),
      }),
    ]);
    expect(answer.body.request.outcome.deleted).toEqual({ media: 1, consents: 1 });
    expect(answer.body.request.outcome.anonymised).toBe(false);
    expect(await exists(young.objectKey)).toBe(true);
    expect(await exists(expired.objectKey)).toBe(false);
    const row = await admin.query("select blocked_at from media_items where id = $1", [young.id]);
    expect(row.rows[0].blocked_at).not.toBeNull();
    // Blocked: kept, but no longer handed out.
    const download = await api<{ code: string }>(`/api/media/${young.id}/download`);
    expect(download.status).toBe(403);
    expect(download.body.code).toBe("media_blocked");
    // Answered once.
    expect((await api(`/api/privacy/requests/${request.body.id}/fulfil`, {})).status).toBe(409);
  });

  it("anonymises a subject with nothing the law keeps, and withdraws consent", async () => {
    const consent = await api<{ id: string; subjectId: string }>("/api/privacy/consents", {
      subject: { email: "carla@example.test" },
      purpose: "newsletter",
      version: "v2",
      source: "site",
    });
    const withdrawn = await api<{ withdrawnAt: string | null }>(
      `/api/privacy/consents/${consent.body.id}/withdraw`,
      {},
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    const request = await api<{ id: string }>("/api/privacy/requests", {
      type: "anonymisation",
      subject: { email: "carla@example.test" },
    });
    const answer = await api<{ request: { status: string; outcome: { anonymised: boolean } } }>(
      `/api/privacy/requests/${request.body.id}/fulfil`,
      {},
    );
    expect(answer.body.request).toMatchObject({ status: "fulfilled", outcome: { anonymised: true } });
    const row = await admin.query("select email, cpf_hash, anonymised_at from data_subjects where id = $1", [
      consent.body.subjectId,
    ]);
    expect(row.rows[0]).toMatchObject({ email: null, cpf_hash: null });
    expect(row.rows[0].anonymised_at).not.toBeNull();
  });

  it("validates input and is for compliance officers and admins only", async () => {
    expect(
      (await api<{ code: string }>("/api/privacy/requests", { type: "deletion", subject: { cpf: "111.111.111-11" } }))
        .body.code,
    ).toBe("cpf_invalid");
    expect(
      (
        await api("/api/privacy/requests", {
          type: "deletion",
          subject: { email: "x@example.test" },
          status: "fulfilled",
        })
      ).status,
    ).toBe(422);
    expect(
      (await api("/api/privacy/requests", { type: "erase-everything", subject: { email: "x@example.test" } })).status,
    ).toBe(422);
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
    expect((await api("/api/privacy/requests", undefined, editorToken)).status).toBe(403);
    const listed = await api<{ requests: Array<{ overdue: boolean }> }>("/api/privacy/requests");
    expect(listed.status).toBe(200);
    expect(listed.body.requests.length).toBeGreaterThan(0);
  });
});
