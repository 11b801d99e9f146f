import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { neon, neonConfig, NeonDbError } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { integer, jsonb, numeric, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isReachable, startNeonHttp, type NeonHttpEndpoint } from "../../local-cloud/index.js";

const PG_HOST = "127.0.0.1";
const PG_PORT = 5432;
const DATABASE_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/test`;
/** An advisory lock key of this file's own. */
const ADVISORY_KEY = "7315004211";
const TABLE = `lc_neon_http_${randomBytes(4).toString("hex")}`;

const items = pgTable(TABLE, {
  id: serial("id").primaryKey(),
  label: text("label").notNull().unique(),
  qty: integer("qty").notNull(),
  price: numeric("price", { precision: 10, scale: 2 }),
  tags: text("tags").array(),
  meta: jsonb("meta").$type<{ dose?: string; list?: unknown[] }>(),
  seenAt: timestamp("seen_at", { withTimezone: true }),
});

let endpoint: NeonHttpEndpoint;
let admin: pg.Client;

/** A driver error, or a failure of the test when the call did not throw. */
async function errorOf(promise: Promise<unknown>): Promise<NeonDbError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(NeonDbError);
    return error as NeonDbError;
  }
  throw new Error("expected the query to fail");
}

/** A TCP server that only counts who connects, to prove refused targets are never dialled. */
async function startRecorder(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("recorder has no port");
  return {
    port: address.port,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  if (!(await isReachable(PG_HOST, PG_PORT))) throw new Error(`PostgreSQL is not reachable on ${PG_HOST}:${PG_PORT}`);
  // One connection, so every request reuses the same session: state left by one would show in the next.
  endpoint = await startNeonHttp({ allow: [`${PG_HOST}:${PG_PORT}`], maxConnections: 1 });
  neonConfig.fetchEndpoint = endpoint.url;
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`create table ${TABLE} (id serial primary key, label text not null unique, qty integer not null,
    price numeric(10, 2), tags text[], meta jsonb, seen_at timestamptz)`);
});

afterAll(async () => {
  await admin?.query(`drop table if exists ${TABLE}`);
  await admin?.end();
  await endpoint?.close();
});

describe("neon() over the local HTTP endpoint", () => {
  it("parses PostgreSQL's types as the driver does against Neon", async () => {
    const sql = neon(DATABASE_URL);
    const [row] = await sql`select timestamptz '2026-03-01 12:34:56.789+00' as at, 12345.678::numeric(10, 3) as amount,
      9007199254740993::int8 as big, 7::int4 as small, 1.5::float8 as ratio, true as yes,
      array[1, 2, null]::int[] as ints, array['a b', 'c"d', null]::text[] as texts,
      '{"dose": "5 mg", "list": [1, null, "x"]}'::jsonb as doc, '[1,2]'::json as plain,
      null::text as nothing, '\\x00ff10'::bytea as bytes, date '2026-03-01' as day`;
    expect(row!.at).toEqual(new Date("2026-03-01T12:34:56.789Z"));
    // Numerics and int8 stay strings (no precision lost), as node-postgres gives them.
    expect(row!.amount).toBe("12345.678");
    expect(row!.big).toBe("9007199254740993");
    expect(row!.small).toBe(7);
    expect(row!.ratio).toBe(1.5);
    expect(row!.yes).toBe(true);
    expect(row!.ints).toEqual([1, 2, null]);
    expect(row!.texts).toEqual(["a b", 'c"d', null]);
    expect(row!.doc).toEqual({ dose: "5 mg", list: [1, null, "x"] });
    expect(row!.plain).toEqual([1, 2]);
    expect(row!.nothing).toBeNull();
    expect(Buffer.from(row!.bytes as Uint8Array)).toEqual(Buffer.from([0x00, 0xff, 0x10]));
    expect(row!.day).toBeInstanceOf(Date);
  });

  it("sends parameters in PostgreSQL's text form and reads them back", async () => {
    const sql = neon(DATABASE_URL);
    const at = new Date("2025-12-31T23:59:59.500Z");
    const [row] = await sql`select ${at}::timestamptz as at, ${[3, 1, 2]}::int[] as ints, ${JSON.stringify({
      a: "olá 🩺",
    })}::jsonb as doc, ${null}::text as nothing, ${"x'); drop table users; --"}::text as quoted`;
    expect(row).toEqual({
      at,
      ints: [3, 1, 2],
      doc: { a: "olá 🩺" },
      nothing: null,
      quoted: "x'); drop table users; --",
    });
  });

  it("answers full results and array mode as the driver asks", async () => {
    const sql = neon(DATABASE_URL, { fullResults: true, arrayMode: true });
    const result = await sql.query("select 1::int as one, 'two'::text as two");
    expect(result.rows).toEqual([[1, "two"]]);
    expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
      ["one", 23],
      ["two", 25],
    ]);
    expect(result.command).toBe("SELECT");
    expect(result.rowCount).toBe(1);
  });

  it("reads and writes through drizzle's neon-http driver", async () => {
    const db = drizzle({ client: neon(DATABASE_URL) });
    const seenAt = new Date("2026-01-02T03:04:05.000Z");
    await db.insert(items).values({
      label: "drizzle",
      qty: 3,
      price: "19.90",
      tags: ["cardio", "dose"],
      meta: { dose: "5 mg" },
      seenAt,
    });
    const [row] = await db.select().from(items).where(eq(items.label, "drizzle"));
    expect(row).toMatchObject({ qty: 3, price: "19.90", tags: ["cardio", "dose"], meta: { dose: "5 mg" }, seenAt });
    await db.insert(items).values({ label: "drizzle-nulls", qty: 0 });
    const [nulls] = await db.select().from(items).where(eq(items.label, "drizzle-nulls"));
    expect(nulls).toMatchObject({ price: null, tags: null, meta: null, seenAt: null });
  });

  it("runs a batch as one transaction in one request, seeing its own writes", async () => {
    const sql = neon(DATABASE_URL);
    const before = endpoint.requests;
    const [, counted] = await sql.transaction([
      sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('batch-a', 1)`,
      sql`select count(*)::int as n from ${sql.unsafe(TABLE)} where label = 'batch-a'`,
    ]);
    expect(counted).toEqual([{ n: 1 }]);
    expect(endpoint.requests - before).toBe(1);
  });

  it("runs a batch in one PostgreSQL round trip: BEGIN, the statements, COMMIT and the reset pipelined", async () => {
    const sql = neon(DATABASE_URL);
    const before = endpoint.roundTrips;
    const [, , counted] = await sql.transaction(
      [
        sql`select set_config('app.tenant_id', 'tenant-b', true)`,
        sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('pipelined', 1)`,
        sql`select count(*)::int as n, current_setting('app.tenant_id', true) as tenant from ${sql.unsafe(TABLE)} where label = 'pipelined'`,
      ],
      { isolationLevel: "ReadCommitted" },
    );
    expect(counted).toEqual([{ n: 1, tenant: "tenant-b" }]);
    expect(endpoint.roundTrips - before).toBe(1);
  });

  it("resets the session after a pipelined batch, and after one that failed", async () => {
    const sql = neon(DATABASE_URL);
    // A session-level setting made inside a batch outlives its COMMIT unless the session is reset.
    await sql.transaction([sql`select set_config('app.tenant_id', 'leaked-by-batch', false)`]);
    const [after] = await sql`select coalesce(current_setting('app.tenant_id', true), '') as tenant`;
    expect(after).toEqual({ tenant: "" });
    const error = await errorOf(
      sql.transaction([sql`select set_config('app.tenant_id', 'leaked-by-failure', false)`, sql`select 1 / 0`]),
    );
    expect(error.code).toBe("22012");
    const [next] = await sql.transaction([
      sql`select coalesce(current_setting('app.tenant_id', true), '') as tenant, current_setting('transaction_read_only') as ro`,
    ]);
    expect(next).toEqual([{ tenant: "", ro: "off" }]);
  });

  it("releases a batch's session-level advisory locks before the connection serves anyone else", async () => {
    const sql = neon(DATABASE_URL);
    const readOnly = neon(DATABASE_URL, { readOnly: true });
    // Session-level advisory locks outlive COMMIT; a read-only batch may take them too.
    await sql.transaction([sql`select pg_advisory_lock(${ADVISORY_KEY}::bigint)`]);
    const free = await admin.query<{ taken: boolean }>("select pg_try_advisory_lock($1::bigint) as taken", [
      ADVISORY_KEY,
    ]);
    expect(free.rows[0]!.taken).toBe(true);
    await admin.query("select pg_advisory_unlock($1::bigint)", [ADVISORY_KEY]);
    await readOnly.transaction([readOnly`select pg_advisory_lock(${ADVISORY_KEY}::bigint)`]);
    const again = await admin.query<{ taken: boolean }>("select pg_try_advisory_lock($1::bigint) as taken", [
      ADVISORY_KEY,
    ]);
    expect(again.rows[0]!.taken).toBe(true);
    await admin.query("select pg_advisory_unlock($1::bigint)", [ADVISORY_KEY]);
  });

  it("plans a repeated statement once per connection, and keeps no statement a request prepared itself", async () => {
    const sql = neon(DATABASE_URL);
    const page = () =>
      sql.transaction([sql`select count(*)::int as n from ${sql.unsafe(TABLE)} where qty >= ${0}`], { readOnly: true });
    await page();
    await page();
    // The endpoint's own statements are kept by name (they are plans, not state a request could see)…
    const [kept] = await sql.transaction([
      sql`select count(*)::int as n from pg_prepared_statements where not from_sql and statement like ${`%${TABLE} where qty >= $1`}`,
    ]);
    expect(kept).toEqual([{ n: 1 }]);
    // …while one a request prepares with SQL never reaches the next request.
    await sql.transaction([sql`prepare leaked_plan as select 1`]);
    const [after] = await sql.transaction([sql`select count(*)::int as n from pg_prepared_statements where from_sql`]);
    expect(after).toEqual([{ n: 0 }]);
  });

  it("prepares its own BEGIN, COMMIT and session reset once per connection, as it does a page's statements", async () => {
    const sql = neon(DATABASE_URL);
    await sql.transaction([sql`select 1`], { readOnly: true });
    const [own] = await sql.transaction(
      [
        sql`select count(*)::int as n from pg_prepared_statements
          where not from_sql and statement in ('BEGIN READ ONLY', 'SELECT 1', 'COMMIT', 'RESET ALL')`,
      ],
      { readOnly: true },
    );
    expect(own).toEqual([{ n: 4 }]);
  });

  it("serves the next request when one deallocated the endpoint's prepared statements", async () => {
    const sql = neon(DATABASE_URL);
    const page = () =>
      sql.transaction([sql`select count(*)::int as n from ${sql.unsafe(TABLE)} where qty >= ${-1}`], {
        readOnly: true,
      });
    await page();
    const [[named]] = (await sql.transaction([
      sql`select name from pg_prepared_statements where not from_sql and statement like ${`%${TABLE} where qty >= $1`}`,
    ])) as [[{ name: string }]];
    // One of the endpoint's statements deallocated by name, then all of them: whether such a request succeeds
    // or is refused, the connection it leaves must not fail the next request.
    await sql.transaction([sql.query(`deallocate ${named.name}`)]).catch(() => undefined);
    await expect(page()).resolves.toHaveLength(1);
    await sql.transaction([sql`deallocate all`]).catch(() => undefined);
    await expect(page()).resolves.toHaveLength(1);
  });

  it("rolls the whole batch back when one statement fails", async () => {
    const sql = neon(DATABASE_URL);
    const error = await errorOf(
      sql.transaction([
        sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('rolled-back', 1)`,
        sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('rolled-back', 2)`,
      ]),
    );
    expect(error.code).toBe("23505");
    expect(error.constraint).toBe(`${TABLE}_label_key`);
    expect(error.table).toBe(TABLE);
    const { rows } = await admin.query(`select count(*)::int as n from ${TABLE} where label = 'rolled-back'`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it("applies the batch's isolation level, read-only and deferrable headers", async () => {
    const sql = neon(DATABASE_URL);
    const [batch] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as isolation, current_setting('transaction_read_only') as ro,
          current_setting('transaction_deferrable') as deferrable`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(batch).toEqual([{ isolation: "serializable", ro: "on", deferrable: "on" }]);
    const error = await errorOf(
      sql.transaction([sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('read-only', 1)`], { readOnly: true }),
    );
    expect(error.code).toBe("25006");
    const [plain] = await sql.transaction([sql`select current_setting('transaction_read_only') as ro`]);
    expect(plain).toEqual([{ ro: "off" }]);
  });

  it("keeps a read-only batch read-only when a statement asks for read-write before any query", async () => {
    const sql = neon(DATABASE_URL);
    // PostgreSQL lets a transaction switch to read-write until its first query: the batch's own statements
    // must come too late for that.
    const error = await errorOf(
      sql.transaction(
        [
          sql`set transaction read write`,
          sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('written-by-read-only', 1)`,
        ],
        { readOnly: true },
      ),
    );
    expect(error.code).toBe("25001");
    const settings = await errorOf(
      sql.transaction(
        [
          sql`select set_config('transaction_read_only', 'off', true)`,
          sql`insert into ${sql.unsafe(TABLE)} (label, qty) values ('written-by-read-only', 2)`,
        ],
        { readOnly: true },
      ),
    );
    expect(settings.code).toBe("25001");
    const { rows } = await admin.query(`select count(*)::int as n from ${TABLE} where label = 'written-by-read-only'`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it("discards a batch's temporary tables and sequence values; a read-only batch can make neither", async () => {
    const sql = neon(DATABASE_URL);
    await sql.transaction([
      sql`create temp table leaked_temp (x int)`,
      sql`select nextval('${sql.unsafe(TABLE)}_id_seq')`,
    ]);
    const [[left]] = (await sql.transaction([sql`select to_regclass('pg_temp.leaked_temp') is null as gone`], {
      readOnly: true,
    })) as [[{ gone: boolean }]];
    expect(left).toEqual({ gone: true });
    const currval = await errorOf(sql.transaction([sql`select currval('${sql.unsafe(TABLE)}_id_seq')`]));
    expect(currval.code).toBe("55000");
    // The reset after a read-only batch leaves out both discards: the batch must not be able to need them.
    const temp = await errorOf(sql.transaction([sql`create temp table read_only_temp (x int)`], { readOnly: true }));
    expect(temp.code).toBe("25006");
    const sequence = await errorOf(
      sql.transaction([sql`select nextval('${sql.unsafe(TABLE)}_id_seq')`], { readOnly: true }),
    );
    expect(sequence.code).toBe("25006");
  });

  it("answers a repeated statement's columns, command and rows as it did the first time", async () => {
    // The endpoint describes a prepared statement once per connection, then writes its columns from memory.
    const sql = neon(DATABASE_URL, { fullResults: true });
    const batch = () =>
      sql.transaction(
        [
          sql`select ${"2026-03-01T12:34:56.789Z"}::timestamptz as at, 7::int4 as small, array[1, null]::int[] as ints`,
          sql`update ${sql.unsafe(TABLE)} set qty = qty where false`,
          sql`select label from ${sql.unsafe(TABLE)} where false`,
        ],
        { readOnly: false },
      );
    const first = await batch();
    const second = await batch();
    expect(second).toEqual(first);
    const [typed, update, empty] = second;
    // (How the instant is parsed depends on the parsers drizzle installed in the driver: columns decide it.)
    expect(typed!.rows).toMatchObject([{ small: 7, ints: [1, null] }]);
    expect(typed!.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
      ["at", 1184],
      ["small", 23],
      ["ints", 1007],
    ]);
    expect([typed!.command, typed!.rowCount]).toEqual(["SELECT", 1]);
    expect([update!.command, update!.rowCount, update!.fields]).toEqual(["UPDATE", 0, []]);
    expect([empty!.command, empty!.rowCount, empty!.fields.map((field) => field.name)]).toEqual([
      "SELECT",
      0,
      ["label"],
    ]);
    // A statement whose columns PostgreSQL does not check again, such as FETCH, is described on every run.
    const fetched = (declared: string) =>
      sql.transaction([sql.query(`declare cursor_a cursor for ${declared}`), sql`fetch all cursor_a`]);
    const [, ints] = await fetched("select 7::int4 as n");
    const [, texts] = await fetched("select 'x'::text as s");
    expect(ints!.rows).toEqual([{ n: 7 }]);
    expect(texts!.rows).toEqual([{ s: "x" }]);
    expect(texts!.fields.map((field) => [field.name, field.dataTypeID])).toEqual([["s", 25]]);
    // Without raw text and array mode, rows are objects of parsed values, also the second time.
    const post = () =>
      fetch(endpoint.url, {
        method: "POST",
        headers: { "Neon-Connection-String": DATABASE_URL },
        body: JSON.stringify({ queries: [{ query: "select 7::int4 as small, null::text as nothing", params: [] }] }),
      }).then((response) => response.json());
    const parsed = await post();
    expect(await post()).toEqual(parsed);
    expect(parsed.results[0]).toMatchObject({ rows: [{ small: 7, nothing: null }], rowAsArray: false });
  });

  it("keeps a transaction-local setting inside its batch and no session state across requests", async () => {
    const sql = neon(DATABASE_URL);
    const [, inside] = await sql.transaction([
      sql`select set_config('app.tenant_id', 'tenant-a', true)`,
      sql`select current_setting('app.tenant_id', true) as tenant`,
    ]);
    expect(inside).toEqual([{ tenant: "tenant-a" }]);
    // A session-level setting (is_local = false) must not reach the next request on the pooled connection.
    await sql`select set_config('app.tenant_id', 'leaked', false)`;
    const [after] = await sql`select coalesce(current_setting('app.tenant_id', true), '') as tenant`;
    expect(after).toEqual({ tenant: "" });
  });

  it("answers errors in Neon's shape, which the driver raises as NeonDbError", async () => {
    const sql = neon(DATABASE_URL);
    const syntax = await errorOf(sql.query("selec 1"));
    expect(syntax.code).toBe("42601");
    expect(syntax.severity).toBe("ERROR");
    expect(syntax.position).toBe("1");
    expect(syntax.message).toMatch(/syntax error at or near "selec"/);
    const missing = await errorOf(sql.query("select * from no_such_table_here"));
    expect(missing.code).toBe("42P01");
    // One statement per query, as on Neon.
    const twoStatements = await errorOf(sql.query("select 1; select 2"));
    expect(twoStatements.code).toBe("42601");
    const cast = await errorOf(sql`select ${"not a number"}::int`);
    expect(cast.code).toBe("22P02");
    // The endpoint still serves after errors.
    expect(await sql`select 1 as ok`).toEqual([{ ok: 1 }]);
  });

  it("refuses a connection string whose target is not on the allow-list, before dialling it", async () => {
    const recorder = await startRecorder();
    try {
      const refused = await errorOf(neon(`postgres://postgres@127.0.0.1:${recorder.port}/test`)`select 1`);
      expect(refused.code).toBe("08004");
      expect(refused.message).toContain("not on the allow-list");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(recorder.connections()).toBe(0);

      // The same target, allowed, is dialled: the count above could have moved.
      const open = await startNeonHttp({ allow: [`127.0.0.1:${recorder.port}`] });
      try {
        const response = await fetch(open.url, {
          method: "POST",
          headers: { "Neon-Connection-String": `postgres://postgres@127.0.0.1:${recorder.port}/test` },
          body: JSON.stringify({ query: "select 1", params: [] }),
          signal: AbortSignal.timeout(500),
        }).catch(() => null);
        await response?.body?.cancel();
        expect(recorder.connections()).toBeGreaterThan(0);
      } finally {
        // The recorder never answers PostgreSQL's handshake: closing it first ends the pending connect.
        await recorder.close();
        await open.close();
      }
    } finally {
      await recorder.close();
    }
  });

  it("refuses what the driver never sends", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(endpoint.url, {
        method: "POST",
        headers: { "Neon-Connection-String": DATABASE_URL, ...headers },
        body,
      });
    const notJson = await post("select 1");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: "08P01" });
    const noString = await fetch(endpoint.url, { method: "POST", body: JSON.stringify({ query: "select 1" }) });
    expect(await noString.json()).toMatchObject({ code: "08001" });
    const badLevel = await post(JSON.stringify({ queries: [{ query: "select 1", params: [] }] }), {
      "Neon-Batch-Isolation-Level": "Chaos",
    });
    expect(badLevel.status).toBe(400);
    expect((await fetch(endpoint.url)).status).toBe(405);
    expect((await fetch(endpoint.url.replace(/\/sql$/, "/v1"), { method: "POST" })).status).toBe(404);
    await expect(startNeonHttp({ allow: ["no-port-here"] })).rejects.toThrow("invalid allow-list entry");
  });
});
