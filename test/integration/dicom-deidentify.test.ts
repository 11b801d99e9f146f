/**
 * De-identified DICOM for teaching content (PS3.15 Annex E, Basic Application Level Confidentiality Profile): the
 * studies are made with DCMTK's dump2dcm and the copies read back with DCMTK's dcmdump, so neither end is this
 * project's own reader.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost } from "../support/auth.js";
import { makeDicom, uid } from "../support/dicom.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { siteFixture } from "../support/site.js";
import { type Suite, startSuite, stopSuite } from "../support/suite.js";

const run = promisify(execFile);
let suite: Suite;
let s3: S3Client;
let subjectId: string;
let reviewerToken: string;
let scratch: string;

/** What identifies the patient, the institution and the people in the studies below. */
const IDENTIFYING = [
  "Silva^Maria",
  "PAT-0001",
  "19800101",
  "Hospital Sao Lucas",
  "Rua das Flores 100",
  "House^Gregory",
  "ACC-778899",
  "ESTUDO-42",
  "RG-123456",
  "Oliveira^Joana",
  "+55 11 5555-0100",
  "ACME PRIVATE",
  "segredo clinico",
  "Paciente ansiosa",
];

function identifyingLines(referencedSop?: string): string[] {
  return [
    "(0008,0050) SH [ACC-778899]",
    "(0008,0080) LO [Hospital Sao Lucas]",
    "(0008,0081) ST [Rua das Flores 100]",
    "(0008,0090) PN [House^Gregory]",
    "(0008,1070) PN [Oliveira^Joana]",
    ...(referencedSop
      ? [
          "(0008,1140) SQ (Sequence with undefined length #=1)",
          "(fffe,e000) na (Item with undefined length #=2)",
          "(0008,1150) UI =CTImageStorage",
          `(0008,1155) UI [${referencedSop}]`,
          "(fffe,e00d) na (ItemDelimitationItem)",
          "(fffe,e0dd) na (SequenceDelimitationItem)",
        ]
      : []),
    "(0009,0010) LO [ACME PRIVATE]",
    "(0009,1001) LO [segredo clinico]",
    "(0010,1000) LO [RG-123456]",
    "(0010,2154) SH [+55 11 5555-0100]",
    "(0010,4000) LT [Paciente ansiosa]",
    "(0020,0010) SH [ESTUDO-42]",
    "(0028,0301) CS [NO]",
  ];
}

async function dcmdump(bytes: Uint8Array, name: string): Promise<string> {
  const path = join(scratch, `${name}.dcm`);
  await writeFile(path, bytes);
  // +L: long values in full; -q: no warnings on stderr mixed in.
  return (await run("dcmdump", ["+L", "-q", path])).stdout;
}

const uidOf = (dump: string, tag: string): string | undefined =>
  new RegExp(`\\(${tag}\\) UI \\[([0-9.]+)\\]`).exec(dump)?.[1];

async function objectBytes(key: string): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand({ Bucket: suite.worker.env.s3.bucket, Key: key }));
  return response.Body!.transformToByteArray();
}

async function studyItem(bytes: Uint8Array) {
  return insertMedia(suite.admin, s3, suite.worker.env, {
    tenantId: suite.tenant.id,
    userId: suite.tenant.userId,
    subjectId,
    retentionClass: "medical_imaging",
    lastEntryAt: new Date(),
    body: bytes,
  });
}

async function deidentify(mediaId: string, token = reviewerToken): Promise<Response> {
  return suite.worker.fetch(`/api/media/${mediaId}/deidentify`, {
    host: suite.tenant.hostname,
    ...jsonPost({}, bearer(token)),
  });
}

interface Copy {
  id: string;
  subjectId: string | null;
  sourceMediaId: string | null;
  retentionClass: string;
  phiTags: string[];
  dicom: { studyInstanceUid: string | null; sopInstanceUid: string | null; modality: string | null };
}

async function copyOf(mediaId: string): Promise<{ copy: Copy; dump: string; bytes: Uint8Array }> {
  const response = await deidentify(mediaId);
  expect(response.status, await response.clone().text()).toBe(201);
  const copy = (await response.json()) as Copy;
  const row = await suite.admin.query<{ object_key: string; subject_id: string | null; upload_id: string | null }>(
    "select object_key, subject_id, upload_id from media_items where id = $1",
    [copy.id],
  );
  expect(row.rows[0]).toMatchObject({ subject_id: null, upload_id: null });
  expect(row.rows[0]!.object_key.startsWith("deidentified-media/")).toBe(true);
  const bytes = await objectBytes(row.rows[0]!.object_key);
  return { copy, bytes, dump: await dcmdump(bytes, copy.id) };
}

