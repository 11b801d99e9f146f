/**
 * A tenant's admin has a say over the tenant's membership, never over the person: users are global (a physician
 * writes for two clinics), so disabling someone in clinic A must leave their sessions, sign-in and reads in
 * clinic B untouched, while clinic A refuses them everywhere at once.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearer,
  createUser,
  refreshCookieFrom,
  signIn,
  type SignedIn,
  type TestUser,
  jsonPost,
} from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let clinicA: SeededTenant;
let clinicB: SeededTenant;
let adminA: TestUser;
let adminB: TestUser;
/** The physician who writes for both clinics. */
let physician: TestUser;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  clinicA = await seedTenant(admin, "clinica");
  clinicB = await seedTenant(admin, "clinicb");
  adminA = await createUser(admin, clinicA, { roles: ["admin"] });
  adminB = await createUser(admin, clinicB, { roles: ["admin"] });
  physician = await createUser(admin, clinicA, { roles: ["author", "editor"] });
  await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
    clinicB.id,
    physician.id,
  ]);
});
afterAll(async () => {
  await admin?.end();
  await worker?.dispose();
});

const me = (tenant: SeededTenant, token: string) =>
  worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });
const posts = (tenant: SeededTenant, token: string) =>
  worker.fetch("/api/posts", { host: tenant.hostname, headers: bearer(token) });
const login = (tenant: SeededTenant, user: Pick<TestUser, "email" | "password">) =>
  worker.fetch("/api/auth/login", {
    host: tenant.hostname,
    ...jsonPost({ email: user.email, password: user.password }),
  });
const refresh = (tenant: SeededTenant, cookie: string) =>
  worker.fetch("/api/auth/refresh", {
    host: tenant.hostname,
    method: "POST",
    headers: { cookie, origin: `http://${tenant.hostname}` },
  });
const membershipAction = (tenant: SeededTenant, token: string, userId: string, action: "suspend" | "resume") =>
  worker.fetch(`/api/members/${userId}/${action}`, { host: tenant.hostname, method: "POST", headers: bearer(token) });

async function auditOf(tenantId: string, targetId: string): Promise<{ action: string; details: unknown }[]> {
  const rows = await admin.query<{ action: string; details: unknown }>(
    "select action, details from audit_events where tenant_id = $1 and target_id = $2 order by seq",
    [tenantId, targetId],
  );
  return rows.rows;
}

