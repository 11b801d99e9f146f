import { and, asc, eq, gt, gte, inArray, isNull, lt, lte, notInArray, or, sql, type SQL } from "drizzle-orm";
import { type AccessLogKind, type AccessLogRow, accessLogs, apiTokens, users } from "../../schema";
import { retentionPolicies } from "../../schema/retention-policies";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { keyedHashHex } from "../lib/crypto";
import type { Transaction } from "../lib/db";
import { createHttpWriter, readAsTenant } from "../lib/db-http";
import { UnprocessableError } from "../lib/errors";
import type { Scope } from "../scope";
import { activeHolds } from "./legal-holds";
import type { BatchEvent } from "./retention";

/**
 * Application access logs (Marco Civil da Internet, Lei 12.965/2014, art. 15): who reached the application,
 * from which address, when, how, and with what answer. Written off the request path, in one HTTP round trip
 * after the response (`recordAccess`); read and exported only by compliance officers, each read itself
 * audited; deleted by the retention sweep once past the `access_log` class's age (`sweepAccessLogs`).
 */

/** What the request path knows about one access; the e-mail of a sign-in is hashed before it is stored. */
export interface AccessEntry {
  at: Date;
  kind: AccessLogKind;
  userId: string | null;
  /** The address typed at a sign-in; only its keyed hash is written. */
  email: string | null;
  ip: string;
  port: number | null;
  method: string;
  route: string;
  status: number;
  requestId: string | null;
  /** The API token the request was made with; null for a session. */
  tokenId: string | null;
}

const EMAIL_HASH_PURPOSE = "vitalis/access-log/email/v1";

/** The keyed hash stored for an attempted e-mail (lib/crypto `keyedHashHex`), so a court's address can be matched. */
export function accessLogEmailHash(scope: Scope, email: string): Promise<string> {
  return keyedHashHex(scope.section("auth").mfaEncryptionKey, EMAIL_HASH_PURPOSE, email.trim().toLowerCase());
}

/**
 * Writes the entries of one request as one multi-row INSERT, in one HTTP request under the tenant's row-level
 * security (lib/db-http `createHttpWriter`). Called in `waitUntil`, after the response has been sent.
 */
export async function recordAccess(scope: Scope, entries: readonly AccessEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = await Promise.all(
    entries.map(async ({ email, ...entry }) => ({
      ...entry,
      tenantId: scope.tenant.id,
      emailHash: email === null ? null : await accessLogEmailHash(scope, email),
    })),
  );
  const writer = createHttpWriter(scope.section("database"));
  // An API token's last use rides along in the same HTTP request, at most once a minute per token.
  const used = new Map(entries.flatMap((entry) => (entry.tokenId ? [[entry.tokenId, entry.at] as const] : [])));
  await readAsTenant(writer, scope.tenant.id, [
    writer.insert(accessLogs).values(rows),
    ...[...used].map(([id, at]) =>
      writer
        .update(apiTokens)
        .set({ lastUsedAt: at })
        .where(
          and(
            eq(apiTokens.id, id),
            or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(at.getTime() - 60_000))),
          ),
        ),
    ),
  ]);
}

// ---- Reading -------------------------------------------------------------------------------------------

export interface AccessLogFilters {
  from: Date;
  to: Date;
  /** A user id, or an e-mail address: its account's requests and the sign-ins that typed it. */
  user?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface AccessLogView {
  id: string;
  at: string;
  kind: AccessLogKind;
  userId: string | null;
  emailHash: string | null;
  ip: string;
  port: number | null;
  method: string;
  route: string;
  status: number;
  requestId: string | null;
  tokenId: string | null;
}

export interface AccessLogPage {
  entries: AccessLogView[];
  nextCursor: string | null;
}

/** A court order names a period; longer than a year is beyond the class's maximum age anyway. */
const MAX_PERIOD_MS = 366 * 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(row: AccessLogRow): AccessLogView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    kind: row.kind,
    userId: row.userId,
    emailHash: row.emailHash,
    ip: row.ip,
    port: row.port,
    method: row.method,
    route: row.route,
    status: row.status,
    requestId: row.requestId,
    tokenId: row.tokenId,
  };
}

/** The WHERE clause of a filter, with the e-mail (when the filter names one) hashed as stored. */
async function whereOf(scope: Scope, filters: Omit<AccessLogFilters, "cursor" | "limit">): Promise<SQL | undefined> {
  if (filters.to.getTime() < filters.from.getTime()) {
    throw new UnprocessableError("invalid_period", "`to` must not be before `from`.");
  }
  if (filters.to.getTime() - filters.from.getTime() > MAX_PERIOD_MS) {
    throw new UnprocessableError("invalid_period", "Ask for at most a year at a time.");
  }
  const period = and(gte(accessLogs.at, filters.from), lte(accessLogs.at, filters.to));
  const user = filters.user?.trim();
  if (!user) return period;
  if (UUID.test(user)) return and(period, eq(accessLogs.userId, user.toLowerCase()));
  const hash = await accessLogEmailHash(scope, user);
  const account = sql`(select ${users.id} from ${users} where lower(${users.email}) = ${user.toLowerCase()})`;
  return and(period, or(eq(accessLogs.emailHash, hash), inArray(accessLogs.userId, account)));
}

/** Rows after `after` in the log's order (at, id). */
function after(pair: { at: Date; id: string } | null): SQL | undefined {
  if (!pair) return undefined;
  return or(gt(accessLogs.at, pair.at), and(eq(accessLogs.at, pair.at), gt(accessLogs.id, pair.id)));
}

