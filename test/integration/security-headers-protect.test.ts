/**
 * What a client can put in its headers, and the controls `protect()` applies to every signed-in request:
 * the per-IP throttles trust CF-Connecting-IP only behind Cloudflare, a client's X-Request-Id never reaches
 * the audit chain, step-up answers the RFC 9470 challenge, a read-only decision refuses writes, the per-user
 * and per-IP limits answer 429, and a protected request costs one Redis command.
 */
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashAdapter, type UpstashAdapter } from "../../local-cloud/index.js";
import { bearer, createUser, jsonPost, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let admin: pg.Client;
let redis: Redis;
let worker: TestWorker;
let site: SeededTenant;

beforeAll(async () => {
  admin = await adminClient();
  worker = await startWorker();
  redis = new Redis(worker.env.redisUrl);
  site = await seedTenant(admin, "headers-protect");
});
afterAll(async () => {
  await worker?.dispose();
  redis?.disconnect();
  await admin?.end();
});

/** The per-IP key the Worker counts under (functions/lib/client.ts, services/trust-signals.ts). */
function ipHash(address: string): string {
  return createHash("sha256").update(`ip:${address}`).digest("hex").slice(0, 24);
}

/** Sets a per-minute counter for this minute and the next, so a request that crosses the minute still sees it. */
async function presetMinuteCounter(prefix: string, value: number): Promise<void> {
  const minute = Math.floor(Date.now() / 60_000);
  for (const m of [minute, minute + 1]) await redis.set(`${prefix}:${m}`, String(value), "EX", 180);
}

async function startEarlyInAMinute(): Promise<void> {
  // The login limiter's sliding window is aligned to the minute: keep a burst inside one window.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 20_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

describe("client-supplied headers", () => {
  it("a spoofed CF-Connecting-IP does not escape the per-IP sign-in throttle when the Worker is not behind Cloudflare", async () => {
    const exposed = await startWorker({ TRUST_CLIENT_IP_HEADER: "false" });
    // A tenant of its own: every client of this Worker shares one address bucket, by design.
    const clinic = await seedTenant(admin, "headers-untrusted-ip");
    try {
      await startEarlyInAMinute();
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 32; i++) {
        // A password spray that names a new address on every attempt.
        last = await exposed.fetch("/api/auth/login", {
          host: clinic.hostname,
          ...jsonPost(
            { email: `spray-${i}@nowhere.test`, password: "guess-1234567" },
            { "cf-connecting-ip": `192.0.2.${i + 1}` },
          ),
        });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
      expect(statuses.slice(30)).toEqual([429, 429]);
      expect(last?.headers.get("content-type")).toContain("application/problem+json");
      expect(((await last?.json()) as { code: string }).code).toBe("rate_limited");
      expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await exposed.dispose();
    }
  });

  it("a client's X-Request-Id never reaches the audit chain, the answer or the problem instance", async () => {
    const clientId = `attacker-chosen-${Math.random().toString(36).slice(2, 10)}`;
    const user = await createUser(admin, site, { roles: ["editor"] });
    const refused = await worker.fetch("/api/auth/login", {
      host: site.hostname,
      ...jsonPost({ email: user.email, password: "not the password" }, { "x-request-id": clientId }),
    });
    expect(refused.status).toBe(401);
    const serverId = refused.headers.get("x-request-id");
    expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await refused.json()) as { instance: string }).instance).toBe(serverId);

    const { accessToken } = await signIn(worker, site.hostname, user);
    const created = await worker.fetch("/api/posts", {
      host: site.hostname,
      ...jsonPost(
        { title: "Request id", bodyMarkdown: "Texto.", locale: "pt-BR", complianceLevel: "public" },
        { ...bearer(accessToken), "x-request-id": clientId },
      ),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).not.toBe(clientId);

    const rows = await admin.query<{ action: string; request_id: string | null }>(
      "select action, request_id from audit_events where tenant_id = $1 and request_id in ($2, $3, $4)",
      [site.id, clientId, serverId, created.headers.get("x-request-id")],
    );
    expect(rows.rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(["auth.login_failed", "content.created"]),
    );
    expect(rows.rows.some((row) => row.request_id === clientId)).toBe(false);
    const anywhere = await admin.query<{ n: string }>(
      "select count(*) as n from audit_events where request_id = $1 or details::text like $2",
      [clientId, `%${clientId}%`],
    );
    expect(Number(anywhere.rows[0]!.n)).toBe(0);
  });
});

