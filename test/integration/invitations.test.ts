/**
 * Invitations through the API: an admin invites by e-mail, the link's one-time token (read here from the queued
 * message, as the mail catcher would show it) creates the account or attaches the person who has one, once, within
 * 72 hours, in the tenant that issued it only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, createUser, jsonPost, refreshCookieFrom, signIn, type TestUser } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { lastMail, queuedMail } from "../support/outbox.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

let suite: Suite;
let clinicA: SeededTenant;
let clinicB: SeededTenant;
let bossA: TestUser;
let bossB: TestUser;

beforeAll(async () => {
  suite = await startSuite("invite-a");
  clinicA = suite.tenant;
  clinicB = await seedTenant(suite.admin, "invite-b");
  bossA = await createUser(suite.admin, clinicA, { roles: ["admin"], name: "Ana Admin" });
  bossB = await createUser(suite.admin, clinicB, { roles: ["admin"] });
});
afterAll(() => stopSuite(suite));

type Json = Record<string, unknown>;
const NEW_PASSWORD = "a new physician's passphrase";

const adminToken = async (tenant: SeededTenant, boss: TestUser) =>
  (await signIn(suite.worker, tenant.hostname, boss)).accessToken;

function invite(tenant: SeededTenant, token: string, body: Json, headers: Record<string, string> = {}) {
  return suite.worker.fetch("/api/invitations", {
    host: tenant.hostname,
    ...jsonPost(body, { ...bearer(token), ...headers }),
  });
}

function accept(tenant: SeededTenant, body: Json, headers: Record<string, string> = {}) {
  return suite.worker.fetch("/api/invitations/accept", { host: tenant.hostname, ...jsonPost(body, headers) });
}

function login(tenant: SeededTenant, email: string, password: string) {
  return suite.worker.fetch("/api/auth/login", { host: tenant.hostname, ...jsonPost({ email, password }) });
}

const codeOf = async (response: Response): Promise<string> => ((await response.json()) as { code: string }).code;
const uniqueEmail = (label: string) => `${label}.${Math.random().toString(36).slice(2, 8)}@example.test`;

/** Invites `email` to `tenant` as its admin and returns the token from the queued e-mail. */
async function invited(tenant: SeededTenant, boss: TestUser, email: string, roles: string[]): Promise<string> {
  const res = await invite(tenant, await adminToken(tenant, boss), { email, roles });
  expect(res.status).toBe(201);
  return (await lastMail(suite.admin, tenant.id, email, "invitation")).secret!;
}

describe("inviting", () => {
  it("lets only admins invite, list and revoke", async () => {
    const editor = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    const token = await adminToken(clinicA, editor);
    const body = { email: uniqueEmail("nope"), roles: ["author"] };
    expect((await suite.worker.fetch("/api/invitations", { host: clinicA.hostname, ...jsonPost(body) })).status).toBe(
      401,
    );
    expect((await invite(clinicA, token, body)).status).toBe(403);
    const list = await suite.worker.fetch("/api/invitations", { host: clinicA.hostname, headers: bearer(token) });
    expect(list.status).toBe(403);
    const revoke = await suite.worker.fetch(`/api/invitations/${crypto.randomUUID()}`, {
      host: clinicA.hostname,
      method: "DELETE",
      headers: bearer(token),
    });
    expect(revoke.status).toBe(403);
    expect(await queuedMail(suite.admin, clinicA.id, { to: body.email })).toEqual([]);
  });

  it("queues the e-mail in the admin's language with the token sealed, lists it as open, and audits it", async () => {
    const email = uniqueEmail("nova.medica");
    const token = await adminToken(clinicA, bossA);
    const res = await invite(
      clinicA,
      token,
      { email: email.toUpperCase(), roles: ["author", "medical_reviewer"] },
      {
        "accept-language": "en-US,en;q=0.9",
      },
    );
    expect(res.status).toBe(201);
    const invitation = (await res.json()) as Json;
    expect(invitation).toMatchObject({ email, roles: ["author", "medical_reviewer"], invitedBy: "Ana Admin" });
    expect(JSON.stringify(invitation)).not.toMatch(/token/i);

    const mail = await lastMail(suite.admin, clinicA.id, email, "invitation");
    expect(mail.locale).toBe("en");
    expect(mail.data).toMatchObject({ inviterName: "Ana Admin", origin: `http://${clinicA.hostname}` });
    expect(mail.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const open = await suite.worker.fetch("/api/invitations", { host: clinicA.hostname, headers: bearer(token) });
    expect(((await open.json()) as { items: Json[] }).items).toContainEqual(
      expect.objectContaining({ id: invitation.id, email }),
    );
    // An explicit locale wins over the browser's.
    const spanish = uniqueEmail("es");
    await invite(clinicA, token, { email: spanish, roles: ["author"], locale: "es" });
    expect((await lastMail(suite.admin, clinicA.id, spanish, "invitation")).locale).toBe("es");

    const audit = await suite.admin.query("select action from audit_events where tenant_id = $1 and target_id = $2", [
      clinicA.id,
      invitation.id,
    ]);
    expect(audit.rows).toEqual([{ action: "invitation.created" }]);
  });

  it("refuses to invite someone who is a member already (409), or a role that does not exist (422)", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const token = await adminToken(clinicA, bossA);
    const res = await invite(clinicA, token, { email: member.email, roles: ["editor"] });
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe("already_member");
    expect((await invite(clinicA, token, { email: uniqueEmail("x"), roles: ["owner"] })).status).toBe(422);
    expect((await invite(clinicA, token, { email: uniqueEmail("x"), roles: [] })).status).toBe(422);
  });
});

