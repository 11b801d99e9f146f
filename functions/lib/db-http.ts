import { errorFields, neon, neonConfig, NeonDbError, type NeonQueryFunction, types } from "@neondatabase/serverless";
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
const writers = new Map<string, HttpDatabase>();

/**
 * Where and how a client's batches are sent (`sendBatch`): Neon's SQL endpoint and the headers of every batch,
 * worked out once per client. The driver works both out again for every query it sends (it parses the
 * connection string four times and resolves each connection parameter through a promise), a share of a page's
 * CPU as large as its routing; a batch is the same request either way.
 */
interface BatchWire {
  endpoint: string;
  headers: Readonly<Record<string, string>>;
}
const wires = new WeakMap<HttpDatabase, BatchWire>();

function httpClient(clients: Map<string, HttpDatabase>, config: DatabaseConfig, options: { readOnly: boolean }) {
  if (config.httpEndpoint) neonConfig.fetchEndpoint = config.httpEndpoint;
  let db = clients.get(config.url);
  if (!db) {
    if (clients.size >= 4) clients.clear();
    db = drizzle({ client: neon(config.url, options) });
    clients.set(config.url, db);
    wires.set(db, batchWire(config.url, options));
  }
  return db;
}

/** The wire of a client for `url`, as the driver would address it (`neonConfig.fetchEndpoint`, Neon's headers). */
function batchWire(url: string, options: { readOnly: boolean }): BatchWire {
  // As the driver does: a postgres: URL read as http: so that every runtime parses its host and port.
  const { hostname, port } = new URL(`http:${url.slice(url.indexOf(":") + 1)}`);
  const { fetchEndpoint } = neonConfig;
  return {
    endpoint: typeof fetchEndpoint === "function" ? fetchEndpoint(hostname, port, { jwtAuth: false }) : fetchEndpoint,
    headers: {
      "Neon-Connection-String": url,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
      ...(options.readOnly ? { "Neon-Batch-Read-Only": "true" } : {}),
    },
  };
}

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
  return httpClient(readers, config, { readOnly: true });
}

/**
 * An HTTP client that may write: for appends made off the request path (`waitUntil`) that must not open a
 * WebSocket after the request's pool has been ended, such as the access log (services/access-logs.ts). One
 * batch through `readAsTenant` is one HTTP request and one transaction under the tenant's row-level security.
 */
export function createHttpWriter(config: DatabaseConfig): HttpDatabase {
  return httpClient(writers, config, { readOnly: false });
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
 * setting ends with the transaction. Answers each statement's result, in order, mapped by drizzle as its own
 * `batch` would.
 */
export async function readAsTenant<T extends ReadBatch>(
  db: HttpDatabase,
  tenantId: string,
  queries: T,
  options: { userId?: string } = {},
): Promise<ReadResults<T>> {
  if (!UUID.test(tenantId)) throw new TypeError("readAsTenant needs a tenant UUID");
  if (options.userId !== undefined && !UUID.test(options.userId)) throw new TypeError("readAsTenant needs a user UUID");
  const wire = wires.get(db);
  if (!wire) throw new TypeError("readAsTenant needs a client of createHttpDatabase or createHttpWriter");
  const settings = tenantSettings({ tenantId, userId: options.userId ?? "" });
  // A bound prepared read and a drizzle query builder both answer `_prepare` (what drizzle's `batch` asks).
  const statements = [settings, ...queries].map((query) => (query as { _prepare(): DrizzlePrepared })._prepare());
  const results = await sendBatch(wire, statements);
  const mapped: unknown[] = [];
  for (let i = 1; i < statements.length; i++) mapped.push(statements[i]!.mapResult(results[i], true));
  return mapped as ReadResults<T>;
}

// ---------------------------------------------------------------------------------------------------
// Neon's SQL-over-HTTP protocol, for batches
// ---------------------------------------------------------------------------------------------------

/** One statement's result as Neon answers it with `Neon-Raw-Text-Output` and `Neon-Array-Mode`. */
interface RawResult {
  fields: Array<{ name: string; dataTypeID: number }>;
  rows: Array<Array<string | null>>;
}

/**
 * Sends `statements` as one batch, which Neon runs as one transaction, and answers each result as the driver's
 * `transaction` does with `fullResults` (the result with its rows parsed by the type parsers drizzle installs),
 * errors included (`NeonDbError`, with PostgreSQL's fields when the statement failed).
 */
async function sendBatch(wire: BatchWire, statements: DrizzlePrepared[]): Promise<unknown[]> {
  const queries = statements.map((statement) => {
    const { sql: query, params } = statement.getQuery();
    return `{"query":${quoted(query)},"params":${JSON.stringify(params.map(wireValue))}}`;
  });
  const body = `{"queries":[${queries.join(",")}]}`;
  let response: Response;
  try {
    response = await fetch(wire.endpoint, { method: "POST", body, headers: wire.headers });
  } catch (error) {
    throw Object.assign(new NeonDbError(`Error connecting to database: ${error}`), { sourceError: error });
  }
  if (!response.ok) {
    if (response.status !== 400) {
      throw new NeonDbError(`Server error (HTTP status ${response.status}): ${await response.text()}`);
    }
    const answer = (await response.json()) as Record<string, string | undefined> & { message: string };
    const failure = new NeonDbError(answer.message) as NeonDbError & Record<string, unknown>;
    for (const field of errorFields) failure[field] = answer[field] ?? undefined;
    throw failure;
  }
  const { results } = (await response.json()) as { results?: RawResult[] };
  if (!Array.isArray(results) || results.length !== statements.length) {
    throw new NeonDbError("Neon internal error: unexpected result format");
  }
  return results.map((result, i) => ({ ...result, rows: parsedRows(result, statements[i]!.isResponseInArrayMode()) }));
}

/**
 * Statement texts as JSON strings, by text: a hot page sends the same long statements (a `preparedRead`'s text is
 * one string for the isolate's life) on every request, and escaping them was most of writing a batch's body.
 */
const quotedStatements = new Map<string, string>();

function quoted(statement: string): string {
  let json = quotedStatements.get(statement);
  if (json === undefined) {
    if (quotedStatements.size >= 256) quotedStatements.clear();
    json = JSON.stringify(statement);
    quotedStatements.set(statement, json);
  }
  return json;
}

/** A result's rows with each value parsed by its column type's parser (arrays, or objects by column name). */
function parsedRows(result: RawResult, arrayMode: boolean): unknown[] {
  const parsers = result.fields.map((field) => types.getTypeParser(field.dataTypeID, "text"));
  if (arrayMode) return result.rows.map((row) => row.map((value, i) => (value === null ? null : parsers[i]!(value))));
  const names = result.fields.map((field) => field.name);
  return result.rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < row.length; i++) object[names[i]!] = row[i] === null ? null : parsers[i]!(row[i]!);
    return object;
  });
}

/**
 * A parameter in PostgreSQL's text form, as node-postgres writes it (`prepareValue`): arrays as array literals,
 * objects as JSON, instants in ISO 8601 with their offset. Bytes have no reason to be a read's parameter.
 */
function wireValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  if (value instanceof Uint8Array) throw new TypeError("a read's parameter cannot be bytes");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function arrayLiteral(values: readonly unknown[]): string {
  const elements = values.map((value) => {
    if (value === null || value === undefined) return "NULL";
    if (Array.isArray(value)) return arrayLiteral(value);
    return `"${wireValue(value)!.replace(/(\\|")/g, "\\$1")}"`;
  });
  return `{${elements.join(",")}}`;
}
