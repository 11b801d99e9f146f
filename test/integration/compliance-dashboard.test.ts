/**
 * `GET /api/compliance/dashboard`: compliance officers only; one clinic's figures only; what needs attention today
 * (requests near or past their deadline, open incidents, failing jobs, dead letters, trust refusals per day, the
 * last verification, break-glass grants awaiting review); every read audited.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComplianceDashboard } from "../../functions/shapes/compliance-dashboard.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { insertSubject } from "../support/media.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let token: string;

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("dashboard"));
  const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  token = (await signIn(worker, tenant.hostname, officer)).accessToken;
});
afterAll(() => stopSuite({ worker, admin }));

const dashboard = (as = token, host = tenant.hostname) =>
  worker.fetch("/api/compliance/dashboard", { host, headers: bearer(as) });

describe("the compliance dashboard", () => {
  it("is for compliance officers only", async () => {
    const other = await createUser(admin, tenant, { roles: ["admin"] });
    const adminToken = (await signIn(worker, tenant.hostname, other)).accessToken;
    expect((await dashboard(adminToken)).status).toBe(403);
    expect((await worker.fetch("/api/compliance/dashboard", { host: tenant.hostname })).status).toBe(401);
  });

  it("shows what needs attention in this clinic, and no other clinic's", async () => {
    const created = await worker.fetch("/api/incidents", {
      host: tenant.hostname,
      ...jsonPost(
        {
          title: "Lista de consultas enviada ao destinatário errado",
          description: "Uma planilha de agendamentos foi enviada por e-mail a um fornecedor.",
        },
        bearer(token),
      ),
    });
    expect(created.status).toBe(201);
    const incident = (await created.json()) as { id: string; communicationDue: string };
    const subject = await insertSubject(admin, tenant.id, `titular.${tenant.slug}@example.test`);
    const overdue = await admin.query<{ id: string }>(
      `insert into privacy_requests (tenant_id, subject_id, type, received_at, due_at)
       values ($1, $2, 'deletion', now() - interval '16 days', now() - interval '1 day') returning id`,
      [tenant.id, subject],
    );
    await admin.query(
      `insert into job_runs (tenant_id, job, started_at, finished_at, ok, error_code, consecutive_failures, failing_since)
       values ($1, 'publish-scheduled', now(), now(), false, 'sqlstate_P0001', 2, now() - interval '1 minute')`,
      [tenant.id],
    );
    const grantee = await createUser(admin, tenant, { roles: ["medical_reviewer"], name: "Dra. Plantão" });
    await admin.query(
      `insert into break_glass_grants (tenant_id, user_id, justification, opened_at, expires_at)
       values ($1, $2, 'Paciente inconsciente no pronto-socorro, prontuário necessário', now() - interval '2 hours', now() - interval '1 hour')`,
      [tenant.id, grantee.id],
    );
    // A refused request today: a password-only editor's list is denied the staff filter (audited `trust.deny`).
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
    await worker.fetch("/api/posts", { host: tenant.hostname, headers: bearer(editorToken) });

    const other = await seedTenant(admin, "dashboard-other");
    const otherOfficer = await createUser(admin, other, { roles: ["compliance_officer"] });
    const otherToken = (await signIn(worker, other.hostname, otherOfficer)).accessToken;

    const res = await dashboard();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as ComplianceDashboard;
    expect(body.openIncidents).toContainEqual(
      expect.objectContaining({ id: incident.id, status: "draft", communicationDue: incident.communicationDue }),
    );
    expect(body.privacyRequests.overdue.map((r) => r.id)).toEqual([overdue.rows[0]!.id]);
    expect(body.failedJobs).toEqual([
      expect.objectContaining({ job: "publish-scheduled", errorCode: "sqlstate_P0001", consecutiveFailures: 2 }),
    ]);
    expect(body.breakGlassAwaitingReview).toEqual([expect.objectContaining({ userName: "Dra. Plantão" })]);
    expect(JSON.stringify(body)).not.toContain("inconsciente");
    expect(JSON.stringify(body)).not.toContain(`titular.${tenant.slug}`);
    expect(body.trustPerDay).toHaveLength(14);
    expect(body.trustPerDay.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10) });
    expect(body.trustPerDay.at(-1)!.denials).toBeGreaterThanOrEqual(1);

    const theirs = (await (await dashboard(otherToken, other.hostname)).json()) as ComplianceDashboard;
    expect(theirs.openIncidents).toEqual([]);
    expect(theirs.privacyRequests.overdue).toEqual([]);
    expect(theirs.failedJobs).toEqual([]);
    expect(theirs.breakGlassAwaitingReview).toEqual([]);

    const audited = await admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'compliance.dashboard_read'",
      [tenant.id],
    );
    expect(audited.rows[0].n).toBe(1);
  });
});
