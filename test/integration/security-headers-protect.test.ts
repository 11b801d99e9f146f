/**
 * What a client can put in its headers: the per-IP throttles trust CF-Connecting-IP only behind Cloudflare,
 * and a client's X-Request-Id never reaches the audit chain.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let admin: pg.Client;
let worker: TestWorker;
let site: SeededTenant;

beforeAll(async () => {
  admin = await adminClient();
  worker = await startWorker();
  site = await seedTenant(admin, "headers-protect");
});
afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

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
