/**
 * Seeds the demo tenant for `npm run dev`: tenant `demo` on `localhost`, one account per role, password
 * `vitalis-demo` unless DEMO_PASSWORD is set, then its content through the services (scripts/demo-content.ts:
 * the reviewer's verified CRM, articles in every workflow state, a consent and an LGPD request). Idempotent.
 * Refuses to run unless ENVIRONMENT is exactly `development` or `test`: demo accounts with a published password
 * must never exist anywhere else.
 *
 * Also a command: `ENVIRONMENT=development DATABASE_URL=<owner url> npm run seed:demo`.
 */
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Transaction } from "../functions/lib/db.js";
import { ensureDefaultCategories } from "../functions/services/content/taxonomy.js";
import * as schema from "../schema/index.js";
import { hashPassword } from "../functions/lib/passwords.js";
import type { Role } from "../schema/memberships.js";

export const DEMO_ACCOUNTS: ReadonlyArray<{ email: string; name: string; roles: Role[] }> = [
  { email: "admin@demo.test", name: "Ana Administradora", roles: ["admin"] },
  { email: "editor@demo.test", name: "Eduardo Editor", roles: ["editor"] },
  { email: "author@demo.test", name: "Dra. Alice Autora", roles: ["author"] },
  { email: "reviewer@demo.test", name: "Dr. Rafael Revisor", roles: ["medical_reviewer"] },
  { email: "compliance@demo.test", name: "Carla Conformidade", roles: ["compliance_officer"] },
];

export const DEMO_TENANT_NAME = "Clínica Demo Vitalis";

export const DEMO_HOSTNAMES = ["localhost", "127.0.0.1"];

/** Environments where demo accounts may exist. Anything else, including an unset ENVIRONMENT, is refused. */
export const DEMO_ENVIRONMENTS: readonly string[] = ["development", "test"];

export function assertDemoSeedAllowed(environment: string | undefined): asserts environment is string {
  if (environment === undefined || !DEMO_ENVIRONMENTS.includes(environment)) {
    const given =
      environment === undefined ? "ENVIRONMENT is not set" : `ENVIRONMENT is ${JSON.stringify(environment)}`;
    throw new Error(
      `Refusing to seed demo accounts: ${given}. Set ENVIRONMENT=development (or test) to seed a local database.`,
    );
  }
}

export interface DemoSeedResult {
  articlesCreated: number;
  articlesKept: number;
}

export async function seedDemo(
  ownerDatabaseUrl: string,
  options: { password: string; environment: string | undefined },
): Promise<DemoSeedResult> {
  assertDemoSeedAllowed(options.environment);
  const client = new pg.Client({ connectionString: ownerDatabaseUrl });
  await client.connect();
  let tenantId: string;
  const members: Array<{ email: string; userId: string; roles: Role[] }> = [];
  try {
    await client.query("begin");
    const tenant = await client.query<{ id: string }>(
      `insert into tenants (slug, name) values ('demo', $1)
       on conflict (slug) do update set name = excluded.name returning id`,
      [DEMO_TENANT_NAME],
    );
    tenantId = tenant.rows[0]!.id;
    for (const hostname of DEMO_HOSTNAMES) {
      await client.query(
        `insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, $3)
         on conflict (hostname) do update set tenant_id = excluded.tenant_id`,
        [hostname, tenantId, hostname === "localhost"],
      );
    }
    for (const account of DEMO_ACCOUNTS) {
      const user = await client.query<{ id: string }>(
        `insert into users (email, display_name, password_hash) values ($1, $2, $3)
         on conflict (email) do update set display_name = excluded.display_name, password_hash = excluded.password_hash
         returning id`,
        [account.email, account.name, await hashPassword(options.password)],
      );
      members.push({ email: account.email, userId: user.rows[0]!.id, roles: account.roles });
      for (const role of account.roles) {
        await client.query(
          `insert into memberships (tenant_id, user_id, role) values ($1, $2, $3) on conflict do nothing`,
          [tenantId, user.rows[0]!.id, role],
        );
      }
    }
    await client.query("commit");
    // The medical specialties every tenant starts with. The service takes the Worker's transaction type;
    // node-postgres's drizzle transaction has the same query-builder API, hence the cast.
    await drizzle({ client, schema }).transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
      await ensureDefaultCategories(tx as unknown as Transaction, tenantId);
    });
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    await client.end();
  }
  // Loaded only now: the services it runs import the analysis plugins as WASM modules (scripts/wasm-modules.mjs).
  const { seedDemoContent } = await import("./demo-content.js");
  return seedDemoContent(ownerDatabaseUrl, {
    tenant: { id: tenantId, slug: "demo", name: DEMO_TENANT_NAME },
    members,
    environment: options.environment,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const environment = process.env.ENVIRONMENT;
    assertDemoSeedAllowed(environment);
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL (the owner role's URL) is not set.");
    const result = await seedDemo(url, { password: process.env.DEMO_PASSWORD ?? "vitalis-demo", environment });
    console.log(`demo seeded: ${result.articlesCreated} articles created, ${result.articlesKept} already there`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
