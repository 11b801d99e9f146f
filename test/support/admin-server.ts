/**
 * Serves the real Worker bundle together with the built admin SPA (admin/dist) on a loopback port, the way
 * Cloudflare serves them: Workers static assets with `run_worker_first` (the Worker answers everything but
 * /admin and /admin/*), single-page-application fallback, and the `_headers` rules (strict CSP) that the
 * Vite build writes. A real browser (Debian's Chromium through playwright-core) then drives it.
 */
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import type { TestEnvironment } from "./environment.js";
import {
  bundleModules,
  companionWorkers,
  MAIN_WORKER_NAME,
  type TestWorker,
  testBindings,
  workerFetch,
} from "./worker.js";

export const ADMIN_DIST = new URL("../../admin/dist", import.meta.url).pathname;
/** The same routing as wrangler.toml's `[assets] run_worker_first`. */
export const RUN_WORKER_FIRST = ["/*", "!/admin", "!/admin/*"];

/** The Worker behind the SPA, usable wherever a `TestWorker` is (sign-ins, site fixtures, API calls). */
export interface AdminServer extends TestWorker {
  port: number;
  /** The browser's base URL for a tenant host, e.g. http://clinic-x.localhost:41234 */
  origin(hostname: string): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Parses a Cloudflare `_headers` file into Miniflare's asset header rules (version 2). */
export function parseHeadersFile(text: string): { version: 2; rules: Record<string, { set: Record<string, string> }> } {
  const rules: Record<string, { set: Record<string, string> }> = {};
  let current: string | null = null;
  for (const raw of text.split("\n")) {
    if (!raw.trim() || raw.trim().startsWith("#")) continue;
    if (!/^\s/.test(raw)) {
      current = raw.trim();
      rules[current] = { set: {} };
      continue;
    }
    const colon = raw.indexOf(":");
    if (current && colon > 0) rules[current]!.set[raw.slice(0, colon).trim()] = raw.slice(colon + 1).trim();
  }
  return { version: 2, rules };
}

/**
 * The browser uploads straight to S3 presigned URLs, which needs the bucket's CORS rules (PUT from the admin
 * origin, ETag exposed) — configured on the real bucket, absent from the local S3 server. This forwards
 * everything to the local S3 server unchanged (the Host header too, so SigV4 signatures still verify) and
 * answers CORS as the bucket's rules would. The Worker is pointed at it as its S3 endpoint.
 */
export async function startS3CorsProxy(target: string): Promise<{ origin: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createHttpServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> = origin
      ? {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "GET, HEAD, PUT",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "content-type",
          "access-control-expose-headers": "ETag",
          "access-control-max-age": "600",
          vary: "Origin",
        }
      : {};
    if (req.method === "OPTIONS" && origin) {
      res.writeHead(204, cors).end();
      return;
    }
    // The local S3 server applies its own (empty) CORS rules to any request carrying Origin: the proxy is
    // the bucket's CORS here, so Origin stops at it (it is not a signed header).
    const { origin: _origin, ...headers } = req.headers;
    const forward = httpRequest(
      { host: upstream.hostname, port: Number(upstream.port), method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...cors });
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function startAdminServer(
  env: TestEnvironment,
  options: { assetsDir?: string; bindings?: Record<string, string> } = {},
): Promise<AdminServer> {
  const assetsDir = options.assetsDir ?? ADMIN_DIST;
  if (!(await stat(join(assetsDir, "admin", "index.html")).catch(() => null))) {
    throw new Error(
      `The admin SPA is not built (${assetsDir}/admin/index.html is missing). Run: npx vite build --config admin/vite.config.ts`,
    );
  }
  const s3 = await startS3CorsProxy(env.s3.endpoint);
  // The deployment's bucket origin (ADMIN_UPLOAD_ORIGINS at build time) is, here, the local bucket's: serve a
  // copy of the build whose _headers names it (Miniflare reads _headers from the assets directory).
  const served = await mkdtemp(join(tmpdir(), "vitalis-admin-assets-"));
  await cp(assetsDir, served, { recursive: true });
  // The bucket serves both the uploads (connect-src) and the library's thumbnails (img-src).
  const headersText = (await readFile(join(served, "_headers"), "utf8").catch(() => ""))
    .replace(/connect-src ([^;\n]*)/g, `connect-src $1 ${s3.origin}`)
    .replace(/img-src ([^;\n]*)/g, `img-src $1 ${s3.origin}`);
  await writeFile(join(served, "_headers"), headersText);
  const headers = parseHeadersFile(headersText);
  const port = await freePort();
  const bindings: Record<string, string> = { ...testBindings(env), S3_ENDPOINT: s3.origin, ...options.bindings };
  const companions = await companionWorkers(env);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port,
      workers: [
        {
          name: MAIN_WORKER_NAME,
          modulesRoot: env.bundleDir,
          modules: await bundleModules(env.bundleDir),
          compatibilityDate: "2026-10-01",
          compatibilityFlags: ["nodejs_compat"],
          bindings,
          serviceBindings: companions.mainServiceBindings,
          assets: {
            directory: served,
            binding: "ASSETS",
            run_worker_first: RUN_WORKER_FIRST,
            // What wrangler derives from run_worker_first for Miniflare: positive rules go to the Worker,
            // negated ones to the assets.
            routerConfig: {
              has_user_worker: true,
              static_routing: {
                user_worker: RUN_WORKER_FIRST.filter((rule) => !rule.startsWith("!")),
                asset_worker: RUN_WORKER_FIRST.filter((rule) => rule.startsWith("!")).map((rule) => rule.slice(1)),
              },
            },
            assetConfig: {
              not_found_handling: "single-page-application",
              html_handling: "auto-trailing-slash",
              headers,
            },
          },
        },
        ...companions.workers,
      ],
    } as never),
  );
  await mf.ready;
  return {
    mf,
    env,
    port,
    fetch: workerFetch(mf),
    origin: (hostname) => `http://${hostname}:${port}`,
    dispose: async () => {
      await mf.dispose();
      await s3.close();
      await rm(served, { recursive: true, force: true });
    },
  };
}

/** The Chromium flags the brief fixes (Debian's /usr/bin/chromium; never a downloaded browser). */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    // *.localhost is loopback (RFC 6761) and a secure context, so the __Secure- refresh cookie works over http.
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
  ],
};
