/**
 * An HTTP endpoint that answers what `@neondatabase/serverless`'s `neon()` driver sends over HTTP, in front of
 * a plain PostgreSQL server, so the Worker's HTTP read path runs unchanged in development and tests.
 *
 * The protocol, as the driver speaks it: `POST /sql` with the target in `Neon-Connection-String`, a body of
 * `{ query, params }` (one statement, run on its own) or `{ queries: [{ query, params }, …] }` (a batch, run as
 * one transaction: all or nothing), `Neon-Raw-Text-Output: true` (values as PostgreSQL's text, parsed by the
 * driver by type OID) and `Neon-Array-Mode: true` (rows as arrays), and for a batch the optional
 * `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only` and `Neon-Batch-Deferrable`. A result is
 * `{ command, rowCount, rows, fields, rowAsArray }`, a batch's `{ results: [...] }`; a failed statement is
 * HTTP 400 with `{ message, code, severity, detail, … }`, which the driver turns into a `NeonDbError`.
 *
 * Statements run over pooled `pg` connections, one pool per connection string, and only to the targets on
 * the allow-list (the same rule as the WebSocket proxy). Every statement uses the extended query protocol, so
 * a query holds exactly one statement, as on Neon. A connection goes back to its pool with its session reset
 * (`DISCARD ALL`, or after a batch the same less the endpoint's own prepared statements), so nothing one request
 * set can be seen by the next.
 *
 * A batch costs one PostgreSQL round trip, as on Neon: `BEGIN`, its statements, `COMMIT` and the reset are sent
 * together, ended by a single Sync (the extended protocol's pipelining). PostgreSQL runs them in order and, at
 * the first error, skips the rest up to the Sync, leaving the transaction failed for a `ROLLBACK`. A read-only
 * batch (`Neon-Batch-Read-Only: true`) cannot write: a query of the endpoint's takes its snapshot first, after
 * which PostgreSQL refuses `SET TRANSACTION READ WRITE`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import pg from "pg";
import { buildAllowList, parseAddress } from "./allow-list.js";

export interface NeonHttpOptions {
  /** Interface to listen on; loopback by default so nothing outside the machine can use it. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** "host:port" targets the endpoint may connect to; every other connection string is refused. */
  allow: string[];
  /** Connections per pool (one pool per connection string); 10 by default. */
  maxConnections?: number;
}

export interface NeonHttpEndpoint {
  /** What `neonConfig.fetchEndpoint` (NEON_HTTP_ENDPOINT) should hold, e.g. http://127.0.0.1:41234/sql. */
  url: string;
  port: number;
  /** `POST /sql` requests answered so far: one per driver round trip (a batch is one), for benchmarks and tests. */
  readonly requests: number;
  /** Statements run so far (a batch of n is n; BEGIN, COMMIT and the session reset are not counted). */
  readonly statements: number;
  /** PostgreSQL connections opened so far, across every pool. */
  readonly connections: number;
  /** PostgreSQL round trips made so far (each waits for ReadyForQuery; a batch that succeeds is one). */
  readonly roundTrips: number;
  close(): Promise<void>;
}

interface Statement {
  query: string;
  params: unknown[];
}

interface Options {
  rawText: boolean;
  arrayMode: boolean;
}

interface NeonResult {
  command: string;
  rowCount: number | null;
  rows: unknown[];
  fields: Array<{
    name: string;
    tableID: number;
    columnID: number;
    dataTypeID: number;
    dataTypeSize: number;
    dataTypeModifier: number;
    format: string;
  }>;
  rowAsArray: boolean;
}

/** A refusal answered in Neon's error shape: HTTP 400, a message and a SQLSTATE. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Neon's HTTP API answers at most 10 MB, and takes requests of about that size. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** A PostgreSQL server that does not answer the handshake in this time is treated as down (as the proxy does). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Pools kept at once; the least recently used is ended past this (a run uses one or two connection strings). */
const MAX_POOLS = 16;
/** The fields of a PostgreSQL error Neon returns beside `message` (the driver copies each onto its error). */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
/** `Neon-Batch-Isolation-Level` values and the SQL they stand for. */
const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};
/** Raw text output: every value stays PostgreSQL's text form, for the driver to parse by type OID. */
const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value };

