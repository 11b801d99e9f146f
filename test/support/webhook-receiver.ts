/** A webhook receiver for the tests: a plain HTTP server on loopback (the Worker may call it with WEBHOOK_ALLOW_LOOPBACK_HTTP). */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that records what it is sent and answers as told (200 unless `script` says otherwise). */
export async function startReceiver() {
  const received: Received[] = [];
  // What each path answers next, first in first out; 200 once its list is empty.
  const script = new Map<string, Array<{ status: number; body?: string; location?: string }>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = script.get(req.url ?? "/")?.shift() ?? { status: 200, body: "ok" };
      res.writeHead(next.status, {
        "content-type": "text/plain",
        ...(next.location ? { location: next.location } : {}),
      });
      res.end(next.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    script,
    at: (path: string) => received.filter((request) => request.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
