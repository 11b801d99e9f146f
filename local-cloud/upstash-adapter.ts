/**
 * An HTTP server that speaks the Upstash Redis REST protocol and forwards to a real Redis via ioredis.
 *
 * It answers what `@upstash/redis` sends: `POST /` (one command as a JSON array), `POST /pipeline`,
 * `POST /multi-exec`, the `GET|POST /cmd/arg/...` path form, Bearer (or `_token`) auth, and the
 * `Upstash-Encoding: base64` reply encoding. Lua scripts written for Upstash (`#!lua flags=allow-key-locking`)
 * are rewritten so Redis 7 accepts them, with the client's script SHA mapped to the rewritten one.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

export interface UpstashAdapterOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The token clients must send as `Authorization: Bearer <token>` (what UPSTASH_REDIS_REST_TOKEN holds). */
  token: string;
  /** The Redis to forward to, e.g. redis://127.0.0.1:6379/0. */
  redisUrl: string;
}

export interface UpstashAdapter {
  /** What UPSTASH_REDIS_REST_URL should hold, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** HTTP requests answered so far: one per client round trip (a pipeline is one), for benchmarks and tests. */
  readonly requests: number;
  /**
   * The same requests by endpoint: `/` (one command), `/pipeline`, `/multi-exec`, or `/<command>` for the path
   * form; a test can tell one pipelined round trip from several single commands.
   */
  requestsByEndpoint(): Record<string, number>;
  /**
   * Redis commands received so far, as Upstash bills them: a pipeline or transaction of n commands is n, a
   * script run (`EVALSHA`, `EVAL`) is one, whatever it does inside.
   */
  readonly commands: number;
  /** The same commands by name (upper case, e.g. `EVALSHA`), without their arguments. */
  commandsByName(): Record<string, number>;
  close(): Promise<void>;
}

type Json = string | number | null | Json[];
type ResultEntry = { result: Json } | { error: string };

interface Prepared {
  name: string;
  args: string[];
  /** Commands that can block the connection they run on get a connection of their own. */
  blocking: boolean;
  /** Undo a rewrite in the reply (SCRIPT LOAD must answer the SHA of the script the client sent). */
  mapResult: (reply: unknown) => unknown;
}

/** A client-side mistake: answered with HTTP 400 and Upstash's `{ "error": ... }` shape. */
class RequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** What Upstash answers when the token is missing or wrong (its "http unauthorized" troubleshooting page). */
const UNAUTHORIZED_MESSAGE = "WRONGPASS invalid or missing auth token";
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** SHA mappings kept for EVALSHA; a forgotten one only costs the client one NOSCRIPT and an EVAL. */
const MAX_SCRIPT_MAPPINGS = 4096;
const OK_BYTES = Buffer.from("OK");

/**
 * Commands that would change the state of the shared connection (database, subscriptions, transactions,
 * client reply mode) or take the server down; Upstash does not offer them over REST either.
 */
const UNAVAILABLE_COMMANDS = new Set([
  "AUTH",
  "CLIENT",
  "DISCARD",
  "EXEC",
  "HELLO",
  "MONITOR",
  "MULTI",
  "PSUBSCRIBE",
  "PSYNC",
  "PUNSUBSCRIBE",
  "QUIT",
  "REPLICAOF",
  "RESET",
  "SELECT",
  "SHUTDOWN",
  "SLAVEOF",
  "SSUBSCRIBE",
  "SUBSCRIBE",
  "SUNSUBSCRIBE",
  "SYNC",
  "UNSUBSCRIBE",
  "UNWATCH",
  "WATCH",
]);

const BLOCKING_COMMANDS = new Set([
  "BLMOVE",
  "BLMPOP",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BZMPOP",
  "BZPOPMAX",
  "BZPOPMIN",
  "WAIT",
  "WAITAOF",
]);

