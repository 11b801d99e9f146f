import { describe, expect, it } from "vitest";
import { createRouter, MemoRouter } from "../../functions/lib/router";

function overlappingApp() {
  const app = createRouter();
  // Shapes the app really has: fixed pages beside a slug under a patterned prefix, which RegExpRouter refuses.
  app.get("/:locale{(?:pt-br|en)}/entrar", (c) => c.text(`sign-in ${c.req.param("locale")}`));
  app.get("/:locale{(?:pt-br|en)}/:slug", (c) => c.text(`page ${c.req.param("locale")} ${c.req.param("slug")}`));
  app.get("/posts/:id", (c) => c.text(`post ${c.req.param("id")} ${c.req.routePath}`));
  return app;
}

describe("the app's router", () => {
  it("is the memoising router", () => {
    expect(createRouter().router).toBeInstanceOf(MemoRouter);
  });

  it("answers a remembered path exactly as the first time, with that path's own parameters", async () => {
    const app = overlappingApp();
    for (let round = 0; round < 2; round++) {
      expect(await (await app.request("/pt-br/entrar")).text()).toBe("sign-in pt-br");
      expect(await (await app.request("/en/sobre")).text()).toBe("page en sobre");
      expect(await (await app.request("/posts/1")).text()).toBe("post 1 /posts/:id");
      expect(await (await app.request("/posts/2")).text()).toBe("post 2 /posts/:id");
      expect((await app.request("/es/sobre")).status).toBe(404);
      expect((await app.request("/posts/1", { method: "POST" })).status).toBe(404);
    }
    expect((app.router as MemoRouter<unknown>).remembered).toBe(6);
  });

  it("remembers a bounded number of paths", async () => {
    const app = overlappingApp();
    for (let i = 0; i < 2_500; i++) await app.request(`/posts/${i}`);
    expect((app.router as MemoRouter<unknown>).remembered).toBe(2_000);
    expect(await (await app.request("/posts/7")).text()).toBe("post 7 /posts/:id");
  });

  it("lets the oldest remembered path leave first, however often it is asked for", async () => {
    const matched: string[] = [];
    const app = overlappingApp();
    const router = app.router as MemoRouter<unknown>;
    // Hono's own router settles on its match function at the first request; the count wraps the settled one.
    await app.request("/en/sobre");
    const inner = (router as unknown as { router: { match(method: string, path: string): unknown } }).router;
    const match = inner.match.bind(inner);
    inner.match = (method, path) => {
      matched.push(path);
      return match(method, path);
    };
    for (let i = 0; i < 1_999; i++) await app.request(`/posts/${i}`);
    expect(router.remembered).toBe(2_000);
    // Hits leave the order alone: /posts/0 stays the oldest but one, and the next two new paths push both out.
    for (let i = 0; i < 3; i++) expect(await (await app.request("/posts/0")).text()).toBe("post 0 /posts/:id");
    await app.request("/posts/1999");
    await app.request("/posts/2000");
    matched.length = 0;
    await app.request("/posts/1998");
    expect(matched).toEqual([]);
    expect(await (await app.request("/posts/0")).text()).toBe("post 0 /posts/:id");
    expect(matched).toEqual(["/posts/0"]);
  });
});
