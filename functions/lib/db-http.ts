import { neon, neonConfig, type NeonQueryFunction } from "@neondatabase/serverless";
import { fillPlaceholders, type Placeholder, sql } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { BatchItem } from "drizzle-orm/batch";
import type { DatabaseConfig } from "../env";
import { UUID } from "./db";

/**
 * The read path: drizzle over Neon's HTTP driver (`neon()`), for one-shot reads. Each call is one HTTPS request
 * to Neon, which runs it on a pooled connection: no WebSocket, no session of our own, no BEGIN/COMMIT round
 * trips. Writes and interactive transactions stay on the WebSocket pool (lib/db.ts).
 */
export type HttpDatabase = NeonHttpDatabase;

/**
 * A prepared read bound to its values (`preparedRead`): the statement text built once, these parameters, and
 * drizzle's row mapping of the query it was built from. Drizzle's `batch` takes it as it takes a query builder:
 * it asks each statement for its prepared query (`_prepare`), sends the statements in one transaction and maps
 * each result with it, so nothing is built per request.
 */
export interface BoundRead<R> {
  /** The type of what the statement answers (never set; for `ReadResults`). */
  readonly result?: R;
  _prepare(): DrizzlePrepared;
}

/** A statement the read path can send: a drizzle query built on an `HttpDatabase`, or a bound prepared read. */
export type ReadQuery = BatchItem<"pg"> | BoundRead<unknown>;
/** A non-empty list of statements, sent together. */
export type ReadBatch = readonly [ReadQuery, ...ReadQuery[]];
/** What each statement of a batch returned, in order. */
export type ReadResults<T extends ReadBatch> = { -readonly [K in keyof T]: ResultOf<T[K]> };
type ResultOf<Q> = Q extends BoundRead<infer R> ? R : Q extends BatchItem<"pg"> ? Q["_"]["result"] : never;

/**
 * The read clients of this isolate, by connection string. Unlike the WebSocket pool, Neon's HTTP client holds no
 * I/O object: it is the connection string and options, and each query is a `fetch` of its own made in the request
 * that sends it. So one per database serves every request of the isolate, and a page skips building it (parsing
 * the URL, drizzle's session) on each request.
 */
const readers = new Map<string, HttpDatabase>();

/**
 * The HTTP read client for `config`'s database, built once per isolate (`readers`). Nothing is connected until a
 * query is sent, and no I/O object is held between queries; a request takes it at first use (scope.ts `openClients`).
 *
 * `httpEndpoint` is only set for local development and tests, where local-cloud/neon-http.ts answers Neon's
 * protocol in front of plain PostgreSQL. Like `wsProxy` it is the driver's process-wide default, identical for
 * every client of an isolate. Batches are read-only transactions (`Neon-Batch-Read-Only`): the read path can
 * never write, whatever SQL reaches it.
 */
export function createHttpDatabase(config: DatabaseConfig): HttpDatabase {
  if (config.httpEndpoint) neonConfig.fetchEndpoint = config.httpEndpoint;
  let db = readers.get(config.url);
  if (!db) {
    if (readers.size >= 4) readers.clear();
    db = drizzle({ client: neon(config.url, { readOnly: true }) });
    readers.set(config.url, db);
  }
  return db;
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

// ---------------------------------------------------------------------------------------------------
// Prepared reads: a page's statements built once per isolate
// ---------------------------------------------------------------------------------------------------

/**
 * The database prepared reads are built on. It never sends anything (its client throws): a prepared read keeps
 * only the statement text, its parameters and drizzle's row mapping, all plain data, and each request sends the
 * statement on its own client (`readAsTenant`), so no I/O object outlives a request.
 */
const statementBuilder: HttpDatabase = drizzle({
  client: (() => {
    throw new Error("prepared reads are sent with readAsTenant, on the request's client");
  }) as unknown as NeonQueryFunction<false, false>,
});

/** The placeholders of a prepared read, one per value it is bound with (`sql.placeholder(name)`). */
export type ReadPlaceholders<V> = { readonly [K in keyof V]: Placeholder<K & string, V[K]> };

/** The drizzle prepared query behind a query builder (what drizzle's own `batch` does with each statement). */
interface DrizzlePrepared {
  getQuery(): { sql: string; params: unknown[] };
  isResponseInArrayMode(): boolean;
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

function prepare(query: BatchItem<"pg">): DrizzlePrepared {
  return (query as unknown as { _prepare(): DrizzlePrepared })._prepare();
}

/**
 * A statement whose SQL is built once per isolate: `build` writes it with `sql.placeholder`s (named by `values`'
 * keys) on a database that never sends, and each call binds only the values, so a request skips drizzle's query
 * building (a page's query of many correlated subqueries is a large share of its CPU). The result is a statement
 * for `readAsTenant` (`scope.read`), typed and mapped as the query itself would be; it runs under the tenant's
 * row-level security exactly as any other statement of the batch.
 *
 * `build` must depend on nothing but its placeholders: anything that varies per request (a viewer's levels, a
 * filter's presence) is a placeholder, or a separate prepared read.
 */
export function preparedRead<V extends Record<string, unknown>, Q extends BatchItem<"pg">>(
  build: (db: HttpDatabase, placeholders: ReadPlaceholders<V>) => Q,
): (values: V) => BoundRead<Q["_"]["result"]> {
  let built:
    { sql: string; params: unknown[]; arrayMode: boolean; mapResult: DrizzlePrepared["mapResult"] } | undefined;
  return (values) => {
    if (!built) {
      const placeholders = new Proxy({} as ReadPlaceholders<V>, { get: (_, name) => sql.placeholder(String(name)) });
      const prepared = prepare(build(statementBuilder, placeholders));
      built = {
        ...prepared.getQuery(),
        arrayMode: prepared.isResponseInArrayMode(),
        mapResult: prepared.mapResult.bind(prepared),
      };
    }
    const { arrayMode, mapResult } = built;
    const query = { sql: built.sql, params: fillPlaceholders(built.params, values) };
    const bound: DrizzlePrepared = { getQuery: () => query, isResponseInArrayMode: () => arrayMode, mapResult };
    return { _prepare: () => bound };
  };
}

const tenantSettings = preparedRead((db, p: ReadPlaceholders<{ tenantId: string; userId: string }>) =>
  db.execute(
    sql`select set_config('app.tenant_id', ${p.tenantId}, true), set_config('app.user_id', ${p.userId}, true)`,
  ),
);

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
  const settings = tenantSettings({ tenantId, userId: options.userId ?? "" });
  // A bound prepared read is a batch item as far as drizzle's `batch` goes (it only calls `_prepare`).
  const [, ...results] = await db.batch([settings, ...queries] as unknown as [BatchItem<"pg">, ...BatchItem<"pg">[]]);
  return results as ReadResults<T>;
}
