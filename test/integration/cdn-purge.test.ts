import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

/**
 * Global purge (#17): every change that can alter the public site purges Cloudflare's CDN by Cache-Tag through the
 * purge API, here the local stand-in (local-cloud/cloudflare-api.ts), which checks the token and records each call.
 * The calls go through the outbox, so a failed one is retried by the every-minute job.
 */
describe("CDN purge by Cache-Tag", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let f: SiteFixture;
  let cardiology: { id: string; slug: string };

  const get = (path: string) => f.api(path, { redirect: "manual" });
  const api = () => worker.env.cloudflare.apiBase;
  const calls = async (): Promise<Array<{ zoneId: string; tags: string[] }>> =>
    (await (await fetch(`${api()}/__calls`)).json()) as Array<{ zoneId: string; tags: string[] }>;
  const forget = () => fetch(`${api()}/__calls`, { method: "DELETE" });
  const purgedTags = async () => (await calls()).flatMap((call) => call.tags);
  const list = (locale: string, name: string) => `list:${site.id}:${locale}:${name}`;

  beforeAll(async () => {
    admin = await adminClient();
    const app = appDatabase();
    site = await seedTenant(admin, "cdnpurge");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    await app.pool.end();
    worker = await startWorker();
    f = await siteFixture(admin, worker, site);
    const categories = (await (await f.as("editor", "/api/categories", undefined, "GET")).json()) as {
      items: Array<{ id: string; slug: string }>;
    };
    cardiology = categories.items.find((c) => c.slug === "cardiologia")!;
  });

  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("purges the item's tag, its lists' and the sitemap's when it is published, with the zone's token", async () => {
    await forget();
    const post = await f.publish("posts", {
      title: "Colesterol alto",
      slug: "colesterol-alto",
      locale: "pt-BR",
      categoryIds: [cardiology.id],
    });
    await eventually(async () => expect(await purgedTags()).toContain(`content:${post.id}`));
    const all = await calls();
    expect(all.every((call) => call.zoneId === worker.env.cloudflare.zoneId && call.tags.length <= 30)).toBe(true);
    expect(await purgedTags()).toEqual(
      expect.arrayContaining([
        `content:${post.id}`,
        list("pt-br", "home"),
        list("pt-br", "feed"),
        list("pt-br", `category:${cardiology.slug}`),
        `list:${site.id}:sitemap`,
      ]),
    );
    // Never the tenant's tag (that would empty the whole site) nor another locale's lists.
    expect(await purgedTags()).not.toContain(`tenant:${site.id}`);
    expect((await purgedTags()).some((tag) => tag.startsWith(`list:${site.id}:en:`))).toBe(false);
    await eventually(async () => {
      const sent = await admin.query(
        "select status from outbox where tenant_id = $1 and channel = 'cdn_purge' order by created_at",
        [site.id],
      );
      expect(sent.rows.map((row) => row.status as string)).toEqual(sent.rows.map(() => "sent"));
    });
  });

  it("purges on unpublishing, on a slug change and on trashing; the old slug's cached page goes with its tag", async () => {
    const post = await f.publish("posts", { title: "Asma na infância", slug: "asma", locale: "pt-BR" });
    const oldPath = "/pt-br/posts/asma/";
    await (await get(oldPath)).text();
    expect((await get(oldPath)).headers.get("x-vitalis-cache")).toBe("hit");

    await forget();
    expect((await f.move("posts", post.id, { to: "draft", reason: "Atualizar a dose citada." })).status).toBe(200);
    await eventually(async () => expect(await purgedTags()).toContain(`content:${post.id}`));
    expect(await purgedTags()).toEqual(expect.arrayContaining([list("pt-br", "home"), `list:${site.id}:sitemap`]));
    expect((await get(oldPath)).status).toBe(404);

    await forget();
    const current = await f.as("editor", `/api/posts/${post.id}`, undefined, "GET");
    const etag = current.headers.get("etag")!;
    const renamed = await f.api(`/api/posts/${post.id}`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${f.tokens.editor}`,
        "content-type": "application/json",
        "if-match": etag,
      },
      body: JSON.stringify({ slug: "asma-infantil" }),
    });
    expect(renamed.status).toBe(200);
    await eventually(async () => expect(await purgedTags()).toContain(`content:${post.id}`));

    await forget();
    const trashed = await f.as("editor", `/api/posts/${post.id}`, undefined, "DELETE");
    expect(trashed.status).toBe(200);
    await eventually(async () => expect(await purgedTags()).toContain(`content:${post.id}`));
  });

  it("retries a purge the API refused, from the outbox, until it goes through", async () => {
    await forget();
    await fetch(`${api()}/__fail?times=10`, { method: "POST" });
    const post = await f.publish("posts", { title: "Gripe e vacina", slug: "gripe", locale: "pt-BR" });
    await eventually(async () => {
      const rows = await admin.query(
        "select status, attempts, last_error from outbox where tenant_id = $1 and channel = 'cdn_purge' and data->'tags' ? $2",
        [site.id, `content:${post.id}`],
      );
      expect(rows.rows[0]).toMatchObject({ status: "pending", attempts: 1 });
      expect(rows.rows[0].last_error).toContain("503");
    });
    expect(await purgedTags()).not.toContain(`content:${post.id}`);
    await fetch(`${api()}/__fail?times=0`, { method: "POST" });
    await admin.query(
      "update outbox set next_attempt_at = now() where tenant_id = $1 and channel = 'cdn_purge' and status = 'pending'",
      [site.id],
    );
    await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
    expect(await purgedTags()).toContain(`content:${post.id}`);
    const audited = await admin.query(
      "select action from audit_events where tenant_id = $1 and action in ('cdn.purge_deferred', 'cdn.purged')",
      [site.id],
    );
    expect(audited.rows.map((row) => row.action)).toEqual(expect.arrayContaining(["cdn.purge_deferred", "cdn.purged"]));
  });
});
