import { and, eq, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, DatabaseClients } from "../../functions/lib/db.js";
import { withTenant } from "../../functions/lib/db.js";
import { appendAudit } from "../../functions/services/audit.js";
import { updateOwnAccount } from "../../functions/services/identity/own-account.js";
import { getSiteArticle, listSiteItems } from "../../functions/services/site.js";
import { listWpUsers } from "../../functions/services/wordpress/index.js";
import { auditEvents, contentAuthors, memberships, mfaRecoveryCodes, users } from "../../schema/index.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";

// Row-level security is only meaningful for a role that does not bypass it: these queries run as the
// Worker's non-superuser role, through the Neon driver and the local proxy, exactly as in production.
describe("tenant isolation by row-level security", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let a: SeededTenant;
  let b: SeededTenant;

  beforeAll(async () => {
    admin = await adminClient();
    a = await seedTenant(admin, "alpha");
    b = await seedTenant(admin, "bravo");
    app = appDatabase();
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  it("runs as a role that really is subject to RLS", async () => {
    const result = await app.pool.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      "select rolsuper, rolbypassrls from pg_roles where rolname = current_user",
    );
    expect(result.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it("lets a tenant read its own members", async () => {
    const rows = await withTenant(app.db, a.id, (tx) => tx.select().from(users).where(eq(users.id, a.userId)));
    expect(rows.map((row) => row.email)).toEqual([a.email]);
  });

  it("hides another tenant's rows even when asked for them by id", async () => {
    const found = await withTenant(app.db, a.id, async (tx) => ({
      user: await tx.select().from(users).where(eq(users.id, b.userId)),
      membership: await tx.select().from(memberships).where(eq(memberships.tenantId, b.id)),
    }));
    expect(found.user).toEqual([]);
    expect(found.membership).toEqual([]);
  });

  it("refuses to write another tenant's rows", async () => {
    const renamed = await withTenant(app.db, a.id, (tx) =>
      tx.update(users).set({ displayName: "hijacked" }).where(eq(users.id, b.userId)).returning(),
    );
    expect(renamed).toEqual([]);
    await expect(
      withTenant(app.db, a.id, (tx) =>
        tx.insert(memberships).values({ tenantId: b.id, userId: a.userId, role: "admin" }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    const unchanged = await admin.query("select display_name from users where id = $1", [b.userId]);
    expect(unchanged.rows[0].display_name).not.toBe("hijacked");
  });

  it("refuses to write audit events into another tenant's chain", async () => {
    await expect(
      withTenant(app.db, a.id, (tx) => appendAudit(tx, { tenantId: b.id, actorType: "system", action: "test.forged" })),
    ).rejects.toMatchObject({
      // PostgreSQL's insufficient_privilege, raised by the policy's WITH CHECK, not any other failure.
      cause: {
        code: "42501",
        message: 'new row violates row-level security policy for table "audit_events"',
      },
    });
    const forged = await admin.query("select 1 from audit_events where tenant_id = $1 and action = $2", [
      b.id,
      "test.forged",
    ]);
    expect(forged.rows).toEqual([]);
  });

  it("shows nothing at all when no tenant is set (fail closed)", async () => {
    const rows = await app.db.select().from(memberships);
    expect(rows).toEqual([]);
  });

  it("does not let the tenant setting outlive its transaction on a pooled connection", async () => {
    type Seen = { pid: number; tenant: string | null };
    const seen = async (tx: Pick<Database, "execute">) =>
      (await tx.execute(sql`select pg_backend_pid() as pid, current_setting('app.tenant_id', true) as tenant`))
        .rows[0] as Seen;
    const first = await withTenant(app.db, a.id, async (tx) => ({
      ...(await seen(tx)),
      users: (await tx.select().from(users).where(eq(users.id, a.userId))).map((row) => row.email),
    }));
    expect(first.tenant).toBe(a.id);
    expect(first.users).toEqual([a.email]);
    // Outside any transaction, on the connection the pool hands out next: the setting is gone.
    const between = await seen(app.db);
    expect(between.pid).toBe(first.pid);
    expect([null, ""]).toContain(between.tenant);
    // The next tenant's transaction runs on that same backend and sees nothing of the first tenant.
    const second = await withTenant(app.db, b.id, async (tx) => ({
      ...(await seen(tx)),
      users: await tx.select().from(users).where(eq(users.id, a.userId)),
      memberships: await tx.select().from(memberships).where(eq(memberships.tenantId, a.id)),
    }));
    expect(second.pid).toBe(first.pid);
    expect(second.tenant).toBe(b.id);
    expect(second.users).toEqual([]);
    expect(second.memberships).toEqual([]);
  });

  it("cannot be tricked by a malformed tenant id", async () => {
    await expect(withTenant(app.db, "' or 1=1 --", (tx) => tx.select().from(auditEvents))).rejects.toThrow(/UUID/);
  });
});

/** The database error behind a drizzle error (drizzle wraps the driver's error in `cause`). */
async function refusal(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return (cause ?? error) as { code?: string; message?: string };
  }
  throw new Error("expected the statement to be refused, but it succeeded");
}

// Users are global; a tenant's code (a bug, an injected query inside a tenant's transaction) must not be able to
// claim another tenant's member or rewrite anyone's credentials but the signed-in owner's own.
describe("people are global: a tenant cannot claim them or rewrite their credentials", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let a: SeededTenant;
  let b: SeededTenant;
  /** A second member of tenant A, whose credentials tenant A's other code must not touch. */
  let colleague: string;

  beforeAll(async () => {
    admin = await adminClient();
    a = await seedTenant(admin, "alpha");
    b = await seedTenant(admin, "bravo");
    const row = await admin.query<{ id: string }>(
      `insert into users (email, display_name, password_hash) values ($1, 'Colleague', 'original-hash') returning id`,
      [`colleague.${a.slug}@example.test`],
    );
    colleague = row.rows[0]!.id;
    await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
      a.id,
      colleague,
    ]);
    app = appDatabase();
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  const account = async (id: string) =>
    (await admin.query("select password_hash, mfa_secret_encrypted, status from users where id = $1", [id]))
      .rows[0] as { password_hash: string | null; mfa_secret_encrypted: string | null; status: string };

  it("refuses to attach another tenant's member to this tenant", async () => {
    const error = await refusal(
      withTenant(
        app.db,
        a.id,
        (tx) => tx.insert(memberships).values({ tenantId: a.id, userId: b.userId, role: "admin" }),
        {
          userId: a.userId,
        },
      ),
    );
    expect(error).toMatchObject({
      code: "42501",
      message: 'new row violates row-level security policy "memberships_attach" for table "memberships"',
    });
    const attached = await admin.query("select 1 from memberships where tenant_id = $1 and user_id = $2", [
      a.id,
      b.userId,
    ]);
    expect(attached.rows).toEqual([]);
  });

  it("refuses to attach a person an earlier transaction created (they may be someone else's by now)", async () => {
    const id = crypto.randomUUID();
    await withTenant(app.db, a.id, (tx) =>
      tx.insert(users).values({ id, email: `orphan.${id}@example.test`, displayName: "Orphan" }),
    );
    const error = await refusal(
      withTenant(app.db, a.id, (tx) => tx.insert(memberships).values({ tenantId: a.id, userId: id, role: "editor" })),
    );
    expect(error).toMatchObject({ code: "42501" });
  });

  it("attaches another tenant's member only through an invitation this transaction accepts, for its roles", async () => {
    const invite = async (email: string, roles: string[]) =>
      (
        await admin.query<{ id: string }>(
          `insert into invitations (tenant_id, email, roles, token_hash, expires_at)
           values ($1, $2, $3, $4, now() + interval '1 hour') returning id`,
          [a.id, email, roles, crypto.randomUUID()],
        )
      ).rows[0]!.id;
    const accept = (tx: Parameters<Parameters<typeof withTenant>[2]>[0], id: string) =>
      tx.execute(sql`update invitations set accepted_at = now(), accepted_by = ${b.userId} where id = ${id}`);

    // Before the invitation is accepted, tenant A cannot see B's member, even knowing the address.
    const hidden = await withTenant(app.db, a.id, (tx) =>
      tx.select({ id: users.id }).from(users).where(eq(users.email, b.email)),
    );
    expect(hidden).toEqual([]);

    // Accepted in this transaction: visible, and attachable for the invitation's role only.
    const editorInvitation = await invite(b.email, ["editor"]);
    const wrongRole = await refusal(
      withTenant(app.db, a.id, async (tx) => {
        await accept(tx, editorInvitation);
        await tx.insert(memberships).values({ tenantId: a.id, userId: b.userId, role: "admin" });
      }),
    );
    expect(wrongRole).toMatchObject({ code: "42501" });
    const seen = await withTenant(app.db, a.id, async (tx) => {
      await accept(tx, editorInvitation);
      const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.email, b.email));
      await tx.insert(memberships).values({ tenantId: a.id, userId: b.userId, role: "editor" });
      return row;
    });
    expect(seen).toEqual({ id: b.userId });

    // An invitation accepted by an earlier transaction opens nothing.
    const stale = await invite(`stale.${crypto.randomUUID()}@example.test`, ["author"]);
    const other = await seedTenant(admin, "charlie");
    await admin.query("update invitations set accepted_at = now(), accepted_by = $1 where id = $2", [
      other.userId,
      stale,
    ]);
    const later = await refusal(
      withTenant(app.db, a.id, (tx) =>
        tx.insert(memberships).values({ tenantId: a.id, userId: other.userId, role: "author" }),
      ),
    );
    expect(later).toMatchObject({ code: "42501" });
    await admin.query("delete from memberships where tenant_id = $1 and user_id = $2", [a.id, b.userId]);
  });

  it("creates a person and their membership in one transaction, and adds a role to an existing member", async () => {
    const id = crypto.randomUUID();
    const created = await withTenant(app.db, a.id, async (tx) => {
      // No RETURNING: the new row is checked against the read policy before it has an xmin, so it is read after.
      await tx
        .insert(users)
        .values({ id, email: `new.${id}@example.test`, displayName: "New member", passwordHash: "set-at-invitation" });
      const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, id));
      await tx.insert(memberships).values({ tenantId: a.id, userId: id, role: "author" });
      return row;
    });
    expect(created).toEqual({ id });
    await withTenant(app.db, a.id, (tx) =>
      tx.insert(memberships).values({ tenantId: a.id, userId: id, role: "editor" }),
    );
    const roles = await admin.query("select role from memberships where user_id = $1 order by role", [id]);
    expect(roles.rows.map((row) => row.role)).toEqual(["author", "editor"]);
  });

  it.each([
    ["another member's session", () => a.userId],
    ["a job or an anonymous request", () => undefined],
  ])("refuses to rewrite a member's password, second factor or status from %s", async (_who, actingUser) => {
    const userId = actingUser();
    const changed = await withTenant(
      app.db,
      a.id,
      (tx) =>
        tx
          .update(users)
          .set({ passwordHash: "attacker-hash", mfaSecretEncrypted: "attacker-secret", status: "disabled" })
          .where(eq(users.id, colleague))
          .returning({ id: users.id }),
      userId ? { userId } : {},
    );
    expect(changed).toEqual([]);
    expect(await account(colleague)).toEqual({
      password_hash: "original-hash",
      mfa_secret_encrypted: null,
      status: "active",
    });
  });

  it("refuses to rewrite another tenant's member even when acting as them from the wrong tenant", async () => {
    const changed = await withTenant(
      app.db,
      a.id,
      (tx) => tx.update(users).set({ passwordHash: "attacker-hash" }).where(eq(users.id, b.userId)).returning(),
      { userId: b.userId },
    );
    expect(changed).toEqual([]);
    expect((await account(b.userId)).password_hash).toBeNull();
  });

  it("lets the account owner's own session change their credentials", async () => {
    const changed = await withTenant(
      app.db,
      a.id,
      (tx) =>
        tx.update(users).set({ passwordHash: "owner-hash" }).where(eq(users.id, colleague)).returning({ id: users.id }),
      { userId: colleague },
    );
    expect(changed).toEqual([{ id: colleague }]);
    expect((await account(colleague)).password_hash).toBe("owner-hash");
    await admin.query("update users set password_hash = 'original-hash' where id = $1", [colleague]);
  });

  it("fails an account write the policies refused instead of reporting it done, and writes the owner's", async () => {
    // Code that forgot to act as the owner: the update matches no row it may change, and must not pass for a success.
    await expect(
      withTenant(app.db, a.id, (tx) => updateOwnAccount(tx, colleague, { passwordHash: "unnoticed-hash" })),
    ).rejects.toThrow(/policies refused/);
    expect((await account(colleague)).password_hash).toBe("original-hash");
    await withTenant(app.db, a.id, (tx) => updateOwnAccount(tx, colleague, { passwordHash: "owner-hash" }), {
      userId: colleague,
    });
    expect((await account(colleague)).password_hash).toBe("owner-hash");
    await admin.query("update users set password_hash = 'original-hash' where id = $1", [colleague]);
  });

  it("lets only the owner issue or discard their recovery codes", async () => {
    const forged = await refusal(
      withTenant(app.db, a.id, (tx) => tx.insert(mfaRecoveryCodes).values({ userId: colleague, codeHash: "forged" }), {
        userId: a.userId,
      }),
    );
    expect(forged).toMatchObject({
      code: "42501",
      message:
        'new row violates row-level security policy "mfa_recovery_codes_owner_insert" for table "mfa_recovery_codes"',
    });
    await withTenant(app.db, a.id, (tx) => tx.insert(mfaRecoveryCodes).values({ userId: colleague, codeHash: "own" }), {
      userId: colleague,
    });
    const discarded = await withTenant(
      app.db,
      a.id,
      (tx) => tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, colleague)).returning(),
      { userId: a.userId },
    );
    expect(discarded).toEqual([]);
    const kept = await admin.query("select code_hash from mfa_recovery_codes where user_id = $1", [colleague]);
    expect(kept.rows).toEqual([{ code_hash: "own" }]);
  });

  it("lets a tenant disable its own membership rows only, and change nothing else of them", async () => {
    const own = await withTenant(app.db, a.id, (tx) =>
      tx
        .update(memberships)
        .set({ status: "disabled" })
        .where(and(eq(memberships.tenantId, a.id), eq(memberships.userId, colleague)))
        .returning({ role: memberships.role }),
    );
    expect(own).toEqual([{ role: "author" }]);
    const others = await withTenant(app.db, a.id, (tx) =>
      tx.update(memberships).set({ status: "disabled" }).where(eq(memberships.userId, b.userId)).returning(),
    );
    expect(others).toEqual([]);
    const promote = await refusal(
      withTenant(app.db, a.id, (tx) =>
        tx.execute(sql`update memberships set role = 'admin' where user_id = ${colleague}`),
      ),
    );
    expect(promote).toMatchObject({ code: "42501", message: "permission denied for table memberships" });
    await admin.query("update memberships set status = 'active' where user_id = $1", [colleague]);
    const bRows = await admin.query("select status from memberships where user_id = $1", [b.userId]);
    expect(bRows.rows).toEqual([{ status: "active" }]);
  });
});

