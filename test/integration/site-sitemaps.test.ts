import { XMLParser, XMLValidator } from "fast-xml-parser";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

// The sitemaps split each locale into files behind the index. Production files hold 45,000 URLs; this Worker holds
// two a file (SITEMAP_FILE_URLS), so a handful of posts spans several files.
const FILE_URLS = 2;

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

interface Url {
  loc: string;
  lastmod: string;
  "xhtml:link"?: Array<{ "@hreflang": string; "@href": string }> | { "@hreflang": string; "@href": string };
}

let worker: TestWorker;
let admin: pg.Client;
let site: SeededTenant;
let other: SeededTenant;
let f: SiteFixture;
let g: SiteFixture;
const posts: Array<{ id: string; slug: string }> = [];
let translation: { id: string; slug: string };
let category: { id: string; slug: string };
let tagId: string;

function origin(tenant: SeededTenant): string {
  return `http://${tenant.hostname}`;
}

async function fetchXml(
  fixture: SiteFixture,
  path: string,
): Promise<{ response: Response; doc: Record<string, unknown> }> {
  const response = await fixture.api(path);
  expect(response.status, path).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
  const text = await response.text();
  expect(XMLValidator.validate(text), path).toBe(true);
  return { response, doc: xml.parse(text) as Record<string, unknown> };
}

async function indexOf(fixture: SiteFixture): Promise<Array<{ loc: string; lastmod: string }>> {
  const { doc } = await fetchXml(fixture, "/sitemap.xml");
  const index = doc.sitemapindex as { "@xmlns": string; sitemap: unknown };
  expect(index["@xmlns"]).toBe("http://www.sitemaps.org/schemas/sitemap/0.9");
  return asArray(index.sitemap as Array<{ loc: string; lastmod: string }>);
}

async function urlsOf(fixture: SiteFixture, path: string): Promise<Url[]> {
  const { doc } = await fetchXml(fixture, path);
  return asArray((doc.urlset as { url: unknown }).url as Url[]);
}

async function cacheState(fixture: SiteFixture, path: string): Promise<string | null> {
  const response = await fixture.api(path);
  await response.text();
  return response.headers.get("x-vitalis-cache");
}

