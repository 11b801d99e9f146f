/**
 * Password reset: one answer whatever the address, a link that works once within 30 minutes in the tenant that
 * sent it, NIST SP 800-63B rules for the new password, every session of the account ended, a notice queued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, refreshCookieFrom, signIn, type TestUser } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { lastMail, queuedMail } from "../support/outbox.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

let suite: Suite;
let clinicA: SeededTenant;
let clinicB: SeededTenant;

beforeAll(async () => {
  suite = await startSuite("reset-a");
  clinicA = suite.tenant;
  clinicB = await seedTenant(suite.admin, "reset-b");
});
afterAll(() => stopSuite(suite));

const NEW_PASSWORD = "a fresh and long passphrase";

function ask(tenant: SeededTenant, email: string, headers: Record<string, string> = {}) {
  return suite.worker.fetch("/api/auth/password-reset", { host: tenant.hostname, ...jsonPost({ email }, headers) });
}
function confirm(tenant: SeededTenant, token: string, password: string) {
  return suite.worker.fetch("/api/auth/password-reset/confirm", {
    host: tenant.hostname,
    ...jsonPost({ token, password }),
  });
}
function login(tenant: SeededTenant, email: string, password: string) {
  return suite.worker.fetch("/api/auth/login", { host: tenant.hostname, ...jsonPost({ email, password }) });
}
const codeOf = async (response: Response): Promise<string> => ((await response.json()) as { code: string }).code;

/** Asks for a reset for `user` in `tenant` and returns the token from the queued e-mail. */
async function resetToken(tenant: SeededTenant, user: TestUser): Promise<string> {
  expect((await ask(tenant, user.email)).status).toBe(202);
  return (await lastMail(suite.admin, tenant.id, user.email, "password-reset")).secret!;
}

describe("asking for a reset", () => {
  it("answers the same for a member, an unknown address and another tenant's member; only the member gets mail", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const elsewhere = await createUser(suite.admin, clinicB, { roles: ["author"] });
    const unknown = `nobody.${Math.random().toString(36).slice(2, 8)}@example.test`;
    const answers = await Promise.all(
      [member.email.toUpperCase(), unknown, elsewhere.email].map(async (email) => {
        const res = await ask(clinicA, email, { "accept-language": "en" });
        return {
          status: res.status,
          body: await res.text(),
          type: res.headers.get("content-type"),
          cookie: res.headers.get("set-cookie"),
        };
      }),
    );
    expect(answers[0]).toMatchObject({ status: 202, body: "", cookie: null });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);

    const mail = await lastMail(suite.admin, clinicA.id, member.email, "password-reset");
    expect(mail.locale).toBe("en");
    expect(mail.data).toMatchObject({ origin: `http://${clinicA.hostname}` });
    expect(mail.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(mail.data)).not.toContain(mail.secret!);
    expect(await queuedMail(suite.admin, clinicA.id, { to: unknown })).toEqual([]);
    expect(await queuedMail(suite.admin, clinicA.id, { to: elsewhere.email })).toEqual([]);
    expect(await queuedMail(suite.admin, clinicB.id, { to: elsewhere.email })).toEqual([]);

    // Stored only as a hash, for 30 minutes.
    const stored = await suite.admin.query(
      "select token_hash, extract(epoch from expires_at - created_at)::int as seconds from password_resets where user_id = $1",
      [member.id],
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].token_hash).not.toBe(mail.secret);
    expect(stored.rows[0].seconds).toBeGreaterThanOrEqual(1799);
    expect(stored.rows[0].seconds).toBeLessThanOrEqual(1800);
  });

  it("does not send to a suspended member", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    await suite.admin.query("update memberships set status = 'disabled' where user_id = $1", [member.id]);
    expect((await ask(clinicA, member.email)).status).toBe(202);
    expect(await queuedMail(suite.admin, clinicA.id, { to: member.email })).toEqual([]);
  });

  it("is throttled per client (429) and per address (no more mail, same answer)", async () => {
    const headers = { "cf-connecting-ip": "198.51.100.23" };
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      statuses.push((await ask(clinicA, `guess${attempt}@example.test`, headers)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);

    const member = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    for (let attempt = 0; attempt < 5; attempt++) expect((await ask(clinicA, member.email)).status).toBe(202);
    expect(await queuedMail(suite.admin, clinicA.id, { to: member.email, template: "password-reset" })).toHaveLength(3);
  });
});

