import { eq, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, DatabaseClients } from "../../functions/lib/db.js";
import { withTenant } from "../../functions/lib/db.js";
import { appendAudit } from "../../functions/services/audit.js";
import { auditEvents, memberships, users } from "../../schema/index.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";

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