describe("accepting", () => {
  it("creates the account with the invitation's roles; the link works once", async () => {
    const email = uniqueEmail("new");
    const token = await invited(clinicA, bossA, email, ["author"]);
    const res = await accept(clinicA, { token, password: NEW_PASSWORD, displayName: "Dra. Nova" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "created", email, roles: ["author"] });

    const signedIn = await signIn(suite.worker, clinicA.hostname, { email, password: NEW_PASSWORD });
    const me = await suite.worker.fetch("/api/me", { host: clinicA.hostname, headers: bearer(signedIn.accessToken) });
    expect(await me.json()).toMatchObject({ email, displayName: "Dra. Nova", roles: ["author"] });

    const again = await accept(clinicA, { token, password: NEW_PASSWORD, displayName: "Someone Else" });
    expect(again.status).toBe(410);
    expect(await codeOf(again)).toBe("invitation_invalid");
    const audit = await suite.admin.query(
      "select actor_id, details from audit_events where tenant_id = $1 and action = 'invitation.accepted' and actor_id = (select id::text from users where email = $2)",
      [clinicA.id, email],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].details).toEqual({ outcome: "created", roles: ["author"], added: ["author"] });
  });

  it("refuses a weak password or a missing name and leaves the invitation open", async () => {
    const email = uniqueEmail("weak");
    const token = await invited(clinicA, bossA, email, ["editor"]);
    const weak = await accept(clinicA, { token, password: "password1234", displayName: "Dr. Fraco" });
    expect(weak.status).toBe(422);
    const nameless = await accept(clinicA, { token, password: NEW_PASSWORD });
    expect(nameless.status).toBe(422);
    expect(JSON.stringify(await nameless.json())).toContain("json.displayName");
    const users = await suite.admin.query("select count(*)::int as n from users where email = $1", [email]);
    expect(users.rows[0].n).toBe(0);
    expect((await accept(clinicA, { token, password: NEW_PASSWORD, displayName: "Dr. Forte" })).status).toBe(200);
  });

  it("refuses an expired, a revoked and a superseded invitation (410)", async () => {
    const expiredEmail = uniqueEmail("late");
    const expired = await invited(clinicA, bossA, expiredEmail, ["author"]);
    await suite.admin.query("update invitations set expires_at = now() - interval '1 second' where email = $1", [
      expiredEmail,
    ]);
    expect(await codeOf(await accept(clinicA, { token: expired, password: NEW_PASSWORD, displayName: "L" }))).toBe(
      "invitation_invalid",
    );

    const revokedEmail = uniqueEmail("revoked");
    const token = await adminToken(clinicA, bossA);
    const created = (await (await invite(clinicA, token, { email: revokedEmail, roles: ["author"] })).json()) as Json;
    const revokedToken = (await lastMail(suite.admin, clinicA.id, revokedEmail, "invitation")).secret!;
    const revoke = () =>
      suite.worker.fetch(`/api/invitations/${created.id as string}`, {
        host: clinicA.hostname,
        method: "DELETE",
        headers: bearer(token),
      });
    expect((await revoke()).status).toBe(204);
    expect((await revoke()).status).toBe(404);
    expect((await accept(clinicA, { token: revokedToken, password: NEW_PASSWORD, displayName: "R" })).status).toBe(410);
    const open = await suite.worker.fetch("/api/invitations", { host: clinicA.hostname, headers: bearer(token) });
    const openIds = ((await open.json()) as { items: Json[] }).items.map((item) => item.id);
    expect(openIds).not.toContain(created.id);
    const audit = await suite.admin.query("select action from audit_events where target_id = $1 order by seq", [
      created.id,
    ]);
    expect(audit.rows.map((row) => row.action)).toEqual(["invitation.created", "invitation.revoked"]);

    // A second invitation to the same address revokes the first one's link.
    const twiceEmail = uniqueEmail("twice");
    const first = await invited(clinicA, bossA, twiceEmail, ["author"]);
    const second = await invited(clinicA, bossA, twiceEmail, ["editor"]);
    expect((await accept(clinicA, { token: first, password: NEW_PASSWORD, displayName: "T" })).status).toBe(410);
    expect((await accept(clinicA, { token: second, password: NEW_PASSWORD, displayName: "T" })).status).toBe(200);
  });

  it("works only in the tenant that issued it", async () => {
    const email = uniqueEmail("cross");
    const token = await invited(clinicA, bossA, email, ["author"]);
    expect((await accept(clinicB, { token, password: NEW_PASSWORD, displayName: "X" })).status).toBe(410);
    // Clinic B's admin neither sees nor revokes clinic A's invitation.
    const tokenB = await adminToken(clinicB, bossB);
    const openB = await suite.worker.fetch("/api/invitations", { host: clinicB.hostname, headers: bearer(tokenB) });
    expect(((await openB.json()) as { items: Json[] }).items.map((item) => item.email)).not.toContain(email);
    const id = (await suite.admin.query<{ id: string }>("select id from invitations where email = $1", [email]))
      .rows[0]!.id;
    const revoke = await suite.worker.fetch(`/api/invitations/${id}`, {
      host: clinicB.hostname,
      method: "DELETE",
      headers: bearer(tokenB),
    });
    expect(revoke.status).toBe(404);
    expect((await accept(clinicA, { token, password: NEW_PASSWORD, displayName: "X" })).status).toBe(200);
    const rows = await suite.admin.query(
      "select m.tenant_id from memberships m join users u on u.id = m.user_id where u.email = $1",
      [email],
    );
    expect(rows.rows).toEqual([{ tenant_id: clinicA.id }]);
  });

  it("attaches a person who has an account elsewhere once they sign in with it, and signs them in here", async () => {
    const physician = await createUser(suite.admin, clinicB, { roles: ["author"], name: "Dr. Dois Lugares" });
    const token = await invited(clinicA, bossA, physician.email, ["medical_reviewer"]);

    // A new password is not how an existing account joins: the new-account form is told to sign in instead,
    // before any password is checked, and so is a form without one.
    for (const body of [
      { token, password: NEW_PASSWORD, displayName: "Impostor" },
      { token, displayName: "Impostor" },
    ]) {
      const refused = await accept(clinicA, body);
      expect(refused.status).toBe(409);
      expect(await codeOf(refused)).toBe("sign_in_required");
    }
    // A wrong password is a failed sign-in.
    expect((await accept(clinicA, { token, password: NEW_PASSWORD })).status).toBe(401);
    // Nothing changed, and the invitation is still open.
    expect((await login(clinicA, physician.email, physician.password)).status).toBe(401);

    const res = await accept(clinicA, { token, password: physician.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json & { signIn: { access_token: string } };
    expect(body).toEqual({
      outcome: "attached",
      email: physician.email,
      roles: ["medical_reviewer"],
      signIn: { access_token: expect.any(String), token_type: "Bearer", expires_in: 600 },
    });
    // Accepting signed them in here: the session works, and the refresh cookie carries it on.
    const me = await suite.worker.fetch("/api/me", {
      host: clinicA.hostname,
      headers: bearer(body.signIn.access_token),
    });
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(["medical_reviewer"]);
    const refreshed = await suite.worker.fetch("/api/auth/refresh", {
      host: clinicA.hostname,
      method: "POST",
      headers: { cookie: refreshCookieFrom(res), origin: `http://${clinicA.hostname}` },
    });
    expect(refreshed.status).toBe(200);
    const account = await suite.admin.query("select display_name from users where id = $1", [physician.id]);
    expect(account.rows[0].display_name).toBe("Dr. Dois Lugares");
    expect((await login(clinicA, physician.email, physician.password)).status).toBe(200);
    expect((await login(clinicB, physician.email, physician.password)).status).toBe(200);
    const roles = await suite.admin.query(
      "select tenant_id, role from memberships where user_id = $1 order by tenant_id = $2, role",
      [physician.id, clinicA.id],
    );
    expect(roles.rows).toEqual([
      { tenant_id: clinicB.id, role: "author" },
      { tenant_id: clinicA.id, role: "medical_reviewer" },
    ]);
    const failed = await suite.admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'invitation.accept_failed' and actor_id = $2",
      [clinicA.id, physician.id],
    );
    expect(failed.rows[0].n).toBe(1);
  });

  it("asks an account that has a second factor for it, as sign-in does, before the session starts", async () => {
    const physician = await createUser(suite.admin, clinicB, { roles: ["author"] });
    const inB = await signIn(suite.worker, clinicB.hostname, physician);
    const enrol = await suite.worker.fetch("/api/me/mfa/enrol", {
      host: clinicB.hostname,
      ...jsonPost({ currentPassword: physician.password }, bearer(inB.accessToken)),
    });
    const { secret } = (await enrol.json()) as { secret: string };
    const step = totpStep();
    const confirmed = await suite.worker.fetch("/api/me/mfa/confirm", {
      host: clinicB.hostname,
      ...jsonPost({ code: await totpCode(secret, step) }, bearer(inB.accessToken)),
    });
    expect(confirmed.status).toBe(200);
    const token = await invited(clinicA, bossA, physician.email, ["editor"]);

    const res = await accept(clinicA, { token, password: physician.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { signIn: { mfaRequired: boolean; mfaToken: string } };
    expect(body.signIn).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    expect(res.headers.get("set-cookie") ?? "").not.toContain("vitalis_refresh");
    // The password alone attaches nothing: no role here, the invitation still open, until the code is confirmed.
    const rolesHere = async () =>
      (
        await suite.admin.query("select role from memberships where user_id = $1 and tenant_id = $2", [
          physician.id,
          clinicA.id,
        ])
      ).rows.map((row: { role: string }) => row.role);
    expect(await rolesHere()).toEqual([]);
    const open = await suite.admin.query("select accepted_at from invitations where tenant_id = $1 and email = $2", [
      clinicA.id,
      physician.email,
    ]);
    expect(open.rows).toEqual([{ accepted_at: null }]);
    const wrong = await suite.worker.fetch("/api/auth/mfa", {
      host: clinicA.hostname,
      ...jsonPost({
        mfaToken: body.signIn.mfaToken,
        code: "000000" === (await totpCode(secret, step + 1)) ? "111111" : "000000",
      }),
    });
    expect(wrong.status).toBe(401);
    expect(await rolesHere()).toEqual([]);
    const session = await suite.worker.fetch("/api/auth/mfa", {
      host: clinicA.hostname,
      ...jsonPost({ mfaToken: body.signIn.mfaToken, code: await totpCode(secret, step + 1) }),
    });
    expect(session.status).toBe(200);
    const { access_token } = (await session.json()) as { access_token: string };
    const me = await suite.worker.fetch("/api/me", { host: clinicA.hostname, headers: bearer(access_token) });
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(["editor"]);
    expect(await rolesHere()).toEqual(["editor"]);
    const accepted = await suite.admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'invitation.accepted' and actor_id = $2",
      [clinicA.id, physician.id],
    );
    expect(accepted.rows[0].n).toBe(1);
  });

  it("is throttled per client", async () => {
    const headers = { "cf-connecting-ip": "198.51.100.77" };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      statuses.push(
        (await accept(clinicA, { token: "x".repeat(43), password: NEW_PASSWORD, displayName: "G" }, headers)).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(410));
    expect(statuses[10]).toBe(429);
    // Another client is not held back.
    expect((await accept(clinicA, { token: "x".repeat(43), password: NEW_PASSWORD, displayName: "G" })).status).toBe(
      410,
    );
  });
});
