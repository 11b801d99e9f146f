import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from "jose";
import { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { generateSigningJwk } from "../../scripts/keys.js";
import { bearer, createUser, refreshCookieFrom, signIn, type TestUser, jsonPost } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let redis: Redis;
let tenant: SeededTenant;
let other: SeededTenant;
let editor: TestUser;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  redis = new Redis(worker.env.redisUrl);
  tenant = await seedTenant(admin, "ident");
  other = await seedTenant(admin, "other");
  editor = await createUser(admin, tenant, { roles: ["editor"] });
});
afterAll(async () => {
  redis?.disconnect();
  await admin?.end();
  await worker?.dispose();
});

async function me(token: string, host = tenant.hostname): Promise<Response> {
  return worker.fetch("/api/me", { host, headers: bearer(token) });
}

async function auditActions(tenantId: string): Promise<string[]> {
  const rows = await admin.query<{ action: string }>(
    "select action from audit_events where tenant_id = $1 order by seq",
    [tenantId],
  );
  return rows.rows.map((row) => row.action);
}

describe("signing in", () => {
  it("issues an EdDSA at+jwt with the claims RFC 9068 asks for, and an HttpOnly refresh cookie", async () => {
    const res = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: editor.email, password: editor.password }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 600 });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: "EdDSA", typ: "at+jwt", kid: "test-2" });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      iss: "https://vitalis.test",
      aud: "vitalis-api",
      sub: editor.id,
      tid: tenant.id,
      roles: ["editor"],
      amr: ["pwd"],
    });
    for (const claim of ["auth_time", "jti", "iat", "nbf", "exp"]) expect(claims[claim]).toBeDefined();
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/__Secure-vitalis_refresh=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);
    expect(JSON.stringify(body)).not.toContain(refreshCookieFrom(res).split("=")[1]);

    const profile = await me(body.access_token);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({
      id: editor.id,
      email: editor.email,
      displayName: expect.any(String),
      roles: ["editor"],
      mfaEnabled: false,
      credential: null,
    });
    // The request was anonymous; the sign-in event names the user who signed in.
    const signedIn = await admin.query<{ actor_type: string; actor_id: string | null }>(
      "select actor_type, actor_id from audit_events where tenant_id = $1 and action = 'auth.login' order by seq desc limit 1",
      [tenant.id],
    );
    expect(signedIn.rows).toEqual([{ actor_type: "user", actor_id: editor.id }]);
  });

  it("answers an unknown email and a wrong password identically", async () => {
    const unknown = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: "nobody@nowhere.test", password: "whatever-password" }),
    });
    const wrong = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: editor.email, password: "not-the-password" }),
    });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (p: Record<string, unknown>) => ({ ...p, instance: undefined });
    expect(strip((await unknown.json()) as Record<string, unknown>)).toEqual(
      strip((await wrong.json()) as Record<string, unknown>),
    );
    expect(await auditActions(tenant.id)).toContain("auth.login_failed");
    // The refusal for a known account names it; an unknown email names nobody.
    const failures = await admin.query<{ actor_type: string; actor_id: string | null }>(
      "select actor_type, actor_id from audit_events where tenant_id = $1 and action = 'auth.login_failed' order by seq desc limit 2",
      [tenant.id],
    );
    expect(failures.rows).toEqual([
      { actor_type: "user", actor_id: editor.id },
      { actor_type: "anonymous", actor_id: null },
    ]);
  });

  it("does not let a member of one tenant sign in on another tenant's host", async () => {
    const res = await worker.fetch("/api/auth/login", {
      host: other.hostname,
      ...jsonPost({ email: editor.email, password: editor.password }),
    });
    expect(res.status).toBe(401);
  });

  it("locks an account after repeated failures from one client, and the lock expires", async () => {
    const victim = await createUser(admin, tenant, { roles: ["author"] });
    const from = { "cf-connecting-ip": "198.51.100.31" };
    for (let i = 0; i < 10; i++) {
      const res = await worker.fetch("/api/auth/login", {
        host: tenant.hostname,
        ...jsonPost({ email: victim.email, password: `wrong-${i}` }, from),
      });
      expect(res.status).toBe(401);
    }
    const locked = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: victim.email, password: victim.password }, from),
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Let the lock and the per-minute throttle run out, as time would.
    for (const key of await redis.keys("vitalis:lock:*")) await redis.pexpire(key, 1);
    for (const key of await redis.keys("vitalis:rl:login-account*")) await redis.del(key);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: victim.email, password: victim.password }, from),
    });
    expect(after.status).toBe(200);
  });

  it("throttles sign-in attempts from one address, whatever the accounts", async () => {
    // The limiter's sliding window is aligned to the minute: a burst that straddles two minutes is weighed
    // across both and may stay under the limit. Start the burst early in a minute so it fits in one.
    await startEarlyInAMinute();
    const from = { "cf-connecting-ip": "198.51.100.77" };
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await worker.fetch("/api/auth/login", {
        host: tenant.hostname,
        ...jsonPost({ email: `spray-${i}@nowhere.test`, password: "guess-1234567" }, from),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    const elsewhere = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: editor.email, password: editor.password }),
    });
    expect(elsewhere.status).toBe(200);
  });

  it("refuses unknown fields in the login body", async () => {
    const res = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: editor.email, password: "x", role: "admin" }),
    });
    expect(res.status).toBe(422);
  });
});

