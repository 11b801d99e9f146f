/**
 * A fresh PostgreSQL database on the machine's server: created, migrated and granted to the app LOGIN role,
 * dropped by `drop()`. The integration stack's database is one; a test that needs a database of its own (the
 * demo seed, which owns the `localhost` hostname) makes another.
 */
import pg from "pg";
import { grantAppRole, runMigrations } from "../../scripts/migrate.js";
import { PG_HOST, PG_PORT } from "./environment.js";

export const APP_ROLE = "vitalis_app_test";
/** The platform operator's LOGIN role in tests, granted `vitalis_platform`. */
export const PLATFORM_ROLE = "vitalis_platform_test";

export interface FreshDatabase {
  /** Superuser URL (bypasses row-level security): migrations, seeding, inspection. */
  adminUrl: string;
  /** The Worker's URL: the LOGIN role granted `vitalis_app`, no BYPASSRLS. */
  appUrl: string;
  /** The platform operator's URL: the LOGIN role granted `vitalis_platform`, no BYPASSRLS. */
  platformUrl: string;
  drop(): Promise<void>;
}

async function withServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: "postgres", database: "postgres" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createFreshDatabase(label: string): Promise<FreshDatabase> {
  const name = `vitalis_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withServer(async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    // Roles are cluster-wide: the LOGIN roles are created once, as plain roles that cannot bypass RLS.
    for (const role of [APP_ROLE, PLATFORM_ROLE]) {
      await client.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
          CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$`);
    }
  });
  const drop = () =>
    withServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  const adminUrl = `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}`;
  try {
    await runMigrations(adminUrl);
    await grantAppRole(adminUrl, APP_ROLE);
    await grantAppRole(adminUrl, PLATFORM_ROLE, "vitalis_platform");
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    adminUrl,
    appUrl: `postgres://${APP_ROLE}@${PG_HOST}:${PG_PORT}/${name}`,
    platformUrl: `postgres://${PLATFORM_ROLE}@${PG_HOST}:${PG_PORT}/${name}`,
    drop,
  };
}
