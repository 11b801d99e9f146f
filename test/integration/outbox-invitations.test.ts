/**
 * Messages are queued in the transaction that causes them: an invitation and its e-mail commit together or not
 * at all, the token is stored only as a hash and sealed in the outbox, and neither table leaks across tenants.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { withTenant } from "../../functions/lib/db.js";
import { decryptSecret } from "../../functions/lib/aead.js";
import { createInvitation } from "../../functions/services/identity/invitations.js";
import { outboxSecretContext } from "../../functions/services/outbox.js";
import { adminClient, appDatabase, platformScope, type SeededTenant, seedTenant } from "../support/db.js";
import { testBindings } from "../support/worker.js";
import { inject } from "vitest";

let admin: pg.Client;
let app: DatabaseClients;
let clinicA: SeededTenant;
let clinicB: SeededTenant;

beforeAll(async () => {
  admin = await adminClient();
  app = appDatabase();
  clinicA = await seedTenant(admin, "outbox-a", "admin");
  clinicB = await seedTenant(admin, "outbox-b", "admin");
});

afterAll(async () => {
  await app?.pool.end();
  await admin?.end();
});

function scopeOf(tenant: SeededTenant) {
  return platformScope(app.db).forTenant({ id: tenant.id, slug: tenant.slug, name: `Clinic ${tenant.slug}` });
}

describe("invitations and the outbox", () => {
  it("stores the invitation's token hashed and queues its e-mail with the token sealed", async () => {
    const scope = scopeOf(clinicA);
    const created = await scope.transaction((tx) =>
      createInvitation(scope, tx, {
        email: "New.Physician@Example.TEST",
        roles: ["author"],
        origin: "https://a.example",
        locale: "pt-BR",
      }),
    );
    const stored = await admin.query("select email, token_hash from invitations where id = $1", [created.id]);
    expect(stored.rows[0].email).toBe("new.physician@example.test");
    expect(stored.rows[0].token_hash).toBe(createHash("sha256").update(created.token).digest("hex"));

    const mail = await admin.query(
      "select id, recipient, template, data, secret_sealed from outbox where tenant_id = $1 and template = 'invitation'",
      [clinicA.id],
    );
    expect(mail.rows).toHaveLength(1);
    const row = mail.rows[0];
    expect(row.recipient).toBe("new.physician@example.test");
    expect(JSON.stringify(row.data)).not.toContain(created.token);
    expect(row.secret_sealed).not.toContain(created.token);
    const key = testBindings(inject("testEnvironment")).MFA_ENCRYPTION_KEY!;
    expect(await decryptSecret(row.secret_sealed, key, outboxSecretContext(row.id))).toBe(created.token);
    // Sealed for its own row: moved to another row id, it does not open.
    await expect(decryptSecret(row.secret_sealed, key, outboxSecretContext(crypto.randomUUID()))).rejects.toThrow();

    const audit = await admin.query(
      "select details from audit_events where tenant_id = $1 and action = 'invitation.created'",
      [clinicA.id],
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows[0].details)).not.toContain(created.token);
  });

  it("queues nothing when the transaction that invites rolls back", async () => {
    const scope = scopeOf(clinicA);
    await expect(
      scope.transaction(async (tx) => {
        await createInvitation(scope, tx, {
          email: "rolled.back@example.test",
          roles: ["editor"],
          origin: "https://a.example",
          locale: "en",
        });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const left = await admin.query(
      "select (select count(*) from invitations where email = 'rolled.back@example.test')::int as invitations, (select count(*) from outbox where recipient = 'rolled.back@example.test')::int as mails",
    );
    expect(left.rows[0]).toEqual({ invitations: 0, mails: 0 });
  });

  it("a second invitation to the same address revokes the first", async () => {
    const scope = scopeOf(clinicA);
    const input = {
      email: "twice@example.test",
      roles: ["author" as const],
      origin: "https://a.example",
      locale: "es" as const,
    };
    const first = await scope.transaction((tx) => createInvitation(scope, tx, input));
    const second = await scope.transaction((tx) => createInvitation(scope, tx, input));
    const rows = await admin.query("select id, revoked_at from invitations where email = 'twice@example.test'");
    const byId = new Map(rows.rows.map((row) => [row.id, row.revoked_at]));
    expect(byId.get(first.id)).not.toBeNull();
    expect(byId.get(second.id)).toBeNull();
  });

  it("another tenant sees neither the invitation nor its e-mail", async () => {
    const counts = await withTenant(app.db, clinicB.id, async (tx) => {
      const result = await tx.execute<{ invitations: number; mails: number }>(
        sql`select (select count(*) from invitations)::int as invitations, (select count(*) from outbox)::int as mails`,
      );
      return result.rows[0];
    });
    expect(counts).toEqual({ invitations: 0, mails: 0 });
  });
});