beforeAll(async () => {
  admin = await adminClient();
  site = await seedTenant(admin, "sitemaps");
  other = await seedTenant(admin, "sitemaps-other");
  await withTenant(appDatabase().db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
  worker = await startWorker({ SITEMAP_FILE_URLS: String(FILE_URLS) });
  f = await siteFixture(admin, worker, site);
  g = await siteFixture(admin, worker, other);
  const categories = (await (await f.as("editor", "/api/categories", undefined, "GET")).json()) as {
    items: Array<{ id: string; slug: string }>;
  };
  category = categories.items[0]!;
  const tag = (await (await f.as("editor", "/api/tags", { name: "Prevenção" })).json()) as { id: string };
  tagId = tag.id;
  const group = crypto.randomUUID();
  // Five indexable pt-BR posts, in the order of their wp ids: files 1 and 2 hold two each, file 3 one.
  for (let i = 0; i < 5; i++) {
    const slug = `artigo-${i + 1}`;
    const published = await f.publish("posts", {
      title: `Artigo ${i + 1}`,
      slug,
      locale: "pt-BR",
      bodyMarkdown: "Texto.",
      ...(i === 0 ? { categoryIds: [category.id], tagIds: [tag.id] } : {}),
      ...(i === 2 ? { translationGroupId: group } : {}),
    });
    posts.push({ id: published.id, slug });
  }
  translation = {
    id: (
      await f.publish("posts", {
        title: "Article three",
        slug: "article-three",
        locale: "en",
        translationGroupId: group,
        bodyMarkdown: "Text.",
      })
    ).id,
    slug: "article-three",
  };
  // Public and published, but kept out of search engines by its editors: in no file, and it moves no boundary.
  await f.publish("posts", { title: "Fora do índice", slug: "fora-do-indice", locale: "pt-BR", noindex: true });
  // Another clinic's post, on the same Worker and database.
  await g.publish("posts", { title: "Segredo", slug: "segredo-da-outra", locale: "pt-BR", bodyMarkdown: "Texto." });
}, 120_000);

afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

describe("sitemaps split into files behind the index", () => {
  it("lists each locale's item files and list files in the index, each dated by its newest change", async () => {
    const index = await indexOf(f);
    const base = `${origin(site)}/sitemaps/`;
    expect(index.map((entry) => entry.loc.replace(base, "")).sort()).toEqual([
      "en-1.xml",
      "en-lists-1.xml",
      "pt-br-1.xml",
      "pt-br-2.xml",
      "pt-br-3.xml",
      // The home, the category, the tag and the author: four lists, two a file.
      "pt-br-lists-1.xml",
      "pt-br-lists-2.xml",
    ]);
    for (const entry of index) {
      const urls = await urlsOf(f, entry.loc.replace(origin(site), ""));
      expect(urls.length, entry.loc).toBeGreaterThan(0);
      expect(urls.length, entry.loc).toBeLessThanOrEqual(FILE_URLS);
      if (!entry.loc.includes("-lists-")) {
        const newest = Math.max(...urls.map((url) => Date.parse(url.lastmod)));
        expect(Date.parse(entry.lastmod), entry.loc).toBe(newest);
      }
    }
  });

  it("puts every indexable item in exactly one file, in the order of creation, with its hreflang alternates", async () => {
    const files = await Promise.all([1, 2, 3].map((n) => urlsOf(f, `/sitemaps/pt-br-${n}.xml`)));
    expect(files.map((urls) => urls.map((url) => url.loc))).toEqual([
      [`${origin(site)}/pt-br/posts/artigo-1/`, `${origin(site)}/pt-br/posts/artigo-2/`],
      [`${origin(site)}/pt-br/posts/artigo-3/`, `${origin(site)}/pt-br/posts/artigo-4/`],
      [`${origin(site)}/pt-br/posts/artigo-5/`],
    ]);
    const withTranslation = files[1]![0]!;
    expect(asArray(withTranslation["xhtml:link"]).map((link) => [link["@hreflang"], link["@href"]])).toEqual([
      ["pt-BR", `${origin(site)}/pt-br/posts/artigo-3/`],
      ["en", `${origin(site)}/en/posts/article-three/`],
    ]);
    expect(files[0]![0]!["xhtml:link"]).toBeUndefined();
    const en = await urlsOf(f, "/sitemaps/en-1.xml");
    expect(en.map((url) => url.loc)).toEqual([`${origin(site)}/en/posts/article-three/`]);
    expect(asArray(en[0]!["xhtml:link"]).map((link) => link["@hreflang"])).toEqual(["en", "pt-BR"]);
    for (const missing of ["/sitemaps/pt-br-4.xml", "/sitemaps/pt-br-lists-3.xml", "/sitemaps/pt-br-0.xml"]) {
      const response = await f.api(missing);
      await response.text();
      expect(response.status, missing).toBe(404);
    }
  });

  it("lists the home and every non-empty list across the list files", async () => {
    const lists = [
      ...(await urlsOf(f, "/sitemaps/pt-br-lists-1.xml")),
      ...(await urlsOf(f, "/sitemaps/pt-br-lists-2.xml")),
    ];
    const locs = lists.map((url) => url.loc.replace(origin(site), ""));
    expect(locs).toHaveLength(4);
    expect(locs.slice(0, 3)).toEqual(["/pt-br/", `/pt-br/category/${category.slug}/`, "/pt-br/tag/prevencao/"]);
    expect(locs[3]).toMatch(/^\/pt-br\/author\/[a-z0-9-]+\/$/);
    // The default categories without a post are not offered.
    for (const url of lists) expect(Number.isNaN(Date.parse(url.lastmod))).toBe(false);
  });

  it("purges the list files and the old list page and feed when a category or tag is renamed", async () => {
    const listFiles = ["/sitemaps/pt-br-lists-1.xml", "/sitemaps/pt-br-lists-2.xml"];
    const oldPages = [
      "/pt-br/tag/prevencao/",
      `/pt-br/category/${category.slug}/`,
      `/pt-br/category/${category.slug}/feed.xml`,
    ];
    for (const path of [...listFiles, ...oldPages]) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const renamedTag = await f.as("editor", `/api/tags/${tagId}`, { slug: "prevencao-primaria" }, "PATCH");
    expect(renamedTag.status).toBe(200);
    const renamedCategory = await f.as("editor", `/api/categories/${category.id}`, { slug: "clinica-geral" }, "PATCH");
    expect(renamedCategory.status).toBe(200);
    const oldCategorySlug = category.slug;
    category = { ...category, slug: "clinica-geral" };
    await eventually(async () => {
      const locs = (await Promise.all(listFiles.map((path) => urlsOf(f, path)))).flat().map((url) => url.loc);
      expect(locs).toContain(`${origin(site)}/pt-br/tag/prevencao-primaria/`);
      expect(locs).toContain(`${origin(site)}/pt-br/category/clinica-geral/`);
      expect(locs.join()).not.toContain("/tag/prevencao/");
      expect(locs.join()).not.toContain(`/category/${oldCategorySlug}/`);
    });
    // The old addresses no longer exist: not served from the cache any more.
    for (const path of oldPages) {
      const response = await f.api(path);
      await response.text();
      expect(response.status, path).toBe(404);
    }
  });

  it("never lists another tenant's items, files or lists", async () => {
    const ours = (await Promise.all([1, 2, 3].map((n) => urlsOf(f, `/sitemaps/pt-br-${n}.xml`)))).flat();
    expect(ours.map((url) => url.loc).join()).not.toContain("segredo-da-outra");
    const theirs = await indexOf(g);
    expect(theirs.map((entry) => entry.loc.replace(`${origin(other)}/sitemaps/`, "")).sort()).toEqual([
      "pt-br-1.xml",
      "pt-br-lists-1.xml",
    ]);
    expect((await urlsOf(g, "/sitemaps/pt-br-1.xml")).map((url) => url.loc)).toEqual([
      `${origin(other)}/pt-br/posts/segredo-da-outra/`,
    ]);
    const response = await g.api("/sitemaps/pt-br-2.xml");
    await response.text();
    expect(response.status).toBe(404);
  });

  it("purges the index and the file a new post lands in, and leaves the files before it cached", async () => {
    const paths = ["/sitemap.xml", "/sitemaps/pt-br-1.xml", "/sitemaps/pt-br-2.xml", "/sitemaps/pt-br-3.xml"];
    for (const path of paths) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const { response } = await fetchXml(f, "/sitemaps/pt-br-3.xml");
    expect(response.headers.get("cache-tag")).toContain(`list:${site.id}:pt-br:sitemap:3`);
    const fresh = await f.publish("posts", { title: "Artigo 6", slug: "artigo-6", locale: "pt-BR" });
    posts.push({ id: fresh.id, slug: "artigo-6" });
    await eventually(async () =>
      expect((await urlsOf(f, "/sitemaps/pt-br-3.xml")).map((url) => url.loc)).toEqual([
        `${origin(site)}/pt-br/posts/artigo-5/`,
        `${origin(site)}/pt-br/posts/artigo-6/`,
      ]),
    );
    expect((await indexOf(f)).map((entry) => entry.loc)).toContain(`${origin(site)}/sitemaps/pt-br-3.xml`);
    expect(await cacheState(f, "/sitemaps/pt-br-1.xml")).toBe("hit");
    expect(await cacheState(f, "/sitemaps/pt-br-2.xml")).toBe("hit");
  });

  it("purges the item's file and every later one when an item leaves, since the later items move up", async () => {
    for (const path of ["/sitemaps/pt-br-1.xml", "/sitemaps/pt-br-2.xml", "/sitemaps/pt-br-3.xml"]) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const archived = await f.as("editor", `/api/posts/${posts[1]!.id}/transitions`, { to: "archived" });
    expect(archived.status).toBe(200);
    await eventually(async () =>
      expect((await urlsOf(f, "/sitemaps/pt-br-1.xml")).map((url) => url.loc)).toEqual([
        `${origin(site)}/pt-br/posts/artigo-1/`,
        `${origin(site)}/pt-br/posts/artigo-3/`,
      ]),
    );
    expect((await urlsOf(f, "/sitemaps/pt-br-2.xml")).map((url) => url.loc)).toEqual([
      `${origin(site)}/pt-br/posts/artigo-4/`,
      `${origin(site)}/pt-br/posts/artigo-5/`,
    ]);
    expect((await urlsOf(f, "/sitemaps/pt-br-3.xml")).map((url) => url.loc)).toEqual([
      `${origin(site)}/pt-br/posts/artigo-6/`,
    ]);
  });

  it("purges the file of a translation when its sibling changes (its hreflang alternates)", async () => {
    await cacheState(f, "/sitemaps/pt-br-1.xml");
    expect(await cacheState(f, "/sitemaps/pt-br-1.xml")).toBe("hit");
    await cacheState(f, "/sitemaps/pt-br-3.xml");
    expect(await cacheState(f, "/sitemaps/pt-br-3.xml")).toBe("hit");
    const back = await f.as("editor", `/api/posts/${translation.id}/transitions`, {
      to: "draft",
      reason: "Rever a tradução.",
    });
    expect(back.status).toBe(200);
    // artigo-3, second in file 1 since the archive above, loses its English alternate.
    await eventually(async () => {
      const first = (await urlsOf(f, "/sitemaps/pt-br-1.xml"))[1]!;
      expect(first.loc).toBe(`${origin(site)}/pt-br/posts/artigo-3/`);
      expect(first["xhtml:link"]).toBeUndefined();
    });
    expect(await cacheState(f, "/sitemaps/pt-br-3.xml")).toBe("hit");
  });
});
