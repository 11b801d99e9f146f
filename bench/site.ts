/**
 * Public-site benchmark cases for bench/run.ts: an article page served from the Worker cache, and the same
 * page, the home page and the RSS feed rendered on every request (the Worker cache turned off with
 * SITE_CACHE_SECONDS=0), each compared with the hello-world baseline measured in the same run.
 *
 * The database meter (`startDatabaseMeter`) is what Workers under measurement reach PostgreSQL through: a
 * Neon HTTP endpoint of its own, which counts requests (one round trip each, a batch included), and a counting
 * relay in front of the stack's Neon proxy, which counts the Postgres protocol round trips over WebSockets
 * (each Sync or simple Query waits for ReadyForQuery) and the WebSocket connections.
 *
 * Wiring (bench/run.ts): `results.push(...(await siteBenchCases(stack, meter)))` after the baseline run; the
 * ratios come from `withRatios(baseline, results)` like every other case.
 */
import { createServer, get as httpGet } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { WebSocket, WebSocketServer } from "ws";
import { type NeonHttpEndpoint, startNeonHttp } from "../local-cloud/index.js";
import { PG_HOST, PG_PORT } from "../test/support/environment.js";
import type { Stack } from "../test/support/stack.js";
import { createWorker } from "../test/support/worker.js";
import { BENCH_SECONDS, benchPort, type CaseResult, load, warm } from "./harness.js";

const CACHED_PORT = benchPort(8811);
const UNCACHED_PORT = benchPort(8812);

interface CountingRelay {
  port: number;
  roundTrips(): number;
  connections(): number;
  close(): Promise<void>;
}

