import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NeonHttpEndpoint, type NeonProxy, startNeonHttp, startNeonProxy } from "../../local-cloud/index.js";
import { PG_HOST, PG_PORT } from "../support/environment.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

/**
 * RFC 5861 §4 stale-if-error: when PostgreSQL cannot be reached, readers keep getting the pages the Worker
 * has cached instead of errors. The Worker here reaches PostgreSQL through a Neon proxy and a Neon HTTP endpoint
 * of this test's own, so the test can take the database away from it (and from nobody else).
 */
describe("the public site when the database is unreachable", () => {
  let proxy: NeonProxy;
  let http: NeonHttpEndpoint;
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;

  const get = (path: string) => worker.fetch(path, { host: site.hostname });

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "stale");
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'membro')", [
      site.id,
      site.userId,
    ]);
    for (const [title, slug] of [
      ["Gripe: quando procurar o médico", "gripe"],
      ["Dengue: sinais de alarme", "dengue"],
    ]) {
      await admin.query(
        `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at)
         values ($1, 'post', $2, $3, '<p>Texto.</p>', 'Resumo.', 'pt-BR', $4, 'published', now())`,
        [site.id, title, slug, site.userId],
      );
    }
    proxy = await startNeonProxy({ allow: [`${PG_HOST}:${PG_PORT}`] });
    http = await startNeonHttp({ allow: [`${PG_HOST}:${PG_PORT}`] });
    // One second fresh (and one of stale-while-revalidate), so a page turns stale within the test.
    worker = await startWorker({
      NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
      NEON_HTTP_ENDPOINT: http.url,
      SITE_CACHE_SECONDS: "1",
    });
  });

  afterAll(async () => {
    await worker?.dispose();
    await proxy?.close().catch(() => undefined);
    await http?.close().catch(() => undefined);
    await admin?.end();
  });

  it("serves the cached page, stale, instead of an error; an uncached page is a 503 page", async () => {
    const first = await get("/pt-br/posts/gripe/");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-vitalis-cache")).toBe("miss");
    await first.text();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const warm = await get("/pt-br/posts/gripe/");
    expect(warm.headers.get("x-vitalis-cache")).toBe("hit");
    await warm.text();

    await Promise.all([proxy.close(), http.close()]);
    // Past fresh (1 s) and stale-while-revalidate (1 s): only stale-if-error can answer now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const stale = await get("/pt-br/posts/gripe/");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-vitalis-cache")).toBe("stale");
    expect(Number(stale.headers.get("age"))).toBeGreaterThanOrEqual(2);
    expect(await stale.text()).toContain("Gripe: quando procurar o médico");

    const uncached = await get("/pt-br/posts/dengue/");
    expect(uncached.status).toBe(503);
    expect(uncached.headers.get("content-type")).toMatch(/^text\/html/);
    expect(uncached.headers.get("retry-after")).toBe("30");
    expect(uncached.headers.get("cache-control")).toBe("no-store");
    expect(await uncached.text()).toContain("Serviço temporariamente indisponível");
  });
});
