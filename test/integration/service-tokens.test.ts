/**
 * Service tokens: an admin makes a service account (a principal that is not a person) and tokens for it. What the
 * token drafts is authored by the service account and audited as it; the token never approves, publishes or reads
 * personal health data; only admins make them; the token outlives the admin who made it, and stops when revoked or
 * when its service account is suspended; another tenant neither sees nor uses it.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, jsonPost } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { ALL_SCOPES, inDays, memberSession, problemOf, withBearer } from "../support/api-tokens.js";
import { startSuite, stopSuite } from "../support/suite.js";
import type { TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  ({ worker, admin, tenant } = await startSuite("servicetokens"));
  other = await seedTenant(admin, "servicetokens-other");
});
afterAll(async () => {
  await stopSuite({ worker, admin });
});

const call = (host: string, path: string, token: string, init: RequestInit = {}) =>
  withBearer(worker, host, path, token, init);

const session = (roles: Parameters<typeof createUser>[2]["roles"], where: SeededTenant = tenant) =>
  memberSession(worker, admin, where, roles);

const problem = problemOf;

/** An admin's new service account and a token for it with every scope. */
async function serviceToken(accessToken: string, name = "Agenda integration") {
  const account = await call(tenant.hostname, "/api/service-accounts", accessToken, jsonPost({ name }));
  expect(account.status, await account.clone().text()).toBe(201);
  const { id } = (await account.json()) as { id: string };
  const res = await call(
    tenant.hostname,
    "/api/tokens",
    accessToken,
    jsonPost({ name: `${name} token`, scopes: ALL_SCOPES, expiresAt: inDays(30), serviceAccountId: id }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as { id: string; token: string; userId: string; principal: string };
  expect(created.userId).toBe(id);
  expect(created.principal).toBe("service");
  return { serviceId: id, ...created };
}

const draft = { title: "Rascunho da integração", bodyMarkdown: "Texto escrito pela integração.", locale: "pt-BR" };

describe("service tokens", () => {
  it("drafts as the service account: the author and the audit's actor are the service, not a person", async () => {
    const boss = await session(["admin"]);
    const service = await serviceToken(boss.accessToken);
    const created = await call(tenant.hostname, "/api/posts", service.token, jsonPost(draft));
    expect(created.status, await created.clone().text()).toBe(201);
    const post = (await created.json()) as { id: string; version: number };
    const { rows } = await admin.query<{ author_id: string }>("select author_id from content_items where id = $1", [
      post.id,
    ]);
    expect(rows[0]!.author_id).toBe(service.serviceId);
    const events = await admin.query<{ actor_type: string; actor_id: string; details: { apiTokenId?: string } }>(
      "select actor_type, actor_id, details from audit_events where tenant_id = $1 and target_id = $2 order by seq",
      [tenant.id, post.id],
    );
    expect(events.rows.length).toBeGreaterThan(0);
    for (const event of events.rows) {
      expect(event).toMatchObject({ actor_type: "service", actor_id: service.serviceId });
      expect(event.details.apiTokenId).toBe(service.id);
    }
    // The audit API tells the service from a person.
    const auditor = await createUser(admin, tenant, { roles: ["admin", "compliance_officer"] });
    const mfa = await signInWithMfa(worker, tenant.hostname, auditor);
    const audit = await worker.fetch(`/api/audit/events?targetId=${post.id}`, {
      host: tenant.hostname,
      headers: { ...bearer(mfa.accessToken), cookie: mfa.deviceCookie },
    });
    expect(audit.status, await audit.clone().text()).toBe(200);
    const body = (await audit.json()) as { events: Array<{ actorType: string; actorId: string }> };
    expect(body.events.length).toBeGreaterThan(0);
    expect(body.events.every((item) => item.actorType === "service" && item.actorId === service.serviceId)).toBe(true);

    // It may not move its draft through the workflow: people review, approve and publish.
    const transition = await call(
      tenant.hostname,
      `/api/posts/${post.id}/transitions`,
      service.token,
      jsonPost({ to: "in_review", expectedVersion: post.version }),
    );
    expect(await problem(transition)).toEqual({ status: 403, code: "token_route_refused" });

    // Every use is in the access log with the token's id, under the service account.
    const log = await admin.query<{ user_id: string }>(
      "select user_id from access_logs where tenant_id = $1 and token_id = $2",
      [tenant.id, service.id],
    );
    expect(log.rows.length).toBeGreaterThan(0);
    expect(log.rows.every((row) => row.user_id === service.serviceId)).toBe(true);
  });

  it("never reads nor writes personal health data, and never manages tokens, members or the account", async () => {
    const boss = await session(["admin"]);
    const service = await serviceToken(boss.accessToken, "PHI probe");
    const phi = await admin.query<{ id: string }>(
      `insert into content_items (tenant_id, type, title, slug, body_html, locale, author_id, state, compliance_level)
       values ($1, 'post', 'Prontuario servicequark', 'prontuario-servicequark', '<p>x</p>', 'pt-BR', $2, 'draft', 'phi')
       returning id`,
      [tenant.id, service.serviceId],
    );
    expect(await problem(await call(tenant.hostname, `/api/posts/${phi.rows[0]!.id}`, service.token))).toEqual({
      status: 403,
      code: "token_phi_refused",
    });
    const writePhi = await call(
      tenant.hostname,
      "/api/posts",
      service.token,
      jsonPost({ ...draft, complianceLevel: "phi" }),
    );
    expect(await problem(writePhi)).toEqual({ status: 403, code: "token_phi_refused" });
    for (const path of ["/api/privacy/subjects?q=servicequark", "/api/members", "/api/tokens", "/api/me"]) {
      expect((await call(tenant.hostname, path, service.token)).status, path).toBe(403);
    }
    // Nor can anyone sign in as it, nor give it another role than author.
    const { rows } = await admin.query<{ email: string }>("select email from users where id = $1", [service.serviceId]);
    const login = await worker.fetch("/api/auth/login", {
      host: tenant.hostname,
      ...jsonPost({ email: rows[0]!.email, password: "any password at all" }),
    });
    expect(login.status).toBe(401);
    const promote = await call(tenant.hostname, `/api/members/${service.serviceId}`, boss.accessToken, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ roles: ["admin"] }),
    });
    expect(await problem(promote)).toEqual({ status: 409, code: "service_account_roles" });
    const roles = await admin.query("select role from memberships where user_id = $1", [service.serviceId]);
    expect(roles.rows).toEqual([{ role: "author" }]);
    // The members list tells the admin which member is a service account and which a person.
    const members = await call(tenant.hostname, "/api/members?pageSize=100", boss.accessToken);
    const listed = ((await members.json()) as { items: Array<{ userId: string; kind: string }> }).items;
    expect(listed.find((member) => member.userId === service.serviceId)?.kind).toBe("service");
    expect(listed.find((member) => member.userId === boss.user.id)?.kind).toBe("person");
  });

  it("is made only by admins", async () => {
    const editor = await session(["editor"]);
    const boss = await session(["admin"]);
    expect(
      (await call(tenant.hostname, "/api/service-accounts", editor.accessToken, jsonPost({ name: "x" }))).status,
    ).toBe(403);
    const account = await call(tenant.hostname, "/api/service-accounts", boss.accessToken, jsonPost({ name: "Feed" }));
    const { id } = (await account.json()) as { id: string };
    const attempt = await call(
      tenant.hostname,
      "/api/tokens",
      editor.accessToken,
      jsonPost({ name: "sneaky", scopes: ["content:read"], expiresAt: inDays(5), serviceAccountId: id }),
    );
    expect(attempt.status).toBe(403);
    // A person's id is not a service account.
    const personal = await call(
      tenant.hostname,
      "/api/tokens",
      boss.accessToken,
      jsonPost({ name: "as editor", scopes: ["content:read"], expiresAt: inDays(5), serviceAccountId: editor.user.id }),
    );
    expect(personal.status).toBe(404);
    const live = await admin.query("select 1 from api_tokens where user_id = $1 or user_id = $2", [id, editor.user.id]);
    expect(live.rowCount).toBe(0);
  });

  it("keeps working after the admin who made it is removed; stops when revoked or when its account is suspended", async () => {
    const maker = await session(["admin"]);
    const keeper = await session(["admin"]);
    const service = await serviceToken(maker.accessToken, "Survivor");
    const removed = await call(tenant.hostname, `/api/members/${maker.user.id}`, keeper.accessToken, {
      method: "DELETE",
    });
    expect(removed.status).toBe(204);
    expect((await call(tenant.hostname, "/api/posts", service.token)).status).toBe(200);

    // Suspending the service account stops every token of it at once; resuming brings them back.
    const suspend = await call(tenant.hostname, `/api/members/${service.serviceId}/suspend`, keeper.accessToken, {
      method: "POST",
    });
    expect(suspend.status).toBe(204);
    expect((await call(tenant.hostname, "/api/posts", service.token)).status).toBe(401);
    await call(tenant.hostname, `/api/members/${service.serviceId}/resume`, keeper.accessToken, { method: "POST" });
    expect((await call(tenant.hostname, "/api/posts", service.token)).status).toBe(200);

    // Another admin lists and revokes it: 401 from then on.
    const list = (await (await call(tenant.hostname, "/api/tokens", keeper.accessToken)).json()) as Array<{
      id: string;
      principal: string;
    }>;
    expect(list.find((token) => token.id === service.id)?.principal).toBe("service");
    const revoke = await call(tenant.hostname, `/api/tokens/${service.id}`, keeper.accessToken, { method: "DELETE" });
    expect(revoke.status).toBe(200);
    expect(await problem(await call(tenant.hostname, "/api/posts", service.token))).toEqual({
      status: 401,
      code: "invalid_token",
    });
  });

  it("is neither seen nor accepted by another tenant", async () => {
    const boss = await session(["admin"]);
    const service = await serviceToken(boss.accessToken, "Local only");
    expect(await problem(await call(other.hostname, "/api/posts", service.token))).toEqual({
      status: 401,
      code: "invalid_token",
    });
    const elsewhere = await session(["admin"], other);
    const tokens = (await (await call(other.hostname, "/api/tokens", elsewhere.accessToken)).json()) as unknown[];
    expect(tokens).toEqual([]);
    const accounts = (await (
      await call(other.hostname, "/api/service-accounts", elsewhere.accessToken)
    ).json()) as unknown[];
    expect(accounts).toEqual([]);
    const foreign = await call(
      other.hostname,
      "/api/tokens",
      elsewhere.accessToken,
      jsonPost({ name: "steal", scopes: ["content:read"], expiresAt: inDays(5), serviceAccountId: service.serviceId }),
    );
    expect(foreign.status).toBe(404);
  });
});
