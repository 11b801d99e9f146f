import type pg from "pg";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { createWorker, type TestWorker } from "../support/worker.js";
import { inject } from "vitest";

// wpapi is CommonJS and ships no types: used exactly as a WordPress consumer would.
const WPAPI = createRequire(import.meta.url)("wpapi") as new (options: { endpoint: string }) => WpClient;
interface WpRequest extends PromiseLike<unknown> {
  id(id: number): WpRequest;
  perPage(n: number): WpRequest;
  page(n: number): WpRequest;
  search(q: string): WpRequest;
  slug(s: string): WpRequest;
  categories(ids: number[]): WpRequest;
  param(name: string, value: unknown): WpRequest;
  setHeaders(name: string, value: string): WpRequest;
  get(): Promise<unknown>;
}
interface WpClient {
  posts(): WpRequest;
  pages(): WpRequest;
  categories(): WpRequest;
  tags(): WpRequest;
  users(): WpRequest;
}

const PORT = 8871;

describe("the WordPress-compatible API", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let app: DatabaseClients;
  let site: SeededTenant;
  let wp: WpClient;
  const tokens: Record<string, string> = {};
  const wpIds: Record<string, number> = {};
  let authorEmail = "";

  const api = (path: string, init: RequestInit = {}) => worker.fetch(path, { host: site.hostname, ...init });
  const as = (who: string, path: string, body?: unknown, method = "POST") =>
    api(path, {
      method,
      headers: { ...bearer(tokens[who]!), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  /** Creates and publishes an item through the real workflow. */
  const publish = async (type: "posts" | "pages", fields: Record<string, unknown>): Promise<number> => {
    const item = (await (await as("author", `/api/${type}`, fields)).json()) as { id: string; wpId: number };
    await as("author", `/api/${type}/${item.id}/analysis`);
    await as("author", `/api/${type}/${item.id}/transitions`, { to: "in_review" });
    await as("editor", `/api/${type}/${item.id}/transitions`, { to: "medical_review" });
    await as("reviewer", `/api/${type}/${item.id}/transitions`, { to: "approved" });
    const res = await as("editor", `/api/${type}/${item.id}/transitions`, { to: "published" });
    if (res.status !== 200) throw new Error(await res.text());
    return item.wpId;
  };

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    site = await seedTenant(admin, "wordpress");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    worker = await createWorker(inject("testEnvironment"), {}, { port: PORT });
    for (const [name, options] of Object.entries({
      author: { roles: ["author"] as const, name: "Dr. Autor Público" },
      editor: { roles: ["editor"] as const },
      reviewer: {
        roles: ["medical_reviewer"] as const,
        verifiedCredential: { crm: "111222", uf: "MG" },
        name: "Dr. Revisor",
      },
      professional: { roles: ["reader_professional"] as const, verifiedCredential: { crm: "999000", uf: "BA" } },
      unverifiedProfessional: { roles: ["reader_professional"] as const },
    })) {
      const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
      if (name === "author") authorEmail = user.email;
      tokens[name] = (await signIn(worker, site.hostname, user)).accessToken;
    }
    const categories = (await (await api("/api/categories")).json()) as {
      items: Array<{ id: string; slug: string; wpId: number }>;
    };
    const cardiology = categories.items.find((c) => c.slug === "cardiologia")!;
    wpIds.cardiology = cardiology.wpId;
    wpIds.public1 = await publish("posts", {
      title: "Insuficiência cardíaca",
      locale: "pt-BR",
      bodyMarkdown: "O coração e a **pressão**.",
      categoryIds: [cardiology.id],
    });
    wpIds.public2 = await publish("posts", {
      title: "Diabetes e exercício",
      locale: "pt-BR",
      bodyMarkdown: "Atividade física.",
    });
    wpIds.public3 = await publish("posts", {
      title: "Hipertensão arterial",
      locale: "pt-BR",
      bodyMarkdown: "Hipertensão: o que é.",
    });
    wpIds.professional = await publish("posts", {
      title: "Dose de betabloqueador",
      locale: "pt-BR",
      complianceLevel: "professional",
    });
    wpIds.restricted = await publish("posts", {
      title: "Protocolo interno",
      locale: "pt-BR",
      complianceLevel: "restricted",
    });
    wpIds.page = await publish("pages", { title: "Sobre a clínica", locale: "pt-BR", bodyMarkdown: "Quem somos." });
    const drafted = (await (
      await as("author", "/api/posts", { title: "Rascunho secreto", locale: "pt-BR" })
    ).json()) as { wpId: number };
    wpIds.draft = drafted.wpId;
    wp = new WPAPI({ endpoint: `http://127.0.0.1:${PORT}/wp-json` });
  });
  afterAll(async () => {
    await worker?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  const withHost = (request: WpRequest) => request.setHeaders("Host", site.hostname);

  it("answers discovery at /wp-json", async () => {
    const res = await api("/wp-json");
    const body = (await res.json()) as {
      name: string;
      namespaces: string[];
      routes: Record<string, unknown>;
      url: string;
    };
    expect(res.status).toBe(200);
    expect(body.namespaces).toEqual(["wp/v2"]);
    expect(body.name).toBe("Clinic wordpress");
    expect(Object.keys(body.routes)).toEqual(
      expect.arrayContaining(["/wp/v2/posts", "/wp/v2/pages", "/wp/v2/categories", "/wp/v2/tags", "/wp/v2/users"]),
    );
  });

  it("serves posts to wpapi with WordPress's shape and paging headers", async () => {
    const posts = (await withHost(wp.posts().perPage(2)).get()) as Array<Record<string, unknown>> & {
      _paging: { total: number; totalPages: number; next?: unknown };
    };
    expect(posts).toHaveLength(2);
    expect(posts._paging.total).toBe(3);
    expect(posts._paging.totalPages).toBe(2);
    const post = posts.find((p) => p.id === wpIds.public3) ?? posts[0]!;
    for (const key of [
      "id",
      "date",
      "date_gmt",
      "modified",
      "modified_gmt",
      "slug",
      "status",
      "type",
      "link",
      "title",
      "content",
      "excerpt",
      "author",
      "categories",
      "tags",
      "featured_media",
      "_links",
    ]) {
      expect(post).toHaveProperty(key);
    }
    expect(post.status).toBe("publish");
    expect(post.type).toBe("post");
    expect(post.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect((post.title as { rendered: string }).rendered).toBeTypeOf("string");
  });

  it("sends X-WP-Total, X-WP-TotalPages and Link rel=next/prev", async () => {
    const res = await api("/wp-json/wp/v2/posts?per_page=1&page=2");
    expect(res.headers.get("x-wp-total")).toBe("3");
    expect(res.headers.get("x-wp-totalpages")).toBe("3");
    const link = res.headers.get("link")!;
    expect(link).toMatch(/page=1>; rel="prev"/);
    expect(link).toMatch(/page=3>; rel="next"/);
  });

  it("shows anonymous readers only published public content", async () => {
    const all = (await (await api("/wp-json/wp/v2/posts?per_page=100")).json()) as Array<{ id: number }>;
    const seen = all.map((p) => p.id);
    expect(seen).toEqual(expect.arrayContaining([wpIds.public1, wpIds.public2, wpIds.public3]));
    for (const hidden of [wpIds.professional, wpIds.restricted, wpIds.draft]) expect(seen).not.toContain(hidden);
    const single = await api(`/wp-json/wp/v2/posts/${wpIds.professional}`);
    expect(single.status).toBe(404);
    expect(await single.json()).toEqual({
      code: "rest_post_invalid_id",
      message: "Invalid post ID.",
      data: { status: 404 },
    });
  });

  it("shows professional content to verified professionals only, and restricted never", async () => {
    const seenBy = async (who: string) =>
      (
        (await (await api("/wp-json/wp/v2/posts?per_page=100", { headers: bearer(tokens[who]!) })).json()) as Array<{
          id: number;
        }>
      ).map((p) => p.id);
    const verified = await seenBy("professional");
    expect(verified).toContain(wpIds.professional);
    expect(verified).not.toContain(wpIds.restricted);
    expect(await seenBy("unverifiedProfessional")).not.toContain(wpIds.professional);
    expect(await seenBy("editor")).not.toContain(wpIds.restricted);
    // The statements built once per isolate for each set of levels never show one reader's to another, in any order.
    const single = (headers: HeadersInit = {}) => api(`/wp-json/wp/v2/posts/${wpIds.professional}`, { headers });
    expect((await single(bearer(tokens.professional!))).status).toBe(200);
    expect((await single()).status).toBe(404);
    expect((await single(bearer(tokens.unverifiedProfessional!))).status).toBe(404);
    const anonymous = (await (await api("/wp-json/wp/v2/posts?per_page=100")).json()) as Array<{ id: number }>;
    expect(anonymous.map((p) => p.id)).not.toContain(wpIds.professional);
    expect(await seenBy("professional")).toContain(wpIds.professional);
  });

  it("serves pages, categories, tags and users (public author data only)", async () => {
    const pages = (await withHost(wp.pages()).get()) as Array<{ id: number; type: string }>;
    expect(pages.map((p) => p.id)).toEqual([wpIds.page]);
    expect(pages[0]!.type).toBe("page");
    const categories = (await withHost(wp.categories().param("slug", "cardiologia")).get()) as Array<{
      id: number;
      count: number;
      taxonomy: string;
      parent: number;
    }>;
    expect(categories[0]).toMatchObject({ id: wpIds.cardiology, count: 1, taxonomy: "category" });
    expect(categories[0]!.parent).toBeGreaterThan(0);
    const inCardiology = (await withHost(wp.posts().categories([wpIds.cardiology!])).get()) as Array<{ id: number }>;
    expect(inCardiology.map((p) => p.id)).toEqual([wpIds.public1]);
    const users = (await withHost(wp.users()).get()) as Array<Record<string, unknown>>;
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ name: "Dr. Autor Público", avatar_urls: {} });
    expect(Object.keys(users[0]!)).toEqual(expect.arrayContaining(["id", "name", "slug", "link", "avatar_urls"]));
    expect(JSON.stringify(users)).not.toContain(authorEmail);
    expect(JSON.stringify(users)).not.toContain("@");
    const tags = await api("/wp-json/wp/v2/tags");
    expect(tags.status).toBe(200);
  });

  it("supports search, slug, _fields and _embed", async () => {
    const found = (await (
      await api(`/wp-json/wp/v2/posts?search=${encodeURIComponent("hipertensao")}`)
    ).json()) as Array<{ id: number }>;
    expect(found.map((p) => p.id)).toEqual([wpIds.public3]);
    const bySlug = (await (await api("/wp-json/wp/v2/posts?slug=diabetes-e-exercicio")).json()) as Array<{
      id: number;
    }>;
    expect(bySlug.map((p) => p.id)).toEqual([wpIds.public2]);
    const fields = (await (await api("/wp-json/wp/v2/posts?_fields=id,title")).json()) as Array<
      Record<string, unknown>
    >;
    expect(Object.keys(fields[0]!).sort()).toEqual(["id", "title"]);
    const embedded = (await (await api(`/wp-json/wp/v2/posts/${wpIds.public1}?_embed`)).json()) as {
      _embedded: { author: Array<{ name: string }>; "wp:term": Array<Array<{ slug: string }>> };
    };
    expect(embedded._embedded.author[0]!.name).toBe("Dr. Autor Público");
    expect(embedded._embedded["wp:term"][0]!.map((t) => t.slug)).toEqual(["cardiologia"]);
  });

  it("answers bad parameters with WordPress's rest_invalid_param error", async () => {
    const res = await api("/wp-json/wp/v2/posts?per_page=500");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: "rest_invalid_param",
      message: "Invalid parameter(s): per_page",
      data: { status: 400, params: { per_page: "per_page must be between 1 (inclusive) and 100 (inclusive)" } },
    });
    const several = (await (await api("/wp-json/wp/v2/posts?page=0&order=sideways")).json()) as {
      data: { params: Record<string, string> };
    };
    expect(Object.keys(several.data.params).sort()).toEqual(["order", "page"]);
    expect((await api("/wp-json/wp/v2/posts?page=99")).status).toBe(400);
    const wpapiError = await withHost(wp.posts().perPage(101))
      .get()
      .catch((error: unknown) => error);
    expect(wpapiError).toMatchObject({ code: "rest_invalid_param" });
  });

  it("answers unknown ids and routes with WordPress 404s", async () => {
    expect(await (await api("/wp-json/wp/v2/posts/999999999")).json()).toMatchObject({
      code: "rest_post_invalid_id",
      data: { status: 404 },
    });
    expect(await (await api("/wp-json/wp/v2/users/999999999")).json()).toMatchObject({ code: "rest_user_invalid_id" });
    expect(await (await api("/wp-json/wp/v2/nothing")).json()).toMatchObject({ code: "rest_no_route" });
  });

  it("ranks Portuguese search accent-insensitively through /api/search", async () => {
    const res = await api(`/api/search?q=${encodeURIComponent("coracao pressao")}&locale=pt-BR`);
    const { hits } = (await res.json()) as { hits: Array<{ wpId: number; rank: number }> };
    expect(hits.map((h) => h.wpId)).toEqual([wpIds.public1]);
    await publish("posts", { title: "Coração saudável", locale: "pt-BR", bodyMarkdown: "Pressão e coração." });
    const ranked = (await (await api(`/api/search?q=${encodeURIComponent("coração")}`)).json()) as {
      hits: Array<{ title: string; rank: number }>;
    };
    // The word in the title (weight A) outranks the word only in the body (weight C).
    expect(ranked.hits[0]!.title).toBe("Coração saudável");
    expect(ranked.hits.length).toBe(2);
    expect(ranked.hits[0]!.rank).toBeGreaterThan(ranked.hits[1]!.rank);
  });
});