export async function startUpstashAdapter(opts: UpstashAdapterOptions): Promise<UpstashAdapter> {
  if (!opts.token) throw new Error("upstash-adapter: a non-empty token is required");
  const host = opts.host ?? "127.0.0.1";
  const redis = await connectRedis(opts.redisUrl);
  const scripts = new ScriptShaMap();
  const dedicated = new Set<Redis>();
  let commands = 0;
  const byName = new Map<string, number>();
  const countCommands = (received: string[][]): void => {
    for (const command of received) {
      const name = (command[0] ?? "").toUpperCase();
      commands += 1;
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
  };
  const context: HandlerContext = { redis, scripts, dedicated, tokenDigest: digest(opts.token), countCommands };

  let requests = 0;
  const byEndpoint = new Map<string, number>();
  const server = createServer((req, res) => {
    requests += 1;
    const endpoint = endpointOf(req.url);
    byEndpoint.set(endpoint, (byEndpoint.get(endpoint) ?? 0) + 1);
    handleRequest(req, res, context).catch((err: unknown) => sendJson(res, 500, { error: errorMessage(err) }));
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  let port: number;
  try {
    port = await listen(server, host, opts.port ?? 0);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    get requests(): number {
      return requests;
    },
    requestsByEndpoint: () => Object.fromEntries(byEndpoint),
    get commands(): number {
      return commands;
    },
    commandsByName: () => Object.fromEntries(byName),
    close(): Promise<void> {
      closing ??= shutdown(server, redis, dedicated);
      return closing;
    },
  };
}

/** `/`, `/pipeline`, `/multi-exec`, or `/<command>` (lower case) for the path form; never the arguments. */
function endpointOf(rawUrl: string | undefined): string {
  const first = new URL(rawUrl ?? "/", "http://adapter.invalid").pathname.split("/").find(Boolean);
  return first === undefined ? "/" : `/${first.toLowerCase()}`;
}

interface HandlerContext {
  redis: Redis;
  scripts: ScriptShaMap;
  dedicated: Set<Redis>;
  tokenDigest: Buffer;
  /** Counts the commands of one authorized request, before they run. */
  countCommands: (commands: string[][]) => void;
}

async function connectRedis(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number): number => Math.min(times * 200, 2_000),
  });
  // Errors reach callers per command; without a listener ioredis would print every reconnect attempt.
  redis.on("error", () => undefined);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`upstash-adapter: cannot reach Redis at ${redisUrl}: ${errorMessage(err)}`, { cause: err });
  }
  return redis;
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const url = new URL(req.url ?? "/", "http://adapter.invalid");
  if (!isAuthorized(req, url, ctx.tokenDigest)) {
    sendJson(res, 401, { error: UNAUTHORIZED_MESSAGE });
    return;
  }
  if (req.method !== "POST" && req.method !== "GET") {
    sendJson(res, 405, { error: `ERR method ${req.method ?? ""} not allowed` });
    return;
  }
  const base64 = headerValue(req, "upstash-encoding").toLowerCase() === "base64";
  try {
    const body = await readBody(req);
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "" || path === "/") {
      const command = parseCommand(parseJson(body));
      ctx.countCommands([command]);
      sendJson(res, ...(await runSingle(command, ctx, base64)));
    } else if (path === "/pipeline") {
      const commands = parseCommandList(parseJson(body));
      ctx.countCommands(commands);
      sendJson(res, 200, await runPipeline(commands, ctx, base64));
    } else if (path === "/multi-exec") {
      const commands = parseCommandList(parseJson(body));
      ctx.countCommands(commands);
      sendJson(res, ...(await runMultiExec(commands, ctx, base64)));
    } else {
      const command = commandFromPath(path, body);
      ctx.countCommands([command]);
      sendJson(res, ...(await runSingle(command, ctx, base64)));
    }
  } catch (err) {
    if (err instanceof RequestError) sendJson(res, err.status, { error: err.message });
    else throw err;
  }
}

function isAuthorized(req: IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = headerValue(req, "authorization");
  const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  const presented = bearer ?? url.searchParams.get("_token");
  if (!presented) return false;
  // Comparing fixed-length digests keeps the check constant-time whatever the token length.
  return timingSafeEqual(digest(presented), expected);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RequestError("ERR request body too large", 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RequestError("ERR failed to parse command: request body is not valid JSON");
  }
}

/** Upstash takes a command as a JSON array; numbers and booleans are sent as their text, objects as JSON. */
function parseCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RequestError("ERR failed to parse command: expected a non-empty JSON array");
  }
  const command = value.map(toArgument);
  if (!command[0]) throw new RequestError("ERR failed to parse command: empty command name");
  return command;
}

function toArgument(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
      return String(value);
    default:
      if (value === null || Array.isArray(value)) {
        throw new RequestError("ERR failed to parse command: arguments must be strings or numbers");
      }
      return JSON.stringify(value);
  }
}

function parseCommandList(value: unknown): string[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RequestError("ERR failed to parse command list: expected a non-empty JSON array of commands");
  }
  return value.map(parseCommand);
}

/** `/set/key/value`: segments are the arguments; a POST body, when present, is one more argument. */
function commandFromPath(path: string, body: Buffer): string[] {
  const command = path
    .split("/")
    .filter((segment) => segment.length > 0)
    .map(decodeSegment);
  if (body.length > 0) command.push(body.toString("utf8"));
  return parseCommand(command);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError("ERR failed to parse command: bad percent-encoding in path");
  }
}

