import { neonConfig, Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { DatabaseConfig } from "../env";

export type Database = NeonDatabase;
/** A transaction handle: the only thing services that write take, so writes and their audit events commit together. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DatabaseClients {
  db: Database;
  pool: Pool;
}

/**
 * Builds drizzle over a Neon WebSocket Pool for one request. Workers may not share I/O objects between
 * requests, so the pool is created per request and ended in `waitUntil` by the services middleware.
 *
 * `wsProxy` is only set for local development and tests, where a WebSocket→TCP proxy stands in for
 * Neon's; there the link is plain loopback, so TLS and the pipelined connect (which needs Neon's
 * proxy) are turned off. The settings are the driver's process-wide defaults; every client of an
 * isolate shares one configuration, so setting them again is idempotent.
 */
export function createDatabase(config: DatabaseConfig): DatabaseClients {
  if (config.wsProxy) {
    const proxy = config.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: config.url, max: 4, connectionTimeoutMillis: 5_000 });
  // An idle client that errors (the server went away) must not become an unhandled rejection.
  pool.on("error", () => undefined);
  // No relational schema is passed: building drizzle's relational config costs ~0.5 ms per request, and the
  // code uses the query builder only.
  return { db: drizzle({ client: pool }), pool };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `fn` in a transaction scoped to one tenant: row-level security reads `app.tenant_id`, set here
 * with `set_config(..., true)` so it lasts only as long as the transaction and never leaks to the next
 * user of a pooled connection. `userId`, the signed-in user the work is for, becomes `app.user_id` in the
 * same statement: only that user's own transactions may change their account (schema/users.ts).
 */
export async function withTenant<T>(
  db: Database,
  tenantId: string,
  fn: (tx: Transaction) => Promise<T>,
  options: { userId?: string } = {},
): Promise<T> {
  if (!UUID.test(tenantId)) throw new TypeError("withTenant needs a tenant UUID");
  if (options.userId !== undefined && !UUID.test(options.userId)) throw new TypeError("withTenant needs a user UUID");
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', ${options.userId ?? ""}, true)`,
    );
    return fn(tx);
  });
}

/**
 * Moves the rest of `tx` into `tenantId` (`app.tenant_id`), for platform work that touches several tenants in one
 * transaction, e.g. auditing a global user disable in each tenant the person belongs to.
 */
export async function enterTenant(tx: Transaction, tenantId: string): Promise<void> {
  if (!UUID.test(tenantId)) throw new TypeError("enterTenant needs a tenant UUID");
  await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
}

/**
 * Makes the rest of `tx` act for `userId` (`app.user_id`), for the one step where the account owner has proved
 * who they are inside an anonymous request: a sign-in that upgrades the stored password hash.
 */
export async function actAsUser(tx: Transaction, userId: string): Promise<void> {
  if (!UUID.test(userId)) throw new TypeError("actAsUser needs a user UUID");
  await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
}
