/**
 * Personal API tokens: made once and shown once, stored hashed, listed and revoked; refused when expired or
 * revoked, outside their scopes, on any route not open to tokens (tokens, account, workflow), and everywhere
 * near personal health data whatever their scopes; every use in the access log; bound to their tenant.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost, type TestUser } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { ALL_SCOPES, inDays, memberSession, problemOf, withBearer } from "../support/api-tokens.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let other: SeededTenant;

interface Created {
  id: string;
  token: string;
  name: string;
  scopes: string[];
  userId: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("apitokens"));
  other = await seedTenant(admin, "apitokens-other");
});
afterAll(async () => {
  await stopSuite({ worker, admin });
});

const call = (host: string, path: string, token: string, init: RequestInit = {}) =>
  withBearer(worker, host, path, token, init);

const session = (roles: TestUser["roles"], where: SeededTenant = tenant) => memberSession(worker, admin, where, roles);

async function makeToken(
  accessToken: string,
  body: { name?: string; scopes?: string[]; expiresAt?: string } = {},
  where: SeededTenant = tenant,
): Promise<Created> {
  const res = await call(
    where.hostname,
    "/api/tokens",
    accessToken,
    jsonPost({
      name: body.name ?? "integration",
      scopes: body.scopes ?? ALL_SCOPES,
      expiresAt: body.expiresAt ?? inDays(30),
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Created;
}

const problem = problemOf;

describe("making, listing and revoking", () => {
  it("answers the token once, stores only the SHA-256 of its secret, and never lists a secret", async () => {
    const { user, accessToken } = await session(["editor"]);
    const created = await makeToken(accessToken, { name: "CI export", scopes: ["content:read"] });
    expect(created.token).toMatch(/^vt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(created.token.slice(3, 35)).toBe(created.id.replaceAll("-", ""));
    expect(created).toMatchObject({ name: "CI export", scopes: ["content:read"], userId: user.id, revokedAt: null });

    const secret = created.token.slice(36);
    const { rows } = await admin.query<{ secret_hash: string; row: string }>(
      "select secret_hash, row_to_json(t)::text as row from api_tokens t where id = $1",
      [created.id],
    );
    expect(rows[0]!.secret_hash).toBe(createHash("sha256").update(secret).digest("hex"));
    expect(rows[0]!.row).not.toContain(secret);

    const list = await call(tenant.hostname, "/api/tokens", accessToken);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(secret);
    const listed = JSON.parse(text) as Created[];
    expect(listed.map((t) => t.id)).toEqual([created.id]);
    expect(listed[0]).not.toHaveProperty("token");

    const audit = await admin.query<{ details: string }>(
      "select details::text from audit_events where tenant_id = $1 and action = 'api_token.created' and target_id = $2",
      [tenant.id, created.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.details).not.toContain(secret);
  });

  it("shows a member only their own tokens and an admin every member's; only the owner or an admin revokes", async () => {
    const a = await session(["author"]);
    const b = await session(["author"]);
    const boss = await session(["admin"]);
    const ta = await makeToken(a.accessToken);
    const tb = await makeToken(b.accessToken);
    const listOf = async (token: string) =>
      ((await (await call(tenant.hostname, "/api/tokens", token)).json()) as Created[]).map((t) => t.id);
    expect(await listOf(a.accessToken)).toEqual([ta.id]);
    expect(await listOf(boss.accessToken)).toEqual(expect.arrayContaining([ta.id, tb.id]));

    const stranger = await call(tenant.hostname, `/api/tokens/${ta.id}`, b.accessToken, { method: "DELETE" });
    expect(stranger.status).toBe(404);
    const byAdmin = await call(tenant.hostname, `/api/tokens/${tb.id}`, boss.accessToken, { method: "DELETE" });
    expect(byAdmin.status).toBe(200);
    expect(((await byAdmin.json()) as Created).revokedAt).not.toBeNull();
  });

  it("requires an expiry in the future and no further than a year and a day", async () => {
    const { accessToken } = await session(["editor"]);
    const post = (body: unknown) => call(tenant.hostname, "/api/tokens", accessToken, jsonPost(body));
    expect((await post({ name: "x", scopes: ["content:read"] })).status).toBe(422);
    expect(await problem(await post({ name: "x", scopes: ["content:read"], expiresAt: inDays(400) }))).toEqual({
      status: 422,
      code: "invalid_expiry",
    });
    expect((await post({ name: "x", scopes: ["content:read"], expiresAt: inDays(-1) })).status).toBe(422);
    expect((await post({ name: "x", scopes: ["admin:all"], expiresAt: inDays(1) })).status).toBe(422);
    expect((await post({ name: "x", scopes: [], expiresAt: inDays(1) })).status).toBe(422);
  });
});

describe("using a token", () => {
  it("reads content as its member, and is refused at once once revoked or expired", async () => {
    const { accessToken } = await session(["editor"]);
    const { token, id } = await makeToken(accessToken, { scopes: ["content:read"] });
    expect((await call(tenant.hostname, "/api/posts", token)).status).toBe(200);

    await admin.query("update api_tokens set expires_at = now() - interval '1 second' where id = $1", [id]);
    expect(await problem(await call(tenant.hostname, "/api/posts", token))).toEqual({
      status: 401,
      code: "invalid_token",
    });

    const second = await makeToken(accessToken, { scopes: ["content:read"] });
    expect((await call(tenant.hostname, "/api/posts", second.token)).status).toBe(200);
    const revoke = await call(tenant.hostname, `/api/tokens/${second.id}`, accessToken, { method: "DELETE" });
    expect(revoke.status).toBe(200);
    expect(await problem(await call(tenant.hostname, "/api/posts", second.token))).toEqual({
      status: 401,
      code: "invalid_token",
    });
  });

  it("outlives its member's logout-all (sessions end; tokens are revoked one by one)", async () => {
    const { accessToken } = await session(["editor"]);
    const { token } = await makeToken(accessToken, { scopes: ["content:read"] });
    const out = await call(tenant.hostname, "/api/auth/logout-all", accessToken, jsonPost({}));
    expect(out.status).toBeLessThan(300);
    expect((await call(tenant.hostname, "/api/posts", accessToken)).status).toBe(401);
    expect((await call(tenant.hostname, "/api/posts", token)).status).toBe(200);
  });

  it("refuses a token whose secret is wrong, even with a real id", async () => {
    const { accessToken } = await session(["editor"]);
    const { token } = await makeToken(accessToken);
    const forged = `${token.slice(0, 36)}${"A".repeat(43)}`;
    expect((await call(tenant.hostname, "/api/posts", forged)).status).toBe(401);
  });

  it("stops working when its member's membership is disabled", async () => {
    const { user, accessToken } = await session(["editor"]);
    const { token } = await makeToken(accessToken);
    await admin.query("update memberships set status = 'disabled' where tenant_id = $1 and user_id = $2", [
      tenant.id,
      user.id,
    ]);
    expect((await call(tenant.hostname, "/api/posts", token)).status).toBe(401);
  });

  it("without content:write cannot write; with it, drafts, but never moves an item through the workflow", async () => {
    const { accessToken } = await session(["editor"]);
    const reader = await makeToken(accessToken, { scopes: ["content:read", "analysis:run"] });
    const draft = { title: "Token draft", bodyMarkdown: "Texto do rascunho.", locale: "pt-BR" };
    const refused = await call(tenant.hostname, "/api/posts", reader.token, jsonPost(draft));
    expect(await problem(refused)).toEqual({ status: 403, code: "insufficient_scope" });
    expect(refused.headers.get("www-authenticate")).toContain('scope="content:write"');

    const writer = await makeToken(accessToken, { scopes: ["content:write"] });
    const created = await call(tenant.hostname, "/api/posts", writer.token, jsonPost(draft));
    expect(created.status).toBe(201);
    const post = (await created.json()) as { id: string; state: string; version: number };
    expect(post.state).toBe("draft");

    // Reading needs content:read, even for the token that wrote it.
    expect((await problem(await call(tenant.hostname, `/api/posts/${post.id}`, writer.token))).code).toBe(
      "insufficient_scope",
    );
    const transition = await call(
      tenant.hostname,
      `/api/posts/${post.id}/transitions`,
      writer.token,
      jsonPost({ to: "in_review", expectedVersion: post.version }),
    );
    expect(await problem(transition)).toEqual({ status: 403, code: "token_route_refused" });
  });

  it("runs the analysis on a text only with analysis:run", async () => {
    const { accessToken } = await session(["author"]);
    const reader = await makeToken(accessToken, { scopes: ["content:read", "content:write"] });
    const body = jsonPost({ text: "Cura garantida.", locale: "pt-BR" });
    expect(await problem(await call(tenant.hostname, "/api/analysis/text", reader.token, body))).toEqual({
      status: 403,
      code: "insufficient_scope",
    });
    const analyst = await makeToken(accessToken, { scopes: ["analysis:run"] });
    const res = await call(tenant.hostname, "/api/analysis/text", analyst.token, body);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { blocking: boolean }).blocking).toBe(true);
  });

  it("never manages tokens or the account, whatever its scopes", async () => {
    const { accessToken } = await session(["admin"]);
    const { token } = await makeToken(accessToken);
    const attempts: [string, RequestInit][] = [
      ["/api/tokens", jsonPost({ name: "child", scopes: ALL_SCOPES, expiresAt: inDays(1) })],
      ["/api/tokens", {}],
      ["/api/me", {}],
      ["/api/me/password", jsonPost({ currentPassword: "x", newPassword: "y" })],
      ["/api/members", {}],
      ["/api/break-glass", jsonPost({ justification: "x".repeat(40) })],
      ["/api/auth/logout-all", jsonPost({})],
    ];
    for (const [path, init] of attempts) {
      const res = await call(tenant.hostname, path, token, init);
      expect({ path, ...(await problem(res)) }).toEqual({ path, status: 403, code: "token_route_refused" });
    }
    const count = await admin.query("select 1 from api_tokens where name = 'child'");
    expect(count.rows).toHaveLength(0);
  });
});

describe("personal health data", () => {
  let admins: { user: TestUser; token: string; mfa: string; device: string };
  let phiPostId = "";

  beforeAll(async () => {
    const user = await createUser(admin, tenant, { roles: ["admin", "editor", "compliance_officer"] });
    const mfa = await signInWithMfa(worker, tenant.hostname, user);
    const created = await makeToken(mfa.accessToken);
    admins = { user, token: created.token, mfa: mfa.accessToken, device: mfa.deviceCookie };
    const res = await worker.fetch("/api/posts", {
      host: tenant.hostname,
      ...jsonPost(
        {
          title: "Prontuario tokenquark",
          bodyMarkdown: "Paciente tokenquark.",
          locale: "pt-BR",
          complianceLevel: "phi",
        },
        { ...bearer(mfa.accessToken), cookie: mfa.deviceCookie },
      ),
    });
    expect(res.status).toBe(201);
    phiPostId = ((await res.json()) as { id: string }).id;
  });

  it("the same member's session reads the PHI post; their token with every scope cannot", async () => {
    const bySession = await worker.fetch(`/api/posts/${phiPostId}`, {
      host: tenant.hostname,
      headers: { ...bearer(admins.mfa), cookie: admins.device },
    });
    expect(bySession.status).toBe(200);

    expect(await problem(await call(tenant.hostname, `/api/posts/${phiPostId}`, admins.token))).toEqual({
      status: 403,
      code: "token_phi_refused",
    });
    for (const path of [`/api/posts/${phiPostId}/revisions`, `/api/posts/${phiPostId}/analysis`]) {
      expect((await call(tenant.hostname, path, admins.token)).status).toBe(403);
    }
    for (const path of ["/api/posts", "/api/posts?complianceLevel=phi", "/api/search?q=tokenquark"]) {
      const res = await call(tenant.hostname, path, admins.token);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain("tokenquark");
    }
  });

  it("cannot write a PHI item nor change one", async () => {
    const create = await call(
      tenant.hostname,
      "/api/posts",
      admins.token,
      jsonPost({ title: "Outro prontuario", bodyMarkdown: "x", locale: "pt-BR", complianceLevel: "phi" }),
    );
    expect(await problem(create)).toEqual({ status: 403, code: "token_phi_refused" });
    const patch = await call(tenant.hostname, `/api/posts/${phiPostId}`, admins.token, {
      method: "PATCH",
      headers: { "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ title: "changed" }),
    });
    expect(await problem(patch)).toEqual({ status: 403, code: "token_phi_refused" });
    const { rows } = await admin.query<{ title: string }>("select title from content_items where id = $1", [phiPostId]);
    expect(rows[0]!.title).toBe("Prontuario tokenquark");
  });

  it("cannot read data subjects, PHI media or the audit trail", async () => {
    const subjectId = await insertSubject(admin, tenant.id, "tokenquark@example.test");
    const media = await insertMedia(admin, testS3(worker.env), worker.env, {
      tenantId: tenant.id,
      userId: admins.user.id,
      retentionClass: "medical_imaging",
      lastEntryAt: new Date(),
      subjectId,
    });
    for (const path of [
      "/api/privacy/subjects?q=tokenquark",
      "/api/privacy/requests",
      "/api/audit/events",
      "/api/audit/verify",
      `/api/media/${media.id}`,
      `/api/media/${media.id}/download`,
    ]) {
      const res = await call(tenant.hostname, path, admins.token);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    const library = await call(tenant.hostname, "/api/media", admins.token);
    expect(library.status).toBe(200);
    expect(await library.text()).not.toContain(media.id);
  });
});

describe("accounting and isolation", () => {
  it("writes each use to the access log with the token's id, never the secret, and stamps the last use", async () => {
    const { user, accessToken } = await session(["editor"]);
    const { id, token } = await makeToken(accessToken, { scopes: ["content:read"] });
    const res = await call(tenant.hostname, "/api/posts?search=x", token);
    const requestId = res.headers.get("x-request-id");
    const deadline = Date.now() + 10_000;
    let rows: { user_id: string; token_id: string; route: string; status: number; row: string }[] = [];
    while (rows.length === 0 && Date.now() < deadline) {
      ({ rows } = await admin.query(
        "select user_id, token_id, route, status, row_to_json(l)::text as row from access_logs l where request_id = $1",
        [requestId],
      ));
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows[0]).toMatchObject({ user_id: user.id, token_id: id, route: "/api/posts", status: res.status });
    expect(rows[0]!.row).not.toContain(token.slice(36));
    const used = await admin.query<{ last_used_at: Date | null }>("select last_used_at from api_tokens where id = $1", [
      id,
    ]);
    expect(used.rows[0]!.last_used_at).not.toBeNull();

    // A refusal is logged too.
    const refused = await call(tenant.hostname, "/api/members", token);
    expect(refused.status).toBe(403);
  });

  it("is valid only in its own tenant", async () => {
    const { accessToken } = await session(["editor"]);
    const { token } = await makeToken(accessToken);
    expect((await call(tenant.hostname, "/api/posts", token)).status).toBe(200);
    expect(await problem(await call(other.hostname, "/api/posts", token))).toEqual({
      status: 401,
      code: "invalid_token",
    });
    const elsewhere = await session(["admin"], other);
    const list = (await (await call(other.hostname, "/api/tokens", elsewhere.accessToken)).json()) as Created[];
    expect(list).toEqual([]);
  });
});
