/**
 * Attack: an attacker who holds one stolen password guesses the second factor. Each password sign-in issues a
 * new MFA challenge with its own five guesses, so the guesses must also be counted per account, across
 * challenges, and the account locked for a while once too many have failed, even against a correct code.
 */
import { type Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { bearer, createUser, signIn, type TestUser, jsonPost } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let redis: Redis;
let tenant: SeededTenant;

beforeAll(async () => ({ worker, admin, redis, tenant } = await startSuite("secmfa")));
afterAll(() => stopSuite({ worker, admin, redis }));

/** Enrols a TOTP authenticator for `user` with the code of `step`; answers the secret and the recovery codes. */
async function enrol(user: TestUser, step: number): Promise<{ secret: string; recoveryCodes: string[] }> {
  const session = await signIn(worker, tenant.hostname, user);
  const res = await worker.fetch("/api/me/mfa/enrol", {
    host: tenant.hostname,
    ...jsonPost({ currentPassword: user.password }, bearer(session.accessToken)),
  });
  expect(res.status).toBe(200);
  const { secret } = (await res.json()) as { secret: string };
  const confirm = await worker.fetch("/api/me/mfa/confirm", {
    host: tenant.hostname,
    ...jsonPost({ code: await totpCode(secret, step) }, bearer(session.accessToken)),
  });
  expect(confirm.status).toBe(200);
  const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
  return { secret, recoveryCodes };
}

/** Step one with the (stolen) password: a fresh MFA challenge. */
async function challenge(user: TestUser): Promise<string> {
  const res = await worker.fetch("/api/auth/login", {
    host: tenant.hostname,
    ...jsonPost({ email: user.email, password: user.password }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { mfaRequired: boolean; mfaToken: string };
  expect(body.mfaRequired).toBe(true);
  return body.mfaToken;
}

async function answer(mfaToken: string, code: string): Promise<{ status: number; code: string | undefined }> {
  const res = await worker.fetch("/api/auth/mfa", { host: tenant.hostname, ...jsonPost({ mfaToken, code }) });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code };
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await admin.query<{ action: string }>(
    "select action from audit_events where tenant_id = $1 and actor_id = $2 order by seq",
    [tenant.id, userId],
  );
  return rows.rows.map((row) => row.action);
}

/** Codes of long-past steps: well-formed, and wrong now. */
const wrongCode = (secret: string, i: number): Promise<string> => totpCode(secret, totpStep() - 1000 - i);

describe("guessing the second factor with a stolen password", () => {
  it("locks the account after 10 wrong codes across challenges, even against a correct code, and audits it", async () => {
    const victim = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const bystander = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const step = totpStep();
    const { secret, recoveryCodes } = await enrol(victim, step);

    // Three challenges, four guesses each (under the five a challenge allows), one of them a wrong recovery code.
    const answers: { status: number; code: string | undefined }[] = [];
    for (let c = 0; c < 3; c++) {
      const mfaToken = await challenge(victim);
      for (let g = 0; g < 4; g++) {
        const code = c === 1 && g === 0 ? "WRONG-CODE1" : await wrongCode(secret, c * 4 + g);
        answers.push(await answer(mfaToken, code));
      }
    }
    // The first ten are plain wrong codes; the tenth engages the lock, and every guess after it is refused unread.
    expect(answers.slice(0, 10)).toEqual(Array(10).fill({ status: 401, code: "invalid_mfa_code" }));
    expect(answers.slice(10)).toEqual(Array(2).fill({ status: 429, code: "mfa_locked" }));

    // A fresh challenge and the correct code: still locked, with a Retry-After like the password lockout.
    const mfaToken = await challenge(victim);
    const res = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken, code: await totpCode(secret, step + 1) }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: string }).code).toBe("mfa_locked");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    // A correct recovery code counts as a second factor too: refused, and not spent.
    expect(await answer(mfaToken, recoveryCodes[0]!)).toEqual({ status: 429, code: "mfa_locked" });

    const actions = await auditActions(victim.id);
    expect(actions.filter((action) => action === "auth.mfa_locked")).toHaveLength(1);
    expect(actions.filter((action) => action === "auth.mfa_failed")).toHaveLength(10);
    expect(actions.filter((action) => action === "auth.login").length).toBe(1); // the enrolment sign-in only
    const [locked] = (
      await admin.query<{ details: Record<string, unknown> }>(
        "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'auth.mfa_locked'",
        [tenant.id, victim.id],
      )
    ).rows;
    expect(locked!.details).toMatchObject({ failures: 10 });

    // Another account of the same tenant is unaffected.
    await expect(signInWithMfa(worker, tenant.hostname, bystander)).resolves.toHaveProperty("accessToken");

    // Once the lock runs out, as time would make it, the correct code signs in, and the recovery code still works.
    for (const key of await redis.keys(`vitalis:mfa-*:${tenant.id}:${victim.id}`)) await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await answer(await challenge(victim), await totpCode(secret, step + 1))).toMatchObject({ status: 200 });
    expect(await answer(await challenge(victim), recoveryCodes[0]!)).toMatchObject({ status: 200 });
  });

  it("counts consecutive failures only: a correct code resets the count", async () => {
    const user = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const step = totpStep();
    const { secret, recoveryCodes } = await enrol(user, step);
    const guess = async (from: number) => {
      for (let c = 0; c < 2; c++) {
        const mfaToken = await challenge(user);
        for (let g = 0; g < 4; g++) {
          const i = from + c * 4 + g;
          expect(await answer(mfaToken, await wrongCode(secret, i))).toEqual({ status: 401, code: "invalid_mfa_code" });
        }
      }
    };
    await guess(0); // eight wrong
    expect(await answer(await challenge(user), await totpCode(secret, step + 1))).toMatchObject({ status: 200 });
    await guess(8); // eight more: sixteen in the window, but never ten in a row
    expect(await answer(await challenge(user), recoveryCodes[1]!)).toMatchObject({ status: 200 });
    expect(await auditActions(user.id)).not.toContain("auth.mfa_locked");
  });
});