describe("protect() on every signed-in request", () => {
  let adminUser: TestUser;
  let publicPostId = "";
  let phiPostId = "";

  beforeAll(async () => {
    adminUser = await createUser(admin, site, { roles: ["admin"] });
    const mfaEditor = await createUser(admin, site, { roles: ["editor"] });
    const { accessToken } = await signInWithMfa(worker, site.hostname, mfaEditor);
    const create = async (title: string, complianceLevel: string): Promise<string> => {
      const res = await worker.fetch("/api/posts", {
        host: site.hostname,
        ...jsonPost(
          { title, bodyMarkdown: `${title}.`, locale: "pt-BR", complianceLevel },
          { ...bearer(accessToken), "cf-connecting-ip": "198.51.100.200" },
        ),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    publicPostId = await create("Artigo aberto", "public");
    phiPostId = await create("Prontuario de paciente", "phi");
  });

  it("asks a password-only session for a fresh second factor on a PHI post with the RFC 9470 challenge", async () => {
    const { accessToken } = await signIn(worker, site.hostname, adminUser);
    const res = await worker.fetch(`/api/posts/${phiPostId}`, { host: site.hostname, headers: bearer(accessToken) });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("step_up_required");
    // RFC 9470 §3: the error code, the required ACR and the max_age of PHI (one hour).
    const challenge = res.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer error="insufficient_user_authentication"(,|$)/);
    expect(challenge).toContain('acr_values="mfa"');
    expect(challenge).toMatch(/max_age=3600(,|$)/);
    const decisions = await admin.query<{ n: string }>(
      "select count(*) as n from audit_events where tenant_id = $1 and action = 'trust.step_up' and actor_id = $2",
      [site.id, adminUser.id],
    );
    expect(Number(decisions.rows[0]!.n)).toBeGreaterThan(0);
  });

  it("refuses writes and still allows reads when the decision is read-only", async () => {
    const editor = await createUser(admin, site, { roles: ["editor"] });
    const { accessToken, deviceCookie } = await signInWithMfa(worker, site.hostname, editor);
    // An address of its own: the network signal an address showed is kept for the minute (the next test).
    const session = { ...bearer(accessToken), cookie: deviceCookie, "cf-connecting-ip": "198.51.100.40" };
    // A fresh MFA session on its own device, but from a Tor exit (network), right after a sighting on the
    // other side of the world (geo-velocity), at a saturated request rate: the score falls between the
    // read-only and the allow thresholds of `restricted`, and no second factor would lift it.
    await redis.set(
      `vitalis:seen:${editor.id}`,
      JSON.stringify({ latitude: 35.68, longitude: 139.69, atMs: Date.now() }),
      "EX",
      600,
    );
    await presetMinuteCounter(`vitalis:rate:s:${editor.id}`, 300);
    const from = { cf: { country: "T1", latitude: "-23.55", longitude: "-46.63" } };
    const write = await worker.fetch("/api/posts", {
      host: site.hostname,
      ...jsonPost({ title: "Escrita", bodyMarkdown: "Texto.", locale: "pt-BR", complianceLevel: "public" }, session),
      ...from,
    } as RequestInit);
    expect(write.status).toBe(403);
    expect(write.headers.get("content-type")).toContain("application/problem+json");
    expect(((await write.json()) as { code: string }).code).toBe("trust_read_only");

    const read = await worker.fetch("/api/posts", {
      host: site.hostname,
      headers: session,
      ...from,
    } as RequestInit);
    expect(read.status).toBe(200);
    const recorded = await admin.query<{ details: { score: number; action: string } }>(
      "select details from audit_events where tenant_id = $1 and action = 'trust.read_only' and actor_id = $2",
      [site.id, editor.id],
    );
    expect(recorded.rows.map((row) => row.details.action)).toEqual(["write"]);
  });

  it("scores a request with the network signal its address showed in the last minute, and each address with its own", async () => {
    // Cloudflare derives `request.cf`'s country and coordinates from the client's address, so the Worker reads
    // them once a minute per address; the sighting the trust script stores shows which signal a request carried.
    const editor = await createUser(admin, site, { roles: ["editor"] });
    const { accessToken } = await signIn(worker, site.hostname, editor);
    const sao = { country: "BR", latitude: "-23.55", longitude: "-46.63" };
    const tokyo = { country: "JP", latitude: "35.68", longitude: "139.69" };
    const rio = { country: "BR", latitude: "-22.91", longitude: "-43.17" };
    const sighting = async (address: string, cf: typeof sao) => {
      const res = await worker.fetch("/api/categories", {
        host: site.hostname,
        headers: { ...bearer(accessToken), "cf-connecting-ip": address },
        cf,
      } as RequestInit);
      expect(res.status).toBe(200);
      const seen = JSON.parse((await redis.get(`vitalis:seen:${editor.id}`)) ?? "null") as {
        latitude: number;
        longitude: number;
      } | null;
      return seen && [seen.latitude, seen.longitude];
    };
    expect(await sighting("198.51.100.41", sao)).toEqual([-23.55, -46.63]);
    // The same address again, whatever this request's `cf` says: the signal the address showed.
    expect(await sighting("198.51.100.41", tokyo)).toEqual([-23.55, -46.63]);
    // Another address: its own request's signal (Rio, near enough to São Paulo not to be impossible travel).
    expect(await sighting("198.51.100.42", rio)).toEqual([-22.91, -43.17]);
  });

  it("answers 429 problem+json with Retry-After once a user passes the per-user limit, for that user only", async () => {
    const busy = await createUser(admin, site, { roles: ["editor"] });
    const calm = await createUser(admin, site, { roles: ["editor"] });
    const busyToken = (await signIn(worker, site.hostname, busy)).accessToken;
    const calmToken = (await signIn(worker, site.hostname, calm)).accessToken;
    const address = { "cf-connecting-ip": "198.51.100.31" };
    await presetMinuteCounter(`vitalis:rate:s:${busy.id}`, 600);
    const limited = await worker.fetch("/api/categories", {
      host: site.hostname,
      headers: { ...bearer(busyToken), ...address },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toContain("application/problem+json");
    expect(((await limited.json()) as { code: string }).code).toBe("rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const other = await worker.fetch("/api/categories", {
      host: site.hostname,
      headers: { ...bearer(calmToken), ...address },
    });
    expect(other.status).toBe(200);
  });

  it("answers 429 problem+json with Retry-After once an address passes the per-IP limit, for that address only", async () => {
    const user = await createUser(admin, site, { roles: ["editor"] });
    const { accessToken } = await signIn(worker, site.hostname, user);
    const crowded = "198.51.100.32";
    await presetMinuteCounter(`vitalis:rate:ip:${ipHash(crowded)}`, 1200);
    const limited = await worker.fetch("/api/categories", {
      host: site.hostname,
      headers: { ...bearer(accessToken), "cf-connecting-ip": crowded },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("content-type")).toContain("application/problem+json");
    expect(((await limited.json()) as { code: string }).code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const elsewhere = await worker.fetch("/api/categories", {
      host: site.hostname,
      headers: { ...bearer(accessToken), "cf-connecting-ip": "198.51.100.33" },
    });
    expect(elsewhere.status).toBe(200);
  });

  describe("Redis round trips", () => {
    let adapter: UpstashAdapter;
    let counted: TestWorker;

    beforeAll(async () => {
      // A Worker of its own on an adapter of its own, so only its requests are counted.
      adapter = await startUpstashAdapter({ token: worker.env.upstashToken, redisUrl: worker.env.redisUrl });
      counted = await startWorker({ UPSTASH_REDIS_REST_URL: adapter.url });
    });
    afterAll(async () => {
      await counted?.dispose();
      await adapter?.close();
    });

    /** The Upstash calls (by endpoint) and Redis commands (by name) one request makes. */
    async function counting(path: string, accessToken: string, cookie?: string) {
      const calls = adapter.requestsByEndpoint();
      const commands = adapter.commandsByName();
      const headers = { ...bearer(accessToken), ...(cookie ? { cookie } : {}) };
      const res = await counted.fetch(path, { host: site.hostname, headers });
      const body = (await res.json()) as { code?: string };
      const since = (after: Record<string, number>, before: Record<string, number>) =>
        Object.fromEntries(
          Object.entries(after)
            .map(([name, n]) => [name, n - (before[name] ?? 0)] as const)
            .filter(([, n]) => n > 0),
        );
      return {
        status: res.status,
        code: body.code,
        // HTTP calls, whatever the endpoint (the client sends even one command through its auto-pipeline).
        calls: Object.values(since(adapter.requestsByEndpoint(), calls)).reduce((sum, n) => sum + n, 0),
        commands: since(adapter.commandsByName(), commands),
      };
    }

    it("a protected GET that reads no PHI makes exactly one Upstash call of one command", async () => {
      const user = await createUser(admin, site, { roles: ["editor"] });
      const { accessToken } = await signIn(counted, site.hostname, user);
      // The first request may load the script (EVALSHA, then EVAL on NOSCRIPT); every later one is one EVALSHA.
      await counting("/api/me", accessToken);
      for (const path of [
        "/api/categories",
        `/api/posts/${publicPostId}`,
        "/api/me",
        "/api/posts",
        "/api/search?q=x",
      ]) {
        const made = await counting(path, accessToken);
        expect(made.status, path).toBe(200);
        expect(made.calls, path).toBe(1);
        expect(made.commands, path).toEqual({ EVALSHA: 1 });
      }
    });

    it("a list evaluates the PHI filter from the same signals: counters move once, a PHI list counts one read", async () => {
      const user = await createUser(admin, site, { roles: ["editor"] });
      const { accessToken, deviceCookie } = await signInWithMfa(counted, site.hostname, user);
      const day = new Date().toISOString().slice(0, 10);
      const histogramTotal = async () => Number((await redis.hget(`vitalis:hours:${user.id}`, "total")) ?? 0);
      const phiReads = async () => Number((await redis.get(`vitalis:phi:${user.id}:${day}`)) ?? 0);
      await counting("/api/me", accessToken, deviceCookie);

      const totalBefore = await histogramTotal();
      const phiBefore = await phiReads();
      const list = await counting("/api/posts?complianceLevel=phi", accessToken, deviceCookie);
      expect(list.status).toBe(200);
      // One script for the route's own check, one INCR for the PHI read the filter allowed; no second script.
      expect(list.commands).toEqual({ EVALSHA: 1, INCR: 1 });
      expect(await histogramTotal()).toBe(totalBefore + 1);
      expect(await phiReads()).toBe(phiBefore + 1);
      expect(await redis.ttl(`vitalis:phi:${user.id}:${day}`)).toBeGreaterThan(0);

      // A session the filter refuses costs the one script, and its refusal is on record as before.
      const passwordOnly = await createUser(admin, site, { roles: ["editor"] });
      const session = await signIn(counted, site.hostname, passwordOnly);
      const refused = await counting("/api/posts", session.accessToken);
      expect(refused.status).toBe(200);
      expect(refused.commands).toEqual({ EVALSHA: 1 });
      const recorded = await admin.query<{ n: string }>(
        "select count(*) as n from audit_events where tenant_id = $1 and action = 'trust.deny' and actor_id = $2",
        [site.id, passwordOnly.id],
      );
      expect(Number(recorded.rows[0]!.n)).toBe(1);
    });

    it("after the script cache is flushed, the next request falls back to EVAL once and still answers", async () => {
      const user = await createUser(admin, site, { roles: ["editor"] });
      const { accessToken } = await signIn(counted, site.hostname, user);
      await redis.script("FLUSH");
      const reloaded = await counting("/api/me", accessToken);
      expect(reloaded.status).toBe(200);
      expect(reloaded.calls).toBe(2);
      expect(reloaded.commands).toEqual({ EVALSHA: 1, EVAL: 1 });
      const after = await counting("/api/me", accessToken);
      expect(after.status).toBe(200);
      expect(after.commands).toEqual({ EVALSHA: 1 });
    });

    it("a revoked token is still refused after a flushed script cache", async () => {
      const user = await createUser(admin, site, { roles: ["editor"] });
      const { accessToken, refreshCookie } = await signIn(counted, site.hostname, user);
      const logout = await counted.fetch("/api/auth/logout", {
        host: site.hostname,
        method: "POST",
        headers: { ...bearer(accessToken), cookie: refreshCookie, origin: `http://${site.hostname}` },
      });
      expect(logout.status).toBe(204);
      await redis.script("FLUSH");
      const made = await counting("/api/me", accessToken);
      expect(made.status).toBe(401);
      expect(made.code).toBe("token_revoked");
      expect(made.commands).toEqual({ EVALSHA: 1, EVAL: 1 });
    });
  });
});