// The public reads take an author's name from the tenant's own author row (content_authors.display_name, kept from
// users.display_name by triggers), not from users: that row's tenant policy is what keeps another tenant's authors out.
describe("authors' public names", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let a: SeededTenant;
  let b: SeededTenant;
  const WP_USERS = { page: 1, perPage: 10, orderby: "name", order: "asc", embed: false } as const;

  async function publish(tenant: SeededTenant, authorId: string, slug: string): Promise<void> {
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at)
       values ($1, 'post', $2, $2, '<p>Texto.</p>', '', 'pt-BR', $3, 'published', now())`,
      [tenant.id, slug, authorId],
    );
  }
  const scopeOf = (tenant: SeededTenant) => tenantScope(app.db, tenant);
  async function writesFor(tenant: SeededTenant, userId: string, slug: string): Promise<void> {
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, $3)", [
      tenant.id,
      userId,
      slug,
    ]);
  }

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    a = await seedTenant(admin, "bylinea", "author");
    b = await seedTenant(admin, "bylineb", "author");
    for (const [tenant, slug] of [
      [a, "autor-a"],
      [b, "autora-b"],
    ] as const) {
      await writesFor(tenant, tenant.userId, slug);
      await publish(tenant, tenant.userId, `artigo-de-${slug}`);
    }
    // An item of A attributed to B's author, whom A cannot see (only a bug or the owner role could write it).
    await publish(a, b.userId, "artigo-atribuido-a-b");
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  it("come from the tenant's own author rows; another tenant's author stays invisible on every public read", async () => {
    const own = await getSiteArticle(scopeOf(a), { locale: "pt-BR", type: "post", slug: "artigo-de-autor-a" });
    expect(own!.author).toEqual({ name: "Member of bylinea", slug: "autor-a" });
    const foreign = await getSiteArticle(scopeOf(a), { locale: "pt-BR", type: "post", slug: "artigo-atribuido-a-b" });
    expect(foreign!.author).toBeNull();
    const home = await listSiteItems(scopeOf(a), { locale: "pt-BR", filter: null, page: 1 });
    expect(home!.items.map((item) => item.author?.name ?? null).sort()).toEqual(["Member of bylinea", null].sort());
    expect(
      await listSiteItems(scopeOf(a), { locale: "pt-BR", filter: { kind: "author", slug: "autora-b" }, page: 1 }),
    ).toBeNull();
    const wpUsers = await listWpUsers(scopeOf(a), { origin: "https://a.example", query: WP_USERS });
    expect(wpUsers.items.map((user) => user["name"])).toEqual(["Member of bylinea"]);
    const searched = await listWpUsers(scopeOf(a), {
      origin: "https://a.example",
      query: { ...WP_USERS, search: "bylineb" },
    });
    expect(searched.items).toEqual([]);
    const rows = await withTenant(app.db, a.id, (tx) =>
      tx.select({ name: contentAuthors.displayName }).from(contentAuthors).where(eq(contentAuthors.userId, b.userId)),
    );
    expect(rows).toEqual([]);
    const theirs = await getSiteArticle(scopeOf(b), { locale: "pt-BR", type: "post", slug: "artigo-de-autora-b" });
    expect(theirs!.author).toEqual({ name: "Member of bylineb", slug: "autora-b" });
  });

  it("follow a person's new name in every tenant they write for, renamed from either", async () => {
    const person = await admin.query<{ id: string }>(
      "insert into users (email, display_name) values ($1, 'Dra. Antes') returning id",
      [`duas.clinicas.${a.slug}@example.test`],
    );
    const id = person.rows[0]!.id;
    for (const [tenant, slug] of [
      [a, "dra-antes-a"],
      [b, "dra-antes-b"],
    ] as const) {
      await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
        tenant.id,
        id,
      ]);
      await writesFor(tenant, id, slug);
    }
    await withTenant(app.db, a.id, (tx) => updateOwnAccount(tx, id, { displayName: "Dra. Depois" }), { userId: id });
    const names = await admin.query("select display_name from content_authors where user_id = $1", [id]);
    expect(names.rows).toEqual([{ display_name: "Dra. Depois" }, { display_name: "Dra. Depois" }]);
    await publish(b, id, "artigo-da-dra");
    const inB = await listWpUsers(scopeOf(b), {
      origin: "https://b.example",
      query: { ...WP_USERS, search: "depois" },
    });
    expect(inB.items.map((user) => [user["name"], user["slug"]])).toEqual([["Dra. Depois", "dra-antes-b"]]);
  });
});