async function runSingle(command: string[], ctx: HandlerContext, base64: boolean): Promise<[number, unknown]> {
  try {
    const prepared = prepare(command, ctx.scripts);
    const reply = await withConnection(ctx, prepared.blocking, (conn) => send(conn, prepared));
    return [200, { result: encodeValue(prepared.mapResult(reply), base64, true) }];
  } catch (err) {
    return [isReplyError(err) ? 400 : 500, { error: errorMessage(err) }];
  }
}

/** One HTTP round trip, many commands; each gets its own result or error, like Upstash's /pipeline. */
async function runPipeline(commands: string[][], ctx: HandlerContext, base64: boolean): Promise<ResultEntry[]> {
  const prepared = commands.map((command) => tryPrepare(command, ctx.scripts));
  const blocking = prepared.some((p) => !(p instanceof Error) && p.blocking);
  const settled = await withConnection(ctx, blocking, (conn) =>
    // Issued in one synchronous loop so the commands reach Redis back to back and in order.
    Promise.allSettled(prepared.map((p) => (p instanceof Error ? Promise.reject(p) : send(conn, p)))),
  );
  return settled.map((outcome, i): ResultEntry => {
    if (outcome.status === "rejected") return { error: errorMessage(outcome.reason) };
    const p = prepared[i];
    const reply = p instanceof Error || p === undefined ? outcome.value : p.mapResult(outcome.value);
    return { result: encodeValue(reply, base64, true) };
  });
}

/**
 * MULTI, the commands and EXEC are written in one synchronous loop on the shared connection, so nothing from
 * another request can land inside the transaction; Redis then applies them atomically.
 */
async function runMultiExec(commands: string[][], ctx: HandlerContext, base64: boolean): Promise<[number, unknown]> {
  const prepared: Prepared[] = [];
  for (const command of commands) {
    const p = tryPrepare(command, ctx.scripts);
    // Redis itself would abort the whole transaction for a command it cannot queue.
    if (p instanceof Error)
      return [400, { error: `EXECABORT Transaction discarded because of previous errors (${p.message})` }];
    prepared.push(p);
  }
  const conn = ctx.redis;
  const queued = [conn.callBuffer("MULTI"), ...prepared.map((p) => send(conn, p)), conn.callBuffer("EXEC")];
  const settled = await Promise.allSettled(queued);
  const exec = settled[settled.length - 1];
  if (!exec || exec.status === "rejected") {
    const queueError = settled.slice(1, -1).find((s) => s.status === "rejected");
    const reason = exec?.status === "rejected" ? errorMessage(exec.reason) : "EXECABORT";
    const detail = queueError?.status === "rejected" ? ` (${errorMessage(queueError.reason)})` : "";
    return [exec && isReplyError(exec.reason) ? 400 : 500, { error: reason + detail }];
  }
  if (!Array.isArray(exec.value)) return [500, { error: "ERR unexpected EXEC reply" }];
  const entries = exec.value.map((reply: unknown, i: number): ResultEntry => {
    if (reply instanceof Error) return { error: reply.message };
    const mapped = prepared[i]?.mapResult(reply) ?? reply;
    return { result: encodeValue(mapped, base64, true) };
  });
  return [200, entries];
}

function send(conn: Redis, prepared: Prepared): Promise<unknown> {
  // Upper-case names keep ioredis from applying its reply transformers (HGETALL → object) to raw replies.
  return conn.callBuffer(prepared.name, prepared.args) as Promise<unknown>;
}

/** Blocking commands would stall every request sharing the connection, so they get a short-lived one. */
async function withConnection<T>(ctx: HandlerContext, blocking: boolean, run: (conn: Redis) => Promise<T>): Promise<T> {
  if (!blocking) return run(ctx.redis);
  const conn = ctx.redis.duplicate();
  conn.on("error", () => undefined);
  ctx.dedicated.add(conn);
  try {
    return await run(conn);
  } finally {
    ctx.dedicated.delete(conn);
    conn.disconnect();
  }
}