describe("the JWT attack suite: every forged token is refused before any handler", () => {
  let privateJwk: JWK;
  let valid: string;
  beforeAll(async () => {
    privateJwk = (JSON.parse(worker.env.auth.privateJwks) as JWK[])[0]!;
    valid = (await signIn(worker, tenant.hostname, editor)).accessToken;
  });

  const claimsFor = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: "https://vitalis.test",
      aud: "vitalis-api",
      sub: editor.id,
      tid: tenant.id,
      roles: ["admin"],
      amr: ["pwd", "mfa"],
      auth_time: now,
      jti: crypto.randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 600,
      ...overrides,
    };
  };
  async function forge(
    claims: Record<string, unknown>,
    header: Record<string, unknown> = {},
    jwk: JWK = privateJwk,
  ): Promise<string> {
    const key = await importJWK({ ...jwk, kid: undefined }, "EdDSA");
    return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: jwk.kid, ...header }).sign(key);
  }
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("accepts the genuine token (the control case)", async () => {
    expect((await me(valid)).status).toBe(200);
    expect((await me(await forge(claimsFor({ roles: ["editor"] })))).status).toBe(200);
  });

  it.each<[string, () => Promise<string>]>([
    ["alg: none", async () => `${b64({ alg: "none", typ: "at+jwt" })}.${b64(claimsFor())}.`],
    [
      "HS256 signed with the public key",
      async () => {
        const publicKey = new TextEncoder().encode(JSON.stringify({ kty: "OKP", crv: "Ed25519", x: privateJwk.x }));
        return new SignJWT(claimsFor())
          .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: privateJwk.kid })
          .sign(publicKey);
      },
    ],
    ["an unknown kid", async () => forge(claimsFor(), {}, (await generateSigningJwk("intruder")) as JWK)],
    ["a jku header pointing elsewhere", () => forge(claimsFor(), { jku: "https://evil.example/jwks.json" })],
    [
      "an embedded jwk header",
      async () => forge(claimsFor(), { jwk: { kty: "OKP", crv: "Ed25519", x: privateJwk.x } }),
    ],
    ["an x5u header", () => forge(claimsFor(), { x5u: "https://evil.example/cert.pem" })],
    ["an expired token", () => forge(claimsFor({ exp: Math.floor(Date.now() / 1000) - 120 }))],
    ["nbf in the future", () => forge(claimsFor({ nbf: Math.floor(Date.now() / 1000) + 600 }))],
    ["a wrong audience", () => forge(claimsFor({ aud: "another-api" }))],
    ["a wrong issuer", () => forge(claimsFor({ iss: "https://evil.example" }))],
    ["a missing exp", () => forge(claimsFor({ exp: undefined }))],
    ["a wrong typ", () => forge(claimsFor(), { typ: "JWT" })],
    ["an MFA challenge token used as an access token", () => forge(claimsFor(), { typ: "mfa+jwt" })],
    [
      "a token signed by a key that is not ours, kid reused",
      async () => forge(claimsFor(), {}, { ...((await generateSigningJwk("x")) as JWK), kid: privateJwk.kid }),
    ],
  ])("refuses %s", async (_label, make) => {
    const res = await me(await make());
    expect(res.status).toBe(401);
    const problem = (await res.json()) as { code: string };
    expect(problem.code).toBe("invalid_token");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error=/);
  });

  it("refuses tenant A's token on tenant B's host", async () => {
    const res = await me(valid, other.hostname);
    expect(res.status).toBe(401);
  });

  it("refuses a token whose jti was revoked by logout", async () => {
    const session = await signIn(worker, tenant.hostname, editor);
    const out = await worker.fetch("/api/auth/logout", {
      host: tenant.hostname,
      method: "POST",
      headers: { ...bearer(session.accessToken), cookie: session.refreshCookie, origin: `http://${tenant.hostname}` },
    });
    expect(out.status).toBe(204);
    const res = await me(session.accessToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("token_revoked");
  });

  it("refuses every token issued before logout-all, and accepts new sign-ins", async () => {
    const user = await createUser(admin, tenant, { roles: ["author"] });
    const first = await signIn(worker, tenant.hostname, user);
    const second = await signIn(worker, tenant.hostname, user);
    expect(
      (
        await worker.fetch("/api/auth/logout-all", {
          host: tenant.hostname,
          method: "POST",
          headers: bearer(first.accessToken),
        })
      ).status,
    ).toBe(204);
    expect((await me(first.accessToken)).status).toBe(401);
    expect((await me(second.accessToken)).status).toBe(401);
    const refreshed = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: second.refreshCookie, origin: `http://${tenant.hostname}` },
    });
    expect(refreshed.status).toBe(401);
    const fresh = await signIn(worker, tenant.hostname, user);
    expect((await me(fresh.accessToken)).status).toBe(200);
  });
});

