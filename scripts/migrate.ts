/**
 * Applies the committed migrations in schema/migrations. Run with the owner (migration) role's URL:
 *   DATABASE_URL=postgres://owner@host/db npm run db:migrate
 * The Worker's own role has no DDL rights; migrations always run as the owner.
 */
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../schema/migrations", import.meta.url));

export async function runMigrations(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.end();
  }
}

/**
 * Lets an environment's LOGIN role act as the Worker's role (created by the first migration), or with `role`,
 * as the platform operator's (`vitalis_platform`, migration 0011). Idempotent. The LOGIN role itself is made by
 * whoever owns the environment (Terraform, the dev script, the tests).
 */
export async function grantAppRole(
  databaseUrl: string,
  loginRole: string,
  role: "vitalis_app" | "vitalis_platform" = "vitalis_app",
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(loginRole)) throw new Error(`invalid role name: ${loginRole}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`GRANT ${role} TO ${loginRole}`);
  } finally {
    await client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("db:migrate needs DATABASE_URL (the owner role's connection string).");
    process.exit(1);
  }
  await runMigrations(url);
  if (process.env.APP_DATABASE_ROLE) await grantAppRole(url, process.env.APP_DATABASE_ROLE);
  if (process.env.PLATFORM_DATABASE_ROLE) {
    await grantAppRole(url, process.env.PLATFORM_DATABASE_ROLE, "vitalis_platform");
  }
  console.log("migrations applied");
}