beforeAll(async () => {
  suite = await startSuite("deid");
  s3 = testS3(suite.worker.env);
  scratch = await mkdtemp(join(tmpdir(), "vitalis-deid-"));
  subjectId = await insertSubject(suite.admin, suite.tenant.id, "estudo@example.test");
  const reviewer = await createUser(suite.admin, suite.tenant, { roles: ["medical_reviewer"] });
  reviewerToken = (await signInWithMfa(suite.worker, suite.tenant.hostname, reviewer)).accessToken;
});

afterAll(async () => {
  s3?.destroy();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  await stopSuite(suite);
});

describe("POST /api/media/{id}/deidentify", () => {
  it("removes what identifies the patient, maps UIDs consistently across a study, keeps the pixels, leaves the original", async () => {
    const studyUid = uid();
    const seriesUid = uid();
    const first = await makeDicom({ studyUid, seriesUid, pixelBytes: 64, extraLines: identifyingLines() });
    // The second instance refers to the first (Referenced Image Sequence): the copy must refer to the first's copy.
    const second = await makeDicom({
      studyUid,
      seriesUid,
      pixelBytes: 64,
      extraLines: identifyingLines(first.sopUid),
    });
    const originalDump = await dcmdump(first.bytes, "original-1");
    for (const value of IDENTIFYING.slice(0, 3)) expect(originalDump).toContain(value);
    const firstItem = await studyItem(first.bytes);
    const secondItem = await studyItem(second.bytes);
    const before = await suite.admin.query("select * from media_items where id = $1", [firstItem.id]);

    const one = await copyOf(firstItem.id);
    const two = await copyOf(secondItem.id);

    for (const { dump, bytes, copy } of [one, two]) {
      // None of the profile's identifying values is left, in the dump or anywhere in the bytes.
      const raw = Buffer.from(bytes).toString("latin1");
      for (const value of IDENTIFYING) {
        expect(dump).not.toContain(value);
        expect(raw).not.toContain(value);
      }
      for (const original of [studyUid, seriesUid, first.sopUid, second.sopUid]) expect(raw).not.toContain(original);
      expect(dump).not.toMatch(/\(0009,/); // private attributes removed
      expect(dump).toMatch(/\(0010,0010\) PN \(no value available\)/);
      expect(dump).toMatch(/\(0010,0020\) LO \(no value available\)/);
      expect(dump).not.toMatch(/\(0010,1000\)|\(0010,2154\)|\(0010,4000\)|\(0008,0081\)/);
      expect(dump).toContain("(0012,0062) CS [YES]");
      expect(dump).toMatch(
        /\(0012,0063\) LO \[DICOM PS3\.15 Annex E Basic Application Level Confidentiality Profile\]/,
      );
      expect(dump).toMatch(/\(0012,0064\) SQ[\s\S]*\(0008,0100\) SH \[113100\][\s\S]*\(0008,0102\) SH \[DCM\]/);
      // Pixel data intact: the same 64 bytes end both files.
      expect(dump).toMatch(/\(7fe0,0010\) OW .*# +64, 1 PixelData/);
      expect(copy).toMatchObject({ subjectId: null, retentionClass: "deidentified_media", phiTags: [] });
    }
    expect(Buffer.from(one.bytes.subarray(-64)).equals(Buffer.from(first.bytes.subarray(-64)))).toBe(true);
    expect(Buffer.from(two.bytes.subarray(-64)).equals(Buffer.from(second.bytes.subarray(-64)))).toBe(true);

    // New UIDs, the same study and series for both instances, each its own instance, the reference followed.
    const study = uidOf(one.dump, "0020,000d");
    expect(study).toMatch(/^2\.25\.\d+$/);
    expect(uidOf(two.dump, "0020,000d")).toBe(study);
    expect(uidOf(two.dump, "0020,000e")).toBe(uidOf(one.dump, "0020,000e"));
    const sopOne = uidOf(one.dump, "0008,0018");
    expect(sopOne).toMatch(/^2\.25\.\d+$/);
    expect(uidOf(two.dump, "0008,0018")).not.toBe(sopOne);
    expect(uidOf(one.dump, "0002,0003")).toBe(sopOne);
    expect(uidOf(two.dump, "0008,1155")).toBe(sopOne);
    expect(one.copy.dicom.studyInstanceUid).toBe(study);
    // Done again, the same UIDs: the mapping is a function of the tenant's key and the original.
    const again = await copyOf(firstItem.id);
    expect(uidOf(again.dump, "0008,0018")).toBe(sopOne);

    // The original is untouched, in the bucket and in the database, and stays PHI.
    expect(
      createHash("sha256")
        .update(await objectBytes(firstItem.objectKey))
        .digest("hex"),
    ).toBe(createHash("sha256").update(first.bytes).digest("hex"));
    expect((await suite.admin.query("select * from media_items where id = $1", [firstItem.id])).rows).toEqual(
      before.rows,
    );
    expect(one.copy.sourceMediaId).toBe(firstItem.id);

    // Audited: the study's read as a PHI read, the copy as a write.
    const events = await suite.admin.query<{ action: string; target_id: string; details: Record<string, unknown> }>(
      "select action, target_id, details from audit_events where tenant_id = $1 and action in ('media.read', 'media.deidentified') order by seq",
      [suite.tenant.id],
    );
    expect(events.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: "media.read",
          target_id: firstItem.id,
          details: expect.objectContaining({ purpose: "deidentify" }),
        }),
        expect.objectContaining({
          action: "media.deidentified",
          target_id: one.copy.id,
          details: expect.objectContaining({ sourceId: firstItem.id, burnedInAnnotationReview: false }),
        }),
      ]),
    );
  });

  it("reads implicit VR, and flags an ultrasound without Burned In Annotation for review until a reviewer clears it", async () => {
    const study = await makeDicom({
      modality: "US",
      transferSyntax: "implicit",
      pixelBytes: 32,
      extraLines: identifyingLines().filter((line) => !line.startsWith("(0028,0301)")),
    });
    const item = await studyItem(study.bytes);
    const { copy, dump, bytes } = await copyOf(item.id);
    expect(dump).toContain("Little Endian Implicit");
    for (const value of IDENTIFYING) expect(Buffer.from(bytes).toString("latin1")).not.toContain(value);
    expect(Buffer.from(bytes.subarray(-32)).equals(Buffer.from(study.bytes.subarray(-32)))).toBe(true);
    // Text may be burned into the pixels: the copy is PHI until someone has looked, and no public item may show it.
    expect(copy.phiTags).toEqual(["BurnedInAnnotation"]);
    const site = await siteFixture(suite.admin, suite.worker, suite.tenant);
    const created = await site.as("author", "/api/posts", {
      title: "Ultrassom: o que aparece na imagem",
      slug: "ultrassom-imagem",
      locale: "pt-BR",
      featuredMediaId: copy.id,
    });
    expect(created.status).toBe(201);
    const post = (await created.json()) as { id: string };
    expect((await site.as("analyst", `/api/posts/${post.id}/analysis`)).status).toBe(200);
    for (const to of ["in_review", "medical_review"])
      expect((await site.move("posts", post.id, { to })).status).toBe(200);
    const refused = await site.move("posts", post.id, { to: "approved" });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe("featured_media_phi");

    const cleared = await suite.worker.fetch(`/api/media/${copy.id}/annotation-review/clear`, {
      host: suite.tenant.hostname,
      ...jsonPost({}, bearer(reviewerToken)),
    });
    expect(cleared.status).toBe(200);
    expect(((await cleared.json()) as Copy).phiTags).toEqual([]);
    const again = await suite.worker.fetch(`/api/media/${copy.id}/annotation-review/clear`, {
      host: suite.tenant.hostname,
      ...jsonPost({}, bearer(reviewerToken)),
    });
    expect(again.status).toBe(409);
    const audited = await suite.admin.query(
      "select 1 from audit_events where tenant_id = $1 and action = 'media.annotation_review_cleared' and target_id = $2",
      [suite.tenant.id, copy.id],
    );
    expect(audited.rows).toHaveLength(1);
    // Reviewed, the copy is ordinary media an article may show.
    expect((await site.move("posts", post.id, { to: "approved" })).status).toBe(200);
  });

  it("refuses a transfer syntax it cannot rewrite, and anything that is not a study, with a stable code", async () => {
    const bigEndian = await makeDicom({ transferSyntax: "big" });
    const item = await studyItem(bigEndian.bytes);
    const refused = await deidentify(item.id);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { code: string }).code).toBe("dicom_transfer_syntax_unsupported");
    const copies = await suite.admin.query("select 1 from media_items where source_media_id = $1", [item.id]);
    expect(copies.rows).toHaveLength(0);

    const document = await insertMedia(suite.admin, s3, suite.worker.env, {
      tenantId: suite.tenant.id,
      userId: suite.tenant.userId,
      subjectId,
      retentionClass: "medical_record",
      kind: "document",
      lastEntryAt: new Date(),
    });
    const notStudy = await deidentify(document.id);
    expect(notStudy.status).toBe(422);
    expect(((await notStudy.json()) as { code: string }).code).toBe("media_not_dicom_study");
  });
});