describe("refresh tokens", () => {
  it("rotate on every use, and a reused one revokes the whole family", async () => {
    const user = await createUser(admin, tenant, { roles: ["editor"] });
    const session = await signIn(worker, tenant.hostname, user);
    const origin = `http://${tenant.hostname}`;
    const first = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie, origin },
    });
    expect(first.status).toBe(200);
    const rotated = refreshCookieFrom(first);
    expect(rotated).not.toBe(session.refreshCookie);
    expect((await me(((await first.json()) as { access_token: string }).access_token)).status).toBe(200);

    // The old token again: a thief or a replay.
    const replay = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie, origin },
    });
    expect(replay.status).toBe(401);
    // ...and the legitimate newest token of that family is now dead too.
    const afterReuse = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: rotated, origin },
    });
    expect(afterReuse.status).toBe(401);
    expect(await auditActions(tenant.id)).toContain("auth.refresh_reuse_detected");
  });

  it("checks Origin on the cookie-authenticated endpoint (CSRF)", async () => {
    const session = await signIn(worker, tenant.hostname, editor);
    const noOrigin = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie },
    });
    expect(noOrigin.status).toBe(403);
    const evil = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie, origin: "https://evil.example" },
    });
    expect(evil.status).toBe(403);
    const adminSpa = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie, origin: "https://admin.vitalis.test" },
    });
    expect(adminSpa.status).toBe(200);
  });
});

describe("TOTP multi-factor authentication", () => {
  it("enrols, signs in with a code, and refuses the same code twice", async () => {
    const user = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const session = await signIn(worker, tenant.hostname, user);
    const enrol = await worker.fetch("/api/me/mfa/enrol", {
      host: tenant.hostname,
      ...jsonPost({ currentPassword: user.password }, bearer(session.accessToken)),
    });
    expect(enrol.status).toBe(200);
    const { secret, otpauthUri } = (await enrol.json()) as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Vitalis%3A.+\?secret=[A-Z2-7]+&issuer=Vitalis/);
    const stored = await admin.query("select mfa_secret_encrypted from users where id = $1", [user.id]);
    expect(stored.rows[0].mfa_secret_encrypted).not.toContain(secret);

    const step = totpStep();
    const confirm = await worker.fetch("/api/me/mfa/confirm", {
      host: tenant.hostname,
      ...jsonPost({ code: await totpCode(secret, step) }, bearer(session.accessToken)),
    });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);

    const login = async () => {
      const res = await worker.fetch("/api/auth/login", {
        host: tenant.hostname,
        ...jsonPost({ email: user.email, password: user.password }),
      });
      const body = (await res.json()) as { mfaRequired: boolean; mfaToken: string };
      expect(body.mfaRequired).toBe(true);
      return body.mfaToken;
    };
    const code = await totpCode(secret, step + 1);
    const ok = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: await login(), code }),
    });
    expect(ok.status).toBe(200);
    const token = ((await ok.json()) as { access_token: string }).access_token;
    expect(decodeJwt(token).amr).toEqual(["pwd", "otp", "mfa"]);

    const replay = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: await login(), code }),
    });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe("mfa_code_replayed");

    const recovery = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: await login(), code: recoveryCodes[0] }),
    });
    expect(recovery.status).toBe(200);
    const reused = await worker.fetch("/api/auth/mfa", {
      host: tenant.hostname,
      ...jsonPost({ mfaToken: await login(), code: recoveryCodes[0] }),
    });
    expect(reused.status).toBe(401);
  });
});