/** How a read of the log is described in the audit chain: the filter's shape, never the e-mail it named. */
function readDetails(filters: Omit<AccessLogFilters, "cursor" | "limit">, format: "json" | "csv") {
  const user = filters.user?.trim();
  return {
    from: filters.from.toISOString(),
    to: filters.to.toISOString(),
    user: !user ? null : UUID.test(user) ? user.toLowerCase() : "e-mail",
    format,
  };
}

/** One page of the log, oldest first (keyset cursor), audited `access_log.read` in the same transaction. */
export async function listAccessLogs(scope: Scope, filters: AccessLogFilters): Promise<AccessLogPage> {
  const where = await whereOf(scope, filters);
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(accessLogs)
      .where(and(where, after(filters.cursor ? decodeCursor(filters.cursor) : null)))
      .orderBy(asc(accessLogs.at), asc(accessLogs.id))
      .limit(filters.limit + 1);
    const page = rows.slice(0, filters.limit);
    await scope.audit(
      tx,
      "access_log.read",
      { type: "access_log", id: null },
      {
        ...readDetails(filters, "json"),
        page: filters.cursor ? "next" : "first",
        entries: page.length,
      },
    );
    const last = page.at(-1);
    return {
      entries: page.map(view),
      nextCursor: rows.length > filters.limit && last ? encodeCursor(last.at, last.id) : null,
    };
  });
}

export const ACCESS_LOG_CSV_COLUMNS = [
  "at",
  "kind",
  "userId",
  "emailHash",
  "ip",
  "port",
  "method",
  "route",
  "status",
  "requestId",
  "tokenId",
] as const;

/**
 * One CSV field (RFC 4180): always quoted, quotes doubled. A value a spreadsheet would read as a formula
 * (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so opening the export
 * runs nothing (OWASP, "CSV Injection").
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

function csvLine(entry: AccessLogView): string {
  return `${ACCESS_LOG_CSV_COLUMNS.map((column) => csvField(entry[column])).join(",")}\r\n`;
}

const CSV_PAGE = 1000;

/**
 * The whole period as CSV, streamed: the export is audited first (one `access_log.read` with format `csv`),
 * then read a thousand rows at a time over the HTTP read path (one round trip each, no connection held while
 * the client reads), so a six-month export never sits in the Worker's memory.
 */
export async function exportAccessLogsCsv(
  scope: Scope,
  filters: Omit<AccessLogFilters, "cursor" | "limit">,
): Promise<ReadableStream<Uint8Array>> {
  const where = await whereOf(scope, filters);
  await scope.transaction((tx) =>
    scope.audit(tx, "access_log.read", { type: "access_log", id: null }, readDetails(filters, "csv")),
  );
  const encoder = new TextEncoder();
  let last: { at: Date; id: string } | null = null;
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(`${ACCESS_LOG_CSV_COLUMNS.join(",")}\r\n`));
        return;
      }
      const [rows] = await scope.read((db) => [
        db
          .select()
          .from(accessLogs)
          .where(and(where, after(last)))
          .orderBy(asc(accessLogs.at), asc(accessLogs.id))
          .limit(CSV_PAGE),
      ]);
      if (rows.length > 0) controller.enqueue(encoder.encode(rows.map((row) => csvLine(view(row))).join("")));
      const end = rows.at(-1);
      if (rows.length < CSV_PAGE || !end) controller.close();
      else last = { at: end.at, id: end.id };
    },
  });
}

// ---- Retention -------------------------------------------------------------------------------------------

/**
 * One batch of the retention sweep (services/retention.ts) for the access log: deletes up to `batchSize` rows
 * older than the `access_log` class's maximum age, oldest first, skipping what a legal hold covers (a hold on
 * the tenant keeps every row, a hold on a user keeps that user's), and returns the one audit event that records the
 * batch (the sweep appends it last, `finishBatch`). Deleted rows are no longer due, so no cursor is needed.
 */
export async function sweepAccessLogs(
  tx: Transaction,
  input: { runId: string; before: Date; batchSize: number },
): Promise<{ processed: number; deleted: number; held: number; event?: BatchEvent }> {
  const holds = await activeHolds(tx);
  const due = lt(accessLogs.at, input.before);
  if (holds.some((hold) => hold.scope === "tenant")) {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(accessLogs)
      .where(due);
    return { processed: 0, deleted: 0, held: row?.n ?? 0 };
  }
  const heldUsers = holds.flatMap((hold) => (hold.scope === "user" && hold.targetId ? [hold.targetId] : []));
  const notHeld =
    heldUsers.length > 0 ? or(isNull(accessLogs.userId), notInArray(accessLogs.userId, heldUsers)) : undefined;
  // One statement, oldest first; the sweep's advisory lock per (tenant, task) keeps overlapping runs apart, so
  // no row lock is needed (the app role may not UPDATE the log, which FOR UPDATE would require).
  const oldest = tx
    .select({ id: accessLogs.id })
    .from(accessLogs)
    .where(and(due, notHeld))
    .orderBy(asc(accessLogs.at), asc(accessLogs.id))
    .limit(input.batchSize);
  const batch = await tx.delete(accessLogs).where(inArray(accessLogs.id, oldest)).returning({ id: accessLogs.id });
  const event: BatchEvent | undefined =
    batch.length > 0
      ? {
          action: "retention.access_logs_deleted",
          target: { type: "access_log", id: null },
          details: {
            runId: input.runId,
            deleted: batch.length,
            before: input.before.toISOString(),
            legalBasis: retentionPolicies.access_log.legalBasis,
          },
        }
      : undefined;
  let held = 0;
  if (heldUsers.length > 0 && batch.length < input.batchSize) {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(accessLogs)
      .where(and(due, inArray(accessLogs.userId, heldUsers)));
    held = row?.n ?? 0;
  }
  return { processed: batch.length, deleted: batch.length, held, ...(event ? { event } : {}) };
}
