/**
 * The incident register (LGPD art. 48; Res. CD/ANPD 15/2024): compliance officers only, one tenant's incidents
 * invisible to another, a status workflow, the three-business-day deadline, notices to data subjects and
 * deadline alerts through the outbox, and drafts opened by themselves when the audit chain breaks or one user
 * reads PHI in bulk.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phiReadsKey } from "../../functions/services/trust-signals.js";
import { trustConfig } from "../../functions/services/trust.js";
import { bearer, createUser, jsonPost, signIn, type TestUser } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { waitForMail } from "../support/mail.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let redis: Redis;
let officer: TestUser;
let token: string;

beforeAll(async () => {
  ({ worker, admin, tenant, redis } = await startSuite("incidents"));
  officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  token = (await signIn(worker, tenant.hostname, officer)).accessToken;
});
afterAll(() => stopSuite({ worker, admin, redis }));

const api = (path: string, init: RequestInit = {}, as = token, host = tenant.hostname) =>
  worker.fetch(`/api${path}`, { host, ...init, headers: { ...bearer(as), ...(init.headers ?? {}) } });
const patch = (body: unknown) => ({
  method: "PATCH",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

interface Incident {
  id: string;
  status: string;
  communicationDue: string;
  next: string[];
  anpdForm: Record<string, unknown>;
}

const REPORT = {
  title: "Laptop stolen",
  description: "A laptop with exported appointment lists was stolen from a car.",
  discoveredAt: "2026-04-01T12:00:00-03:00",
  dataCategories: ["name", "phone", "appointment dates"],
  sensitiveData: true,
  subjectCategories: ["patients"],
  subjectsAffected: 120,
};

describe("the register's access rules", () => {
  it("is for compliance officers only", async () => {
    const other = await createUser(admin, tenant, { roles: ["admin"] });
    const adminToken = (await signIn(worker, tenant.hostname, other)).accessToken;
    expect((await api("/incidents", {}, adminToken)).status).toBe(403);
    expect((await api("/incidents", jsonPost(REPORT), adminToken)).status).toBe(403);
  });

  it("records a report with its deadline over Good Friday and the weekend, and the ANPD form's fields", async () => {
    const res = await api("/incidents", jsonPost(REPORT));
    expect(res.status).toBe(201);
    const incident = (await res.json()) as Incident;
    expect(incident).toMatchObject({
      status: "draft",
      communicationDue: "2026-04-07",
      next: ["confirmed", "dismissed"],
    });
    expect(incident.anpdForm).toMatchObject({
      controller: "Clinic incidents",
      incidentDescription: REPORT.description,
      dataCategories: REPORT.dataCategories,
      sensitiveData: true,
      subjectsAffected: 120,
      communicationDue: "2026-04-07",
      lateCommunication: true,
    });
    const audit = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and action = 'incident.created' and target_id = $2",
      [tenant.id, incident.id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ source: "manual", communicationDue: "2026-04-07" });
    expect(JSON.stringify(audit.rows)).not.toContain("Laptop");
  });

  it("keeps each clinic's register to itself", async () => {
    const created = (await (await api("/incidents", jsonPost(REPORT))).json()) as Incident;
    const other = await seedTenant(admin, "incidents-other");
    const otherOfficer = await createUser(admin, other, { roles: ["compliance_officer"] });
    const otherToken = (await signIn(worker, other.hostname, otherOfficer)).accessToken;
    expect((await api(`/incidents/${created.id}`, {}, otherToken, other.hostname)).status).toBe(404);
    expect(
      (await api(`/incidents/${created.id}`, patch({ status: "dismissed" }), otherToken, other.hostname)).status,
    ).toBe(404);
    const list = (await (await api("/incidents", {}, otherToken, other.hostname)).json()) as Incident[];
    expect(list.map((i) => i.id)).not.toContain(created.id);
    expect(((await (await api(`/incidents/${created.id}`)).json()) as Incident).status).toBe("draft");
  });
});

describe("the workflow and the notices", () => {
  it("moves only along the workflow, and a closed incident stays closed", async () => {
    const { id } = (await (await api("/incidents", jsonPost(REPORT))).json()) as Incident;
    const skip = await api(`/incidents/${id}`, patch({ status: "communicated" }));
    expect(skip.status).toBe(409);
    expect(((await skip.json()) as { code: string }).code).toBe("invalid_transition");
    const confirmed = await api(
      `/incidents/${id}`,
      patch({
        status: "confirmed",
        riskLevel: "high",
        measures: "Passwords reset; the clinic's devices are encrypted now.",
      }),
    );
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({
      status: "confirmed",
      riskLevel: "high",
      next: ["communicated", "closed"],
    });
    const told = (await (await api(`/incidents/${id}`, patch({ status: "communicated" }))).json()) as Incident & {
      anpdCommunicatedAt: string;
    };
    expect(told.anpdCommunicatedAt).toBeTruthy();
    expect((await api(`/incidents/${id}`, patch({ status: "closed" }))).status).toBe(200);
    const late = await api(`/incidents/${id}`, patch({ measures: "rewritten" }));
    expect(late.status).toBe(409);
    expect(((await late.json()) as { code: string }).code).toBe("incident_closed");
    const audit = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and action = 'incident.updated' and target_id = $2 order by seq",
      [tenant.id, id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ from: "draft", to: "confirmed", fields: ["measures", "riskLevel"] });
  });

  it("queues the notice to affected data subjects through the outbox, naming the DPO", async () => {
    await admin.query(
      `update tenants set settings = settings || '{"dpo": {"name": "Ana Encarregada", "email": "dpo@clinic.test", "phone": "+55 11 3000-0000"}}'::jsonb
       where id = $1`,
      [tenant.id],
    );
    const email = `subject.${crypto.randomUUID().slice(0, 8)}@example.test`;
    const subject = await admin.query<{ id: string }>(
      "insert into data_subjects (tenant_id, email, display_name) values ($1, $2, 'Maria') returning id",
      [tenant.id, email],
    );
    const noEmail = await admin.query<{ id: string }>(
      "insert into data_subjects (tenant_id, display_name) values ($1, 'João') returning id",
      [tenant.id],
    );
    const { id } = (await (await api("/incidents", jsonPost(REPORT))).json()) as Incident;
    const early = await api(`/incidents/${id}/notices`, jsonPost({ subjectIds: [subject.rows[0]!.id] }));
    expect(early.status).toBe(409);
    await api(`/incidents/${id}`, patch({ status: "confirmed", measures: "Devices wiped remotely." }));
    const res = await api(
      `/incidents/${id}/notices`,
      jsonPost({ subjectIds: [subject.rows[0]!.id, noEmail.rows[0]!.id] }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: 1, withoutEmail: [noEmail.rows[0]!.id] });
    const mail = await waitForMail(email);
    expect(mail.subject).toContain("incidente");
    expect(mail.text).toContain("Devices wiped remotely.");
    expect(mail.text).toContain("Ana Encarregada");
  });
});

describe("alerts and automatic drafts", () => {
  it("mails the compliance officers when the deadline has come (the hourly job)", async () => {
    const mailbox = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const res = await api(
      "/incidents",
      jsonPost({ ...REPORT, discoveredAt: new Date(Date.now() - 7 * 86_400_000).toISOString() }),
    );
    const { id } = (await res.json()) as Incident;
    await (await worker.mf.getWorker()).scheduled({ cron: "0 * * * *" });
    const mail = await waitForMail(mailbox.email, (m) => m.subject.includes("Prazo"));
    expect(mail.text).toContain("devia ter sido comunicado");
    const row = await admin.query("select alerted_at from incidents where id = $1", [id]);
    expect(row.rows[0].alerted_at).not.toBeNull();
  });

  it("opens a draft when one user's PHI reads pass the daily limit, once", async () => {
    const reviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const reviewerToken = (await signIn(worker, tenant.hostname, reviewer)).accessToken;
    await redis.set(phiReadsKey(reviewer.id, Date.now()), String(trustConfig.velocity.phiReadsPerDay), "EX", 3600);
    const read = () => api("/privacy/subjects?name=Silva", {}, reviewerToken);
    await read();
    await read();
    const drafts = await admin.query<{ status: string; description: string; source: string }>(
      "select status, description, source from incidents where tenant_id = $1 and source = 'mass_phi_read'",
      [tenant.id],
    );
    expect(drafts.rows).toHaveLength(1);
    expect(drafts.rows[0]).toMatchObject({ status: "draft" });
    expect(drafts.rows[0]!.description).toContain(reviewer.id);
  });

  it("opens a draft when the audit chain fails verification", async () => {
    const broken = await seedTenant(admin, "incidents-chain");
    const brokenOfficer = await createUser(admin, broken, { roles: ["compliance_officer"] });
    const brokenToken = (await signIn(worker, broken.hostname, brokenOfficer)).accessToken;
    await api("/incidents", jsonPost(REPORT), brokenToken, broken.hostname);
    await (await worker.mf.getWorker()).scheduled({ cron: "45 * * * *" });
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query("update audit_events set details = '{\"forged\": true}' where tenant_id = $1 and seq = 1", [
        broken.id,
      ]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    await (await worker.mf.getWorker()).scheduled({ cron: "45 * * * *" });
    const drafts = await admin.query("select status from incidents where tenant_id = $1 and source = 'audit_chain'", [
      broken.id,
    ]);
    expect(drafts.rows).toEqual([{ status: "draft" }]);
    // One message tells the break and the draft's deadline (the alert), not a deadline mail besides.
    const mail = await waitForMail(brokenOfficer.email, (m) => m.subject.includes("Falha na verificação"));
    expect(mail.text).toContain("Um incidente em rascunho foi aberto: se confirmado, deve ser comunicado à ANPD");
  });
});
