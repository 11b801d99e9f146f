/**
 * A local stand-in for the one Cloudflare API call the Worker makes: purge by Cache-Tag,
 * `POST /client/v4/zones/{zone_id}/purge_cache` with `{"tags": [...]}`. It checks the bearer token and the zone,
 * refuses more than 30 tags a call and an empty list, and answers in Cloudflare's envelope
 * (`{ success, errors, messages, result }`). Every accepted call is recorded, so tests and `npm run dev` can see
 * which tags were purged: `GET /__calls` lists them (`DELETE /__calls` forgets them), and `POST /__fail?times=n`
 * makes the next n calls answer a 503, as the API does when it is down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CloudflareApiOptions {
  /** The zone the token may purge (32 hex characters). */
  zoneId: string;
  /** The API token the Worker must present as `Authorization: Bearer …`. */
  token: string;
  host?: string;
  port?: number;
}

export interface PurgeCall {
  zoneId: string;
  tags: string[];
  at: string;
}

export interface CloudflareApi {
  /** The Worker's CLOUDFLARE_API_BASE, e.g. http://127.0.0.1:41234. */
  url: string;
  zoneId: string;
  token: string;
  calls: PurgeCall[];
  close(): Promise<void>;
}

const MAX_TAGS = 30;

function envelope(
  res: ServerResponse,
  status: number,
  body: { success: boolean; errors?: unknown[]; result?: unknown },
) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(
    JSON.stringify({ success: body.success, errors: body.errors ?? [], messages: [], result: body.result ?? null }),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startCloudflareApi(options: CloudflareApiOptions): Promise<CloudflareApi> {
  const calls: PurgeCall[] = [];
  let failNext = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname === "/__calls") {
        if (req.method === "DELETE") calls.length = 0;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(calls));
        return;
      }
      if (url.pathname === "/__fail" && req.method === "POST") {
        failNext = Number(url.searchParams.get("times") ?? "1");
        res.writeHead(204).end();
        return;
      }
      const match = /^\/client\/v4\/zones\/([^/]+)\/purge_cache$/.exec(url.pathname);
      if (!match || req.method !== "POST") {
        envelope(res, 404, { success: false, errors: [{ code: 7003, message: "Could not route to the path" }] });
        return;
      }
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        envelope(res, 403, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
        return;
      }
      if (match[1] !== options.zoneId) {
        envelope(res, 403, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
        return;
      }
      if (failNext > 0) {
        failNext -= 1;
        envelope(res, 503, { success: false, errors: [{ code: 10013, message: "Service unavailable" }] });
        return;
      }
      let body: { tags?: unknown };
      try {
        body = JSON.parse(await readBody(req)) as { tags?: unknown };
      } catch {
        envelope(res, 400, { success: false, errors: [{ code: 1012, message: "Request must contain JSON" }] });
        return;
      }
      const tags = body.tags;
      if (
        !Array.isArray(tags) ||
        tags.length === 0 ||
        tags.length > MAX_TAGS ||
        !tags.every((t) => typeof t === "string")
      ) {
        envelope(res, 400, {
          success: false,
          errors: [{ code: 1015, message: `tags must be 1 to ${MAX_TAGS} strings` }],
        });
        return;
      }
      calls.push({ zoneId: match[1], tags: tags as string[], at: new Date().toISOString() });
      envelope(res, 200, { success: true, result: { id: crypto.randomUUID().replaceAll("-", "") } });
    })().catch(() => {
      if (!res.headersSent)
        envelope(res, 500, { success: false, errors: [{ code: 10001, message: "Internal error" }] });
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    zoneId: options.zoneId,
    token: options.token,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
