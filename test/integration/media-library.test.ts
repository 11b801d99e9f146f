/**
 * `GET /api/media`, the media library: filters, keyset paging, thumbnails, and the PHI rule the content lists
 * follow — PHI items (DICOM, a patient's record, anything with PHI tags) join a page only when the session passes
 * the trust evaluation at `phi`, only for the roles that may read them (or their uploader), and each one listed
 * is audited as a read. Another tenant's items never appear.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

interface ListedItem {
  id: string;
  kind: string;
  retentionClass: string;
  subjectId: string | null;
  phi: boolean;
  thumbnailUrl: string | null;
  createdAt: string;
}
interface Page {
  items: ListedItem[];
  nextCursor: string | null;
}

let suite: Suite;
let s3: S3Client;
let other: SeededTenant;
let reviewer: TestUser;
let mfaEditor: TestUser;
const tokens: Record<string, string> = {};
const devices: Record<string, string> = {};
let subjectId: string;
let otherSubjectId: string;
const ids: Record<string, string> = {};

const at = (iso: string) => new Date(iso);

async function list(who: string, query = ""): Promise<{ status: number; body: Page & { code?: string } }> {
  const headers: Record<string, string> = bearer(tokens[who]!);
  if (devices[who]) headers.cookie = devices[who];
  const res = await suite.worker.fetch(`/api/media${query}`, { host: suite.tenant.hostname, headers });
  return { status: res.status, body: (await res.json()) as Page & { code?: string } };
}

const listedIds = (page: Page) => page.items.map((item) => item.id);

async function mediaReads(): Promise<string[]> {
  const rows = await suite.admin.query<{ target_id: string }>(
    "select target_id from audit_events where tenant_id = $1 and action = 'media.read' order by seq",
    [suite.tenant.id],
  );
  return rows.rows.map((row) => row.target_id);
}

beforeAll(async () => {
  suite = await startSuite("media-library");
  s3 = testS3(suite.worker.env);
  const { admin, tenant, worker } = suite;
  other = await seedTenant(admin, "media-library-other");
  subjectId = await insertSubject(admin, tenant.id);
  otherSubjectId = await insertSubject(admin, other.id);

  reviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
  const reviewerSession = await signInWithMfa(worker, tenant.hostname, reviewer);
  tokens.reviewer = reviewerSession.accessToken;
  devices.reviewer = reviewerSession.deviceCookie;
  mfaEditor = await createUser(admin, tenant, { roles: ["editor"] });
  const editorSession = await signInWithMfa(worker, tenant.hostname, mfaEditor);
  tokens.mfaEditor = editorSession.accessToken;
  devices.mfaEditor = editorSession.deviceCookie;
  // A stolen password: an admin (who may step up) and an editor (refused at `phi`), both without a second factor.
  tokens.admin = (
    await signIn(worker, tenant.hostname, await createUser(admin, tenant, { roles: ["admin"] }))
  ).accessToken;
  tokens.editor = (
    await signIn(worker, tenant.hostname, await createUser(admin, tenant, { roles: ["editor"] }))
  ).accessToken;
  tokens.reader = (
    await signIn(worker, tenant.hostname, await createUser(admin, tenant, { roles: ["reader_professional"] }))
  ).accessToken;

  const insert = (
    name: string,
    options: Omit<Parameters<typeof insertMedia>[3], "tenantId" | "userId">,
    userId?: string,
  ) =>
    insertMedia(admin, s3, worker.env, { tenantId: tenant.id, userId: userId ?? reviewer.id, ...options }).then(
      (media) => {
        ids[name] = media.id;
      },
    );
  // Newest first: stock images and a brochure (not PHI), a patient's photo, a study, a document with PHI tags.
  await insert("stock1", { kind: "image", retentionClass: "general_media", lastEntryAt: at("2026-06-01T10:00:00Z") });
  await insert("stock2", { kind: "image", retentionClass: "general_media", lastEntryAt: at("2026-05-01T10:00:00Z") });
  await insert("brochure", {
    kind: "document",
    retentionClass: "general_media",
    lastEntryAt: at("2026-04-01T10:00:00Z"),
  });
  await insert("patientPhoto", {
    kind: "image",
    retentionClass: "medical_record",
    subjectId,
    lastEntryAt: at("2026-03-01T10:00:00Z"),
  });
  await insert("study", {
    kind: "dicom",
    retentionClass: "medical_imaging",
    subjectId,
    lastEntryAt: at("2026-02-01T10:00:00Z"),
  });
  await insert("tagged", {
    kind: "document",
    retentionClass: "general_media",
    lastEntryAt: at("2026-01-15T10:00:00Z"),
  });
  await admin.query("update media_items set phi_tags = '{PatientName}' where id = $1", [ids.tagged]);
  // A PHI item the MFA editor uploaded themselves: the uploader may read it, as `GET /api/media/{id}` allows.
  await insert(
    "editorsOwn",
    { kind: "image", retentionClass: "medical_record", subjectId, lastEntryAt: at("2026-01-01T10:00:00Z") },
    mfaEditor.id,
  );
  // Another clinic's items, one of them about its own patient.
  const otherUser = await createUser(admin, other, { roles: ["medical_reviewer"] });
  for (const [name, subject] of [
    ["foreignStock", null],
    ["foreignPatient", otherSubjectId],
  ] as const) {
    const media = await insertMedia(admin, s3, worker.env, {
      tenantId: other.id,
      userId: otherUser.id,
      kind: "image",
      retentionClass: subject ? "medical_record" : "general_media",
      subjectId: subject,
      lastEntryAt: at("2026-07-01T10:00:00Z"),
    });
    ids[name] = media.id;
  }
});
afterAll(async () => {
  s3?.destroy();
  await stopSuite(suite ?? {});
});

describe("the media library", () => {
  it("lists everything of this tenant, newest first, to a medical reviewer who passed the PHI check", async () => {
    const { status, body } = await list("reviewer");
    expect(status).toBe(200);
    expect(listedIds(body)).toEqual([
      ids.stock1,
      ids.stock2,
      ids.brochure,
      ids.patientPhoto,
      ids.study,
      ids.tagged,
      ids.editorsOwn,
    ]);
    const byId = new Map(body.items.map((item) => [item.id, item]));
    expect(byId.get(ids.study!)!.phi).toBe(true);
    expect(byId.get(ids.tagged!)!.phi).toBe(true);
    expect(byId.get(ids.stock1!)!.phi).toBe(false);
  });

  it("never shows another tenant's items, not even when asked for its patient", async () => {
    for (const query of ["", "?kind=image", `?subjectId=${otherSubjectId}`]) {
      const { status, body } = await list("reviewer", query);
      expect(status).toBe(200);
      expect(listedIds(body)).not.toContain(ids.foreignStock);
      expect(listedIds(body)).not.toContain(ids.foreignPatient);
    }
    expect((await list("reviewer", `?subjectId=${otherSubjectId}`)).body.items).toEqual([]);
  });

  it("filters by kind, retention class, data subject and creation date", async () => {
    expect(listedIds((await list("reviewer", "?kind=dicom")).body)).toEqual([ids.study]);
    expect(listedIds((await list("reviewer", "?kind=image&retentionClass=general_media")).body)).toEqual([
      ids.stock1,
      ids.stock2,
    ]);
    expect(listedIds((await list("reviewer", `?subjectId=${subjectId}`)).body)).toEqual([
      ids.patientPhoto,
      ids.study,
      ids.editorsOwn,
    ]);
    const range = `?from=${encodeURIComponent("2026-02-01T10:00:00Z")}&to=${encodeURIComponent("2026-05-01T10:00:00Z")}`;
    expect(listedIds((await list("reviewer", range)).body)).toEqual([ids.brochure, ids.patientPhoto, ids.study]);
    const refused = await list("reviewer", "?kind=video");
    expect(refused.status).toBe(422);
    expect((await list("reviewer", "?owner=me")).status).toBe(422);
  });

  it("pages with an opaque cursor, without repeating or skipping an item", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 10; pageNo++) {
      const answer: { status: number; body: Page } = await list(
        "reviewer",
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...listedIds(answer.body));
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(listedIds((await list("reviewer")).body));
    const forged = await list("reviewer", "?cursor=bm90LWEtY3Vyc29y");
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe("invalid_cursor");
  });

  it("gives images a short-lived presigned thumbnail that loads, and nothing else a URL", async () => {
    const { body } = await list("reviewer");
    const stock = body.items.find((item) => item.id === ids.stock1)!;
    expect(stock.thumbnailUrl).toMatch(/X-Amz-Expires=300/);
    const image = await fetch(stock.thumbnailUrl!);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    await image.arrayBuffer();
    expect(body.items.find((item) => item.id === ids.brochure)!.thumbnailUrl).toBeNull();
    expect(body.items.find((item) => item.id === ids.study)!.thumbnailUrl).toBeNull();
  });

  it("leaves PHI items out for a password-only session, and audits no read", async () => {
    const before = await mediaReads();
    for (const who of ["admin", "editor"]) {
      const { status, body } = await list(who);
      expect(status).toBe(200);
      expect(listedIds(body)).toEqual([ids.stock1, ids.stock2, ids.brochure]);
      expect(body.items.every((item) => !item.phi)).toBe(true);
      // Asking for a patient's items is no way round it.
      expect((await list(who, `?subjectId=${subjectId}`)).body.items).toEqual([]);
      expect((await list(who, "?kind=dicom")).body.items).toEqual([]);
    }
    expect(await mediaReads()).toEqual(before);
  });

  it("shows an editor who passed the PHI check only the PHI items they uploaded themselves", async () => {
    const { body } = await list("mfaEditor");
    expect(listedIds(body)).toEqual([ids.stock1, ids.stock2, ids.brochure, ids.editorsOwn]);
  });

  it("audits each PHI item a page shows as a read of health data, and nothing else", async () => {
    const before = await mediaReads();
    await list("reviewer", "?limit=4");
    const added = (await mediaReads()).slice(before.length);
    // The first four: three stock items and the patient's photo; only the photo is PHI.
    expect(added).toEqual([ids.patientPhoto]);
    const details = await suite.admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and action = 'media.read' and target_id = $2 order by seq desc limit 1",
      [suite.tenant.id, ids.patientPhoto],
    );
    expect(details.rows[0]!.details).toMatchObject({ kind: "image", retentionClass: "medical_record", listed: true });
  });

  it("is not for roles that do not work with media", async () => {
    const { status, body } = await list("reader");
    expect(status).toBe(403);
    expect(body.code).toBe("forbidden_role");
    const anonymous = await suite.worker.fetch("/api/media", { host: suite.tenant.hostname });
    expect(anonymous.status).toBe(401);
  });
});