describe("professional credentials and accounts", () => {
  it("takes a CRM + UF, lets only an admin verify it with a note, and audits both", async () => {
    const reviewer = await createUser(admin, tenant, { roles: ["medical_reviewer"] });
    const boss = await createUser(admin, tenant, { roles: ["admin"] });
    const reviewerToken = (await signIn(worker, tenant.hostname, reviewer)).accessToken;
    const bad = await worker.fetch("/api/me/credential", {
      host: tenant.hostname,
      method: "PUT",
      headers: { ...bearer(reviewerToken), "content-type": "application/json" },
      body: JSON.stringify({ crmNumber: "12a", crmUf: "XX" }),
    });
    expect(bad.status).toBe(422);
    const put = await worker.fetch("/api/me/credential", {
      host: tenant.hostname,
      method: "PUT",
      headers: { ...bearer(reviewerToken), "content-type": "application/json" },
      body: JSON.stringify({ crmNumber: "123456", crmUf: "SP", rqe: ["4321"] }),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ crmNumber: "123456", crmUf: "SP", status: "pending" });

    const review = (token: string) =>
      worker.fetch(`/api/users/${reviewer.id}/credential/review`, {
        host: tenant.hostname,
        ...jsonPost({ status: "verified", note: "Checked on the CRM-SP portal" }, bearer(token)),
      });
    expect((await review(reviewerToken)).status).toBe(403);
    const verified = await review((await signIn(worker, tenant.hostname, boss)).accessToken);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({
      crmNumber: "123456",
      status: "verified",
      note: "Checked on the CRM-SP portal",
      reviewedAt: expect.any(String),
    });
    expect(await auditActions(tenant.id)).toEqual(
      expect.arrayContaining(["credential.submitted", "credential.reviewed"]),
    );
  });

  it("suspending a member voids their tokens at once", async () => {
    const boss = await createUser(admin, tenant, { roles: ["admin"] });
    const member = await createUser(admin, tenant, { roles: ["author"] });
    const memberToken = (await signIn(worker, tenant.hostname, member)).accessToken;
    const res = await worker.fetch(`/api/members/${member.id}/suspend`, {
      host: tenant.hostname,
      method: "POST",
      headers: bearer((await signIn(worker, tenant.hostname, boss)).accessToken),
    });
    expect(res.status).toBe(204);
    expect((await me(memberToken)).status).toBe(401);
    const again = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: member.email, password: member.password }),
    });
    expect(again.status).toBe(401);
  });

  it("refuses a common or short password", async () => {
    const token = (await signIn(worker, tenant.hostname, editor)).accessToken;
    const res = await worker.fetch("/api/me/password", {
      host: tenant.hostname,
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify({ currentPassword: editor.password, newPassword: "password1234" }),
    });
    expect(res.status).toBe(422);
  });
});

describe("the public key set", () => {
  it("serves every verifying key and never a private member", async () => {
    const res = await worker.fetch("/.well-known/jwks.json", { host: tenant.hostname });
    const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys.map((k) => k.kid)).toEqual(["test-2", "test-1"]);
    for (const key of body.keys) {
      expect(key).not.toHaveProperty("d");
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    }
  });
});

describe("trust when Redis is unavailable", () => {
  it("denies restricted data (fail closed), records the decision, and keeps liveness up", async () => {
    const token = (await signIn(worker, tenant.hostname, editor)).accessToken;
    const blind = await startWorker({ UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    try {
      const res = await blind.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("trust_denied");
      expect((await blind.fetch("/healthz")).status).toBe(200);
      const events = await admin.query(
        "select details from audit_events where tenant_id = $1 and action = 'trust.deny' order by seq desc limit 1",
        [tenant.id],
      );
      expect(events.rows[0].details).toMatchObject({ sensitivity: "restricted" });
      expect(events.rows[0].details.missing).toEqual(expect.arrayContaining(["device", "requestVelocity"]));
    } finally {
      await blind.dispose();
    }
  });
});

/** Waits, when needed, until at least 40 seconds of the current minute are left (a slow machine's burst fits). */
async function startEarlyInAMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 20_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}