function tryPrepare(command: string[], scripts: ScriptShaMap): Prepared | Error {
  try {
    return prepare(command, scripts);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function prepare(command: string[], scripts: ScriptShaMap): Prepared {
  const name = (command[0] ?? "").toUpperCase();
  const args = command.slice(1);
  const identity = (reply: unknown): unknown => reply;
  if (UNAVAILABLE_COMMANDS.has(name)) {
    throw new CommandError(`ERR Command is not available: '${name.toLowerCase()}'`);
  }
  const blocking =
    BLOCKING_COMMANDS.has(name) ||
    ((name === "XREAD" || name === "XREADGROUP") && args.some((a) => a.toUpperCase() === "BLOCK"));
  let mapResult = identity;

  if ((name === "EVAL" || name === "EVAL_RO") && args[0] !== undefined) {
    args[0] = scripts.rewrite(args[0]).script;
  } else if ((name === "EVALSHA" || name === "EVALSHA_RO") && args[0] !== undefined) {
    args[0] = scripts.resolve(args[0]);
  } else if (name === "SCRIPT" && args[0]?.toUpperCase() === "LOAD" && args[1] !== undefined) {
    const rewritten = scripts.rewrite(args[1]);
    args[1] = rewritten.script;
    mapResult = (reply: unknown): unknown => (isSha(reply, rewritten.sha) ? Buffer.from(rewritten.originalSha) : reply);
  } else if (name === "SCRIPT" && args[0]?.toUpperCase() === "EXISTS") {
    for (let i = 1; i < args.length; i++) args[i] = scripts.resolve(args[i] ?? "");
  }
  return { name, args, blocking, mapResult };
}

function isSha(reply: unknown, sha: string): boolean {
  return Buffer.isBuffer(reply) && reply.toString("latin1").toLowerCase() === sha;
}

/** A per-command refusal shaped like a Redis error reply, so it is reported like one. */
class CommandError extends Error {
  override readonly name = "ReplyError";
}

function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === "ReplyError";
}

/**
 * Upstash's Lua (e.g. `@upstash/ratelimit` 2.x) starts with `#!lua flags=allow-key-locking`, a flag Redis 7
 * rejects ("Unexpected flag in script shebang"). We drop that flag (and the shebang line when nothing else is
 * left) and remember which SHA the client computed for its script, so its EVALSHA finds the rewritten one.
 */
class ScriptShaMap {
  private readonly shas = new Map<string, string>();

  rewrite(script: string): { script: string; sha: string; originalSha: string } {
    const rewritten = rewriteShebang(script);
    const originalSha = sha1(script);
    if (rewritten === script) return { script, sha: originalSha, originalSha };
    const sha = sha1(rewritten);
    this.remember(originalSha, sha);
    return { script: rewritten, sha, originalSha };
  }

  /** An unknown SHA passes through untouched, so Redis answers NOSCRIPT and the client falls back to EVAL. */
  resolve(sha: string): string {
    return this.shas.get(sha.toLowerCase()) ?? sha;
  }

  private remember(originalSha: string, sha: string): void {
    this.shas.delete(originalSha);
    this.shas.set(originalSha, sha);
    if (this.shas.size > MAX_SCRIPT_MAPPINGS) {
      const oldest = this.shas.keys().next().value;
      if (oldest !== undefined) this.shas.delete(oldest);
    }
  }
}

const UNSUPPORTED_SHEBANG_FLAGS = new Set(["allow-key-locking"]);

function rewriteShebang(script: string): string {
  const newline = script.indexOf("\n");
  const firstLine = newline === -1 ? script : script.slice(0, newline);
  const rest = newline === -1 ? "" : script.slice(newline);
  if (!firstLine.startsWith("#!lua")) return script;
  const tokens = firstLine.slice("#!lua".length).trim().split(/\s+/).filter(Boolean);
  let changed = false;
  const kept: string[] = [];
  for (const token of tokens) {
    if (!token.startsWith("flags=")) {
      kept.push(token);
      continue;
    }
    const flags = token.slice("flags=".length).split(",");
    const supported = flags.filter((flag) => !UNSUPPORTED_SHEBANG_FLAGS.has(flag.trim()));
    if (supported.length !== flags.length) changed = true;
    if (supported.length > 0) kept.push(`flags=${supported.join(",")}`);
  }
  if (!changed) return script;
  // Keep the line break so Lua error line numbers still match the client's source.
  return kept.length === 0 ? rest : `#!lua ${kept.join(" ")}${rest}`;
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * `@upstash/redis` base64-decodes every string in a reply except a top-level "OK", and passes numbers and
 * null through; Upstash encodes its replies the same way when asked with `Upstash-Encoding: base64`.
 */
function encodeValue(value: unknown, base64: boolean, topLevel: boolean): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (Buffer.isBuffer(value)) return encodeBytes(value, base64, topLevel);
  if (typeof value === "string") return encodeBytes(Buffer.from(value, "utf8"), base64, topLevel);
  if (value instanceof Error) return encodeBytes(Buffer.from(value.message, "utf8"), base64, false);
  if (Array.isArray(value)) return value.map((item: unknown) => encodeValue(item, base64, false));
  return null;
}

function encodeBytes(bytes: Buffer, base64: boolean, topLevel: boolean): string {
  if (!base64) return bytes.toString("utf8");
  if (topLevel && bytes.equals(OK_BYTES)) return "OK";
  return bytes.toString("base64");
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("upstash-adapter: no TCP address"));
      else resolve(address.port);
    });
  });
}

async function shutdown(server: Server, redis: Redis, dedicated: Set<Redis>): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  for (const conn of dedicated) conn.disconnect();
  dedicated.clear();
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
