/**
 * Tenant policy: roles that read PHI must have a second factor (admin, medical reviewer and compliance
 * officer unless the tenant's admins change it). A member of such a role without a factor who signs in gets
 * no session, only a short-lived enrolment token that opens the two enrolment steps and nothing else; the
 * session starts once the factor is confirmed. Admins read and change the policy; the change is audited.
 */
import { decodeJwt } from "jose";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, createUser, jsonPost, refreshCookieFrom, signIn, type TestUser } from "../support/auth.js";
import { sql } from "drizzle-orm";
import { withTenant } from "../../functions/lib/db.js";
import { appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("secmfapolicy"));
  // Test tenants start with the policy off (support/db.ts); this one has the product's default.
  await admin.query("update tenants set mfa_required_roles = default where id = $1", [tenant.id]);
});
afterAll(() => stopSuite({ worker, admin }));

const login = (user: Pick<TestUser, "email" | "password">) =>
  worker.fetch("/api/auth/login", {
    host: tenant.hostname,
    ...jsonPost({ email: user.email, password: user.password }),
  });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  worker.fetch(path, { host: tenant.hostname, ...jsonPost(body, headers) });
const auditActions = async (userId: string): Promise<string[]> =>
  (
    await admin.query<{ action: string }>(
      "select action from audit_events where tenant_id = $1 and actor_id = $2 order by seq",
      [tenant.id, userId],
    )
  ).rows.map((row) => row.action);

describe("a role that reads PHI must enrol a second factor at sign-in", () => {
  it.each(["admin", "medical_reviewer", "compliance_officer"] as const)(
    "a %s without a factor gets no session, only an enrolment token that opens nothing else",
    async (role) => {
      const user = await createUser(admin, tenant, { roles: [role] });
      const res = await login(user);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({ mfaEnrolmentRequired: true, enrolmentToken: expect.any(String) });
      expect(res.headers.get("set-cookie") ?? "").not.toContain("vitalis_refresh");
      expect(await auditActions(user.id)).toContain("auth.mfa_enrolment_required");
      const token = body.enrolmentToken as string;
      expect(decodeJwt(token).exp! - decodeJwt(token).iat!).toBeLessThanOrEqual(600);

      // Not an access token, not an MFA challenge, not a way into the account routes.
      const me = await worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });
      expect(me.status).toBe(401);
      expect((await post("/api/auth/mfa", { mfaToken: token, code: "123456" })).status).toBe(401);
      expect((await post("/api/me/mfa/enrol", { currentPassword: user.password }, bearer(token))).status).toBe(401);
    },
  );

  it("enrols with the token, then the session starts with mfa in its amr, once", async () => {
    const reviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const { enrolmentToken } = (await (await login(reviewer)).json()) as { enrolmentToken: string };
    const started = await post("/api/auth/mfa/enrol", { enrolmentToken });
    expect(started.status).toBe(200);
    const { secret } = (await started.json()) as { secret: string };

    const wrong = await post("/api/auth/mfa/enrol/confirm", {
      enrolmentToken,
      code: await totpCode(secret, totpStep() - 1000),
    });
    expect(wrong.status).toBe(401);
    const confirmed = await post("/api/auth/mfa/enrol/confirm", {
      enrolmentToken,
      code: await totpCode(secret, totpStep()),
    });
    expect(confirmed.status).toBe(200);
    const session = (await confirmed.json()) as { recoveryCodes: string[]; access_token: string };
    expect(session.recoveryCodes).toHaveLength(10);
    refreshCookieFrom(confirmed);
    expect(decodeJwt(session.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
    const me = await worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(session.access_token) });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { mfaEnabled: boolean }).mfaEnabled).toBe(true);
    expect(await auditActions(reviewer.id)).toEqual(
      expect.arrayContaining(["user.mfa_enrolment_started", "user.mfa_enabled", "auth.login"]),
    );

    // The token is spent: it cannot replace the factor it just enrolled.
    const again = await post("/api/auth/mfa/enrol", { enrolmentToken });
    expect(again.status).toBe(409);
    // From now on, sign-in asks for the code.
    expect(((await (await login(reviewer)).json()) as { mfaRequired?: boolean }).mfaRequired).toBe(true);
  });

  it("roles outside the policy still sign in with a password", async () => {
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    expect((await signIn(worker, tenant.hostname, editor)).accessToken).toBeTruthy();
  });
});

