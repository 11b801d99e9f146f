import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

type Json = Record<string, unknown> & { id: string; version: number };

describe("the content admin API", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let app: DatabaseClients;
  let site: SeededTenant;
  let other: SeededTenant;
  const tokens: Record<string, string> = {};
  const people: Record<string, TestUser> = {};

  const call = async (who: string | null, path: string, init: RequestInit & { host?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (who) headers.set("authorization", bearer(tokens[who]!).authorization!);
    if (init.body) headers.set("content-type", "application/json");
    return worker.fetch(path, { host: site.hostname, ...init, headers });
  };
  const post = (who: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(who, path, { method: "POST", body: JSON.stringify(body), headers });
  const patch = (who: string, path: string, body: unknown, version: number | null) =>
    call(who, path, {
      method: "PATCH",
      body: JSON.stringify(body),
      headers: version === null ? {} : { "if-match": `"${version}"` },
    });

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    site = await seedTenant(admin, "content");
    other = await seedTenant(admin, "content-other");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    worker = await startWorker();
    for (const [name, roles] of [
      ["editor", ["editor"]],
      ["author", ["author"]],
      ["author2", ["author"]],
      ["reader", ["reader_professional"]],
    ] as const) {
      people[name] = await createUser(admin, site, { roles: [...roles], name: `Pessoa ${name}` });
      tokens[name] = (await signIn(worker, site.hostname, people[name]!)).accessToken;
    }
    const outsider = await createUser(admin, other, { roles: ["editor"] });
    tokens.outsider = (await signIn(worker, other.hostname, outsider)).accessToken;
  });
  afterAll(async () => {
    await worker?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  it("seeds the medical specialties once, idempotently", async () => {
    const again = await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    expect(again).toBe(0);
    const res = await call("editor", "/api/categories");
    const { items } = (await res.json()) as { items: Array<{ slug: string; parentId: string | null }> };
    expect(items.map((c) => c.slug)).toEqual(
      expect.arrayContaining(["cardiologia", "pediatria", "especialidades-medicas"]),
    );
    const parent = items.find((c) => c.slug === "especialidades-medicas")!;
    expect(items.find((c) => c.slug === "cardiologia")!.parentId).toBe((parent as unknown as { id: string }).id);
  });

  it("creates a draft with rendered, sanitized HTML, a revision and an ETag", async () => {
    const res = await post("author", "/api/posts", {
      title: "Hipertensão na gestação",
      locale: "pt-BR",
      bodyMarkdown: "# Pressão alta\n\nTexto com <script>alert(1)</script> e [link](javascript:alert(1)).",
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Json & { slug: string; bodyHtml: string; state: string; excerpt: string };
    expect(res.headers.get("etag")).toBe('"1"');
    expect(body).toMatchObject({ slug: "hipertensao-na-gestacao", state: "draft", version: 1, type: "post" });
    expect(body.bodyHtml).toContain("<h1>Pressão alta</h1>");
    expect(body.bodyHtml).not.toMatch(/<script|javascript:/);
    expect(body.excerpt.length).toBeGreaterThan(0);
    const revisions = (await (await call("author", `/api/posts/${body.id}/revisions`)).json()) as { items: unknown[] };
    expect(revisions.items).toHaveLength(1);
  });

  it("refuses unknown and privileged fields with 422 instead of ignoring them", async () => {
    for (const extra of [{ state: "published" }, { authorId: site.userId }, { version: 9 }, { nonsense: 1 }]) {
      const res = await post("author", "/api/posts", { title: "X", locale: "en", ...extra });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    }
  });

  it("needs a signed-in writer: anonymous 401, reader 403", async () => {
    expect(
      (await call(null, "/api/posts", { method: "POST", body: JSON.stringify({ title: "x", locale: "en" }) })).status,
    ).toBe(401);
    expect((await post("reader", "/api/posts", { title: "x", locale: "en" })).status).toBe(403);
  });

  it("updates with If-Match, answers 409 version_conflict with the current version, and 428 without If-Match", async () => {
    const created = (await (
      await post("author", "/api/posts", { title: "Diabetes tipo 2", locale: "pt-BR" })
    ).json()) as Json;
    const ok = await patch("author", `/api/posts/${created.id}`, { bodyMarkdown: "Novo texto" }, 1);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe('"2"');
    const stale = await patch("author", `/api/posts/${created.id}`, { title: "Outro" }, 1);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: "version_conflict", currentVersion: 2 });
    const missing = await patch("author", `/api/posts/${created.id}`, { title: "Outro" }, null);
    expect(missing.status).toBe(428);
    expect(((await missing.json()) as { code: string }).code).toBe("if_match_required");
  });

  it("lets authors edit only their own drafts; editors edit any draft", async () => {
    const created = (await (await post("author", "/api/posts", { title: "Asma", locale: "pt-BR" })).json()) as Json;
    expect((await patch("author2", `/api/posts/${created.id}`, { title: "Hijack" }, 1)).status).toBe(404);
    expect((await patch("editor", `/api/posts/${created.id}`, { title: "Asma brônquica" }, 1)).status).toBe(200);
  });

  it("refuses a slug already used in the same locale, allows it in another locale", async () => {
    await post("author", "/api/pages", { title: "Sobre", slug: "sobre", locale: "pt-BR" });
    const clash = await post("author", "/api/pages", { title: "Sobre 2", slug: "sobre", locale: "pt-BR" });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { code: string }).code).toBe("slug_taken");
    expect((await post("author", "/api/pages", { title: "About", slug: "sobre", locale: "en" })).status).toBe(201);
  });

  it("replays an idempotent POST: same answer, one write; a different body with the same key is 422", async () => {
    const key = `create-${Math.random().toString(36).slice(2)}`;
    const body = { title: "Vacinação infantil", locale: "pt-BR" };
    const first = await post("author", "/api/posts", body, { "idempotency-key": key });
    const second = await post("author", "/api/posts", body, { "idempotency-key": key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    const a = (await first.json()) as Json;
    expect(await second.json()).toEqual(a);
    const rows = await admin.query(
      "select count(*)::int as n from content_items where tenant_id = $1 and slug = 'vacinacao-infantil'",
      [site.id],
    );
    expect(rows.rows[0].n).toBe(1);
    const reused = await post("author", "/api/posts", { ...body, title: "Outra coisa" }, { "idempotency-key": key });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { code: string }).code).toBe("idempotency_key_reused");
  });

  it("writes once when two requests with the same key race", async () => {
    const key = `race-${Math.random().toString(36).slice(2)}`;
    const body = { title: "Corrida de requisições", locale: "pt-BR" };
    const results = await Promise.all(
      [0, 1, 2].map(() => post("author", "/api/posts", body, { "idempotency-key": key })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const rows = await admin.query(
      "select count(*)::int as n from content_items where tenant_id = $1 and slug = 'corrida-de-requisicoes'",
      [site.id],
    );
    expect(rows.rows[0].n).toBe(1);
  });

  it("hides another tenant's items by id (404), even from that tenant's editor", async () => {
    const created = (await (await post("editor", "/api/posts", { title: "Interno", locale: "pt-BR" })).json()) as Json;
    const res = await worker.fetch(`/api/posts/${created.id}`, {
      host: other.hostname,
      headers: bearer(tokens.outsider!),
    });
    expect(res.status).toBe(404);
    // A token from this tenant is not accepted on another tenant's host either.
    const crossed = await worker.fetch(`/api/posts/${created.id}`, {
      host: other.hostname,
      headers: bearer(tokens.editor!),
    });
    expect([401, 403, 404]).toContain(crossed.status);
  });

  it("lists with filters and an opaque cursor", async () => {
    for (let i = 0; i < 3; i++) await post("author2", "/api/posts", { title: `Página de teste ${i}`, locale: "es" });
    const first = (await (await call("editor", "/api/posts?locale=es&limit=2")).json()) as {
      items: Json[];
      nextCursor: string | null;
    };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = (await (await call("editor", `/api/posts?locale=es&limit=2&cursor=${first.nextCursor}`)).json()) as {
      items: Json[];
      nextCursor: string | null;
    };
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(3);
    expect((await call("editor", "/api/posts?cursor=not-a-cursor")).status).toBe(400);
    // An author sees their own drafts, not another author's.
    const mine = (await (await call("author", "/api/posts?locale=es")).json()) as { items: Json[] };
    expect(mine.items).toHaveLength(0);
  });

  it("trashes and restores; there is no permanent delete", async () => {
    const created = (await (
      await post("author", "/api/posts", { title: "Para a lixeira", locale: "en" })
    ).json()) as Json;
    const trashed = await call("author", `/api/posts/${created.id}`, { method: "DELETE" });
    expect(trashed.status).toBe(200);
    expect(((await trashed.json()) as { trashedAt: string | null }).trashedAt).not.toBeNull();
    const list = (await (await call("editor", "/api/posts?trashed=true")).json()) as { items: Json[] };
    expect(list.items.map((i) => i.id)).toContain(created.id);
    const restored = await post("author", `/api/posts/${created.id}/restore`, undefined);
    expect(restored.status).toBe(200);
    expect(((await restored.json()) as { trashedAt: string | null }).trashedAt).toBeNull();
    const rows = await admin.query("select count(*)::int as n from content_items where id = $1", [created.id]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("lists, compares and restores revisions (restore is a new save)", async () => {
    const created = (await (
      await post("author", "/api/posts", { title: "Colesterol", locale: "pt-BR", bodyMarkdown: "linha 1\nlinha 2" })
    ).json()) as Json;
    await patch("author", `/api/posts/${created.id}`, { bodyMarkdown: "linha 1\nlinha nova\nlinha 2" }, 1);
    const compare = (await (await call("author", `/api/posts/${created.id}/revisions/compare`)).json()) as {
      body: { added: number; removed: number; text: string };
    };
    expect(compare.body).toMatchObject({ added: 1, removed: 0 });
    expect(compare.body.text).toContain("+ linha nova");
    const { items } = (await (await call("author", `/api/posts/${created.id}/revisions`)).json()) as {
      items: Array<{ id: string; version: number }>;
    };
    expect(items.map((r) => r.version)).toEqual([2, 1]);
    const restored = await call("author", `/api/posts/${created.id}/revisions/${items[1]!.id}/restore`, {
      method: "POST",
      headers: { "if-match": '"2"' },
    });
    expect(restored.status).toBe(200);
    const body = (await restored.json()) as Json & { bodyMarkdown: string };
    expect(body.version).toBe(3);
    expect(body.bodyMarkdown).toBe("linha 1\nlinha 2");
  });

  it("keeps SEO fields per item and per revision, with the canonical URL an absolute https URL", async () => {
    const created = await post("author", "/api/posts", {
      title: "Asma infantil",
      locale: "pt-BR",
      metaTitle: "Asma infantil: sinais de alerta",
      focusKeyword: "asma",
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as Json;
    expect(item).toMatchObject({
      metaTitle: "Asma infantil: sinais de alerta",
      metaDescription: null,
      focusKeyword: "asma",
      canonicalUrl: null,
      noindex: false,
    });
    for (const bad of [
      "http://referencia.example/asma",
      "/pt-br/posts/asma/",
      "javascript:alert(1)",
      "https://user:secret@referencia.example/",
    ]) {
      const refused = await patch("author", `/api/posts/${item.id}`, { canonicalUrl: bad }, 1);
      expect(refused.status).toBe(422);
      const problem = (await refused.json()) as { errors: Array<{ path: string }> };
      expect(problem.errors.map((e) => e.path)).toEqual(["json.canonicalUrl"]);
      expect(JSON.stringify(problem)).not.toContain(bad);
    }
    const saved = await patch(
      "author",
      `/api/posts/${item.id}`,
      { canonicalUrl: "https://referencia.example/asma", noindex: true, metaTitle: "  " },
      1,
    );
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({
      canonicalUrl: "https://referencia.example/asma",
      noindex: true,
      metaTitle: null, // blank is "not set"
      focusKeyword: "asma",
    });
    const { items } = (await (await call("author", `/api/posts/${item.id}/revisions`)).json()) as {
      items: Array<{ id: string; snapshot: Record<string, unknown> }>;
    };
    expect(items.map((r) => [r.snapshot.metaTitle, r.snapshot.noindex])).toEqual([
      [null, true],
      ["Asma infantil: sinais de alerta", false],
    ]);
    const compare = (await (await call("author", `/api/posts/${item.id}/revisions/compare`)).json()) as {
      changes: Array<{ field: string }>;
    };
    expect(compare.changes.map((c) => c.field).sort()).toEqual(["canonicalUrl", "metaTitle", "noindex"]);
    const restored = await call("author", `/api/posts/${item.id}/revisions/${items[1]!.id}/restore`, {
      method: "POST",
      headers: { "if-match": '"2"' },
    });
    expect(await restored.json()).toMatchObject({
      metaTitle: "Asma infantil: sinais de alerta",
      canonicalUrl: null,
      noindex: false,
    });
  });

  it("manages categories and tags (editors only), refusing unknown fields", async () => {
    const tag = await post("editor", "/api/tags", { name: "Prevenção" });
    expect(tag.status).toBe(201);
    const tagBody = (await tag.json()) as { id: string; slug: string };
    expect(tagBody.slug).toBe("prevencao");
    expect((await post("author", "/api/tags", { name: "Nope" })).status).toBe(403);
    expect((await post("editor", "/api/tags", { name: "X", parentId: null })).status).toBe(422);
    const cat = (await (await post("editor", "/api/categories", { name: "Cardiologia pediátrica" })).json()) as {
      id: string;
    };
    const renamed = await call("editor", `/api/categories/${cat.id}`, {
      method: "PATCH",
      body: JSON.stringify({ description: "Coração das crianças" }),
    });
    expect(renamed.status).toBe(200);
    const filed = (await (
      await post("author", "/api/posts", {
        title: "Sopro no coração",
        locale: "pt-BR",
        categoryIds: [cat.id],
        tagIds: [tagBody.id],
      })
    ).json()) as Json;
    const byCategory = (await (await call("editor", `/api/posts?category=${cat.id}`)).json()) as { items: Json[] };
    expect(byCategory.items.map((i) => i.id)).toEqual([filed.id]);
    expect((await call("editor", `/api/categories/${cat.id}`, { method: "DELETE" })).status).toBe(200);
    const after = (await (await call("editor", `/api/posts/${filed.id}`)).json()) as { categoryIds: string[] };
    expect(after.categoryIds).toEqual([]);
  });

  it("appears in the OpenAPI document", async () => {
    const doc = (await (await worker.fetch("/api/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/posts",
        "/api/posts/{id}",
        "/api/posts/{id}/transitions",
        "/api/pages",
        "/api/categories",
        "/api/tags",
        "/api/search",
        "/wp-json/wp/v2/posts",
      ]),
    );
  });
});

describe("content changes reach the public site's cache", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "content-purge");
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("purges the pages of the published items filed under a term that is renamed", async () => {
    const f = await siteFixture(admin, worker, site);
    const tag = (await (await f.as("editor", "/api/tags", { name: "Sono" })).json()) as { id: string };
    await f.publish("posts", { title: "Higiene do sono", slug: "higiene-do-sono", locale: "pt-BR", tagIds: [tag.id] });
    const path = "/pt-br/posts/higiene-do-sono/";
    await eventually(async () => {
      await (await f.api(path)).text();
      expect((await f.api(path)).headers.get("x-vitalis-cache")).toBe("hit");
    });
    const renamed = await f.as(
      "editor",
      `/api/tags/${tag.id}`,
      { name: "Sono e descanso", slug: "sono-e-descanso" },
      "PATCH",
    );
    expect(renamed.status).toBe(200);
    // A page still in the cache would keep the old link until its s-maxage ran out.
    await eventually(async () =>
      expect(await (await f.api(path)).text()).toContain('href="/pt-br/tag/sono-e-descanso/"'),
    );
  });
});
