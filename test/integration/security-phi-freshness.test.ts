/**
 * PHI freshness and device binding. A staff member with MFA on a known device used to score exactly the PHI
 * threshold with a sign-in of any age, and refresh kept that sign-in alive for 30 days; "known device" was a
 * hash of User-Agent and Accept-Language, which anyone can copy. Now a sign-in older than an hour steps up for
 * PHI whatever the score, refresh carries the original `auth_time`, and a device is known only by the random
 * id of the HttpOnly cookie the Worker issued when someone signed in on it with the second factor.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, refreshCookieFrom } from "../support/auth.js";
import type { SeededTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;

beforeAll(async () => ({ worker, admin, tenant } = await startSuite("secfresh")));
afterAll(() => stopSuite({ worker, admin }));

/** What the victim's browser sends besides its cookies; an attacker can copy these byte for byte. */
const browserHeaders = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Vitalis-Test/1.0", "accept-language": "pt-BR" };

describe("PHI needs a sign-in younger than an hour, for every role", () => {
  it("a compliance officer with MFA on a known device steps up once the sign-in is over an hour old, refresh or not", async () => {
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const session = await signInWithMfa(worker, tenant.hostname, officer);
    const read = (token: string) =>
      worker.fetch("/api/privacy/requests", {
        host: tenant.hostname,
        headers: { ...bearer(token), cookie: session.deviceCookie },
      });
    expect((await read(session.accessToken)).status).toBe(200);

    // The sign-in happened two hours ago; the refresh family remembers when.
    await admin.query("update refresh_tokens set auth_time = now() - interval '2 hours' where user_id = $1", [
      officer.id,
    ]);
    const refreshed = await worker.fetch("/api/auth/refresh", {
      host: tenant.hostname,
      method: "POST",
      headers: { cookie: session.refreshCookie, origin: `http://${tenant.hostname}` },
    });
    expect(refreshed.status).toBe(200);
    refreshCookieFrom(refreshed);
    const { access_token: token } = (await refreshed.json()) as { access_token: string };

    const res = await read(token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("step_up_required");
    expect(res.headers.get("www-authenticate")).toMatch(
      /^Bearer error="insufficient_user_authentication".*max_age=3600/,
    );
    const decision = await admin.query<{ details: { staleAuthentication?: boolean } }>(
      "select details from audit_events where tenant_id = $1 and actor_id = $2 and action = 'trust.step_up' order by seq desc limit 1",
      [tenant.id, officer.id],
    );
    expect(decision.rows[0]?.details.staleAuthentication).toBe(true);

    // Restricted data does not need a fresh sign-in.
    const me = await worker.fetch("/api/me", {
      host: tenant.hostname,
      headers: { ...bearer(token), cookie: session.deviceCookie },
    });
    expect(me.status).toBe(200);
  });
});

describe("a known device is the device cookie, not copied headers", () => {
  it("the victim's headers without the victim's device cookie do not make a device known", async () => {
    // An editor's role carries credential risk at `phi`: with MFA it passes on a known device and fails on
    // an unknown one, so the device signal decides the answer.
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const session = await signInWithMfa(worker, tenant.hostname, editor, { headers: browserHeaders });
    const withDevice = { ...browserHeaders, ...bearer(session.accessToken), cookie: session.deviceCookie };
    const created = await worker.fetch("/api/posts", {
      host: tenant.hostname,
      ...jsonPost(
        { title: "Prontuário de teste", bodyMarkdown: "Evolução clínica.", locale: "pt-BR", complianceLevel: "phi" },
        withDevice,
      ),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const mine = await worker.fetch(`/api/posts/${id}`, { host: tenant.hostname, headers: withDevice });
    expect(mine.status).toBe(200);

    // The stolen token, sent with the victim's User-Agent and Accept-Language but from another device.
    const copied = await worker.fetch(`/api/posts/${id}`, {
      host: tenant.hostname,
      headers: { ...browserHeaders, ...bearer(session.accessToken) },
    });
    expect(copied.status).toBe(403);
    expect(((await copied.json()) as { code: string }).code).toBe("trust_denied");

    // A device cookie the Worker never issued for this account is not known either.
    const forged = await worker.fetch(`/api/posts/${id}`, {
      host: tenant.hostname,
      headers: {
        ...browserHeaders,
        ...bearer(session.accessToken),
        cookie: `__Host-vitalis_device=${"A".repeat(43)}`,
      },
    });
    expect(forged.status).toBe(403);
  });

  it("the device cookie is HttpOnly, Secure, SameSite=Strict and host-only", async () => {
    const author = await createUser(admin, tenant, { roles: ["author"] });
    const login = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: author.email, password: author.password }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "")
      .split(/,(?=\s*__)/)
      .find((c) => c.includes("vitalis_device"));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/^\s*__Host-vitalis_device=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
  });
});