export async function startNeonHttp(opts: NeonHttpOptions): Promise<NeonHttpEndpoint> {
  const host = opts.host ?? "127.0.0.1";
  const allowed = buildAllowList(opts.allow, "neon-http");
  const pools = new Map<string, pg.Pool>();
  /** The target of each connection string seen lately (a run uses one or two), so each is parsed once. */
  const targets = new Map<string, string>();
  const counters = { requests: 0, statements: 0, connections: 0, roundTrips: 0 };
  /** A simple query of the endpoint's own (transaction control, the session reset), counted as a round trip. */
  const control = (client: pg.PoolClient, text: string) => {
    counters.roundTrips++;
    // DISCARD ALL deallocates every prepared statement, the endpoint's own included.
    if (text === "DISCARD ALL") preparedOf.delete(client);
    return client.query(text);
  };

  function poolFor(connectionString: string): pg.Pool {
    const existing = pools.get(connectionString);
    if (existing) {
      // Map order is insertion order: re-inserting marks the pool as most recently used.
      pools.delete(connectionString);
      pools.set(connectionString, existing);
      return existing;
    }
    const pool = new pg.Pool({
      connectionString,
      max: opts.maxConnections ?? 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    pool.on("error", () => undefined);
    pool.on("connect", () => {
      counters.connections++;
    });
    pools.set(connectionString, pool);
    if (pools.size > MAX_POOLS) {
      const [oldest, old] = pools.entries().next().value!;
      pools.delete(oldest);
      void old.end().catch(() => undefined);
    }
    return pool;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The driver asks for /sql itself: only another form of request is parsed as a URL.
    const path = req.url === "/sql" ? req.url : new URL(req.url ?? "/", "http://neon-http.invalid").pathname;
    if (path !== "/sql") throw new RequestError(`neon-http: no endpoint at ${path}; POST /sql`, "08P01", 404);
    if (req.method !== "POST") throw new RequestError("neon-http: use POST /sql", "08P01", 405);
    counters.requests++;
    const connectionString = header(req, "neon-connection-string");
    if (!connectionString) throw new RequestError("neon-http: missing Neon-Connection-String header", "08001");
    let target = targets.get(connectionString);
    if (target === undefined) {
      target = targetOf(connectionString);
      if (targets.size >= MAX_POOLS) targets.clear();
      targets.set(connectionString, target);
    }
    if (!allowed.has(target)) {
      // Refused before any connection exists: the endpoint must not be usable to reach other servers.
      throw new RequestError(`neon-http: address ${target} is not on the allow-list`, "08004");
    }
    const options: Options = {
      rawText: header(req, "neon-raw-text-output") === "true",
      arrayMode: header(req, "neon-array-mode") === "true",
    };
    const body = parseBody(await readBody(req));
    const pool = poolFor(connectionString);
    const client = await pool.connect().catch((error: unknown) => {
      throw new RequestError(`neon-http: cannot connect to ${target}: ${messageOf(error)}`, "08006");
    });
    let broken = false;
    let reset = false;
    try {
      if (Array.isArray(body)) {
        counters.statements += body.length;
        counters.roundTrips++;
        let prepared = preparedOf.get(client);
        if (!prepared) preparedOf.set(client, (prepared = new Map()));
        const readOnly = booleanHeader(req, "neon-batch-read-only") === true;
        const batch = new PipelinedBatch(beginStatement(req), readOnly, body, options, prepared);
        client.query(batch as never);
        const results = await batch.promise.catch(async (error: unknown) => {
          // PostgreSQL skipped what followed the failed statement: the transaction is still open (and failed).
          await control(client, "ROLLBACK").catch(() => {
            broken = true;
          });
          throw error;
        });
        reset = true;
        if (batch.resetFailed) broken = true;
        sendJson(res, 200, `{"results":[${results.join(",")}]}`);
      } else {
        counters.statements++;
        counters.roundTrips++;
        send(res, 200, await run(client, body, options));
      }
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) broken = true;
      throw error;
    } finally {
      // The answer is already on its way; the reset runs before anyone else can have this connection.
      if (broken) client.release(true);
      else if (reset) client.release();
      else
        control(client, "DISCARD ALL").then(
          () => client.release(),
          (error: unknown) => client.release(error instanceof Error ? error : true),
        );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof RequestError) return send(res, error.status, { message: error.message, code: error.code });
      if (error instanceof pg.DatabaseError) return send(res, 400, databaseError(error));
      send(res, 400, { message: `neon-http: ${messageOf(error)}`, code: "08006" });
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  const port = await listen(server, host, opts.port ?? 0);
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/sql`,
    port,
    get requests() {
      return counters.requests;
    },
    get statements() {
      return counters.statements;
    },
    get connections() {
      return counters.connections;
    },
    get roundTrips() {
      return counters.roundTrips;
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.allSettled([...pools.values()].map((pool) => pool.end()));
        pools.clear();
      })();
      return closing;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The "host:port" a connection string names (PostgreSQL's default port when it names none). */
function targetOf(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new RequestError("neon-http: Neon-Connection-String is not a URL", "08001");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new RequestError("neon-http: Neon-Connection-String must be a postgres:// URL", "08001");
  // An IPv6 hostname keeps its brackets in a URL, which is the form parseAddress reads.
  const target = parseAddress(`${url.hostname}:${url.port || "5432"}`);
  if (!target) throw new RequestError("neon-http: Neon-Connection-String names no host", "08001");
  return target.key;
}

/** `BEGIN` with the batch's transaction characteristics from the `Neon-Batch-*` headers. */
function beginStatement(req: IncomingMessage): string {
  const modes: string[] = [];
  const isolation = header(req, "neon-batch-isolation-level");
  if (isolation !== undefined) {
    const level = ISOLATION_LEVELS[isolation];
    if (!level) throw new RequestError(`neon-http: unknown Neon-Batch-Isolation-Level "${isolation}"`, "22023");
    modes.push(`ISOLATION LEVEL ${level}`);
  }
  const readOnly = booleanHeader(req, "neon-batch-read-only");
  if (readOnly !== undefined) modes.push(readOnly ? "READ ONLY" : "READ WRITE");
  const deferrable = booleanHeader(req, "neon-batch-deferrable");
  if (deferrable !== undefined) modes.push(deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
  return modes.length ? `BEGIN ${modes.join(", ")}` : "BEGIN";
}

function booleanHeader(req: IncomingMessage, name: string): boolean | undefined {
  const value = header(req, name);
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  throw new RequestError(`neon-http: ${name} must be true or false`, "22023");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new RequestError("neon-http: request body too large", "54000", 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** One statement, or a batch's statements (an array). */
function parseBody(text: string): Statement | Statement[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError("neon-http: the body is not JSON", "08P01");
  }
  if (isObject(body) && Array.isArray(body.queries)) {
    if (body.queries.length === 0) throw new RequestError("neon-http: a batch needs at least one query", "08P01");
    return body.queries.map(statementOf);
  }
  return statementOf(body);
}

function statementOf(value: unknown): Statement {
  if (!isObject(value) || typeof value.query !== "string")
    throw new RequestError('neon-http: expected { "query": string, "params": [] } or { "queries": [...] }', "08P01");
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new RequestError("neon-http: params must be an array", "08P01");
  for (const param of params) {
    // The driver sends every parameter already in PostgreSQL's text form (or null).
    if (param !== null && typeof param !== "string")
      throw new RequestError("neon-http: each parameter must be a string or null", "08P01");
  }
  return { query: value.query, params };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function run(client: pg.PoolClient, statement: Statement, options: Options): Promise<NeonResult> {
  // `queryMode` is node-postgres's, missing from its type declarations.
  const config: pg.QueryConfig & { queryMode: "extended"; rowMode?: "array" } = {
    text: statement.query,
    values: statement.params,
    // One statement per query, as on Neon: the extended protocol refuses "select 1; select 2".
    queryMode: "extended",
    ...(options.arrayMode ? { rowMode: "array" as const } : {}),
    ...(options.rawText ? { types: RAW_TEXT_TYPES } : {}),
  };
  return neonResult(await client.query(config as pg.QueryConfig), options);
}

/** A node-postgres result in Neon's shape (every value in text format). */
function neonResult(result: pg.QueryResult, options: Options): NeonResult {
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows as unknown[],
    fields: neonFields(result.fields),
    rowAsArray: options.arrayMode,
  };
}

/** A result's column descriptions as Neon writes them. */
function neonFields(fields: readonly pg.FieldDef[]): NeonResult["fields"] {
  return fields.map((field) => ({
    name: field.name,
    tableID: field.tableID,
    columnID: field.columnID,
    dataTypeID: field.dataTypeID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }));
}

/** What node-postgres hands a submittable query: its connection, with the protocol's messages as methods. */
interface ProtocolConnection {
  parse(query: { text: string; name?: string; types?: number[] }): void;
  bind(config: { portal?: string; statement?: string; values?: unknown[] }): void;
  describe(message: { type: "P" | "S"; name?: string }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  stream: { cork?(): void; uncork?(): void };
}

interface ProtocolMessage {
  fields?: unknown[];
  text?: string;
}

/** node-postgres's result builder (pg.Result), with the methods its own queries use, missing from its types. */
interface ResultBuilder extends pg.QueryResult {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addRow(row: unknown): void;
  addCommandComplete(message: ProtocolMessage): void;
}
const ResultBuilder = pg.Result as unknown as new (rowMode?: "array", types?: unknown) => ResultBuilder;

/**
 * A statement a connection keeps prepared, by text, so PostgreSQL plans a page's query once per connection. Its
 * columns are kept once known: a planned statement's result columns cannot change while it is prepared (PostgreSQL
 * refuses to run it if they would: "cached plan must not change result type"), so it is not described again
 * (`PLANNED`), and its columns in Neon's JSON are written once.
 */
interface PreparedStatement {
  name: string;
  /** The columns PostgreSQL described (none for a command without rows); undefined until described. */
  columns?: readonly pg.FieldDef[];
  /** `columns` as Neon's `fields`, in JSON. */
  fieldsJson?: string;
}
const MAX_PREPARED_PER_CONNECTION = 500;
const preparedOf = new WeakMap<pg.PoolClient, Map<string, PreparedStatement>>();
let preparedNames = 0;

/**
 * The session reset after a batch's COMMIT: `DISCARD ALL` without `DEALLOCATE ALL` and `DISCARD PLANS`, so the
 * endpoint's own prepared statements (plans, not session state a request could see) survive. The last step
 * counts the prepared statements: one a request prepared itself with SQL `PREPARE`, or one of the endpoint's a
 * request deallocated (`DEALLOCATE`), and the connection is closed instead of reused.
 */
const RESET_STEPS = [
  "CLOSE ALL",
  "SET SESSION AUTHORIZATION DEFAULT",
  "RESET ALL",
  "UNLISTEN *",
  "SELECT pg_advisory_unlock_all()",
  "DISCARD TEMP",
  "DISCARD SEQUENCES",
  "SELECT count(*) FILTER (WHERE from_sql)::int AS from_sql, count(*) FILTER (WHERE NOT from_sql)::int AS own FROM pg_prepared_statements",
];
/**
 * The reset after a read-only batch: the same less `DISCARD TEMP` and `DISCARD SEQUENCES`. A read-only
 * transaction cannot create a temporary object (PostgreSQL refuses every DDL in one) nor advance a sequence
 * (`nextval` and `setval` are refused), and this one stayed read-only (`READ_ONLY_SNAPSHOT`), so neither has
 * anything to discard.
 */
const READ_ONLY_RESET_STEPS = RESET_STEPS.filter((text) => text !== "DISCARD TEMP" && text !== "DISCARD SEQUENCES");
/**
 * Run right after `BEGIN READ ONLY`: a query takes the transaction's snapshot, after which PostgreSQL refuses
 * `SET TRANSACTION READ WRITE` (and its `set_config` form), so no statement of a read-only batch can make it write.
 */
const READ_ONLY_SNAPSHOT = "SELECT 1";
/**
 * A statement PostgreSQL plans, whose result columns it checks again before each run of its prepared form (an
 * error rather than other columns). Any other statement of a request (`FETCH` from a cursor declared anew, say) is
 * described on every run; the endpoint's own statements never change.
 */
const PLANNED = /^\s*(select|with|values|table|insert|update|delete)\b/i;

type StepKind = "control" | "user" | "reset" | "check";

interface Step {
  text: string;
  values: unknown[];
  kind: StepKind;
  /** The prepared statement the step is bound to; null for an unnamed one (past MAX_PREPARED_PER_CONNECTION). */
  statement: PreparedStatement | null;
  /** Whether the step's columns come from a Describe sent with it (else from `statement.columns`). */
  described: boolean;
}

/** One step's result as it is read: its columns, and its rows as PostgreSQL's text or parsed by `run`'s rules. */
interface StepResult {
  columns: readonly pg.FieldDef[];
  rows: unknown[];
  /** Set when rows are parsed (not raw text in array mode): node-postgres's builder. */
  builder: ResultBuilder | null;
}

/**
 * A batch as one pipeline (node-postgres's "submittable" query interface): Bind/Execute for `BEGIN …`, each
 * statement, `COMMIT` and the session reset, then one Sync. The reset follows `COMMIT`, which ends the
 * transaction, so it runs outside it. A statement the connection has run before, the endpoint's own included, is
 * bound to its prepared form (no Parse, no planning from scratch, and no Describe once its columns are known); a
 * new one is prepared under a name of the endpoint's and described.
 * Resolves with the statements' results in Neon's JSON (not the control statements'), rejects with the first
 * error; after an error the caller rolls back and resets the session with `DISCARD ALL`.
 */
class PipelinedBatch {
  private readonly steps: Step[];
  private readonly results: string[] = [];
  private readonly newlyPrepared = new Map<string, PreparedStatement>();
  private current: StepResult | null = null;
  private step = 0;
  private failed = false;
  /** Set when the batch committed but the session could not be reset: the connection must not be reused. */
  resetFailed = false;
  private settle!: { resolve: (results: string[]) => void; reject: (error: unknown) => void };
  readonly promise: Promise<string[]>;

  constructor(
    begin: string,
    readOnly: boolean,
    statements: Statement[],
    private readonly options: Options,
    private readonly prepared: Map<string, PreparedStatement>,
  ) {
    const step = (text: string, values: unknown[], kind: StepKind): Step => ({
      text,
      values,
      kind,
      statement: null,
      described: true,
    });
    const resetSteps = readOnly ? READ_ONLY_RESET_STEPS : RESET_STEPS;
    this.steps = [
      step(begin, [], "control"),
      ...(readOnly ? [step(READ_ONLY_SNAPSHOT, [], "control")] : []),
      ...statements.map((statement) => step(statement.query, statement.params, "user")),
      step("COMMIT", [], "control"),
      ...resetSteps.map((text, i) => step(text, [], i === resetSteps.length - 1 ? "check" : "reset")),
    ];
    this.promise = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(connection: ProtocolConnection): void {
    connection.stream.cork?.();
    try {
      for (const step of this.steps) {
        step.statement = this.statementFor(connection, step.text);
        step.described = step.statement?.columns === undefined || (step.kind === "user" && !PLANNED.test(step.text));
        connection.bind({ statement: step.statement?.name ?? "", values: step.values });
        if (step.described) connection.describe({ type: "P" });
        connection.execute({});
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  /** The prepared statement for `text` (sending its Parse when it is new), or null for an unnamed one. */
  private statementFor(connection: ProtocolConnection, text: string): PreparedStatement | null {
    const known = this.prepared.get(text) ?? this.newlyPrepared.get(text);
    if (known) return known;
    if (this.prepared.size + this.newlyPrepared.size >= MAX_PREPARED_PER_CONNECTION) {
      connection.parse({ text });
      return null;
    }
    const statement = { name: `neon_http_${++preparedNames}` };
    connection.parse({ text, name: statement.name });
    this.newlyPrepared.set(text, statement);
    return statement;
  }

  handleRowDescription(message: ProtocolMessage): void {
    this.current = this.newResult((message.fields ?? []) as pg.FieldDef[]);
  }

  handleDataRow(message: ProtocolMessage): void {
    // A step sent without Describe has no RowDescription: its columns are the statement's, known before.
    const result = (this.current ??= this.newResult(this.steps[this.step]!.statement!.columns!));
    const values = message.fields ?? [];
    result.rows.push(result.builder ? result.builder.parseRow(values) : values);
  }

  handleCommandComplete(message: ProtocolMessage): void {
    const step = this.steps[this.step]!;
    // Described and no RowDescription: a command without rows (PostgreSQL answered NoData).
    const result = this.current ?? this.newResult(step.described ? [] : step.statement!.columns!);
    const statement = step.statement;
    if (statement && step.described) statement.columns = result.columns;
    if (step.kind === "user") this.results.push(this.neonJson(result, message.text ?? "", step));
    // A statement the request prepared itself would outlive it, and one of the endpoint's it deallocated would
    // fail the next request: either way the connection is closed rather than reused.
    if (step.kind === "check") {
      // Read in the request's own modes: an array or an object, the counts as text or as numbers.
      const row = result.rows[0] as unknown[] | { from_sql: unknown; own: unknown } | undefined;
      const [fromSql, own] = Array.isArray(row) ? row : [row?.from_sql, row?.own];
      if (Number(fromSql) !== 0 || Number(own) !== this.prepared.size + this.newlyPrepared.size)
        this.resetFailed = true;
    }
    this.current = null;
    this.step++;
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete({ text: "" });
  }

  /**
   * A result read as `run` reads one: rows as arrays or objects, values raw or by type. Raw text in array mode,
   * what the driver asks for, keeps each row as PostgreSQL's text values, without node-postgres's builder.
   */
  private newResult(columns: readonly pg.FieldDef[]): StepResult {
    if (this.options.rawText && this.options.arrayMode) return { columns, rows: [], builder: null };
    const builder = new ResultBuilder(
      this.options.arrayMode ? "array" : undefined,
      this.options.rawText ? RAW_TEXT_TYPES : undefined,
    );
    builder.addFields(columns as unknown[]);
    return { columns, rows: [], builder };
  }

  /** A statement's result as Neon's JSON, its `fields` written once per description. */
  private neonJson(result: StepResult, commandTag: string, step: Step): string {
    const [, command = null, first, second] = COMMAND_TAG.exec(commandTag) ?? [];
    const rowCount = second ?? first;
    const statement = step.statement;
    // A step that was described writes the columns PostgreSQL just sent.
    const fields = (!step.described && statement?.fieldsJson) || JSON.stringify(neonFields(result.columns));
    if (statement) statement.fieldsJson = fields;
    return `{"command":${JSON.stringify(command)},"rowCount":${rowCount === undefined ? "null" : Number(rowCount)},"rows":${JSON.stringify(result.rows)},"fields":${fields},"rowAsArray":${this.options.arrayMode}}`;
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(): void {}

  handleCopyData(): void {}

  handleError(error: unknown): void {
    this.failed = true;
    // Failing in the reset, the batch has committed and its results stand; the connection is not reused.
    const kind = this.steps[this.step]?.kind;
    if (kind === "reset" || kind === "check") {
      this.resetFailed = true;
      this.settle.resolve(this.results);
    } else this.settle.reject(error);
  }

  handleReadyForQuery(): void {
    if (this.failed) return;
    for (const [text, statement] of this.newlyPrepared) this.prepared.set(text, statement);
    this.settle.resolve(this.results);
  }
}

/** A command tag: the command, then a row count, or an OID and a row count (node-postgres reads it the same way). */
const COMMAND_TAG = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/;

function databaseError(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) {
    const value = error[field];
    if (value !== undefined) body[field] = value;
  }
  return body;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, JSON.stringify(body));
}

function sendJson(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("neon-http: no TCP address"));
      else resolve(address.port);
    });
  });
}
