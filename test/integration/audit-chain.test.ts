import { readFile } from "node:fs/promises";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { appendAudit, type AuditEvent, GENESIS_HASH, verifyAuditChain } from "../../functions/services/audit.js";
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

  it("verifies a chain written before RFC 8785 encoding, stored and read back through PostgreSQL", async () => {
    // Hashes computed by the hand-rolled canonical JSON that preceded RFC 8785 (test/fixtures); jsonb reorders
    // keys and reformats numbers on the way, so this also proves verification does not depend on either.
    const fixture = JSON.parse(
      await readFile(new URL("../fixtures/audit-chain-before-rfc8785.json", import.meta.url), "utf8"),
    ) as { tenantId: string; events: AuditEvent[] };
    await admin.query("insert into tenants (id, slug, name) values ($1, $2, $3)", [
      fixture.tenantId,
      `rfc8785-${Math.random().toString(36).slice(2, 8)}`,
      "Clinic before RFC 8785",
    ]);
    for (const event of fixture.events) {
      await admin.query(
        `insert into audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
           request_id, details, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          event.tenantId,
          event.seq,
          event.occurredAt,
          event.actorType,
          event.actorId,
          event.action,
          event.targetType,
          event.targetId,
          event.requestId,
          JSON.stringify(event.details),
          event.prevHash,
          event.hash,
        ],
      );
    }
    const verification = await withTenant(app.db, fixture.tenantId, (tx) => verifyAuditChain(tx, fixture.tenantId));
    expect(verification).toEqual({ ok: true, events: fixture.events.length, head: fixture.events.at(-1)!.hash });
  });
});