/** A WebSocket relay that counts the Postgres frontend messages that end a round trip ('S' Sync, 'Q' Query). */
async function startCountingRelay(target: string): Promise<CountingRelay> {
  let roundTrips = 0;
  let connections = 0;
  const server = createServer();
  const wss = new WebSocketServer({ server, path: "/v1", perMessageDeflate: false });
  wss.on("connection", (client, request) => {
    connections++;
    const upstream = new WebSocket(`ws://${target.replace(/\/v1$/, "")}${request.url ?? "/v1"}`, {
      perMessageDeflate: false,
    });
    const queued: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let startup = true;
    const count = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (startup) {
          // The startup (or SSL request) message has no type byte: int32 length, then the body.
          if (pending.length < 4) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          pending = pending.subarray(length);
          startup = false;
          continue;
        }
        if (pending.length < 5) return;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        const type = String.fromCharCode(pending[0]!);
        if (type === "S" || type === "Q") roundTrips++;
        pending = pending.subarray(1 + length);
      }
    };
    client.on("message", (data: Buffer) => {
      count(data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data);
      else queued.push(data);
    });
    upstream.on("open", () => {
      for (const data of queued.splice(0)) upstream.send(data);
    });
    upstream.on("message", (data: Buffer) => client.readyState === WebSocket.OPEN && client.send(data));
    upstream.on("close", () => client.close());
    upstream.on("error", () => client.terminate());
    client.on("close", () => upstream.close());
    client.on("error", () => upstream.terminate());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    roundTrips: () => roundTrips,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

async function seedArticle(adminDatabaseUrl: string): Promise<{ hostname: string; path: string }> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    const hostname = `bench-site-${Date.now().toString(36)}.test`;
    const tenant = await client.query<{ id: string }>(
      "insert into tenants (slug, name) values ($1, 'Bench clinic') returning id",
      [hostname.split(".")[0]],
    );
    const tenantId = tenant.rows[0]!.id;
    await client.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    const user = await client.query<{ id: string }>(
      "insert into users (email, display_name) values ($1, 'Dra. Bench') returning id",
      [`author@${hostname}`],
    );
    const userId = user.rows[0]!.id;
    await client.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'dra-bench')", [
      tenantId,
      userId,
    ]);
    const paragraph =
      "<p>A hipertensão arterial é uma condição crônica comum; medir a pressão regularmente ajuda a controlá-la.</p>";
    // The article, and eleven more posts so the home page and the feed list a full page (PAGE_SIZE is 10).
    await client.query(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at,
         last_medically_reviewed_at, reviewed_by, reviewer_name, reviewer_crm, reviewer_uf)
       select $1, 'post', 'Hipertensão arterial: guia' || case when n = 0 then '' else ' ' || n end,
         case when n = 0 then 'hipertensao' else 'hipertensao-' || n end, $2, 'Um guia.', 'pt-BR', $3, 'published',
         now() - make_interval(mins => n), now(), $3, 'Dra. Bench', '123456', 'SP'
       from generate_series(0, 11) n`,
      [tenantId, `<h2>O que é</h2>${paragraph.repeat(30)}`, userId],
    );
    return { hostname, path: "/pt-br/posts/hipertensao/" };
  } finally {
    await client.end();
  }
}

export interface DatabaseMeter {
  /** The bindings that route a Worker's database traffic through the meter. */
  bindings: { NEON_HTTP_ENDPOINT: string; NEON_WS_PROXY: string };
  /**
   * PostgreSQL round trips (HTTP requests + WebSocket round trips) and new WebSocket connections per request,
   * from `samples` sequential GETs of `url` (which must answer 200), as a note for the report.
   */
  measure(url: string, headers: Record<string, string>, samples?: number): Promise<string>;
  close(): Promise<void>;
}

/** Waits until `count` stops moving for half a second (at most 15 s). */
async function quiet(count: () => number): Promise<void> {
  let last = count();
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = count();
    if (now === last) return;
    last = now;
  }
}

export async function startDatabaseMeter(stack: Stack): Promise<DatabaseMeter> {
  const relay = await startCountingRelay(stack.environment.neonProxy);
  const http: NeonHttpEndpoint = await startNeonHttp({ allow: [`${PG_HOST}:${PG_PORT}`] });
  return {
    bindings: { NEON_HTTP_ENDPOINT: http.url, NEON_WS_PROXY: `127.0.0.1:${relay.port}/v1` },
    async measure(url, headers, samples = 20) {
      // Requests of the load just run (warm-up included) may still be in the Worker: count only once it is quiet.
      await quiet(() => http.requests + relay.roundTrips() + relay.connections());
      const [httpBefore, tripsBefore, connectionsBefore] = [http.requests, relay.roundTrips(), relay.connections()];
      for (let i = 0; i < samples; i++) {
        // node:http rather than fetch: fetch may not set Host, which selects the tenant.
        const status = await new Promise<number>((resolve, reject) => {
          httpGet(url, { headers }, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          }).on("error", reject);
        });
        if (status !== 200) throw new Error(`${url} answered ${status}`);
      }
      const perRequest = (n: number) => n / samples;
      const overHttp = perRequest(http.requests - httpBefore);
      const overWs = perRequest(relay.roundTrips() - tripsBefore);
      const connections = perRequest(relay.connections() - connectionsBefore);
      return `${(overHttp + overWs).toFixed(1)} PostgreSQL round trips (${overHttp.toFixed(1)} HTTP, ${overWs.toFixed(1)} WebSocket) + ${connections.toFixed(1)} WebSocket connections per request`;
    },
    async close() {
      await Promise.allSettled([relay.close(), http.close()]);
    },
  };
}

export async function siteBenchCases(stack: Stack, meter: DatabaseMeter): Promise<CaseResult[]> {
  const { hostname, path } = await seedArticle(stack.environment.adminDatabaseUrl);
  const headers = { host: hostname };
  const cached = await createWorker(stack.environment, meter.bindings, { port: CACHED_PORT });
  const uncached = await createWorker(
    stack.environment,
    { ...meter.bindings, SITE_CACHE_SECONDS: "0" },
    { port: UNCACHED_PORT },
  );
  try {
    const cachedUrl = `http://127.0.0.1:${CACHED_PORT}${path}`;
    await warm(cachedUrl, headers);
    const hitTrips = await meter.measure(cachedUrl, headers);
    const hit = await load("site article, Worker cache hit", { url: cachedUrl, headers });

    const uncachedUrl = `http://127.0.0.1:${UNCACHED_PORT}${path}`;
    await warm(uncachedUrl, headers);
    // Measured on sequential requests after warm-up (the tenant and primary-hostname lookups are memoised per
    // isolate, as they are in production).
    const renderTrips = await meter.measure(uncachedUrl, headers);
    const render = await load("site article, rendered (no Worker cache)", { url: uncachedUrl, headers });
    const lists: CaseResult[] = [];
    for (const [name, listPath] of [
      ["site home page (10 posts), rendered", "/pt-br/"],
      ["site RSS feed (10 posts), rendered", "/pt-br/feed.xml"],
    ]) {
      const url = `http://127.0.0.1:${UNCACHED_PORT}${listPath}`;
      await warm(url, headers);
      const trips = await meter.measure(url, headers);
      lists.push({ ...(await load(name!, { url, headers })), notes: trips });
    }
    return [
      { ...hit, target: ">= 0.80", notes: hitTrips },
      { ...render, target: ">= 0.30", notes: `${renderTrips}; ${BENCH_SECONDS} s` },
      ...lists,
    ];
  } finally {
    await Promise.allSettled([cached.dispose(), uncached.dispose()]);
  }
}
