import { type SQL, sql, TransactionRollbackError } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients, Transaction } from "../../functions/lib/db.js";
import { withTenant } from "../../functions/lib/db.js";
import { appendAudit } from "../../functions/services/audit.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";

const APP_ROLE = "vitalis_app";
const STATEMENTS = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;

/**
 * Tables with a tenant_id whose policy deliberately does not filter by tenant, and why. Everything else must
 * filter every statement by `app.tenant_id`.
 */
const UNFILTERED_BY_DESIGN: Record<string, string> = {
  // The Worker resolves the tenant from the Host header before it knows the tenant; hostnames are public DNS.
  tenant_hostnames: "read-only lookup from hostname to tenant",
};

/** The database error behind a drizzle error (drizzle wraps the driver's error in `cause`). */
function pgError(error: unknown): { code?: string; message?: string } {
  const cause = (error as { cause?: unknown }).cause;
  return (cause ?? error) as { code?: string; message?: string };
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return pgError(error);
  }
  throw new Error("expected the statement to be refused, but it succeeded");
}

describe("row-level security catalog", () => {
  let admin: pg.Client;

  beforeAll(async () => {
    admin = await adminClient();
  });
  afterAll(async () => {
    await admin?.end();
  });

  it("enables, forces and covers with policies every table that has a tenant_id", async () => {
    const tables = await admin.query<{ name: string; enabled: boolean; forced: boolean }>(
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and exists (select 1 from pg_attribute a
                       where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
        order by c.relname`,
    );
    const grants = await admin.query<{ table: string; privilege: string }>(
      `select table_name as table, privilege_type as privilege from information_schema.role_table_grants
        where grantee = $1 and table_schema = 'public'`,
      [APP_ROLE],
    );
    const policies = await admin.query<{
      table: string;
      name: string;
      permissive: string;
      cmd: string;
      roles: string[];
      qual: string | null;
      withCheck: string | null;
    }>(
      `select tablename as table, policyname as name, permissive, cmd, roles::text[] as roles, qual,
              with_check as "withCheck"
         from pg_policies where schemaname = 'public'`,
    );
    const names = tables.rows.map((table) => table.name);
    // The catalog query itself must find the tables it is meant to check.
    expect(names).toEqual(
      expect.arrayContaining([
        "content_items",
        "media_items",
        "data_subjects",
        "uploads",
        "legal_holds",
        "audit_events",
      ]),
    );

    const problems: string[] = [];
    for (const table of tables.rows) {
      if (!table.enabled) problems.push(`${table.name}: row-level security is not enabled`);
      if (!table.forced) problems.push(`${table.name}: row-level security is not forced`);
      const granted = grants.rows.filter((grant) => grant.table === table.name).map((grant) => grant.privilege);
      // TRUNCATE, REFERENCES and TRIGGER are not subject to row-level security at all.
      for (const privilege of granted) {
        if (!(STATEMENTS as readonly string[]).includes(privilege)) {
          problems.push(`${table.name}: ${APP_ROLE} holds ${privilege}, which row-level security does not filter`);
        }
      }
      const applicable = policies.rows.filter(
        (policy) =>
          policy.table === table.name &&
          policy.permissive === "PERMISSIVE" &&
          (policy.roles.includes(APP_ROLE) || policy.roles.includes("public")),
      );
      for (const statement of STATEMENTS) {
        if (!granted.includes(statement)) continue;
        const covering = applicable.filter((policy) => policy.cmd === statement || policy.cmd === "ALL");
        if (covering.length === 0) {
          problems.push(`${table.name}: ${statement} is granted to ${APP_ROLE} but no policy covers it`);
          continue;
        }
        if (table.name in UNFILTERED_BY_DESIGN) continue;
        // Permissive policies are OR-ed: every one of them must filter by the tenant, or one opens the table.
        for (const policy of covering) {
          const expressions =
            statement === "INSERT"
              ? [policy.withCheck]
              : statement === "UPDATE"
                ? [policy.qual, policy.withCheck ?? policy.qual]
                : [policy.qual];
          for (const expression of expressions) {
            if (!expression || !/tenant_id/.test(expression) || !/current_setting\('app\.tenant_id'/.test(expression)) {
              problems.push(
                `${table.name}: policy ${policy.name} does not filter ${statement} by app.tenant_id (${expression})`,
              );
            }
          }
        }
      }
    }
    expect(problems, `checked ${names.length} tables: ${names.join(", ")}`).toEqual([]);
  });

  it("gives the app role no view or security-definer function that could read past the policies", async () => {
    const views = await admin.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('v', 'm') and has_table_privilege($1, c.oid, 'SELECT')`,
      [APP_ROLE],
    );
    const definers = await admin.query<{ name: string; source: string; config: string[] | null }>(
      `select p.proname as name, p.prosrc as source, p.proconfig as config
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prosecdef and has_function_privilege($1, p.oid, 'EXECUTE')`,
      [APP_ROLE],
    );
    expect(views.rows).toEqual([]);
    // The one reviewed exception: full-text search, which runs as its owner so the GIN index can serve it (`@@` is
    // not leakproof, so under a policy PostgreSQL would scan the tenant). It must filter by the same tenant setting
    // as the policies, pin its search path, and answer ids only; callers join back through row-level security.
    expect(definers.rows.map((row) => row.name)).toEqual(["vitalis_search_content"]);
    for (const definer of definers.rows) {
      expect(definer.source).toMatch(/tenant_id = nullif\(current_setting\('app\.tenant_id', true\), ''\)::uuid/);
      expect(definer.config ?? []).toContain("search_path=pg_catalog, public");
    }
  });
});

interface Seeds {
  tenant: SeededTenant;
  subjectId: string;
  uploadId: string;
  mediaId: string;
  contentId: string;
  holdId: string;
}

/** One row per table under test, for `tenant`; each insert names its own id so the same statement can be replayed. */
const inserts = {
  data_subjects: (s: Seeds, id: string) =>
    sql`insert into data_subjects (id, tenant_id, email, display_name)
        values (${id}, ${s.tenant.id}, ${`subject.${id}@example.test`}, 'Subject')`,
  uploads: (s: Seeds, id: string) =>
    sql`insert into uploads (id, tenant_id, created_by, kind, filename, content_type, size, sha256, pending_key,
                             retention_class, expires_at)
        values (${id}, ${s.tenant.id}, ${s.tenant.userId}, 'image', 'scan.png', 'image/png', 10, ${"0".repeat(64)},
                ${`pending/${id}`}, 'editorial', now() + interval '1 hour')`,
  media_items: (s: Seeds, id: string) =>
    sql`insert into media_items (id, tenant_id, upload_id, created_by, kind, filename, content_type, size, sha256,
                                 object_key, retention_class)
        values (${id}, ${s.tenant.id}, ${s.uploadId}, ${s.tenant.userId}, 'image', 'scan.png', 'image/png', 10,
                ${"0".repeat(64)}, ${`media/${id}`}, 'editorial')`,
  content_items: (s: Seeds, id: string) =>
    sql`insert into content_items (id, tenant_id, type, title, slug, locale, author_id)
        values (${id}, ${s.tenant.id}, 'post', 'Hypertension basics', ${`hypertension-${id}`}, 'pt-BR',
                ${s.tenant.userId})`,
  legal_holds: (s: Seeds, id: string) =>
    sql`insert into legal_holds (id, tenant_id, scope, target_id, reason)
        values (${id}, ${s.tenant.id}, 'content', ${s.contentId}, 'litigation')`,
} satisfies Record<string, (s: Seeds, id: string) => SQL>;
type Table = keyof typeof inserts;

/** A harmless text column per table, for the UPDATE attempt. */
const updatable: Record<Table, string> = {
  data_subjects: "display_name",
  uploads: "filename",
  media_items: "filename",
  content_items: "title",
  legal_holds: "reason",
};
const seededId = (s: Seeds, table: Table): string =>
  ({
    data_subjects: s.subjectId,
    uploads: s.uploadId,
    media_items: s.mediaId,
    content_items: s.contentId,
    legal_holds: s.holdId,
  })[table];

describe("row-level security on tenant tables, as the app role", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let a: Seeds;
  let b: Seeds;
  let deletable: Set<string>;

  async function seed(tenant: SeededTenant): Promise<Seeds> {
    const adminDb = drizzle({ client: admin });
    const s: Seeds = {
      tenant,
      subjectId: crypto.randomUUID(),
      uploadId: crypto.randomUUID(),
      mediaId: crypto.randomUUID(),
      contentId: crypto.randomUUID(),
      holdId: crypto.randomUUID(),
    };
    for (const table of Object.keys(inserts) as Table[]) {
      await adminDb.execute(inserts[table](s, seededId(s, table)));
    }
    return s;
  }

  beforeAll(async () => {
    admin = await adminClient();
    a = await seed(await seedTenant(admin, "alpha"));
    b = await seed(await seedTenant(admin, "bravo"));
    app = appDatabase();
    const grants = await admin.query<{ table: string }>(
      `select table_name as table from information_schema.role_table_grants
        where grantee = $1 and table_schema = 'public' and privilege_type = 'DELETE'`,
      [APP_ROLE],
    );
    deletable = new Set(grants.rows.map((grant) => grant.table));
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  const ids = (tx: Pick<Transaction, "execute">, table: Table, tenants: Seeds[]) =>
    tx
      .execute(
        sql`select id, tenant_id from ${sql.identifier(table)} where tenant_id in (${sql.join(
          tenants.map((s) => sql`${s.tenant.id}`),
          sql`, `,
        )})`,
      )
      .then((result) => result.rows as { id: string; tenant_id: string }[]);

  describe.each(Object.keys(inserts) as Table[])("%s", (table) => {
    it("shows a tenant only its own rows", async () => {
      const seen = await withTenant(app.db, a.tenant.id, (tx) => ids(tx, table, [a, b]));
      expect(seen).toEqual([{ id: seededId(a, table), tenant_id: a.tenant.id }]);
    });

    it("updates none of another tenant's rows", async () => {
      const column = sql.identifier(updatable[table]);
      const updated = await withTenant(app.db, a.tenant.id, (tx) =>
        tx.execute(
          sql`update ${sql.identifier(table)} set ${column} = 'hijacked' where id = ${seededId(b, table)} returning id`,
        ),
      );
      expect(updated.rows).toEqual([]);
      const after = await admin.query(`select ${updatable[table]} as value from ${table} where id = $1`, [
        seededId(b, table),
      ]);
      expect(after.rows[0].value).not.toBe("hijacked");
    });

    it("deletes none of another tenant's rows", async () => {
      const remove = withTenant(app.db, a.tenant.id, (tx) =>
        tx.execute(sql`delete from ${sql.identifier(table)} where id = ${seededId(b, table)} returning id`),
      );
      if (deletable.has(table)) {
        expect((await remove).rows).toEqual([]);
      } else {
        // Not granted at all: refused before any row is looked at.
        expect(await failure(remove)).toMatchObject({
          code: "42501",
          message: `permission denied for table ${table}`,
        });
      }
      const after = await admin.query(`select 1 from ${table} where id = $1`, [seededId(b, table)]);
      expect(after.rows).toHaveLength(1);
    });

    it("refuses to insert a row for another tenant", async () => {
      const id = crypto.randomUUID();
      const error = await failure(withTenant(app.db, a.tenant.id, (tx) => tx.execute(inserts[table](b, id))));
      expect(error).toMatchObject({
        code: "42501",
        message: `new row violates row-level security policy for table "${table}"`,
      });
      const forged = await admin.query(`select 1 from ${table} where id = $1`, [id]);
      expect(forged.rows).toEqual([]);
    });

    it("lets a tenant insert its own row (the refusal above is the policy, not a broken statement)", async () => {
      const id = crypto.randomUUID();
      // Inserted and rolled back, so the other tests keep seeing one row per tenant.
      let seen: string[] = [];
      await expect(
        withTenant(app.db, a.tenant.id, async (tx) => {
          // A media item needs an upload of its own (one media item per upload).
          const own = table === "media_items" ? { ...a, uploadId: crypto.randomUUID() } : a;
          if (own !== a) await tx.execute(inserts.uploads(own, own.uploadId));
          await tx.execute(inserts[table](own, id));
          seen = (await ids(tx, table, [a])).map((row) => row.id);
          tx.rollback();
        }),
      ).rejects.toBeInstanceOf(TransactionRollbackError);
      expect(seen).toContain(id);
    });

    it("shows nothing when no tenant is set (fail closed)", async () => {
      const seen = await ids(app.db, table, [a, b]);
      expect(seen).toEqual([]);
    });
  });
});

describe("the audit trail is append-only for the app role", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let tenant: SeededTenant;

  beforeAll(async () => {
    admin = await adminClient();
    tenant = await seedTenant(admin, "charlie");
    app = appDatabase();
    await withTenant(app.db, tenant.id, (tx) =>
      appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "test.appended" }),
    );
    await admin.query(
      `insert into audit_checkpoints (tenant_id, seq, head_hash, payload, ed25519_signature, ed25519_public_key,
                                      ed25519_key_fingerprint, mldsa_signature, mldsa_public_key, mldsa_key_fingerprint)
       values ($1, 1, 'h', 'p', 's', 'k', 'f', 's', 'k', 'f')`,
      [tenant.id],
    );
  });
  afterAll(async () => {
    await app?.pool.end();
    await admin?.end();
  });

  it("lets the app role sign a checkpoint for its own tenant only", async () => {
    const other = await seedTenant(admin, "delta");
    const checkpoint = (tenantId: string, seq: number) =>
      sql`insert into audit_checkpoints (tenant_id, seq, head_hash, payload, ed25519_signature, ed25519_public_key,
                                         ed25519_key_fingerprint, mldsa_signature, mldsa_public_key, mldsa_key_fingerprint)
          values (${tenantId}, ${seq}, 'h', 'p', 's', 'k', 'f', 's', 'k', 'f')`;
    await withTenant(app.db, tenant.id, (tx) => tx.execute(checkpoint(tenant.id, 2)));
    const forged = await failure(withTenant(app.db, tenant.id, (tx) => tx.execute(checkpoint(other.id, 1))));
    expect(forged).toMatchObject({
      code: "42501",
      message: 'new row violates row-level security policy for table "audit_checkpoints"',
    });
    const rows = await admin.query<{ tenant: string; seq: string }>(
      "select tenant_id as tenant, seq::text from audit_checkpoints where tenant_id in ($1, $2) order by seq",
      [tenant.id, other.id],
    );
    expect(rows.rows).toEqual([
      { tenant: tenant.id, seq: "1" },
      { tenant: tenant.id, seq: "2" },
    ]);
  });

  describe.each(["audit_events", "audit_checkpoints"])("%s", (table) => {
    it("can be read and appended to by the app role", async () => {
      const rows = await withTenant(app.db, tenant.id, (tx) =>
        tx.execute(sql`select 1 from ${sql.identifier(table)} where tenant_id = ${tenant.id}`),
      );
      expect(rows.rows.length).toBeGreaterThan(0);
    });

    it.each([
      ["UPDATE", sql`update ${sql.identifier(table)} set tenant_id = tenant_id`],
      ["DELETE", sql`delete from ${sql.identifier(table)}`],
      ["TRUNCATE", sql`truncate ${sql.identifier(table)}`],
    ])("refuses %s to the app role (no privilege)", async (_verb, statement) => {
      const error = await failure(withTenant(app.db, tenant.id, (tx) => tx.execute(statement)));
      expect(error).toMatchObject({ code: "42501", message: `permission denied for table ${table}` });
      const kept = await admin.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenant.id]);
      expect(kept.rows[0].n).toBeGreaterThan(0);
    });

    it.each(["UPDATE", "DELETE", "TRUNCATE"])(
      "refuses %s even to the table's owner (the append-only trigger)",
      async (verb) => {
        const statement = {
          UPDATE: `update ${table} set tenant_id = tenant_id where tenant_id = $1`,
          DELETE: `delete from ${table} where tenant_id = $1`,
          TRUNCATE: `truncate ${table}`,
        }[verb]!;
        // In a transaction that is always rolled back, so a missing trigger could not wipe other tests' rows.
        await admin.query("begin");
        try {
          await expect(admin.query(statement, verb === "TRUNCATE" ? [] : [tenant.id])).rejects.toMatchObject({
            code: "42501",
            message: `${table} is append-only: ${verb} refused`,
          });
        } finally {
          await admin.query("rollback");
        }
      },
    );
  });
});
