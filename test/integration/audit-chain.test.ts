import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { appendAudit, GENESIS_HASH, verifyAuditChain } from "../../functions/services/audit.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";

describe("the audit chain", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let tenant: SeededTenant;

  beforeAll(async () => {
    admin = await adminClient();
    tenant = await seedTenant(admin, "audit");
    app = appDatabase();
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  it("links each event to the one before it", async () => {
    const first = await withTenant(app.db, tenant.id, (tx) =>
      appendAudit(tx, { tenantId: tenant.id, actorType: "user", actorId: tenant.userId, action: "user.login" }),
    );
    const second = await withTenant(app.db, tenant.id, (tx) =>
      appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "retention.sweep", details: { deleted: 0 } }),
    );
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps one unbroken chain under concurrent writers", async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withTenant(app.db, tenant.id, (tx) =>
          appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "test.concurrent", details: { i } }),
        ),
      ),
    );
    const verification = await withTenant(app.db, tenant.id, (tx) => verifyAuditChain(tx, tenant.id));
    expect(verification).toMatchObject({ ok: true, events: 10 });
  });

  it("rolls the event back with the transaction it belongs to", async () => {
    await expect(
      withTenant(app.db, tenant.id, async (tx) => {
        await appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "test.rolled_back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const rows = await admin.query("select 1 from audit_events where tenant_id = $1 and action = 'test.rolled_back'", [
      tenant.id,
    ]);
    expect(rows.rowCount).toBe(0);
  });

  it("refuses UPDATE, DELETE and TRUNCATE, even from a superuser", async () => {
    await expect(admin.query("update audit_events set action = 'x' where tenant_id = $1", [tenant.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(admin.query("delete from audit_events where tenant_id = $1", [tenant.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(admin.query("truncate audit_events")).rejects.toThrow(/append-only/);
  });

  it("detects an event edited behind the trigger's back", async () => {
    const other = await seedTenant(admin, "tamper");
    for (let i = 0; i < 3; i++) {
      await withTenant(app.db, other.id, (tx) =>
        appendAudit(tx, { tenantId: other.id, actorType: "system", action: "test.event", details: { i } }),
      );
    }
    // A superuser can switch triggers off for the session; the hash chain is what still catches it.
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query(`update audit_events set details = '{"i": 99}' where tenant_id = $1 and seq = 2`, [other.id]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    const verification = await withTenant(app.db, other.id, (tx) => verifyAuditChain(tx, other.id));
    expect(verification).toEqual({ ok: false, events: 1, brokenAt: 2, reason: "hash_mismatch" });
  });
});
