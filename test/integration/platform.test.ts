/**
 * The platform operator's work, through the CLI (scripts/tenant.ts, run as `npm run tenant:*` runs it) and
 * `/api/platform/*`: creating a tenant queues its first admin's invitation and prints the link; hostnames come
 * and go; a suspended tenant's site and API answer 503 with its data untouched; a global disable ends a person's
 * sessions in every tenant. The platform API takes only its own credential and does not exist unconfigured, and
 * the operator's database role holds only what these need.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker, testBindings } from "../support/worker.js";

const run = promisify(execFile);
const TOKEN = randomBytes(32).toString("base64url");
const TOKEN_SHA256 = createHash("sha256").update(TOKEN).digest("hex");
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");
const suffix = (): string => Math.random().toString(36).slice(2, 8);

let worker: TestWorker;
let unconfigured: TestWorker;
let admin: pg.Client;

beforeAll(async () => {
  [worker, unconfigured] = await Promise.all([startWorker({ PLATFORM_API_TOKEN_SHA256: TOKEN_SHA256 }), startWorker()]);
  admin = await adminClient();
});

afterAll(async () => {
  await admin?.end();
  await Promise.all([worker?.dispose(), unconfigured?.dispose()]);
});

/** Runs the CLI as `npm run tenant:* --` does, with the Worker's variables; never throws on a refusal. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, ...testBindings(worker.env) } as Record<string, string>;
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "scripts/tenant.ts", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const platformHeaders = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

function platform(path: string, init: RequestInit = {}, token = TOKEN): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return worker.fetch(`/api/platform${path}`, { ...init, headers });
}

const post = (path: string, body: unknown) => platform(path, jsonPost(body));

describe("tenant:create and tenant:list (CLI)", () => {
  it("creates the tenant, its primary hostname and a first-admin invitation, queues the e-mail and prints the link", async () => {
    const slug = `cli-${suffix()}`;
    const hostname = `${slug}.example.test`;
    const created = await cli(
      "create",
      "--slug",
      slug,
      "--name",
      "Clínica Horizonte",
      "--hostname",
      hostname.toUpperCase(),
      "--admin-email",
      `Director@${slug}.test`,
    );
    expect(created.code, created.stderr).toBe(0);
    const link = new RegExp(`https://${hostname.replace(/\./g, "\\.")}/admin/invitation#token=([A-Za-z0-9_-]{43})`);
    const token = link.exec(created.stdout)?.[1];
    expect(token, created.stdout).toBeDefined();

    const tenant = await admin.query("select id, name, status from tenants where slug = $1", [slug]);
    expect(tenant.rows).toEqual([{ id: expect.any(String), name: "Clínica Horizonte", status: "active" }]);
    const tenantId = tenant.rows[0].id as string;
    const hosts = await admin.query("select hostname, is_primary from tenant_hostnames where tenant_id = $1", [
      tenantId,
    ]);
    expect(hosts.rows).toEqual([{ hostname, is_primary: true }]);

    const invitation = await admin.query(
      "select email, roles, invited_by, token_hash from invitations where tenant_id = $1",
      [tenantId],
    );
    expect(invitation.rows).toEqual([
      { email: `director@${slug}.test`, roles: ["admin"], invited_by: null, token_hash: sha256(token!) },
    ]);
    const mail = await admin.query(
      "select recipient, template, status, data->>'origin' as origin from outbox where tenant_id = $1",
      [tenantId],
    );
    expect(mail.rows).toEqual([
      { recipient: `director@${slug}.test`, template: "invitation", status: "pending", origin: `https://${hostname}` },
    ]);
    const audit = await admin.query(
      "select action, actor_type, actor_id from audit_events where tenant_id = $1 order by seq",
      [tenantId],
    );
    expect(audit.rows).toEqual([
      { action: "tenant.created", actor_type: "platform", actor_id: "cli" },
      { action: "invitation.created", actor_type: "platform", actor_id: "cli" },
    ]);

    const listed = await cli("list", "--json");
    expect(listed.code).toBe(0);
    const { tenants } = JSON.parse(listed.stdout) as { tenants: Array<{ slug: string; hostnames: unknown }> };
    expect(tenants.find((entry) => entry.slug === slug)).toMatchObject({
      hostnames: [{ hostname, primary: true }],
    });

    // The same slug again is refused, and nothing is half-created.
    const again = await cli(
      "create",
      "--slug",
      slug,
      "--name",
      "Other",
      "--hostname",
      `other-${hostname}`,
      "--admin-email",
      "x@example.test",
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("tenant_slug_taken");
    const stray = await admin.query("select 1 from tenant_hostnames where hostname = $1", [`other-${hostname}`]);
    expect(stray.rows).toEqual([]);
  });

  it("refuses invalid options with a usage error naming them", async () => {
    const bad = await cli("create", "--slug", "Not A Slug", "--name", "X", "--hostname", "x.test");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--slug");
    expect(bad.stderr).toContain("--admin-email");
  });
});

describe("the platform API", () => {
  it("creates a tenant and answers the invitation link; a taken hostname is 409, an invalid one 422", async () => {
    const slug = `api-${suffix()}`;
    const res = await post("/tenants", {
      slug,
      name: "Hospital API",
      hostname: `${slug}.example.test`,
      adminEmail: `admin@${slug}.test`,
      locale: "en",
      origin: `http://${slug}.example.test:8787`,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { tenant: { id: string; slug: string }; invitation: { link: string } };
    expect(body.tenant.slug).toBe(slug);
    expect(body.invitation.link).toMatch(
      new RegExp(`^http://${slug}\\.example\\.test:8787/admin/invitation#token=[A-Za-z0-9_-]{43}$`),
    );
    const audit = await admin.query("select actor_id from audit_events where tenant_id = $1 and action = $2", [
      body.tenant.id,
      "tenant.created",
    ]);
    expect(audit.rows).toEqual([{ actor_id: "api" }]);

    const taken = await post("/tenants", {
      slug: `${slug}-2`,
      name: "Copy",
      hostname: `${slug}.example.test`,
      adminEmail: "a@example.test",
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ code: "hostname_taken" });
    expect((await admin.query("select 1 from tenants where slug = $1", [`${slug}-2`])).rows).toEqual([]);

    const invalid = await post("/tenants", { slug, name: "X", hostname: "bad host:80", adminEmail: "nope" });
    expect(invalid.status).toBe(422);
    const problem = (await invalid.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((error) => error.path).sort()).toEqual(["json.adminEmail", "json.hostname"]);
    expect(JSON.stringify(problem)).not.toContain("bad host");
  });

  it("adds and removes hostnames: the site answers on each only while it is there", async () => {
    const tenant = await seedTenant(admin, "hosts");
    const extra = `www.${tenant.hostname}`;
    const site = (host: string) => worker.fetch("/robots.txt", { host });
    expect((await site(extra)).status).toBe(404);

    const added = await post(`/tenants/${tenant.slug}/hostnames`, { hostname: extra });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { hostnames: unknown[] }).hostnames).toEqual([
      { hostname: tenant.hostname, primary: true },
      { hostname: extra, primary: false },
    ]);
    expect((await site(extra)).status).toBe(200);

    const primary = await platform(`/tenants/${tenant.slug}/hostnames/${tenant.hostname}`, { method: "DELETE" });
    expect(primary.status).toBe(409);
    expect(await primary.json()).toMatchObject({ code: "primary_hostname" });

    const removed = await platform(`/tenants/${tenant.slug}/hostnames/${extra}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect((await site(extra)).status).toBe(404);
    expect((await site(tenant.hostname)).status).toBe(200);

    const last = await platform(`/tenants/${tenant.slug}/hostnames/${tenant.hostname}`, { method: "DELETE" });
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: "last_hostname" });

    // Through the CLI: a new primary hostname replaces the old one as primary.
    const moved = await cli(
      "hostname",
      "add",
      "--slug",
      tenant.slug,
      "--hostname",
      `new.${tenant.hostname}`,
      "--primary",
    );
    expect(moved.code).toBe(0);
    const hosts = await admin.query(
      "select hostname, is_primary from tenant_hostnames where tenant_id = $1 order by hostname",
      [tenant.id],
    );
    expect(hosts.rows).toEqual([
      { hostname: tenant.hostname, is_primary: false },
      { hostname: `new.${tenant.hostname}`, is_primary: true },
    ]);
    const audit = await admin.query(
      "select action, details->>'hostname' as hostname from audit_events where tenant_id = $1 order by seq",
      [tenant.id],
    );
    expect(audit.rows).toEqual([
      { action: "tenant.hostname_added", hostname: extra },
      { action: "tenant.hostname_removed", hostname: extra },
      { action: "tenant.hostname_added", hostname: `new.${tenant.hostname}` },
    ]);
  });

  it("suspends a tenant: its site and API answer 503 tenant_suspended, its data stays, and it resumes", async () => {
    const tenant = await seedTenant(admin, "suspend");
    const member = await createUser(admin, tenant, { roles: ["editor"] });
    const session = await signIn(worker, tenant.hostname, member);
    const other = await seedTenant(admin, "bystander");
    const before = await admin.query("select count(*)::int as n from memberships where tenant_id = $1", [tenant.id]);
    expect((await worker.fetch("/pt-br/", { host: tenant.hostname })).status).toBe(200);

    const suspended = await post(`/tenants/${tenant.slug}/suspend`, { reason: "contract ended" });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ slug: tenant.slug, status: "suspended" });

    const page = await worker.fetch("/pt-br/", { host: tenant.hostname });
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain('data-problem="tenant_suspended"');
    for (const response of [
      await worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(session.accessToken) }),
      await worker.fetch("/api/auth/login", {
        host: tenant.hostname,
        ...jsonPost({ email: member.email, password: member.password }),
      }),
      await worker.fetch("/wp-json/wp/v2/posts", { host: tenant.hostname }),
    ]) {
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: "tenant_suspended" });
    }
    // Another tenant is not affected, and nothing of this one was removed.
    expect((await worker.fetch("/pt-br/", { host: other.hostname })).status).toBe(200);
    const after = await admin.query("select count(*)::int as n from memberships where tenant_id = $1", [tenant.id]);
    expect(after.rows).toEqual(before.rows);

    // Suspending twice changes nothing more; resuming through the CLI brings it back.
    expect((await post(`/tenants/${tenant.slug}/suspend`, { reason: "again" })).status).toBe(200);
    const resumed = await cli("resume", "--slug", tenant.slug, "--reason", "contract renewed");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("active");
    // The CLI ran in another process: this isolate learns of it when its host memo expires (a minute) or, as
    // here, when the API resumes it too (a no-op that clears the memo).
    expect((await post(`/tenants/${tenant.slug}/resume`, { reason: "contract renewed" })).status).toBe(200);
    expect((await worker.fetch("/pt-br/", { host: tenant.hostname })).status).toBe(200);
    expect(
      (await worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(session.accessToken) })).status,
    ).toBe(200);

    const audit = await admin.query(
      "select action, actor_type, details->>'reason' as reason from audit_events where tenant_id = $1 and action like 'tenant.%' order by seq",
      [tenant.id],
    );
    expect(audit.rows).toEqual([
      { action: "tenant.suspended", actor_type: "platform", reason: "contract ended" },
      { action: "tenant.resumed", actor_type: "platform", reason: "contract renewed" },
    ]);
  });

  it("disables a person everywhere: every session in every tenant ends, audited in each; enabling lets them sign in", async () => {
    const clinicA = await seedTenant(admin, "global-a");
    const clinicB = await seedTenant(admin, "global-b");
    const person = await createUser(admin, clinicA, { roles: ["author"] });
    await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'editor')", [
      clinicB.id,
      person.id,
    ]);
    const sessions: Array<[SeededTenant, Awaited<ReturnType<typeof signIn>>]> = [
      [clinicA, await signIn(worker, clinicA.hostname, person)],
      [clinicB, await signIn(worker, clinicB.hostname, person)],
    ];
    const me = (tenant: SeededTenant, token: string) =>
      worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });
    for (const [tenant, session] of sessions) expect((await me(tenant, session.accessToken)).status).toBe(200);

    const disabled = await post("/users/disable", { email: person.email.toUpperCase(), reason: "phished password" });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({
      userId: person.id,
      status: "disabled",
      tenants: [clinicA.slug, clinicB.slug].sort(),
      sessionsRevoked: 2,
    });

    for (const [tenant, session] of sessions) {
      expect((await me(tenant, session.accessToken)).status).toBe(401);
      const refreshed = await worker.fetch("/api/auth/refresh", {
        host: tenant.hostname,
        method: "POST",
        headers: { cookie: session.refreshCookie, origin: `http://${tenant.hostname}` },
      });
      expect(refreshed.status).toBe(401);
      await expect(signIn(worker, tenant.hostname, person)).rejects.toThrow(/401/);
      const audit = await admin.query(
        "select actor_type, target_id, details from audit_events where tenant_id = $1 and action = 'user.disabled'",
        [tenant.id],
      );
      expect(audit.rows).toEqual([
        {
          actor_type: "platform",
          target_id: person.id,
          details: { reason: "phished password", sessionsRevoked: 1 },
        },
      ]);
    }

    const enabled = await cli("user-enable", "--email", person.email, "--reason", "password reset with the owner");
    expect(enabled.code).toBe(0);
    const fresh = await signIn(worker, clinicB.hostname, person);
    expect((await me(clinicB, fresh.accessToken)).status).toBe(200);
    const audit = await admin.query(
      "select tenant_id from audit_events where action = 'user.enabled' and target_id = $1 order by tenant_id",
      [person.id],
    );
    expect(audit.rows.map((row) => row.tenant_id)).toEqual([clinicA.id, clinicB.id].sort());
  });

  it("answers 404 for an unknown person and 404 for an unknown tenant", async () => {
    const nobody = await post("/users/disable", { email: `nobody.${suffix()}@example.test`, reason: "check" });
    expect(nobody.status).toBe(404);
    const unknown = await post(`/tenants/no-such-${suffix()}/suspend`, { reason: "check" });
    expect(unknown.status).toBe(404);
  });
});

describe("the platform credential", () => {
  it("refuses a missing or wrong token, and a tenant admin's access token, before touching anything", async () => {
    const tenant = await seedTenant(admin, "credential");
    const tenantAdmin = await createUser(admin, tenant, { roles: ["admin"] });
    const session = await signIn(worker, tenant.hostname, tenantAdmin);
    const attempts = [
      worker.fetch("/api/platform/tenants"),
      worker.fetch("/api/platform/tenants", { headers: platformHeaders("not-the-token") }),
      worker.fetch("/api/platform/tenants", { headers: platformHeaders(TOKEN_SHA256) }),
      worker.fetch("/api/platform/tenants", { host: tenant.hostname, headers: bearer(session.accessToken) }),
      worker.fetch("/api/platform/tenants", { headers: bearer(session.accessToken) }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="vitalis-platform"/);
      expect(response.headers.get("content-type")).toMatch(/application\/problem\+json/);
    }
    const suspend = await worker.fetch(`/api/platform/tenants/${tenant.slug}/suspend`, {
      host: tenant.hostname,
      ...jsonPost({ reason: "an admin trying" }, bearer(session.accessToken)),
    });
    expect(suspend.status).toBe(401);
    expect((await admin.query("select status from tenants where id = $1", [tenant.id])).rows).toEqual([
      { status: "active" },
    ]);
    expect((await platform("/tenants")).status).toBe(200);
  });

  it("does not exist when no platform token is configured", async () => {
    for (const path of ["/api/platform/tenants", "/api/platform/users/disable"]) {
      const response = await unconfigured.fetch(path, jsonPost({}, platformHeaders()));
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ code: "not_found" });
    }
    expect((await unconfigured.fetch("/api/platform/tenants", { headers: platformHeaders() })).status).toBe(404);
  });
});

describe("the platform database role", () => {
  let operator: pg.Client;
  beforeAll(async () => {
    operator = new pg.Client({ connectionString: worker.env.platformDatabaseUrl });
    await operator.connect();
  });
  afterAll(async () => {
    await operator?.end();
  });

  it("cannot bypass row-level security", async () => {
    const role = await admin.query(
      "select rolbypassrls, rolsuper from pg_roles where rolname = 'vitalis_platform' or pg_has_role($1, oid, 'MEMBER')",
      [new URL(worker.env.platformDatabaseUrl).username],
    );
    expect(role.rows.length).toBeGreaterThan(0);
    for (const row of role.rows) expect(row).toEqual({ rolbypassrls: false, rolsuper: false });
  });

  it.each([
    ["content", "select count(*) from content_items"],
    ["media", "select count(*) from media_items"],
    ["data subjects", "select count(*) from data_subjects"],
    ["password hashes", "select password_hash from users limit 1"],
    ["refresh token hashes", "select token_hash from refresh_tokens limit 1"],
    ["deleting a tenant", "delete from tenants where false"],
    ["renaming a tenant", "update tenants set name = name where false"],
    ["rewriting the audit trail", "update audit_events set action = action where false"],
  ])("is refused %s", async (_what, statement) => {
    await expect(operator.query(statement)).rejects.toMatchObject({ code: "42501" });
  });

  it("writes audit events only into the tenant it has set", async () => {
    const [a, b] = [await seedTenant(admin, "role-a"), await seedTenant(admin, "role-b")];
    await operator.query("begin");
    try {
      await operator.query("select set_config('app.tenant_id', $1, true)", [a.id]);
      await expect(
        operator.query(
          `insert into audit_events (tenant_id, seq, occurred_at, actor_type, action, prev_hash, hash)
           values ($1, 1, now(), 'platform', 'forged', 'x', 'y')`,
          [b.id],
        ),
      ).rejects.toMatchObject({ code: "42501" });
    } finally {
      await operator.query("rollback");
    }
  });
});
