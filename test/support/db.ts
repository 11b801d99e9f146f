/** Database helpers for integration tests: a superuser for seeding, the app role for what the Worker may do. */
import { neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { inject } from "vitest";
import { WebSocket } from "ws";
import { getConfig, requireSection } from "../../functions/env.js";
import { createDatabase, type Database, type DatabaseClients } from "../../functions/lib/db.js";
import { createHttpDatabase } from "../../functions/lib/db-http.js";
import { createLogger } from "../../functions/lib/logging.js";
import { createPlatformScope, type Clients, type PlatformScope, type Scope } from "../../functions/scope.js";
import type { Storage } from "../../functions/services/media-storage.js";
import { testBindings } from "./worker.js";

neonConfig.webSocketConstructor = WebSocket;

/** The Worker's view of the database: Neon driver → local proxy → PostgreSQL, as the non-superuser app role. */
export function appDatabase(): DatabaseClients {
  const env = inject("testEnvironment");
  return createDatabase({ url: env.appDatabaseUrl, wsProxy: env.neonProxy });
}

/**
 * A job's platform scope over `db` (the app role), for calling a job's service from a test as the cron would.
 * The database is wired, and S3 when `storage` is given (`testS3` in support/media.ts); Redis, and S3
 * without `storage`, fail if the service reaches for them.
 */
export function platformScope(db: Database, job = "test", storage?: Storage): PlatformScope {
  const unavailable = (name: string) =>
    new Proxy({} as never, {
      get() {
        throw new Error(`${name} is not wired in platformScope`);
      },
    });
  // The Worker's own configuration in tests, so services that seal secrets or sign find their keys.
  const config = getConfig(testBindings(inject("testEnvironment")));
  const clients: Clients = {
    config,
    db,
    http: createHttpDatabase(requireSection(config, "database")),
    redis: unavailable("redis"),
    storage: storage ?? unavailable("storage"),
    close: async () => undefined,
  };
  return createPlatformScope(clients, {
    actor: { kind: "system", job },
    requestId: null,
    logger: createLogger({ job }),
  }).platform;
}

/** One tenant's scope of a job's platform scope (see `platformScope`), as the cron's runner makes for each tenant. */
export function tenantScope(
  db: Database,
  tenant: { id: string; slug: string },
  job = "test",
  storage?: Storage,
): Scope {
  return platformScope(db, job, storage).forTenant({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
}

/** A superuser client for seeding and inspection; it bypasses row-level security. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject("testEnvironment").adminDatabaseUrl });
  await client.connect();
  return client;
}

export interface SeededTenant {
  id: string;
  slug: string;
  hostname: string;
  userId: string;
  email: string;
}

/** Creates a tenant with one hostname and one member, with unique names so test files never collide. */
export async function seedTenant(admin: pg.Client, label: string, role = "editor"): Promise<SeededTenant> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const slug = `${label}-${suffix}`;
  const hostname = `${slug}.test`;
  const email = `${role}.${slug}@example.test`;
  const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
    slug,
    `Clinic ${label}`,
  ]);
  const tenantId = tenant.rows[0]!.id;
  await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
    hostname,
    tenantId,
  ]);
  // The product requires a second factor of admins, medical reviewers and compliance officers by default
  // (tenants.mfa_required_roles). Test tenants start with the policy off so that tests about other things
  // can sign those roles in with a password; security-mfa-policy.test.ts tests the default.
  await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
  const user = await admin.query<{ id: string }>(
    "insert into users (email, display_name) values ($1, $2) returning id",
    [email, `Member of ${label}`],
  );
  const userId = user.rows[0]!.id;
  await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)", [tenantId, userId, role]);
  return { id: tenantId, slug, hostname, userId, email };
}
