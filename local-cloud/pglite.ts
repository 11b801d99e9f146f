/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WASM) behind a TCP socket, for `npm run dev` on machines
 * without a PostgreSQL server. Put the Neon proxy in front of it, exactly as for a real server.
 *
 * PGlite is a single session multiplexed over the socket connections: a second connection's query waits while
 * another connection holds a transaction. Fine for dev; not a stand-in for concurrent tests.
 */
import { mkdir } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { waitUntilReachable } from "./probe.js";

export interface EmbeddedPostgresOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where PGlite keeps its files; created if missing and reused across runs. */
  dataDir: string;
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** The socket server defaults to one connection; a Neon Pool opens several. */
const MAX_CONNECTIONS = 64;
/** PGlite takes a few seconds to boot; after start() resolves it should listen at once, but we check. */
const LISTEN_DEADLINE_MS = 15_000;
/** Postgres wire protocol (v3) constants, from the "Message Formats" chapter of the PostgreSQL docs. */
const PROTOCOL_V3 = 196_608;
const TERMINATE = 0x58; // 'X'

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = opts.host ?? "127.0.0.1";
  await mkdir(opts.dataDir, { recursive: true });
  // The content migration's accent-insensitive search needs `unaccent`, which PGlite ships as a contrib module.
  const db = await PGlite.create({ dataDir: opts.dataDir, extensions: { unaccent } });
  // PGlite listens on a private port; clients reach it through the front below.
  const inner = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: MAX_CONNECTIONS });
  let front: TerminatingFront | null = null;
  try {
    await inner.start();
    const innerPort = listeningPort(inner.getServerConn());
    if (!(await waitUntilReachable("127.0.0.1", innerPort, LISTEN_DEADLINE_MS))) {
      throw new Error(`pglite: socket server on 127.0.0.1:${innerPort} did not start listening`);
    }
    front = await startTerminatingFront(host, opts.port ?? 0, innerPort);
    const { port } = front;
    let closing: Promise<void> | null = null;
    const started = front;
    return {
      host,
      port,
      close(): Promise<void> {
        closing ??= stop(started, inner, db);
        return closing;
      },
    };
  } catch (err) {
    await stop(front, inner, db);
    throw err;
  }
}

function listeningPort(conn: string): number {
  const port = Number(conn.slice(conn.lastIndexOf(":") + 1));
  if (!Number.isInteger(port) || port <= 0) throw new Error(`pglite: unexpected server address "${conn}"`);
  return port;
}

async function stop(front: TerminatingFront | null, inner: PGLiteSocketServer, db: PGlite): Promise<void> {
  try {
    await front?.close();
    await inner.stop();
  } finally {
    if (!db.closed) await db.close();
  }
}

interface TerminatingFront {
  port: number;
  close(): Promise<void>;
}

/**
 * pglite-socket ignores the client's Terminate message and keeps the socket open, while pg-style clients
 * (the Neon driver included) wait for the server to hang up before `end()` resolves. This TCP front pipes
 * bytes unchanged and closes the connection once it has forwarded a Terminate, as PostgreSQL does.
 */
async function startTerminatingFront(host: string, port: number, innerPort: number): Promise<TerminatingFront> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: innerPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => undefined);
      s.once("close", () => sockets.delete(s));
    }
    const detector = new TerminateDetector();
    client.on("data", (chunk: Buffer) => {
      const terminated = detector.push(chunk);
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
      if (terminated) {
        client.end();
        upstream.end();
      }
    });
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  server.on("error", () => undefined);
  const actualPort = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("pglite: no TCP address"));
      else resolve(address.port);
    });
  });
  return {
    port: actualPort,
    close: (): Promise<void> =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Follows frontend message boundaries: first untyped startup-phase packets (length, code: SSLRequest,
 * GSSENCRequest, then StartupMessage), then typed messages (type byte, length). Reports a Terminate.
 */
class TerminateDetector {
  private phase: "startup" | "typed" | "lost" = "startup";
  private header: Buffer = Buffer.alloc(0);
  private skip = 0;

  push(chunk: Buffer): boolean {
    let offset = 0;
    while (offset < chunk.length && this.phase !== "lost") {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - offset);
        this.skip -= n;
        offset += n;
        continue;
      }
      const need = this.phase === "startup" ? 8 : 5;
      const take = Math.min(need - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length < need) break;
      if (this.phase === "startup") {
        const length = this.header.readInt32BE(0);
        const code = this.header.readInt32BE(4);
        this.skip = length - 8;
        if (code === PROTOCOL_V3) this.phase = "typed";
        if (length < 8) this.phase = "lost";
      } else {
        const type = this.header[0];
        const length = this.header.readInt32BE(1);
        if (type === TERMINATE) return true;
        this.skip = length - 4;
        if (length < 4) this.phase = "lost";
      }
      this.header = Buffer.alloc(0);
    }
    return false;
  }
}
