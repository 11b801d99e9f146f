import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { Client, Pool, neonConfig } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-serverless";
import { integer, pgTable, serial, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isReachable, startNeonProxy, type NeonProxy } from "../../local-cloud/index.js";

const PG_HOST = "127.0.0.1";
const PG_PORT = 5432;
const DATABASE_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/test`;
const suffix = randomBytes(4).toString("hex");
const TABLE = `lc_neon_proxy_${suffix}`;

const items = pgTable(TABLE, {
  id: serial("id").primaryKey(),
  label: text("label").notNull(),
  qty: integer("qty").notNull(),
});

let proxy: NeonProxy;

function configureNeon(port: number): void {
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.wsProxy = (host: string, p: number | string): string => `127.0.0.1:${port}/v1?address=${host}:${p}`;
}

/** A TCP server that only counts who connects, to prove the proxy never dials refused targets. */
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
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Opens a raw WebSocket to the proxy and reports how it was closed (bounded by a timeout). */
function closeOf(url: string, timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no close within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("error", () => undefined);
    socket.on("close", (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString("utf8") });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function labels(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ label: string }>(`select label from ${TABLE} order by id`);
  return rows.map((r) => r.label);
}

describe("neon proxy → PostgreSQL", () => {
  let pool: Pool;

  beforeAll(async () => {
    if (!(await isReachable(PG_HOST, PG_PORT))) throw new Error(`PostgreSQL is not reachable on ${PG_HOST}:${PG_PORT}`);
    proxy = await startNeonProxy({ allow: [`${PG_HOST}:${PG_PORT}`] });
    configureNeon(proxy.port);
    pool = new Pool({ connectionString: DATABASE_URL, max: 5 });
    await pool.query(`create table ${TABLE} (id serial primary key, label text not null, qty integer not null)`);
  });

  afterAll(async () => {
    await pool?.query(`drop table if exists ${TABLE}`);
    await pool?.end();
    await proxy?.close();
  });

  it("runs a query through a Client", async () => {
    const client = new Client(DATABASE_URL);
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number; db: string }>("select 1 + 1 as n, current_database() as db");
      expect(rows).toEqual([{ n: 2, db: "test" }]);
    } finally {
      await client.end();
    }
  });

  it("runs parameterised and concurrent queries through a Pool", async () => {
    const { rows } = await pool.query<{ v: string }>("select $1::text as v", ["olá 🩺"]);
    expect(rows[0]?.v).toBe("olá 🩺");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => pool.query<{ i: number }>("select $1::int as i, pg_sleep(0.01)", [i])),
    );
    expect(results.map((r) => r.rows[0]?.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("commits a Client transaction and rolls another back", async () => {
    const client = new Client(DATABASE_URL);
    await client.connect();
    try {
      await client.query("begin");
      await client.query(`insert into ${TABLE} (label, qty) values ($1, $2)`, ["client-committed", 1]);
      await client.query("commit");

      await client.query("begin");
      await client.query(`insert into ${TABLE} (label, qty) values ($1, $2)`, ["client-rolled-back", 2]);
      const inside = await client.query(`select count(*)::int as c from ${TABLE} where label = 'client-rolled-back'`);
      expect(inside.rows[0]).toEqual({ c: 1 });
      await client.query("rollback");
    } finally {
      await client.end();
    }
    const seen = await labels(pool);
    expect(seen).toContain("client-committed");
    expect(seen).not.toContain("client-rolled-back");
  });

  it("commits and rolls back Pool transactions on a checked-out connection", async () => {
    const conn = await pool.connect();
    try {
      await conn.query("begin");
      await conn.query(`insert into ${TABLE} (label, qty) values ('pool-committed', 3)`);
      await conn.query("commit");
      await conn.query("begin");
      await conn.query(`insert into ${TABLE} (label, qty) values ('pool-rolled-back', 4)`);
      await conn.query("rollback");
    } finally {
      conn.release();
    }
    const seen = await labels(pool);
    expect(seen).toContain("pool-committed");
    expect(seen).not.toContain("pool-rolled-back");
  });

  it("runs drizzle-orm/neon-serverless transactions that commit and roll back", async () => {
    const db = drizzle({ client: pool });
    await db.transaction(async (tx) => {
      await tx.insert(items).values({ label: "drizzle-committed", qty: 5 });
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(items).values({ label: "drizzle-thrown", qty: 6 });
        throw new Error("abort this transaction");
      }),
    ).rejects.toThrow("abort this transaction");
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(items).values({ label: "drizzle-rolled-back", qty: 7 });
        tx.rollback();
      }),
    ).rejects.toThrow();

    const committed = await db.select().from(items).where(eq(items.label, "drizzle-committed"));
    expect(committed).toHaveLength(1);
    expect(committed[0]?.qty).toBe(5);
    const seen = await labels(pool);
    expect(seen).not.toContain("drizzle-thrown");
    expect(seen).not.toContain("drizzle-rolled-back");
  });

  it("moves large payloads both ways intact", async () => {
    const big = randomBytes(1_500_000).toString("base64");
    const { rows } = await pool.query<{ len: number; same: boolean; echo: string }>(
      "select length($1::text) as len, $1::text = $1::text as same, repeat($2::text, 3000000) as echo",
      [big, "ab"],
    );
    expect(rows[0]?.len).toBe(big.length);
    expect(rows[0]?.same).toBe(true);
    expect(rows[0]?.echo.length).toBe(6_000_000);
  });

  it("survives garbage and abrupt disconnects from clients", async () => {
    const garbage = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=${PG_HOST}:${PG_PORT}`);
    garbage.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      garbage.once("open", () => resolve());
      garbage.once("error", reject);
    });
    garbage.send(Buffer.from("this is not the postgres protocol"));
    garbage.send("a text frame, too");
    await sleep(50);
    garbage.terminate();

    const notWs = await fetch(`http://127.0.0.1:${proxy.port}/v1`);
    expect(notWs.status).toBe(426);

    const { rows } = await pool.query<{ ok: boolean }>("select true as ok");
    expect(rows[0]?.ok).toBe(true);
  });

  it("refuses an address that is not on the allow-list without opening a TCP connection", async () => {
    const recorder = await startRecorder();
    try {
      const client = new Client(`postgres://postgres@127.0.0.1:${recorder.port}/test`);
      client.on("error", () => undefined);
      await expect(client.connect()).rejects.toThrow();

      const closed = await closeOf(`ws://127.0.0.1:${proxy.port}/v1?address=127.0.0.1:${recorder.port}`);
      expect(closed.code).toBe(1008);
      expect(closed.reason).toContain("not on the allow-list");

      // Same port under another host name: entries match exactly, so this is refused too.
      const alias = await closeOf(`ws://127.0.0.1:${proxy.port}/v1?address=localhost:${PG_PORT}`);
      expect(alias.code).toBe(1008);

      const missing = await closeOf(`ws://127.0.0.1:${proxy.port}/v1`);
      expect(missing.code).toBe(1008);
      expect(missing.reason).toContain("invalid address");

      await sleep(100);
      expect(recorder.connections()).toBe(0);

      // Control: the recorder does see connections when the target is allowed.
      const open = await startNeonProxy({ allow: [`127.0.0.1:${recorder.port}`] });
      try {
        const socket = new WebSocket(`ws://127.0.0.1:${open.port}/v1?address=127.0.0.1:${recorder.port}`);
        socket.on("error", () => undefined);
        await new Promise<void>((resolve) => socket.once("open", () => resolve()));
        for (let i = 0; i < 50 && recorder.connections() === 0; i++) await sleep(20);
        expect(recorder.connections()).toBe(1);
        socket.terminate();
      } finally {
        await open.close();
      }
    } finally {
      await recorder.close();
    }
  });

  it("rejects a malformed allow-list", async () => {
    await expect(startNeonProxy({ allow: ["no-port-here"] })).rejects.toThrow("invalid allow-list entry");
  });
});
