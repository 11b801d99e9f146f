import { neon, neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { DatabaseConfig } from "../env";
import { UUID } from "./db";

/**
 * The read path: drizzle over Neon's HTTP driver (`neon()`), for one-shot reads. Each call is one HTTPS request
 * to Neon, which runs it on a pooled connection: no WebSocket, no session of our own, no BEGIN/COMMIT round
 * trips. Writes and interactive transactions stay on the WebSocket pool (lib/db.ts).
 */
export type HttpDatabase = NeonHttpDatabase;

/** A statement the read path can send: a drizzle query built on an `HttpDatabase`. */
export type ReadQuery = BatchItem<"pg">;
/** A non-empty list of statements, sent together. */
export type ReadBatch = readonly [ReadQuery, ...ReadQuery[]];
/** What each statement of a batch returned, in order. */
export type ReadResults<T extends ReadBatch> = BatchResponse<T>;

/**
 * Builds the HTTP client. Nothing is connected until a query is sent, and a request holds no I/O object
 * between queries; building one costs about 0.1 ms, so a request builds it at first use (scope.ts `openClients`).
 *
 * `httpEndpoint` is only set for local development and tests, where local-cloud/neon-http.ts answers Neon's
 * protocol in front of plain PostgreSQL. Like `wsProxy` it is the driver's process-wide default, identical for
 * every client of an isolate. Batches are read-only transactions (`Neon-Batch-Read-Only`): the read path can
 * never write, whatever SQL reaches it.
 */
export function createHttpDatabase(config: DatabaseConfig): HttpDatabase {
  if (config.httpEndpoint) neonConfig.fetchEndpoint = config.httpEndpoint;
  return drizzle({ client: neon(config.url, { readOnly: true }) });
}

/**
 * An HTTP client that may write: for appends made off the request path (`waitUntil`) that must not open a
 * WebSocket after the request's pool has been ended, such as the access log (services/access-logs.ts). One
 * batch through `readAsTenant` is one HTTP request and one transaction under the tenant's row-level security.
 */
export function createHttpWriter(config: DatabaseConfig): HttpDatabase {
  if (config.httpEndpoint) neonConfig.fetchEndpoint = config.httpEndpoint;
  return drizzle({ client: neon(config.url) });
}

/**
 * Runs `queries` for one tenant in one request: a single non-interactive transaction that first sets
 * `app.tenant_id` (and `app.user_id`) with `set_config(..., true)`, then runs each statement, so row-level
 * security holds every statement to the tenant exactly as `withTenant` does on the WebSocket path, and the
 * setting ends with the transaction. Answers each statement's result, in order.
 */
export async function readAsTenant<T extends ReadBatch>(
  db: HttpDatabase,
  tenantId: string,
  queries: T,
  options: { userId?: string } = {},
): Promise<ReadResults<T>> {
  if (!UUID.test(tenantId)) throw new TypeError("readAsTenant needs a tenant UUID");
  if (options.userId !== undefined && !UUID.test(options.userId)) throw new TypeError("readAsTenant needs a user UUID");
  const settings = db.execute(
    sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', ${options.userId ?? ""}, true)`,
  );
  const [, ...results] = await db.batch([settings, ...queries]);
  return results as ReadResults<T>;
}
