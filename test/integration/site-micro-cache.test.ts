import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { bearer } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

/**
 * The per-isolate micro-cache in front of the Worker cache (services/site-cache.ts), through the real Worker.
 * Its lifetime is raised to 60 s here so that only a purge, never its expiry, can explain a fresh page.
 */
describe("the public site's micro-cache", () => {
  let worker: TestWorker;
  let edgeOnly: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let f: SiteFixture;
  let post: { id: string };
  const path = "/pt-br/posts/micro-publico/";
  const teaser = "/pt-br/posts/micro-profissional/";

  const get = (path: string, headers: Record<string, string> = {}) => f.api(path, { headers, redirect: "manual" });
  const layerOf = (res: Response) => res.headers.get("x-vitalis-cache-layer");

  beforeAll(async () => {
    admin = await adminClient();
    const app = appDatabase();
    site = await seedTenant(admin, "micro");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    await app.pool.end();
    worker = await startWorker({ SITE_MICRO_CACHE_SECONDS: "60" });
    edgeOnly = await startWorker({ SITE_MICRO_CACHE_SECONDS: "0" });
    f = await siteFixture(admin, worker, site);
    post = await f.publish("posts", {
      title: "Vacinação de adultos",
      slug: "micro-publico",
      locale: "pt-BR",
      bodyMarkdown: "O calendário vacinal do adulto.",
    });
    await f.publish("posts", {
      title: "Ajuste de dose na insuficiência renal",
      slug: "micro-profissional",
      locale: "pt-BR",
      complianceLevel: "professional",
      excerpt: "Para médicos.",
      bodyMarkdown: "Texto só para profissionais.",
    });
  });

  afterAll(async () => {
    await Promise.allSettled([worker?.dispose(), edgeOnly?.dispose()]);
    await admin?.end();
  });

  it("answers the second anonymous read from the isolate's memory, the same bytes as the first", async () => {
    const first = await get(path);
    const body = await first.text();
    expect([first.status, first.headers.get("x-vitalis-cache"), layerOf(first)]).toEqual([200, "miss", null]);
    const second = await get(path);
    expect([second.headers.get("x-vitalis-cache"), layerOf(second)]).toEqual(["hit", "micro"]);
    expect(await second.text()).toBe(body);
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(second.headers.get("cache-control")).toBe(first.headers.get("cache-control"));
    expect(second.headers.get("cache-tag")).toContain(`content:${post.id}`);
    expect(second.headers.get("age")).toMatch(/^\d+$/);
  });

  it("answers a URL it answered from memory again before the app: the same answer, a request id of its own", async () => {
    await (await get(path)).text();
    const served = await get(path);
    const body = await served.text();
    expect(layerOf(served)).toBe("micro");
    const again = await get(path);
    expect(await again.text()).toBe(body);
    for (const name of [
      "content-type",
      "etag",
      "cache-control",
      "cache-tag",
      "x-vitalis-cache",
      "x-vitalis-cache-layer",
    ])
      expect(again.headers.get(name), name).toBe(served.headers.get(name));
    for (const name of [
      "strict-transport-security",
      "content-security-policy",
      "x-frame-options",
      "x-content-type-options",
    ])
      expect(again.headers.get(name), name).toBe(served.headers.get(name));
    expect(again.headers.get("age")).toMatch(/^\d+$/);
    expect(again.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.headers.get("x-request-id")).not.toBe(served.headers.get("x-request-id"));
  });

  it("answers from memory before the app only an anonymous reader of that very URL on that very host", async () => {
    for (let i = 0; i < 3; i++) await (await get(path)).text();
    // A bearer token reaches the app, which refuses one that does not verify: never the page in memory.
    const badToken = await get(path, { authorization: "Bearer not.a.token" });
    expect(badToken.status).toBe(401);
    await badToken.text();
    // Any cookie reaches the app: a session cookie, even one that no longer verifies, is never served the shared copy.
    const withCookie = await get(path, { cookie: "__Host-vitalis_site=stale.session.cookie" });
    expect(withCookie.headers.get("cache-control")).toBe("private, no-store");
    expect(withCookie.headers.get("x-vitalis-cache-layer")).toBeNull();
    await withCookie.text();
    // The same path on another tenant's host is that tenant's (which has no such page).
    const other = await seedTenant(admin, "micro-other");
    const elsewhere = await worker.fetch(path, { host: other.hostname, redirect: "manual" });
    expect(elsewhere.status).toBe(404);
    await elsewhere.text();
  });

  it("answers a matching If-None-Match from memory with a 304 and no body", async () => {
    const etag = (await get(path)).headers.get("etag")!;
    const conditional = await get(path, { "if-none-match": etag });
    expect([conditional.status, layerOf(conditional)]).toEqual([304, "micro"]);
    expect(conditional.headers.get("etag")).toBe(etag);
    expect(conditional.headers.get("content-type")).toBeNull();
    expect(await conditional.text()).toBe("");
  });

  it("never keeps what is private: a professional teaser, search results, a signed-in reader's page", async () => {
    for (const target of [teaser, "/pt-br/search?q=vacina"]) {
      await (await get(target)).text();
      const again = await get(target);
      expect(again.headers.get("cache-control"), target).toBe("private, no-store");
      expect(layerOf(again), target).toBeNull();
      expect(again.headers.get("x-vitalis-cache"), target).not.toBe("hit");
      await again.text();
    }
    // A signed-in reader never gets the anonymous copy in memory, nor leaves theirs there.
    const signedIn = await get(teaser, bearer(f.tokens.professional));
    expect(await signedIn.text()).toContain("Texto só para profissionais.");
    expect([signedIn.headers.get("x-vitalis-cache"), layerOf(signedIn)]).toEqual(["bypass", null]);
    const anonymous = await get(teaser);
    expect(await anonymous.text()).not.toContain("Texto só para profissionais.");
    expect(layerOf(anonymous)).toBeNull();
    const own = await get(path, bearer(f.tokens.professional));
    expect([own.headers.get("x-vitalis-cache"), layerOf(own)]).toEqual(["bypass", null]);
  });

  it("says when the Worker cache answered, and answers its 304 too", async () => {
    const get2 = (headers: Record<string, string> = {}) => edgeOnly.fetch(path, { host: site.hostname, headers });
    await (await get2()).text();
    const hit = await get2();
    expect([hit.headers.get("x-vitalis-cache"), layerOf(hit)]).toEqual(["hit", "edge"]);
    const etag = hit.headers.get("etag")!;
    await hit.text();
    const conditional = await get2({ "if-none-match": etag });
    expect([conditional.status, layerOf(conditional)]).toEqual([304, "edge"]);
    expect(await conditional.text()).toBe("");
  });

  it("is cleared by a purge in the isolate that runs it", async () => {
    await (await get(path)).text();
    const before = await get(path);
    expect(layerOf(before)).toBe("micro");
    await before.text();
    const back = await f.move("posts", post.id, { to: "draft", reason: "Rever o calendário." });
    expect(back.status).toBe(200);
    // Held for 60 s otherwise: only the purge can make the page go within `eventually`'s 5 s.
    await eventually(async () => expect((await get(path)).status).toBe(404));
  });
});