describe("admins read and change the policy", () => {
  it("an admin reads it; other roles may not; invalid input is 422; the change is audited and applies at the next sign-in or refresh", async () => {
    // The admin's own sign-in goes through the enrolment the policy forces.
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenant.id]);
    const chief = await createUser(admin, tenant, { roles: ["admin"] });
    const chiefSession = await signInWithMfa(worker, tenant.hostname, chief);
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const officerSession = await signIn(worker, tenant.hostname, officer);
    await admin.query("update tenants set mfa_required_roles = default where id = $1", [tenant.id]);

    const asChief = { ...bearer(chiefSession.accessToken), cookie: chiefSession.deviceCookie };
    const read = await worker.fetch("/api/auth/policy", { host: tenant.hostname, headers: asChief });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ mfaRequiredRoles: ["admin", "medical_reviewer", "compliance_officer"] });

    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
    expect(
      (await worker.fetch("/api/auth/policy", { host: tenant.hostname, headers: bearer(editorToken) })).status,
    ).toBe(403);

    const put = (body: unknown, headers: Record<string, string> = asChief) =>
      worker.fetch("/api/auth/policy", { host: tenant.hostname, ...jsonPost(body, headers), method: "PUT" });
    expect((await put({ mfaRequiredRoles: ["superuser"] })).status).toBe(422);
    expect((await put({ mfaRequiredRoles: ["admin", "admin"] })).status).toBe(422);
    expect((await put({ mfaRequiredRoles: ["admin"], extra: true })).status).toBe(422);
    expect((await put({ mfaRequiredRoles: [] }, bearer(editorToken))).status).toBe(403);

    // The officer's password-only session, begun while the policy was off, ends at its next refresh.
    const refreshed = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: officerSession.refreshCookie, origin: `http://${tenant.hostname}` },
    });
    expect(refreshed.status).toBe(401);

    const changed = await put({ mfaRequiredRoles: ["admin", "editor"] });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ mfaRequiredRoles: ["admin", "editor"] });
    const events = await admin.query<{ details: { from: string[]; to: string[] } }>(
      "select details from audit_events where tenant_id = $1 and action = 'tenant.signin_policy_changed'",
      [tenant.id],
    );
    expect(events.rows).toEqual([
      { details: { from: ["admin", "medical_reviewer", "compliance_officer"], to: ["admin", "editor"] } },
    ]);
    expect(((await (await login(officer)).json()) as { access_token?: string }).access_token).toBeTruthy();
    expect(((await (await login(editor)).json()) as { mfaEnrolmentRequired?: boolean }).mfaEnrolmentRequired).toBe(
      true,
    );
  });

  it("one tenant's policy change does not reach another tenant (row-level security)", async () => {
    const other = await seedTenant(admin, "secmfapolicy-other");
    const before = await admin.query("select mfa_required_roles from tenants where id = $1", [other.id]);
    const mine = await admin.query("select mfa_required_roles from tenants where id = $1", [tenant.id]);
    expect(before.rows[0]).toBeDefined();
    expect(mine.rows[0]).toBeDefined();
    // The app role, in this tenant's transaction, updates no other tenant's row.
    const app = appDatabase();
    try {
      const updated = await withTenant(app.db, tenant.id, (tx) =>
        tx.execute(sql`update tenants set mfa_required_roles = '{}' where id = ${other.id} returning id`),
      );
      expect(updated.rows).toEqual([]);
      // Nor, in its own row, a column outside its grant: only the platform suspends a tenant.
      await expect(
        withTenant(app.db, tenant.id, (tx) =>
          tx.execute(sql`update tenants set status = 'suspended' where id = ${tenant.id}`),
        ),
      ).rejects.toThrow();
    } finally {
      await app.pool.end();
    }
    const after = await admin.query("select mfa_required_roles from tenants where id = $1", [other.id]);
    expect(after.rows).toEqual(before.rows);
  });
});