describe("setting the new password", () => {
  it("changes the password once, ends every session in every tenant, audits and queues a notice", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    await suite.admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
      clinicB.id,
      member.id,
    ]);
    const inA = await signIn(suite.worker, clinicA.hostname, member);
    const inB = await signIn(suite.worker, clinicB.hostname, member);
    const token = await resetToken(clinicA, member);

    expect((await confirm(clinicA, token, NEW_PASSWORD)).status).toBe(204);
    const reused = await confirm(clinicA, token, "yet another long passphrase");
    expect(reused.status).toBe(410);
    expect(await codeOf(reused)).toBe("reset_token_invalid");

    expect((await login(clinicA, member.email, member.password)).status).toBe(401);
    expect((await login(clinicA, member.email, NEW_PASSWORD)).status).toBe(200);
    expect((await login(clinicB, member.email, NEW_PASSWORD)).status).toBe(200);
    for (const [tenant, session] of [
      [clinicA, inA],
      [clinicB, inB],
    ] as const) {
      const me = await suite.worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(session.accessToken) });
      expect(me.status).toBe(401);
      const refreshed = await suite.worker.fetch("/api/auth/refresh", {
        host: tenant.hostname,
        method: "POST",
        headers: { cookie: session.refreshCookie, origin: `http://${tenant.hostname}` },
      });
      expect(refreshed.status).toBe(401);
    }
    // A session started right after the reset works.
    const fresh = await signIn(suite.worker, clinicA.hostname, { email: member.email, password: NEW_PASSWORD });
    expect(
      (await suite.worker.fetch("/api/me", { host: clinicA.hostname, headers: bearer(fresh.accessToken) })).status,
    ).toBe(200);

    const notice = await lastMail(suite.admin, clinicA.id, member.email, "password-changed");
    expect(notice.secret).toBeNull();
    const audit = await suite.admin.query(
      "select actor_id, details from audit_events where tenant_id = $1 and action = 'user.password_reset' and target_id = $2",
      [clinicA.id, member.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor_id).toBe(member.id);
  });

  it("refuses an expired token, a token from another tenant and an older token after a newer request", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    const expired = await resetToken(clinicA, member);
    await suite.admin.query("update password_resets set expires_at = now() - interval '1 second' where user_id = $1", [
      member.id,
    ]);
    expect(await codeOf(await confirm(clinicA, expired, NEW_PASSWORD))).toBe("reset_token_invalid");

    const older = await resetToken(clinicA, member);
    const newer = await resetToken(clinicA, member);
    expect((await confirm(clinicA, older, NEW_PASSWORD)).status).toBe(410);
    expect((await confirm(clinicB, newer, NEW_PASSWORD)).status).toBe(410);
    expect((await login(clinicA, member.email, member.password)).status).toBe(200);
    expect((await confirm(clinicA, newer, NEW_PASSWORD)).status).toBe(204);
  });

  it("applies the password rules (length, common passwords, not the address) and keeps the token for a retry", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    const token = await resetToken(clinicA, member);
    for (const password of ["short pass", "password1234", `${member.email.split("@")[0]} and more`]) {
      const res = await confirm(clinicA, token, password);
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).not.toContain(password);
    }
    // No composition rules: a long passphrase of lower-case words is fine.
    expect((await confirm(clinicA, token, "correct staple battery horse lamp")).status).toBe(204);
    expect(await queuedMail(suite.admin, clinicA.id, { to: member.email, template: "password-changed" })).toHaveLength(
      1,
    );
  });
});

describe("changing one's own password", () => {
  function change(tenant: SeededTenant, accessToken: string, currentPassword: string, newPassword: string) {
    return suite.worker.fetch("/api/me/password", {
      host: tenant.hostname,
      ...jsonPost({ currentPassword, newPassword }, { ...bearer(accessToken), "accept-language": "en" }),
    });
  }
  const me = (tenant: SeededTenant, accessToken: string) =>
    suite.worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(accessToken) });
  const refresh = (tenant: SeededTenant, cookie: string) =>
    suite.worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie, origin: `http://${tenant.hostname}` },
    });

  it("ends every other session in every tenant, queues the notice, and keeps the changing session going", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    await suite.admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
      clinicB.id,
      member.id,
    ]);
    const here = await signIn(suite.worker, clinicA.hostname, member);
    const otherDevice = await signIn(suite.worker, clinicA.hostname, member);
    const otherClinic = await signIn(suite.worker, clinicB.hostname, member);

    const changed = await change(clinicA, here.accessToken, member.password, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    const next = (await changed.json()) as { access_token: string };
    const nextCookie = refreshCookieFrom(changed);

    // Every session but the one that made the change has ended, here and in the other clinic.
    for (const [tenant, session] of [
      [clinicA, otherDevice],
      [clinicB, otherClinic],
    ] as const) {
      expect((await me(tenant, session.accessToken)).status).toBe(401);
      expect((await refresh(tenant, session.refreshCookie)).status).toBe(401);
    }
    expect((await refresh(clinicA, here.refreshCookie)).status).toBe(401);
    // The changing session goes on with the tokens of the answer.
    expect((await me(clinicA, next.access_token)).status).toBe(200);
    expect((await refresh(clinicA, nextCookie)).status).toBe(200);

    expect((await login(clinicA, member.email, member.password)).status).toBe(401);
    expect((await login(clinicA, member.email, NEW_PASSWORD)).status).toBe(200);
    const notice = await lastMail(suite.admin, clinicA.id, member.email, "password-changed");
    expect(notice).toMatchObject({ locale: "en", secret: null });
    const audit = await suite.admin.query(
      "select actor_id, details from audit_events where tenant_id = $1 and action = 'user.password_changed' and actor_id = $2",
      [clinicA.id, member.id],
    );
    expect(audit.rows).toEqual([{ actor_id: member.id, details: { sessionsRevoked: 2 } }]);
  });

  it("refuses a wrong current password: nothing changes, no notice, and the attempt is audited", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const session = await signIn(suite.worker, clinicA.hostname, member);
    const refused = await change(clinicA, session.accessToken, "not the password at all", NEW_PASSWORD);
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe("invalid_current_password");
    expect((await me(clinicA, session.accessToken)).status).toBe(200);
    expect((await login(clinicA, member.email, member.password)).status).toBe(200);
    expect(await queuedMail(suite.admin, clinicA.id, { to: member.email, template: "password-changed" })).toEqual([]);
    const audit = await suite.admin.query(
      "select details->>'reason' as reason from audit_events where tenant_id = $1 and action = 'user.password_change_refused' and actor_id = $2",
      [clinicA.id, member.id],
    );
    expect(audit.rows).toEqual([{ reason: "invalid_current_password" }]);
  });
});
