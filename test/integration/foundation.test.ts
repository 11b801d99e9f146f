import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashAdapter } from "../../local-cloud/index.js";
import { startWorker, type TestWorker } from "../support/worker.js";

describe("the Worker's foundation", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(() => worker?.dispose());

  it("answers /healthz without dependencies, with security headers and a request id", async () => {
    const res = await worker.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d{8}/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers /healthz before the app exactly as the app's own route does", async () => {
    // `/healthz?probe` is not the fast path's exact URL, so the app's middleware and route answer it.
    const [fast, routed] = [await worker.fetch("/healthz"), await worker.fetch("/healthz?probe")];
    expect([fast.status, routed.status]).toEqual([200, 200]);
    expect(await fast.json()).toEqual(await routed.json());
    for (const name of [
      "cache-control",
      "strict-transport-security",
      "x-content-type-options",
      "referrer-policy",
      "x-frame-options",
      "cross-origin-opener-policy",
      "cross-origin-resource-policy",
      "permissions-policy",
      "content-security-policy",
    ])
      expect(fast.headers.get(name), name).toBe(routed.headers.get(name));
  });

  it("answers with a request id of its own, never the client's", async () => {
    for (const sent of ["edge-1234abcd", "<script>alert(1)</script>"]) {
      const res = await worker.fetch("/healthz", { headers: { "X-Request-Id": sent } });
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("reports PostgreSQL, Redis and S3 up on /readyz, each with a latency", async () => {
    const res = await worker.fetch("/readyz");
    const body = (await res.json()) as {
      status: string;
      down: string[];
      checks: Record<string, { status: string; latencyMs: number }>;
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe("ready");
    expect(body.down).toEqual([]);
    for (const name of ["postgres", "redis", "s3"]) {
      expect(body.checks[name]?.status).toBe("up");
      expect(typeof body.checks[name]?.latencyMs).toBe("number");
    }
  });

  it("answers unknown API paths with a problem+json 404 whose instance is the request id", async () => {
    const res = await worker.fetch("/api/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 404, code: "not_found", type: "urn:vitalis:problem:not_found" });
    expect(problem.instance).toBe(res.headers.get("x-request-id"));
  });

  it("publishes an OpenAPI 3.1 document and a readable reference page", async () => {
    const doc = (await (await worker.fetch("/api/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz"]));
    const page = await worker.fetch("/api/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain("/readyz");
    expect(html).toContain('lang="en"');
  });
});

describe("when a dependency is down or misconfigured", () => {
  it("answers /readyz 503 naming redis when the Redis adapter stops, and keeps serving /healthz", async () => {
    const env = (await import("vitest")).inject("testEnvironment");
    const adapter = await startUpstashAdapter({ token: env.upstashToken, redisUrl: env.redisUrl });
    const worker = await startWorker({ UPSTASH_REDIS_REST_URL: adapter.url });
    try {
      expect((await worker.fetch("/readyz")).status).toBe(200);
      await adapter.close();
      const res = await worker.fetch("/readyz");
      const body = (await res.json()) as { down: string[]; checks: Record<string, { status: string }> };
      expect(res.status).toBe(503);
      expect(body.down).toEqual(["redis"]);
      expect(body.checks.postgres?.status).toBe("up");
      expect((await worker.fetch("/healthz")).status).toBe(200);
    } finally {
      await worker.dispose();
      await adapter.close().catch(() => undefined);
    }
  });

  it("names a missing variable on /readyz and answers other routes with a generic problem, never a crash", async () => {
    const worker = await startWorker({ DATABASE_URL: undefined, S3_BUCKET: "Not A Bucket!" });
    try {
      const ready = await worker.fetch("/readyz");
      const body = (await ready.json()) as { down: string[]; checks: Record<string, { reason?: string }> };
      expect(ready.status).toBe(503);
      expect(body.down).toEqual(["postgres", "s3"]);
      expect(body.checks.postgres?.reason).toContain("DATABASE_URL");
      expect(body.checks.s3?.reason).toContain("S3_BUCKET");

      const res = await worker.fetch("/api/anything");
      expect(res.status).toBe(500);
      const problem = (await res.json()) as Record<string, unknown>;
      expect(problem.code).toBe("config_invalid");
      expect(JSON.stringify(problem)).not.toMatch(/DATABASE_URL|stack|at \w+ \(/);
      expect((await worker.fetch("/healthz")).status).toBe(200);
    } finally {
      await worker.dispose();
    }
  });
});
