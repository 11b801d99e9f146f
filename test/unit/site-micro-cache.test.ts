import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  cachedRender,
  type CachedRenderOptions,
  forgetMicroCached,
  microCacheUsage,
  type RenderedPage,
  renderedPage,
  sitePolicy,
} from "../../functions/services/site-cache";

/** The Cache API's contract as the site uses it (match, put, delete), in memory, counting reads. */
class MemoryCache {
  readonly stored = new Map<string, { body: string; init: ResponseInit }>();
  /** Each stored body handed out, and whether anything read it. */
  readonly served: Array<{ read: boolean }> = [];
  async match(request: Request): Promise<Response | undefined> {
    const entry = this.stored.get(request.url);
    if (!entry) return undefined;
    const response = new Response(entry.body, entry.init);
    const served = { read: false };
    this.served.push(served);
    for (const reader of ["text", "arrayBuffer", "json", "blob", "bytes"] as const) {
      const original = response[reader].bind(response);
      Object.defineProperty(response, reader, { value: () => ((served.read = true), original()) });
    }
    return response;
  }
  async put(request: Request, response: Response): Promise<void> {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    this.stored.set(request.url, { body: await response.text(), init: { status: response.status, headers } });
  }
  async delete(request: Request): Promise<boolean> {
    return this.stored.delete(request.url);
  }
}

let keys = 0;
const newKey = () => `https://cache.vitalis.internal/tenant/pt-br/page-${++keys}/`;

function setup(page: Partial<RenderedPage> = {}, policy = sitePolicy(300, 5)) {
  const cache = new MemoryCache();
  const key = newKey();
  const pending: Promise<unknown>[] = [];
  const render = vi.fn(async () =>
    renderedPage(`<p>rendered ${render.mock.calls.length}</p>`, {
      status: 200,
      contentType: "text/html; charset=utf-8",
      shareable: true,
      tags: ["tenant:t"],
      ...page,
    }),
  );
  const serve = async (ifNoneMatch?: string) => {
    const options: CachedRenderOptions = {
      cache: cache as unknown as Cache,
      key,
      policy,
      ifNoneMatch,
      render,
      waitUntil: (promise) => pending.push(promise),
      onBackgroundError: (error) => {
        throw error;
      },
    };
    const result = await cachedRender(options);
    await Promise.all(pending.splice(0));
    return result;
  };
  return { cache, key, render, serve };
}

afterEach(() => vi.useRealTimers());

describe("the site's micro-cache in front of the Worker cache", () => {
  it("answers the second read from the isolate's memory, without reading the Worker cache", async () => {
    const { cache, render, serve } = setup();
    const first = await serve();
    expect([first.state, first.layer]).toEqual(["miss", null]);
    const before = cache.served.length;
    const second = await serve();
    expect([second.state, second.layer]).toEqual(["hit", "micro"]);
    expect(second.page.body).toBe(first.page.body);
    expect(cache.served.length).toBe(before);
    expect(render).toHaveBeenCalledTimes(1);
  });

  it("asks the Worker cache again once the micro-cache's seconds are over", async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ["Date"] });
    const { serve } = setup();
    await serve();
    vi.setSystemTime(1_000_000 + 5_000);
    const later = await serve();
    expect([later.state, later.layer, later.ageSeconds]).toEqual(["hit", "edge", 5]);
    expect((await serve()).layer).toBe("micro");
  });

  it("never keeps a page in memory past its freshness in the Worker cache", async () => {
    vi.useFakeTimers({ now: 2_000_000, toFake: ["Date"] });
    const { render, serve } = setup({}, sitePolicy(2, 5));
    await serve();
    vi.setSystemTime(2_000_000 + 2_500);
    const stale = await serve();
    expect([stale.state, stale.layer]).toEqual(["stale", "edge"]);
    expect(render).toHaveBeenCalledTimes(2);
  });

  it("answers a matching If-None-Match from the Worker cache without reading the stored body", async () => {
    const { cache, key, serve } = setup();
    const first = await serve();
    forgetMicroCached([key]);
    const conditional = await serve(first.page.etag);
    expect([conditional.state, conditional.layer, conditional.notModified]).toEqual(["hit", "edge", true]);
    expect(conditional.page.body.byteLength).toBe(0);
    expect(cache.served.at(-1)!.read).toBe(false);
    // Nothing was read, so nothing was put in memory: the next read still asks the Worker cache.
    expect((await serve()).layer).toBe("edge");
    expect((await serve(first.page.etag)).notModified).toBe(true);
  });

  it("keeps neither private pages nor failures in memory", async () => {
    for (const page of [{ shareable: false }, { status: 404 }]) {
      const { serve } = setup(page);
      await serve();
      const again = await serve();
      expect([again.state, again.layer], JSON.stringify(page)).toEqual(["miss", null]);
    }
  });

  it("is skipped when no cache may be used (a signed-in reader), and off at 0 seconds", async () => {
    const { render, key } = setup();
    const options = (policy = sitePolicy(300, 5)) => ({
      cache: null,
      key,
      policy,
      render,
      waitUntil: () => undefined,
      onBackgroundError: () => undefined,
    });
    for (let i = 0; i < 2; i++) expect((await cachedRender(options())).layer).toBeNull();
    const off = setup({}, sitePolicy(300, 0));
    await off.serve();
    expect((await off.serve()).layer).toBe("edge");
  });

  it("forgets a purged key at once", async () => {
    const { cache, key, serve } = setup();
    await serve();
    expect((await serve()).layer).toBe("micro");
    forgetMicroCached([key]);
    await cache.delete(new Request(key));
    expect((await serve()).state).toBe("miss");
  });

  it("keeps a page as the UTF-8 bytes its ETag hashes, counted at their size", async () => {
    const text = `<p>${"y".repeat(100_000)} ã</p>`;
    const page = await renderedPage(text, { status: 200, contentType: "text/html", shareable: true, tags: [] });
    expect(new TextDecoder().decode(page.body)).toBe(text);
    const digest = createHash("sha256").update(page.body).digest("hex");
    expect(page.etag).toBe(`"${digest.slice(0, 32)}"`);
    const { render, serve } = setup();
    render.mockImplementation(async () => page);
    const before = microCacheUsage().bytes;
    await serve();
    expect((await serve()).page.body).toBe(page.body);
    // 100,010 bytes of UTF-8, where the same text as a string is 100,009 UTF-16 code units (200,018 bytes).
    const added = microCacheUsage().bytes - before;
    expect(added).toBeGreaterThanOrEqual(100_010);
    expect(added).toBeLessThan(100_010 + 1_000);
  });

  it("holds its byte budget whatever is put in it", async () => {
    for (let i = 0; i < 12; i++) {
      const { render, serve } = setup();
      render.mockImplementation(async () =>
        renderedPage("y".repeat(1_000_000), { status: 200, contentType: "text/html", shareable: true, tags: [] }),
      );
      await serve();
      expect((await serve()).layer).toBe("micro");
    }
    const usage = microCacheUsage();
    expect(usage.bytes).toBeGreaterThan(usage.limits.maxBytes / 2);
    expect(usage.bytes).toBeLessThanOrEqual(usage.limits.maxBytes);
    expect(usage.entries).toBeLessThanOrEqual(usage.limits.maxEntries);
  });
});
