/**
 * A tenant's admins manage its members: list and search them, change their roles, suspend, resume and remove
 * them, and check their credentials. Only admins, only this tenant's people, never the last active admin, every
 * change audited, and the member's tokens for this tenant end when their roles or standing change.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant, type DatabaseClients } from "../../functions/lib/db.js";
import { users } from "../../schema/index.js";
import { bearer, createUser, jsonPost, signIn, type SignedIn, type TestUser } from "../support/auth.js";
import { appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { lastMail, queuedMail } from "../support/outbox.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

let suite: Suite;
let clinicA: SeededTenant;
let clinicB: SeededTenant;
let bossA: TestUser;
let bossB: TestUser;
let app: DatabaseClients;

beforeAll(async () => {
  suite = await startSuite("members-a");
  clinicA = suite.tenant;
  clinicB = await seedTenant(suite.admin, "members-b");
  bossA = await createUser(suite.admin, clinicA, { roles: ["admin"], name: "Ana Admin" });
  bossB = await createUser(suite.admin, clinicB, { roles: ["admin"] });
  app = appDatabase();
});
afterAll(async () => {
  await app?.pool.end();
  await stopSuite(suite);
});

type Json = Record<string, unknown>;

function call(tenant: SeededTenant, path: string, token: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string>), ...(token ? bearer(token) : {}) };
  return suite.worker.fetch(path, { host: tenant.hostname, ...init, headers });
}
const patchRoles = (tenant: SeededTenant, token: string, userId: string, roles: string[]) =>
  call(tenant, `/api/members/${userId}`, token, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ roles }),
  });
const remove = (tenant: SeededTenant, token: string, userId: string) =>
  call(tenant, `/api/members/${userId}`, token, { method: "DELETE" });
const act = (tenant: SeededTenant, token: string, userId: string, action: "suspend" | "resume") =>
  call(tenant, `/api/members/${userId}/${action}`, token, { method: "POST" });
const codeOf = async (response: Response): Promise<string> => ((await response.json()) as { code: string }).code;

async function signInAs(tenant: SeededTenant, user: TestUser): Promise<SignedIn> {
  return signIn(suite.worker, tenant.hostname, user);
}

async function auditActions(tenantId: string, targetId: string): Promise<{ action: string; details: Json }[]> {
  const rows = await suite.admin.query<{ action: string; details: Json }>(
    "select action, details from audit_events where tenant_id = $1 and target_id = $2 order by seq",
    [tenantId, targetId],
  );
  return rows.rows;
}

describe("who may manage members", () => {
  it("lets only the tenant's admins list or change members", async () => {
    const editor = await createUser(suite.admin, clinicA, { roles: ["editor"] });
    const author = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const reviewer = await createUser(suite.admin, clinicA, { roles: ["medical_reviewer"] });
    expect((await call(clinicA, "/api/members", null)).status).toBe(401);
    for (const who of [editor, author, reviewer]) {
      const token = (await signInAs(clinicA, who)).accessToken;
      const list = await call(clinicA, "/api/members", token);
      expect(list.status).toBe(403);
      expect(await codeOf(list)).toBe("forbidden_role");
      expect((await patchRoles(clinicA, token, author.id, ["editor"])).status).toBe(403);
      expect((await remove(clinicA, token, author.id)).status).toBe(403);
      expect((await act(clinicA, token, author.id, "suspend")).status).toBe(403);
      expect((await act(clinicA, token, author.id, "resume")).status).toBe(403);
      expect((await call(clinicA, "/api/credentials?status=pending", token)).status).toBe(403);
    }
    const rows = await suite.admin.query("select role from memberships where tenant_id = $1 and user_id = $2", [
      clinicA.id,
      author.id,
    ]);
    expect(rows.rows).toEqual([{ role: "author" }]);
  });

  it("the old per-user disable and enable routes are gone (suspend and resume replace them)", async () => {
    const token = (await signInAs(clinicA, bossA)).accessToken;
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    expect((await call(clinicA, `/api/users/${member.id}/disable`, token, { method: "POST" })).status).toBe(404);
    expect((await call(clinicA, `/api/users/${member.id}/enable`, token, { method: "POST" })).status).toBe(404);
  });
});

describe("the member list", () => {
  it("pages, filters by role and status, and searches by name or e-mail", async () => {
    const clinic = await seedTenant(suite.admin, "members-list", "admin");
    const boss = await createUser(suite.admin, clinic, { roles: ["admin"], name: "Beatriz Chefe" });
    const joao = await createUser(suite.admin, clinic, { roles: ["author", "editor"], name: "João Autor" });
    const maria = await createUser(suite.admin, clinic, { roles: ["author"], name: "Maria 100% Autora" });
    await createUser(suite.admin, clinic, { roles: ["medical_reviewer"], name: "Rui Revisor" });
    await suite.admin.query("update memberships set status = 'disabled' where tenant_id = $1 and user_id = $2", [
      clinic.id,
      maria.id,
    ]);
    const token = (await signInAs(clinic, boss)).accessToken;
    const get = async (query: string) => {
      const res = await call(clinic, `/api/members${query}`, token);
      expect(res.status).toBe(200);
      return (await res.json()) as { items: Json[]; total: number; page: number; pageSize: number };
    };

    // The seeded member, the admin and the three above, by name.
    const all = await get("");
    expect(all.total).toBe(5);
    expect(all.items.map((m) => m.displayName)).toEqual([
      "Beatriz Chefe",
      "João Autor",
      "Maria 100% Autora",
      expect.stringContaining("Member of"),
      "Rui Revisor",
    ]);
    expect(all.items[1]).toMatchObject({
      userId: joao.id,
      email: joao.email,
      roles: ["author", "editor"],
      status: "active",
      mfaEnabled: false,
      credentialStatus: null,
    });

    const authors = await get("?role=author");
    expect(authors.items.map((m) => m.userId)).toEqual([joao.id, maria.id]);
    const suspended = await get("?status=suspended");
    expect(suspended.items.map((m) => m.userId)).toEqual([maria.id]);
    expect(suspended.items[0]!.status).toBe("suspended");
    expect((await get("?role=author&status=active")).items.map((m) => m.userId)).toEqual([joao.id]);
    // Accent-insensitive name search; e-mail search; a % is a character, not a wildcard.
    expect((await get("?q=joao")).items.map((m) => m.userId)).toEqual([joao.id]);
    expect((await get(`?q=${encodeURIComponent(maria.email.slice(0, 12))}`)).items.map((m) => m.userId)).toEqual([
      maria.id,
    ]);
    expect((await get("?q=100%25")).items.map((m) => m.userId)).toEqual([maria.id]);
    expect((await get("?q=0%25")).total).toBe(1);
    expect((await get("?q=%25")).total).toBe(1);

    const page2 = await get("?pageSize=2&page=2");
    expect(page2).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(page2.items.map((m) => m.displayName)).toEqual(["Maria 100% Autora", expect.stringContaining("Member of")]);
    expect(await get("?pageSize=2&page=9")).toMatchObject({ items: [], total: 5 });
    expect((await call(clinic, "/api/members?role=owner", token)).status).toBe(422);
    expect((await call(clinic, "/api/members?pageSize=1000", token)).status).toBe(422);
  });

  it("shows a tenant only its own members", async () => {
    const token = (await signInAs(clinicB, bossB)).accessToken;
    const res = await call(clinicB, "/api/members?pageSize=100", token);
    const ids = ((await res.json()) as { items: Json[] }).items.map((m) => m.userId);
    expect(ids).toContain(bossB.id);
    expect(ids).not.toContain(bossA.id);
    // A clinic A token is refused on clinic B's host (its tenant claim differs).
    const fromA = (await signInAs(clinicA, bossA)).accessToken;
    expect((await call(clinicB, "/api/members", fromA)).status).toBe(401);
  });
});

describe("changing roles", () => {
  it("sets exactly the roles given, audits from and to, and ends the member's tokens here at once", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const before = await signInAs(clinicA, member);
    const token = (await signInAs(clinicA, bossA)).accessToken;
    const res = await patchRoles(clinicA, token, member.id, ["editor", "medical_reviewer"]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: member.id, roles: ["editor", "medical_reviewer"] });

    // The old token (which says "author") is refused at once, and its refresh token is dead.
    const stale = await call(clinicA, "/api/me", before.accessToken);
    expect(stale.status).toBe(401);
    expect(await codeOf(stale)).toBe("token_revoked");
    const refreshed = await suite.worker.fetch("/api/auth/refresh", {
      host: clinicA.hostname,
      method: "POST",
      headers: { cookie: before.refreshCookie, origin: `http://${clinicA.hostname}` },
    });
    expect(refreshed.status).toBe(401);
    // Signing in again, even within the same second, gives a token with the new roles that works.
    const after = await signInAs(clinicA, member);
    const me = await call(clinicA, "/api/me", after.accessToken);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { roles: string[] }).roles.sort()).toEqual(["editor", "medical_reviewer"]);

    expect(await auditActions(clinicA.id, member.id)).toContainEqual({
      action: "membership.roles_changed",
      details: { from: ["author"], to: ["editor", "medical_reviewer"], sessionsRevoked: 1 },
    });
  });

  it("refuses an empty, unknown or repeated role (422) and another tenant's member (404)", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"] });
    const token = (await signInAs(clinicA, bossA)).accessToken;
    expect((await patchRoles(clinicA, token, member.id, [])).status).toBe(422);
    expect((await patchRoles(clinicA, token, member.id, ["owner"])).status).toBe(422);
    expect((await patchRoles(clinicA, token, member.id, ["editor", "editor"])).status).toBe(422);
    const extra = await call(clinicA, `/api/members/${member.id}`, token, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ roles: ["editor"], status: "active" }),
    });
    expect(extra.status).toBe(422);

    // Clinic B's admin cannot touch clinic A's member, nor attach them to clinic B by giving them a role.
    const tokenB = (await signInAs(clinicB, bossB)).accessToken;
    expect((await patchRoles(clinicB, tokenB, member.id, ["admin"])).status).toBe(404);
    expect((await remove(clinicB, tokenB, member.id)).status).toBe(404);
    expect((await act(clinicB, tokenB, member.id, "suspend")).status).toBe(404);
    const rows = await suite.admin.query("select tenant_id, role from memberships where user_id = $1", [member.id]);
    expect(rows.rows).toEqual([{ tenant_id: clinicA.id, role: "author" }]);
  });
});

describe("the last active admin", () => {
  it("cannot be demoted, removed or suspended; a second admin makes it possible", async () => {
    const clinic = await seedTenant(suite.admin, "members-last", "author");
    const only = await createUser(suite.admin, clinic, { roles: ["admin", "editor"] });
    let token = (await signInAs(clinic, only)).accessToken;

    const demote = await patchRoles(clinic, token, only.id, ["editor"]);
    expect(demote.status).toBe(409);
    expect(await codeOf(demote)).toBe("last_admin");
    const removal = await remove(clinic, token, only.id);
    expect(removal.status).toBe(409);
    expect(await codeOf(removal)).toBe("last_admin");
    const self = await act(clinic, token, only.id, "suspend");
    expect(self.status).toBe(409);
    expect(await codeOf(self)).toBe("cannot_suspend_self");

    // A suspended admin does not count: with the other admin suspended, the remaining one is the last.
    const second = await createUser(suite.admin, clinic, { roles: ["admin"] });
    expect((await act(clinic, token, second.id, "suspend")).status).toBe(204);
    expect(await codeOf(await patchRoles(clinic, token, only.id, ["editor"]))).toBe("last_admin");
    expect((await act(clinic, token, second.id, "resume")).status).toBe(204);

    // With two active admins, one may step down; then the other is the last.
    const stepDown = await patchRoles(clinic, token, only.id, ["editor"]);
    expect(stepDown.status).toBe(200);
    const secondToken = (await signInAs(clinic, second)).accessToken;
    expect(await codeOf(await remove(clinic, secondToken, second.id))).toBe("last_admin");
    // Their own tokens ended with the change: the former admin signs in again as an editor.
    expect((await call(clinic, "/api/members", token)).status).toBe(401);
    token = (await signInAs(clinic, only)).accessToken;
    expect((await call(clinic, "/api/members", token)).status).toBe(403);
    const rows = await suite.admin.query(
      "select count(*)::int as n from memberships where tenant_id = $1 and role = 'admin' and status = 'active'",
      [clinic.id],
    );
    expect(rows.rows[0].n).toBe(1);
  });

  it("keeps one admin when two admins demote each other at the same moment", async () => {
    const clinic = await seedTenant(suite.admin, "members-race", "author");
    const one = await createUser(suite.admin, clinic, { roles: ["admin"] });
    const two = await createUser(suite.admin, clinic, { roles: ["admin"] });
    const [tokenOne, tokenTwo] = [(await signInAs(clinic, one)).accessToken, (await signInAs(clinic, two)).accessToken];
    const answers = await Promise.all([
      patchRoles(clinic, tokenOne, two.id, ["editor"]),
      patchRoles(clinic, tokenTwo, one.id, ["editor"]),
    ]);
    const statuses = answers.map((answer) => answer.status);
    // One wins; the other is refused as the last admin, or finds its own token ended by the winner (401).
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const rows = await suite.admin.query(
      "select count(*)::int as n from memberships where tenant_id = $1 and role = 'admin'",
      [clinic.id],
    );
    expect(rows.rows[0].n).toBe(1);
  });
});

describe("removing a member", () => {
  it("ends the membership and the member's sessions here; what they wrote stays attributed to them", async () => {
    const member = await createUser(suite.admin, clinicA, { roles: ["author"], name: "Paula Autora" });
    const session = await signInAs(clinicA, member);
    const created = await call(
      clinicA,
      "/api/posts",
      session.accessToken,
      jsonPost({ title: "Asma", locale: "pt-BR" }),
    );
    expect(created.status).toBe(201);
    const postId = ((await created.json()) as { id: string }).id;

    const token = (await signInAs(clinicA, bossA)).accessToken;
    expect((await remove(clinicA, token, member.id)).status).toBe(204);
    expect((await remove(clinicA, token, member.id)).status).toBe(404);

    expect((await call(clinicA, "/api/me", session.accessToken)).status).toBe(401);
    const login = await suite.worker.fetch("/api/auth/login", {
      host: clinicA.hostname,
      ...jsonPost({ email: member.email, password: member.password }),
    });
    expect(login.status).toBe(401);
    const rows = await suite.admin.query("select count(*)::int as n from memberships where user_id = $1", [member.id]);
    expect(rows.rows[0].n).toBe(0);

    // The post keeps its author, and the tenant still sees the person behind the byline (schema/users.ts).
    const post = await call(clinicA, `/api/posts/${postId}`, token);
    expect(((await post.json()) as { authorId: string }).authorId).toBe(member.id);
    const visible = await withTenant(app.db, clinicA.id, (tx) =>
      tx
        .select({ name: users.displayName })
        .from(users)
        .where(sql`${users.id} = ${member.id}`),
    );
    expect(visible).toEqual([{ name: "Paula Autora" }]);
    // Not listed as a member, and not visible to another tenant.
    const list = await call(clinicA, "/api/members?pageSize=100", token);
    expect(((await list.json()) as { items: Json[] }).items.map((m) => m.userId)).not.toContain(member.id);
    const elsewhere = await withTenant(app.db, clinicB.id, (tx) =>
      tx
        .select({ name: users.displayName })
        .from(users)
        .where(sql`${users.id} = ${member.id}`),
    );
    expect(elsewhere).toEqual([]);

    expect(await auditActions(clinicA.id, member.id)).toContainEqual({
      action: "membership.removed",
      details: { roles: ["author"], sessionsRevoked: 1 },
    });
  });
});

describe("the credential queue", () => {
  it("shows admins the pending CRM/UF and RQE, and the review e-mails the physician", async () => {
    const physician = await createUser(suite.admin, clinicA, { roles: ["medical_reviewer"], name: "Dra. Lia" });
    const own = (await signInAs(clinicA, physician)).accessToken;
    const submitted = await call(clinicA, "/api/me/credential", own, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ crmNumber: "123456", crmUf: "SP", rqe: ["4321"], specialty: "Cardiologia" }),
    });
    expect(submitted.status).toBe(200);

    const token = (await signInAs(clinicA, bossA)).accessToken;
    const queue = await call(clinicA, "/api/credentials?status=pending", token);
    expect(queue.status).toBe(200);
    const items = ((await queue.json()) as { items: Json[] }).items;
    expect(items).toContainEqual(
      expect.objectContaining({
        userId: physician.id,
        displayName: "Dra. Lia",
        email: physician.email,
        roles: ["medical_reviewer"],
        crmNumber: "123456",
        crmUf: "SP",
        rqe: ["4321"],
        specialty: "Cardiologia",
        status: "pending",
      }),
    );
    // Clinic B's queue does not show clinic A's physicians.
    const tokenB = (await signInAs(clinicB, bossB)).accessToken;
    const queueB = (await (await call(clinicB, "/api/credentials", tokenB)).json()) as { items: Json[] };
    expect(queueB.items.map((item) => item.userId)).not.toContain(physician.id);

    const review = await call(
      clinicA,
      `/api/users/${physician.id}/credential/review`,
      token,
      jsonPost({ status: "verified", note: "Checked on the CRM-SP portal" }, { "accept-language": "es" }),
    );
    expect(review.status).toBe(200);
    const mail = await lastMail(suite.admin, clinicA.id, physician.email, "credential-reviewed");
    expect(mail).toMatchObject({
      locale: "es",
      secret: null,
      data: { status: "verified", note: "Checked on the CRM-SP portal", origin: `http://${clinicA.hostname}` },
    });

    const pending = (await (await call(clinicA, "/api/credentials", token)).json()) as { items: Json[] };
    expect(pending.items.map((item) => item.userId)).not.toContain(physician.id);
    const verified = (await (await call(clinicA, "/api/credentials?status=verified", token)).json()) as {
      items: Json[];
    };
    expect(verified.items).toContainEqual(expect.objectContaining({ userId: physician.id, status: "verified" }));
    expect(await queuedMail(suite.admin, clinicB.id, { to: physician.email })).toEqual([]);
  });
});
