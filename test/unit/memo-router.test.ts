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
});
