import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Pool, neon, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  isReachable,
  startEmbeddedPostgres,
  startNeonHttp,
  startNeonProxy,
  type EmbeddedPostgres,
  type NeonProxy,
} from "../../local-cloud/index.js";

let dataDir: string;
let pg: EmbeddedPostgres;
let proxy: NeonProxy;

function url(target: EmbeddedPostgres): string {
  return `postgres://postgres@${target.host}:${target.port}/postgres`;
}

describe("embedded PGlite behind the Neon proxy", () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "vitalis-pglite-"));
    pg = await startEmbeddedPostgres({ dataDir });
    proxy = await startNeonProxy({ allow: [`${pg.host}:${pg.port}`] });
    neonConfig.webSocketConstructor = WebSocket;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    neonConfig.wsProxy = (host: string, port: number | string): string =>
      `127.0.0.1:${proxy.port}/v1?address=${host}:${port}`;
  });

  afterAll(async () => {
    await proxy?.close();
    await pg?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("listens as soon as start resolves", async () => {
    expect(pg.host).toBe("127.0.0.1");
    expect(pg.port).toBeGreaterThan(0);
    expect(await isReachable(pg.host, pg.port)).toBe(true);
  });

  it("answers queries and transactions from the Neon driver", async () => {
    const client = new Client(url(pg));
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number; v: string }>("select 40 + $1::int as n, $2::text as v", [
        2,
        "olá 🩺",
      ]);
      expect(rows).toEqual([{ n: 42, v: "olá 🩺" }]);
      await client.query("create table if not exists notes (id serial primary key, body text not null)");
      await client.query("begin");
      await client.query("insert into notes (body) values ('kept')");
      await client.query("commit");
      await client.query("begin");
      await client.query("insert into notes (body) values ('discarded')");
      await client.query("rollback");
      const notes = await client.query<{ body: string }>("select body from notes order by id");
      expect(notes.rows.map((r) => r.body)).toEqual(["kept"]);
    } finally {
      await client.end();
    }
  });

  it("serves a Pool with more than one connection", async () => {
    const pool = new Pool({ connectionString: url(pg), max: 3 });
    try {
      const results = await Promise.all([1, 2, 3].map((i) => pool.query<{ i: number }>("select $1::int as i", [i])));
      expect(results.map((r) => r.rows[0]?.i)).toEqual([1, 2, 3]);
    } finally {
      await pool.end();
    }
  });

  it("answers the HTTP driver through the local Neon HTTP endpoint, as npm run dev wires it", async () => {
    const http = await startNeonHttp({ allow: [`${pg.host}:${pg.port}`], maxConnections: 1 });
    neonConfig.fetchEndpoint = http.url;
    try {
      const sql = neon(url(pg));
      expect(await sql`select 40 + ${2}::int as n`).toEqual([{ n: 42 }]);
      const [, setting] = await sql.transaction(
        [sql`select set_config('app.tenant_id', 'demo', true)`, sql`select current_setting('app.tenant_id') as tenant`],
        { readOnly: true },
      );
      expect(setting).toEqual([{ tenant: "demo" }]);
      await expect(
        sql.transaction([sql`insert into notes (body) values ('half')`, sql`select 1 / 0`]),
      ).rejects.toMatchObject({ code: "22012" });
      expect(await sql`select count(*)::int as n from notes where body = 'half'`).toEqual([{ n: 0 }]);
    } finally {
      await http.close();
    }
  });

  it("stops listening on close and keeps its data for the next start", async () => {
    await pg.close();
    expect(await isReachable(pg.host, pg.port)).toBe(false);

    pg = await startEmbeddedPostgres({ dataDir });
    await proxy.close();
    proxy = await startNeonProxy({ allow: [`${pg.host}:${pg.port}`] });
    const client = new Client(url(pg));
    await client.connect();
    try {
      const notes = await client.query<{ body: string }>("select body from notes order by id");
      expect(notes.rows.map((r) => r.body)).toEqual(["kept"]);
    } finally {
      await client.end();
    }
  });
});
