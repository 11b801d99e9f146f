/**
 * Sign-in under attack. Lockout as denial of service: ten wrong passwords from anywhere used to lock any
 * account for 15 minutes, again and again. Now a client that keeps failing locks only itself out of the
 * account, and failures spread over many clients slow every unknown client for a short, growing delay
 * instead of locking the owner out. Also the sign-in controls nobody had tested: tokens of the second
 * (rotation) key verify, `crit` and `x5c` headers are refused, the client lock lasts 15 minutes, and a
 * correct password resets the count.
 */
import { createHash, createPrivateKey, sign } from "node:crypto";
import { type Redis } from "ioredis";
import { importJWK, type JWK, SignJWT } from "jose";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, deviceCookieFrom, jsonPost, type TestUser } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let redis: Redis;
let tenant: SeededTenant;

beforeAll(async () => ({ worker, admin, redis, tenant } = await startSuite("secsignin")));
afterAll(() => stopSuite({ worker, admin, redis }));

/** A sign-in attempt from the address `ip`, with the device cookie `device` when given. */
async function attempt(
  user: Pick<TestUser, "email">,
  password: string,
  from: { ip?: string; device?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (from.ip) headers["cf-connecting-ip"] = from.ip;
  if (from.device) headers.cookie = from.device;
  return worker.fetch("/api/auth/login", {
    host: tenant.hostname,
    ...jsonPost({ email: user.email, password }, headers),
  });
}

/** The hash the Worker names an account by in Redis (tenant and email, never the address itself). */
const accountKey = (email: string): string =>
  createHash("sha256").update(`${tenant.id}:${email.toLowerCase()}`).digest("hex").slice(0, 32);

/** Forgets the per-minute throttles, as a minute passing would (they are not what these tests are about). */
async function nextMinute(): Promise<void> {
  for (const key of await redis.keys("vitalis:rl:login-*")) await redis.del(key);
}

describe("lockout cannot be used to keep the owner out", () => {
  it("a client that keeps failing locks only itself out, not the owner's device", async () => {
    const owner = await createUser(admin, tenant, { roles: ["author"] });
    const mine = await attempt(owner, owner.password, { ip: "198.51.100.10" });
    expect(mine.status).toBe(200);
    const device = deviceCookieFrom(mine);

    for (let i = 0; i < 10; i++) {
      expect((await attempt(owner, `wrong-${i}`, { ip: "192.0.2.66" })).status).toBe(401);
    }
    await nextMinute();
    const attacker = await attempt(owner, owner.password, { ip: "192.0.2.66" });
    expect(attacker.status).toBe(429);

    const back = await attempt(owner, owner.password, { ip: "198.51.100.10", device });
    expect(back.status).toBe(200);
  });

  it("failures spread over many addresses slow unknown clients for a short, growing delay, not 15 minutes", async () => {
    const owner = await createUser(admin, tenant, { roles: ["author"] });
    for (let i = 0; i < 10; i++) {
      expect((await attempt(owner, `spread-${i}`, { ip: `192.0.2.${100 + i}` })).status).toBe(401);
    }
    const slowed = await attempt(owner, owner.password, { ip: "192.0.2.200" });
    expect(slowed.status).toBe(429);
    const first = Number(slowed.headers.get("retry-after"));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);

    // The delay runs out, as time would; the next failure doubles it, and it never exceeds five minutes.
    const slowKey = `vitalis:lock:slow:${accountKey(owner.email)}`;
    await redis.del(slowKey);
    expect((await attempt(owner, "spread-again", { ip: "192.0.2.201" })).status).toBe(401);
    const again = await attempt(owner, owner.password, { ip: "192.0.2.202" });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(30);
    expect(Number(again.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    for (let i = 0; i < 10; i++) {
      await redis.del(slowKey);
      await attempt(owner, `more-${i}`, { ip: `192.0.2.${210 + i}` });
    }
    expect(await redis.ttl(slowKey)).toBeLessThanOrEqual(300);

    // Once the delay has passed, the right password gets in, from a new address.
    await redis.del(slowKey);
    expect((await attempt(owner, owner.password, { ip: "192.0.2.250" })).status).toBe(200);
  });
});

describe("sign-in controls", () => {
  it("the client lock lasts 15 minutes (its Redis TTL), and is audited", async () => {
    const victim = await createUser(admin, tenant, { roles: ["author"] });
    for (let i = 0; i < 10; i++) {
      expect((await attempt(victim, `wrong-${i}`, { ip: "192.0.2.77" })).status).toBe(401);
    }
    await nextMinute();
    const locked = await attempt(victim, victim.password, { ip: "192.0.2.77" });
    expect(locked.status).toBe(429);
    const lockKeys = (await redis.keys(`vitalis:lock:${accountKey(victim.email)}*`)).filter(
      (key) => !key.startsWith("vitalis:lock:slow:"),
    );
    expect(lockKeys).toHaveLength(1);
    const ttl = await redis.ttl(lockKeys[0]!);
    expect(ttl).toBeGreaterThan(15 * 60 - 30);
    expect(ttl).toBeLessThanOrEqual(15 * 60);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(15 * 60 - 30);
    const events = await admin.query<{ details: { locked: boolean } }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'auth.login_failed' order by seq",
      [tenant.id, victim.id],
    );
    expect(events.rows.at(-1)?.details.locked).toBe(true);
  });

  it("a correct password resets the count of failures", async () => {
    const user = await createUser(admin, tenant, { roles: ["author"] });
    const from = { ip: "192.0.2.88" };
    for (let i = 0; i < 9; i++) expect((await attempt(user, `wrong-${i}`, from)).status).toBe(401);
    expect((await attempt(user, user.password, from)).status).toBe(200);
    await nextMinute();
    for (let i = 0; i < 9; i++) expect((await attempt(user, `again-${i}`, from)).status).toBe(401);
    await nextMinute();
    expect((await attempt(user, user.password, from)).status).toBe(200);
  });
});

describe("access tokens", () => {
  let user: TestUser;
  let keys: JWK[];
  beforeAll(async () => {
    user = await createUser(admin, tenant, { roles: ["editor"] });
    keys = JSON.parse(worker.env.auth.privateJwks) as JWK[];
  });

  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: worker.env.auth.issuer,
      aud: "vitalis-api",
      sub: user.id,
      tid: tenant.id,
      roles: ["editor"],
      amr: ["pwd"],
      auth_time: now,
      jti: crypto.randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 600,
    };
  };
  const me = (token: string) => worker.fetch("/api/me", { host: tenant.hostname, headers: bearer(token) });

  /** Signs a JWS by hand, so that headers a library would refuse to write can be sent. */
  function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, jwk: JWK): string {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${b64(header)}.${b64(payload)}`;
    const key = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d } as never, format: "jwk" });
    return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
  }

  it("verifies a token signed by the second (rotation) key", async () => {
    const second = keys[1]!;
    const key = await importJWK({ ...second, kid: undefined }, "EdDSA");
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: second.kid })
      .sign(key);
    expect((await me(token)).status).toBe(200);
  });

  it("accepts a hand-signed token without extra headers (the control case)", async () => {
    const token = signRaw({ alg: "EdDSA", typ: "at+jwt", kid: keys[0]!.kid }, claims(), keys[0]!);
    expect((await me(token)).status).toBe(200);
  });

  it.each<[string, Record<string, unknown>]>([
    ["crit", { crit: ["exp"] }],
    ["crit naming an unknown extension", { crit: ["vitalis-ext"], "vitalis-ext": true }],
    ["x5c", { x5c: ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] }],
  ])("refuses a token with a %s header", async (_label, extra) => {
    const token = signRaw({ alg: "EdDSA", typ: "at+jwt", kid: keys[0]!.kid, ...extra }, claims(), keys[0]!);
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_token");
  });
});
