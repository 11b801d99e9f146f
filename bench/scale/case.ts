/**
 * What a scale case is. `npm run bench:scale` (bench/scale.ts) imports every file in bench/scale/cases/ (each a
 * list of cases, `export default [...] satisfies ScaleCase[]`), loads each scale, and runs every case against
 * it: `setup` once, then `run` a few times unmeasured and `samples` times measured, one after another, then
 * `teardown`.
 */
import { request as httpRequest } from "node:http";
import type pg from "pg";
import type { Stack } from "../../test/support/stack.js";
import type { TestWorker } from "../../test/support/worker.js";
import type { LoadedTenant } from "./load.js";

export interface ScaleResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ScaleContext {
  scale: number;
  tenant: LoadedTenant;
  /** Superuser connection to the run's database (set-up and inspection only). */
  admin: pg.Client;
  stack: Stack;
  /** The Worker under measurement (workerd, listening on `baseUrl`). */
  worker: TestWorker;
  baseUrl: string;
  /** Unmeasured runs, then measured samples, of a case that does not set its own `samples`. */
  warmUp: number;
  samples: number;
  /** Bearer tokens of this tenant's staff, signed in through the Worker. */
  tokens: { editor: string; officer: string };
  /** One request to the Worker with this tenant's Host; throws unless the status is `expect` (200 by default). */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string; expect?: number },
  ): Promise<ScaleResponse>;
}

export interface ScaleCase {
  name: string;
  /** Measured samples per scale (default 25). */
  samples?: number;
  /** Once per scale, before the samples (not measured). */
  setup?(ctx: ScaleContext): Promise<void>;
  /**
   * One sample. The harness times the call; a case that must leave part of its work out of the figure (its own
   * set-up per sample) returns the milliseconds it measured itself.
   */
  run(ctx: ScaleContext, index: number): Promise<number | void>;
  /** Once per scale, after the samples (not measured): waits for what the case left running. */
  teardown?(ctx: ScaleContext): Promise<void>;
  /** Another case's name: the harness also prints this case's p95 against that one's, scale by scale. */
  p95Against?: string;
  /** A GET whose PostgreSQL round trips the meter counts per request (public pages keep this at one). */
  meter?(ctx: ScaleContext): { path: string; headers?: Record<string, string> };
}

/** The common case: one GET, expected to answer 200. */
export function getCase(
  name: string,
  target: (ctx: ScaleContext) => { path: string; headers?: Record<string, string> },
  options: { samples?: number; meter?: boolean } = {},
): ScaleCase {
  return {
    name,
    ...(options.samples ? { samples: options.samples } : {}),
    async run(ctx) {
      const { path, headers } = target(ctx);
      await ctx.request(path, headers ? { headers } : {});
    },
    ...(options.meter === false ? {} : { meter: target }),
  };
}

/** `ScaleContext.request` over node:http (fetch would not let the Host header choose the tenant). */
export function requestOver(baseUrl: string, hostname: string): ScaleContext["request"] {
  let sent = 0;
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, baseUrl);
      const outgoing = httpRequest(
        url,
        {
          method: init.method ?? "GET",
          // Anonymous readers come from many addresses (per-IP limits must not shape the figures); staff from one.
          headers: {
            host: hostname,
            "cf-connecting-ip": init.headers?.authorization ? "198.51.100.250" : `198.51.100.${1 + (sent++ % 200)}`,
            ...init.headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const expected = init.expect ?? 200;
            if (response.statusCode !== expected) {
              reject(
                new Error(`${init.method ?? "GET"} ${path} answered ${response.statusCode}: ${body.slice(0, 300)}`),
              );
              return;
            }
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
          });
        },
      );
      outgoing.on("error", reject);
      if (init.body !== undefined) outgoing.write(init.body);
      outgoing.end();
    });
}
