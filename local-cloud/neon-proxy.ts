/**
 * WebSocket → TCP proxy that lets `@neondatabase/serverless` reach a plain PostgreSQL server.
 *
 * Neon's driver speaks the Postgres wire protocol over a WebSocket. For local development Neon documents
 * pointing `neonConfig.wsProxy` at a proxy that takes the real target from `?address=host:port` and pipes
 * the bytes to TCP. This is that proxy, restricted to an allow-list so it can never become an open relay.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { buildAllowList, parseAddress, type Target } from "./allow-list.js";

export interface NeonProxyOptions {
  /** Interface to listen on; loopback by default so nothing outside the machine can use it. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** "host:port" targets the proxy may open TCP connections to; everything else is refused. */
  allow: string[];
}

export interface NeonProxy {
  port: number;
  close(): Promise<void>;
}

interface Bridge {
  ws: WebSocket;
  tcp: Socket | null;
}

/** WebSocket close codes from RFC 6455 §7.4.1. */
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_TOO_BIG = 1009;
const CLOSE_INTERNAL_ERROR = 1011;

/** A Postgres server that does not answer the TCP handshake in this time is treated as down. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Client frames queued while TCP connects: pause reading above the soft mark, give up above the hard cap. */
const PENDING_SOFT_LIMIT_BYTES = 256 * 1024;
const PENDING_HARD_LIMIT_BYTES = 8 * 1024 * 1024;
/** Server bytes queued in the WebSocket: stop reading TCP above HIGH, resume below LOW. */
const WS_HIGH_WATER_BYTES = 1024 * 1024;
const WS_LOW_WATER_BYTES = 256 * 1024;
/** Largest single frame accepted from a client; Postgres messages from a CMS are far smaller. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** After we half-close TCP, how long the server gets to finish before the socket is destroyed. */
const TCP_LINGER_MS = 5_000;
/** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
const MAX_CLOSE_REASON_BYTES = 123;

export async function startNeonProxy(opts: NeonProxyOptions): Promise<NeonProxy> {
  const host = opts.host ?? "127.0.0.1";
  const allowed = buildAllowList(opts.allow, "neon-proxy");
  const bridges = new Set<Bridge>();

  const server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required on /v1\n");
  });
  // A malformed request from a client must never take the proxy down.
  server.on("clientError", (_err: Error, socket: Duplex) => socket.destroy());

  const wss = new WebSocketServer({ server, path: "/v1", maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on("error", () => undefined);
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    handleConnection(ws, req, allowed, bridges);
  });

  const port = await listen(server, host, opts.port ?? 0);
  let closing: Promise<void> | null = null;
  return {
    port,
    close(): Promise<void> {
      closing ??= shutdown(server, wss, bridges);
      return closing;
    },
  };
}

function handleConnection(ws: WebSocket, req: IncomingMessage, allowed: Set<string>, bridges: Set<Bridge>): void {
  ws.on("error", () => undefined);
  const raw = new URL(req.url ?? "/", "http://proxy.invalid").searchParams.get("address");
  const target = parseAddress(raw);
  if (!target) {
    ws.close(CLOSE_POLICY_VIOLATION, closeReason(`neon-proxy: missing or invalid address "${raw ?? ""}"`));
    return;
  }
  if (!allowed.has(target.key)) {
    // Refuse before any TCP socket exists: the proxy must not be usable to probe other ports.
    ws.close(CLOSE_POLICY_VIOLATION, closeReason(`neon-proxy: address ${target.key} is not on the allow-list`));
    return;
  }
  pipe(ws, target, bridges);
}

function pipe(ws: WebSocket, target: Target, bridges: Set<Bridge>): void {
  const bridge: Bridge = { ws, tcp: null };
  bridges.add(bridge);
  const tcp = connect({ host: target.host, port: target.port });
  bridge.tcp = tcp;
  tcp.setNoDelay(true);
  tcp.setTimeout(CONNECT_TIMEOUT_MS);

  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let connected = false;
  let tcpError: Error | null = null;

  tcp.once("timeout", () => {
    if (!connected) tcp.destroy(new Error(`connect to ${target.key} timed out`));
  });
  tcp.once("connect", () => {
    connected = true;
    tcp.setTimeout(0);
    for (const chunk of pending) tcp.write(chunk);
    pending.length = 0;
    pendingBytes = 0;
    if (ws.isPaused) ws.resume();
  });

  ws.on("message", (data: RawData) => {
    const chunk = toBuffer(data);
    if (!connected) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes > PENDING_HARD_LIMIT_BYTES) {
        ws.close(CLOSE_TOO_BIG, closeReason("neon-proxy: too much data before the database connection opened"));
        tcp.destroy();
      } else if (pendingBytes > PENDING_SOFT_LIMIT_BYTES && !ws.isPaused) {
        ws.pause();
      }
      return;
    }
    if (!tcp.write(chunk) && !ws.isPaused) {
      ws.pause();
      tcp.once("drain", () => ws.resume());
    }
  });

  tcp.on("data", (chunk: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(chunk, { binary: true }, () => resumeTcpIfDrained(ws, tcp));
    if (ws.bufferedAmount > WS_HIGH_WATER_BYTES) tcp.pause();
  });

  tcp.on("error", (err: Error) => {
    tcpError = err;
  });
  tcp.once("close", () => {
    bridges.delete(bridge);
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      if (tcpError) ws.close(CLOSE_INTERNAL_ERROR, closeReason(`neon-proxy: ${target.key}: ${tcpError.message}`));
      else ws.close(CLOSE_NORMAL, "database closed the connection");
    }
  });

  ws.once("close", () => {
    bridges.delete(bridge);
    pending.length = 0;
    if (tcp.destroyed) return;
    if (!connected) {
      tcp.destroy();
      return;
    }
    tcp.end();
    setTimeout(() => tcp.destroy(), TCP_LINGER_MS).unref();
  });
  ws.on("error", () => tcp.destroy());
}

function resumeTcpIfDrained(ws: WebSocket, tcp: Socket): void {
  if (tcp.isPaused() && !tcp.destroyed && ws.bufferedAmount < WS_LOW_WATER_BYTES) tcp.resume();
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function closeReason(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return text;
  // Cut on a byte budget, then drop a possibly split trailing character.
  return bytes
    .subarray(0, MAX_CLOSE_REASON_BYTES)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") reject(new Error("neon-proxy: no TCP address"));
      else resolve(address.port);
    });
  });
}

async function shutdown(server: Server, wss: WebSocketServer, bridges: Set<Bridge>): Promise<void> {
  for (const bridge of bridges) {
    bridge.ws.terminate();
    bridge.tcp?.destroy();
  }
  bridges.clear();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