describe("disabling a member is per tenant", () => {
  it("clinic A's admin locks the physician out of clinic A only; clinic B keeps them", async () => {
    const inA: SignedIn = await signIn(worker, clinicA.hostname, physician);
    const inB: SignedIn = await signIn(worker, clinicB.hostname, physician);
    const bossA = await signIn(worker, clinicA.hostname, adminA);

    expect((await membershipAction(clinicA, bossA.accessToken, physician.id, "suspend")).status).toBe(204);

    // Clinic B: the session that was open goes on, refresh works, a new sign-in works, reads work.
    expect((await me(clinicB, inB.accessToken)).status).toBe(200);
    expect((await posts(clinicB, inB.accessToken)).status).toBe(200);
    const rotatedB = await refresh(clinicB, inB.refreshCookie);
    expect(rotatedB.status).toBe(200);
    const freshB = await signIn(worker, clinicB.hostname, physician);
    expect((await posts(clinicB, freshB.accessToken)).status).toBe(200);

    // Clinic A: the open access token is refused at once, the refresh token is dead, sign-in is refused.
    const stale = await me(clinicA, inA.accessToken);
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { code: string }).code).toBe("token_revoked");
    expect((await refresh(clinicA, inA.refreshCookie)).status).toBe(401);
    const refused = await login(clinicA, physician);
    expect(refused.status).toBe(401);

    // The account itself stays active: only a platform operator disables a person everywhere.
    const account = await admin.query("select status from users where id = $1", [physician.id]);
    expect(account.rows[0].status).toBe("active");
    const rows = await admin.query<{ tenant_id: string; status: string }>(
      "select tenant_id, status from memberships where user_id = $1 order by tenant_id, role",
      [physician.id],
    );
    expect(new Set(rows.rows.filter((row) => row.tenant_id === clinicA.id).map((row) => row.status))).toEqual(
      new Set(["disabled"]),
    );
    expect(rows.rows.filter((row) => row.tenant_id === clinicB.id).map((row) => row.status)).toEqual(["active"]);

    expect(await auditOf(clinicA.id, physician.id)).toContainEqual({
      action: "membership.suspended",
      details: { roles: ["author", "editor"], sessionsRevoked: 1 },
    });
    expect((await auditOf(clinicB.id, physician.id)).map((event) => event.action)).not.toContain(
      "membership.suspended",
    );

    // Resumed by clinic A's admin (audited), the physician signs in to clinic A again.
    expect((await membershipAction(clinicA, bossA.accessToken, physician.id, "resume")).status).toBe(204);
    expect((await auditOf(clinicA.id, physician.id)).map((event) => event.action)).toContain("membership.resumed");
    const back = await login(clinicA, physician);
    expect(back.status).toBe(200);
    refreshCookieFrom(back);
  });

  it("answers a suspended member's sign-in exactly like a wrong password (no account enumeration)", async () => {
    const member = await createUser(admin, clinicA, { roles: ["author"] });
    const bossA = await signIn(worker, clinicA.hostname, adminA);
    expect((await membershipAction(clinicA, bossA.accessToken, member.id, "suspend")).status).toBe(204);
    const disabled = await login(clinicA, member);
    const wrong = await login(clinicA, { email: member.email, password: "not the password at all" });
    expect(disabled.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(await disabled.json())).toEqual(strip(await wrong.json()));
  });

  it("does not let clinic B's admin suspend or resume someone who is not clinic B's member", async () => {
    const onlyA = await createUser(admin, clinicA, { roles: ["editor"] });
    const bossB = await signIn(worker, clinicB.hostname, adminB);
    expect((await membershipAction(clinicB, bossB.accessToken, onlyA.id, "suspend")).status).toBe(404);
    expect((await membershipAction(clinicB, bossB.accessToken, onlyA.id, "resume")).status).toBe(404);
    expect((await login(clinicA, onlyA)).status).toBe(200);
  });

  it("lets only an admin suspend or resume, and never oneself", async () => {
    const member = await createUser(admin, clinicA, { roles: ["editor"] });
    const editor = await signIn(worker, clinicA.hostname, member);
    expect((await membershipAction(clinicA, editor.accessToken, adminA.id, "suspend")).status).toBe(403);
    expect((await membershipAction(clinicA, editor.accessToken, member.id, "resume")).status).toBe(403);
    const bossA = await signIn(worker, clinicA.hostname, adminA);
    const self = await membershipAction(clinicA, bossA.accessToken, adminA.id, "suspend");
    expect(self.status).toBe(409);
    expect(((await self.json()) as { code: string }).code).toBe("cannot_suspend_self");
  });
});

describe("the account owner's own session", () => {
  it("changes their password (the scope acts as them), and the new one signs in", async () => {
    const member = await createUser(admin, clinicA, { roles: ["editor"] });
    const session = await signIn(worker, clinicA.hostname, member);
    const newPassword = "a much longer passphrase 2026";
    const res = await worker.fetch("/api/me/password", {
      host: clinicA.hostname,
      ...jsonPost({ currentPassword: member.password, newPassword }, bearer(session.accessToken)),
    });
    expect(res.status).toBe(200);
    expect((await login(clinicA, { email: member.email, password: member.password })).status).toBe(401);
    expect((await login(clinicA, { email: member.email, password: newPassword })).status).toBe(200);
  });

  it("has a sign-in upgrade an old, cheaper password hash (the password proves the owner)", async () => {
    const member = await createUser(admin, clinicA, { roles: ["author"] });
    const salt = randomBytes(16);
    const cheap = pbkdf2Sync(member.password, salt, 1000, 32, "sha256").toString("hex");
    await admin.query("update users set password_hash = $1 where id = $2", [
      `pbkdf2-sha256$1000$${salt.toString("hex")}$${cheap}`,
      member.id,
    ]);
    expect((await login(clinicA, member)).status).toBe(200);
    const stored = await admin.query<{ hash: string }>("select password_hash as hash from users where id = $1", [
      member.id,
    ]);
    expect(stored.rows[0]!.hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect((await login(clinicA, member)).status).toBe(200);
  });
});
