/**
 * Access logs (Marco Civil da Internet art. 15): every authenticated request and every sign-in attempt leaves a
 * row with who (or the typed e-mail as a keyed hash), the address the edge gave, the route's template, the
 * status and the UTC time; only compliance officers read them, each read is itself logged and audited, the CSV
 * export cannot smuggle a formula into a spreadsheet, and the retention sweep deletes what is past the class's
 * age unless a legal hold keeps it.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyedHashHex } from "../../functions/lib/crypto.js";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { runRetentionSweep } from "../../functions/services/retention.js";
import { retentionPolicies } from "../../schema/retention-policies.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let app: DatabaseClients;

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("accesslog"));
  app = appDatabase();
});
afterAll(async () => {
  await app?.pool.end();
  await stopSuite({ worker, admin });
});

interface Row {
  kind: string;
  user_id: string | null;
  email_hash: string | null;
  ip: string;
  port: number | null;
  method: string;
  route: string;
  status: number;
  at: Date;
  request_id: string | null;
}

/** The rows matching `where` once the Worker's waitUntil has written them (polled, bounded). */
async function rowsEventually(where: string, params: unknown[], atLeast = 1): Promise<Row[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await admin.query<Row>(`select * from access_logs where ${where} order by at, id`, params);
    if (rows.length >= atLeast) return rows;
    if (Date.now() > deadline) throw new Error(`no access-log rows for ${where} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const emailHash = (email: string) =>
  keyedHashHex(worker.env.auth.mfaEncryptionKey, "vitalis/access-log/email/v1", email.trim().toLowerCase());

describe("what is recorded", () => {
  it("a signed-in request: the user, the edge's address, the route template without ids or query, the status, UTC time", async () => {
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const { accessToken } = await signIn(worker, tenant.hostname, editor);
    const id = crypto.randomUUID();
    const before = new Date();
    const res = await worker.fetch(`/api/posts/${id}?secret=leak`, {
      host: tenant.hostname,
      headers: { ...bearer(accessToken), "cf-connecting-ip": "198.51.100.23" },
    });
    expect(res.status).toBe(404);
    const [row] = await rowsEventually("tenant_id = $1 and user_id = $2 and kind = 'request'", [tenant.id, editor.id]);
    expect(row).toMatchObject({
      kind: "request",
      user_id: editor.id,
      email_hash: null,
      ip: "198.51.100.23",
      method: "GET",
      route: "/api/posts/:id",
      status: 404,
      request_id: res.headers.get("x-request-id"),
    });
    expect(row!.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(JSON.stringify(row)).not.toContain(id);
    expect(JSON.stringify(row)).not.toContain("leak");
  });

  it("a failed sign-in: the typed e-mail only as a keyed hash, no user, the refusal's status", async () => {
    const email = `Nobody.${crypto.randomUUID().slice(0, 8)}@Example.test`;
    const res = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email, password: "not the password at all" }, { "cf-connecting-ip": "198.51.100.77" }),
    });
    expect(res.status).toBe(401);
    const hash = await emailHash(email);
    const [row] = await rowsEventually("tenant_id = $1 and email_hash = $2", [tenant.id, hash]);
    expect(row).toMatchObject({
      kind: "sign_in",
      user_id: null,
      ip: "198.51.100.77",
      method: "POST",
      route: "/api/auth/login",
      status: 401,
    });
    // Never the address itself, in any case, nor its plain SHA-256.
    const dump = JSON.stringify(row).toLowerCase();
    expect(dump).not.toContain(email.toLowerCase());
    expect(dump).not.toContain("nobody.");
  });

  it("a successful sign-in names the user it signed in, with the typed e-mail hashed", async () => {
    const author = await createUser(admin, tenant, { roles: ["author"] });
    await signIn(worker, tenant.hostname, author);
    const [row] = await rowsEventually("tenant_id = $1 and user_id = $2 and kind = 'sign_in'", [tenant.id, author.id]);
    expect(row).toMatchObject({ route: "/api/auth/login", status: 200, email_hash: await emailHash(author.email) });
  });

  it("anonymous public reads are not logged", async () => {
    const res = await worker.fetch("/api/openapi.json", { host: tenant.hostname });
    expect(res.status).toBe(200);
    const res2 = await worker.fetch("/wp-json/wp/v2/posts", { host: tenant.hostname });
    expect(res2.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { rows } = await admin.query(
      "select 1 from access_logs where tenant_id = $1 and user_id is null and kind = 'request'",
      [tenant.id],
    );
    expect(rows).toEqual([]);
  });
});

describe("GET /api/access-logs", () => {
  it("is for compliance officers only", async () => {
    const editor = await createUser(admin, tenant, { roles: ["admin"] });
    const { accessToken } = await signIn(worker, tenant.hostname, editor);
    const res = await worker.fetch(`/api/access-logs?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`, {
      host: tenant.hostname,
      headers: bearer(accessToken),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("forbidden_role");
  });

  it("pages a period by user e-mail, shows only this tenant's rows, and is itself logged and audited", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const subject = await createUser(admin, tenant, { roles: ["editor"] });
    await signIn(worker, tenant.hostname, subject);
    await signIn(worker, tenant.hostname, subject);
    await rowsEventually("tenant_id = $1 and user_id = $2", [tenant.id, subject.id], 2);
    // Another clinic's row for the same person and time.
    const other = await seedTenant(admin, "accesslog-other");
    await admin.query(
      `insert into access_logs (tenant_id, at, kind, user_id, ip, method, route, status)
       values ($1, now(), 'request', $2, '192.0.2.1', 'GET', '/api/posts', 200)`,
      [other.id, subject.id],
    );

    const { accessToken } = await signIn(worker, tenant.hostname, officer);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const page = (cursor?: string) =>
      worker.fetch(
        `/api/access-logs?${new URLSearchParams({ from, to, user: subject.email.toUpperCase(), limit: "1", ...(cursor ? { cursor } : {}) })}`,
        { host: tenant.hostname, headers: bearer(accessToken) },
      );
    const first = await page();
    expect(first.status).toBe(200);
    const body1 = (await first.json()) as { entries: Array<{ userId: string; ip: string }>; nextCursor: string | null };
    expect(body1.entries).toHaveLength(1);
    expect(body1.nextCursor).toBeTruthy();
    const body2 = (await (await page(body1.nextCursor!)).json()) as typeof body1;
    expect(body2.entries).toHaveLength(1);
    expect(body2.nextCursor).toBeNull();
    for (const entry of [...body1.entries, ...body2.entries]) {
      expect(entry.userId).toBe(subject.id);
      expect(entry.ip).not.toBe("192.0.2.1");
    }

    const [read] = await rowsEventually("tenant_id = $1 and user_id = $2 and route = '/api/access-logs'", [
      tenant.id,
      officer.id,
    ]);
    expect(read).toMatchObject({ method: "GET", status: 200 });
    const audit = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'access_log.read' order by seq",
      [tenant.id, officer.id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ user: "e-mail", format: "json", entries: 1 });
    expect(JSON.stringify(audit.rows)).not.toContain(subject.email);
  });

  it("exports CSV, streamed, with formulas neutralised", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const at = new Date(Date.UTC(2026, 5, 1, 12));
    await admin.query(
      `insert into access_logs (tenant_id, at, kind, user_id, ip, method, route, status)
       values ($1, $2, 'request', $3, '=HYPERLINK("http://evil.example","x")', 'GET', '/api/posts', 200),
              ($1, $2, 'request', $3, '203.0.113.9', 'GET', '/api/pages', 200)`,
      [tenant.id, at, officer.id],
    );
    const { accessToken } = await signIn(worker, tenant.hostname, officer);
    const res = await worker.fetch(
      `/api/access-logs?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&user=${officer.id}`,
      { host: tenant.hostname, headers: { ...bearer(accessToken), accept: "text/csv" } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(
      /attachment; filename="access-logs-2026-06-01-2026-06-02\.csv"/,
    );
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("at,kind,userId,emailHash,ip,port,method,route,status,requestId,tokenId");
    expect(lines).toHaveLength(3);
    expect(lines.join("\n")).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines.join("\n")).not.toMatch(/(^|,)"=/m);
    expect(lines.some((line) => line.includes('"203.0.113.9"'))).toBe(true);

    const audit = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'access_log.read'",
      [tenant.id, officer.id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ format: "csv", user: officer.id });
  });

  it("refuses a period that ends before it starts", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const { accessToken } = await signIn(worker, tenant.hostname, officer);
    const res = await worker.fetch(`/api/access-logs?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z&format=csv`, {
      host: tenant.hostname,
      headers: bearer(accessToken),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_period");
  });
});

describe("retention", () => {
  const insertAged = async (tenantId: string, days: number, userId: string | null) =>
    (
      await admin.query<{ id: string }>(
        `insert into access_logs (tenant_id, at, kind, user_id, ip, method, route, status)
         values ($1, now() - make_interval(days => $2), 'request', $3, '203.0.113.1', 'GET', '/api/posts', 200)
         returning id`,
        [tenantId, days, userId],
      )
    ).rows[0]!.id;
  const exists = async (id: string) =>
    (await admin.query("select 1 from access_logs where id = $1", [id])).rows.length > 0;

  it("the sweep deletes rows past the class's age, keeps the six months and younger, and audits the batch", async () => {
    const swept = await seedTenant(admin, "accesslog-sweep");
    const max = retentionPolicies.access_log.maxAgeDays!;
    const old = await insertAged(swept.id, max + 2, swept.userId);
    const signInRow = await insertAged(swept.id, max + 30, null);
    const sixMonths = await insertAged(swept.id, retentionPolicies.access_log.minAgeDays + 1, swept.userId);
    const recent = await insertAged(swept.id, 2, swept.userId);
    const summary = await runRetentionSweep(tenantScope(app.db, swept, "retention-sweep"));
    expect(summary.deleted).toBe(2);
    expect(await exists(old)).toBe(false);
    expect(await exists(signInRow)).toBe(false);
    expect(await exists(sixMonths)).toBe(true);
    expect(await exists(recent)).toBe(true);
    const audit = await admin.query<{ details: Record<string, unknown> }>(
      "select details from audit_events where tenant_id = $1 and action = 'retention.access_logs_deleted'",
      [swept.id],
    );
    expect(audit.rows[0]?.details).toMatchObject({ deleted: 2, legalBasis: expect.stringContaining("12.965") });
  });

  it("a legal hold on a user keeps that user's old rows; one on the tenant keeps all", async () => {
    const held = await seedTenant(admin, "accesslog-hold");
    const max = retentionPolicies.access_log.maxAgeDays!;
    const heldUser = await insertAged(held.id, max + 5, held.userId);
    const otherUser = await insertAged(held.id, max + 5, null);
    await admin.query(
      "insert into legal_holds (tenant_id, scope, target_id, reason) values ($1, 'user', $2, 'court order')",
      [held.id, held.userId],
    );
    const sweep = () => runRetentionSweep(tenantScope(app.db, held, "retention-sweep"));
    expect(await sweep()).toMatchObject({ deleted: 1, held: 1 });
    expect(await exists(heldUser)).toBe(true);
    expect(await exists(otherUser)).toBe(false);

    const more = await insertAged(held.id, max + 5, null);
    await admin.query("insert into legal_holds (tenant_id, scope, reason) values ($1, 'tenant', 'ANPD inquiry')", [
      held.id,
    ]);
    expect(await sweep()).toMatchObject({ deleted: 0, held: 2 });
    expect(await exists(more)).toBe(true);
  });
});
