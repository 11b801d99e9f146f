/**
 * Attacks on TOTP enrolment by someone holding only a phished password or a stolen access token: binding
 * their own authenticator must take the current password (counted like a failed sign-in), replacing an
 * enrolled factor must take a current code, and a new factor ends every other session of the account.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, createUser, refreshCookieFrom, signIn, type TestUser, jsonPost } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;

beforeAll(async () => ({ worker, admin, tenant } = await startSuite("secenrol")));
afterAll(() => stopSuite({ worker, admin }));

const enrol = (token: string, body?: unknown) =>
  worker.fetch("/api/me/mfa/enrol", {
    host: tenant.hostname,
    ...(body === undefined ? { method: "POST", headers: bearer(token) } : jsonPost(body, bearer(token))),
  });
const confirm = (token: string, code: string) =>
  worker.fetch("/api/me/mfa/confirm", { host: tenant.hostname, ...jsonPost({ code }, bearer(token)) });
const me = (token: string) => worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });
const refresh = (cookie: string) =>
  worker.fetch("/api/auth/refresh", {
    host: tenant.hostname,
    method: "POST",
    headers: { cookie, origin: `http://${tenant.hostname}` },
  });
const login = (user: Pick<TestUser, "email" | "password">) =>
  worker.fetch("/api/auth/login", {
    host: tenant.hostname,
    ...jsonPost({ email: user.email, password: user.password }),
  });
const codeOf = async (res: Response) => ((await res.json()) as { code?: string }).code;

async function auditActions(userId: string): Promise<string[]> {
  const rows = await admin.query<{ action: string }>(
    "select action from audit_events where tenant_id = $1 and actor_id = $2 order by seq",
    [tenant.id, userId],
  );
  return rows.rows.map((row) => row.action);
}

async function mfaEnabled(userId: string): Promise<boolean> {
  const rows = await admin.query("select mfa_enabled_at from users where id = $1", [userId]);
  return rows.rows[0].mfa_enabled_at !== null;
}

describe("MFA enrolment needs the current password", () => {
  it("refuses a stolen access token alone, and a wrong password counts towards the sign-in lockout", async () => {
    const victim = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const stolen = (await signIn(worker, tenant.hostname, victim)).accessToken;

    const bare = await enrol(stolen);
    expect(bare.status).not.toBe(200);
    expect([401, 403, 422]).toContain(bare.status);
    const wrong = await enrol(stolen, { currentPassword: "a guessed password" });
    expect(wrong.status).toBe(403);
    expect(await codeOf(wrong)).toBe("invalid_current_password");
    expect(await mfaEnabled(victim.id)).toBe(false);
    expect(await auditActions(victim.id)).toContain("user.mfa_enrolment_refused");

    // Nine more wrong guesses: the account is locked, for enrolment and for sign-in alike.
    for (let i = 0; i < 9; i++) {
      const guess = await enrol(stolen, { currentPassword: `guess ${i}` });
      expect(guess.status).toBe(403);
    }
    const locked = await enrol(stolen, { currentPassword: victim.password });
    expect(locked.status).toBe(429);
    const signInLocked = await login(victim);
    expect(signInLocked.status).toBe(429);
  });

  it("enrols with the right password and ends every other session of the account", async () => {
    const user = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const mine = await signIn(worker, tenant.hostname, user);
    const other = await signIn(worker, tenant.hostname, user);

    const started = await enrol(mine.accessToken, { currentPassword: user.password });
    expect(started.status).toBe(200);
    const { secret } = (await started.json()) as { secret: string };
    const confirmed = await confirm(mine.accessToken, await totpCode(secret, totpStep()));
    expect(confirmed.status).toBe(200);
    const answer = (await confirmed.json()) as { recoveryCodes: string[]; accessToken: string };
    expect(answer.recoveryCodes).toHaveLength(10);
    expect(await auditActions(user.id)).toContain("user.mfa_enabled");

    // The other session is over: its refresh token and its access token are refused.
    expect((await refresh(other.refreshCookie)).status).toBe(401);
    expect((await me(other.accessToken)).status).toBe(401);
    // This session goes on with the fresh access token from the answer.
    const still = await me(answer.accessToken);
    expect(still.status).toBe(200);
    expect(((await still.json()) as { mfaEnabled: boolean }).mfaEnabled).toBe(true);
  });
});

describe("replacing an enrolled factor needs a current code", () => {
  it("refuses the password alone, and replaces the factor with a current code", async () => {
    const user = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const session = await signIn(worker, tenant.hostname, user);
    const first = (await (await enrol(session.accessToken, { currentPassword: user.password })).json()) as {
      secret: string;
    };
    const step = totpStep();
    const confirmed = await confirm(session.accessToken, await totpCode(first.secret, step));
    expect(confirmed.status).toBe(200);
    const { accessToken, recoveryCodes } = (await confirmed.json()) as {
      accessToken: string;
      recoveryCodes: string[];
    };

    // The attacker knows the password but holds no code of the victim's authenticator.
    const noCode = await enrol(accessToken, { currentPassword: user.password });
    expect(noCode.status).toBe(401);
    expect(await codeOf(noCode)).toBe("mfa_code_required");
    const wrongCode = await enrol(accessToken, { currentPassword: user.password, code: "000000" });
    expect(wrongCode.status).toBe(401);
    expect(await codeOf(wrongCode)).toBe("invalid_mfa_code");
    const stillFirst = await admin.query("select mfa_secret_encrypted from users where id = $1", [user.id]);

    // The owner replaces it with a recovery code; the old authenticator stops working at sign-in.
    const replacing = await enrol(accessToken, { currentPassword: user.password, code: recoveryCodes[0] });
    expect(replacing.status).toBe(200);
    const second = (await replacing.json()) as { secret: string };
    const unchanged = await admin.query("select mfa_secret_encrypted from users where id = $1", [user.id]);
    expect(unchanged.rows[0].mfa_secret_encrypted).toBe(stillFirst.rows[0].mfa_secret_encrypted);
    const replaced = await confirm(accessToken, await totpCode(second.secret, step));
    expect(replaced.status).toBe(200);
    expect(await auditActions(user.id)).toContain("user.mfa_replaced");

    const challenge = (await (await login(user)).json()) as { mfaToken: string };
    const oldFactor = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: challenge.mfaToken, code: await totpCode(first.secret, step + 1) }),
    });
    expect(oldFactor.status).toBe(401);
    const newFactor = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: challenge.mfaToken, code: await totpCode(second.secret, step + 1) }),
    });
    expect(newFactor.status).toBe(200);
    refreshCookieFrom(newFactor);
  });
});
