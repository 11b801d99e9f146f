import { readFile } from "node:fs/promises";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { type SQL, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContentType } from "../../functions/contract.js";
import { listedContentTypes } from "../../functions/content-types.js";
import { withTenant } from "../../functions/lib/db.js";
import { indexableSql } from "../../functions/services/content/access.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { SITEMAP_FILE_WP_IDS, sitemapFileOf } from "../../functions/site/urls.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

// The sitemaps split each locale into files behind the index: item files by fixed ranges of 45,000 wp ids (the test
// moves the shared wp id sequence to the next range to start a file), list files of SITEMAP_FILE_URLS URLs, which
// this Worker lowers to two, so a handful of lists spans several files.
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
/** The item files of pt-BR's five posts: the first two, the next two, the fifth (and later posts). */
let fileA: number;
let fileB: number;
let fileC: number;

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

/** Makes the next wp id the first of a new item file (wp ids are one sequence for every tenant). */
async function startNextFile(): Promise<void> {
  await admin.query(`select setval('content_items_wp_id_seq',
    (select (last_value / ${SITEMAP_FILE_WP_IDS} + 1) * ${SITEMAP_FILE_WP_IDS} from content_items_wp_id_seq))`);
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
  // Five indexable pt-BR posts, in the order of their wp ids: files A and B hold two each, file C one.
  for (let i = 0; i < 5; i++) {
    const slug = `artigo-${i + 1}`;
    if (i === 2 || i === 4) await startNextFile();
    const published = await f.publish("posts", {
      title: `Artigo ${i + 1}`,
      slug,
      locale: "pt-BR",
      bodyMarkdown: "Texto.",
      ...(i === 0 ? { categoryIds: [category.id], tagIds: [tag.id] } : {}),
      ...(i === 2 ? { translationGroupId: group } : {}),
    });
    posts.push({ id: published.id, slug });
    if (i === 0) fileA = sitemapFileOf(published.wpId);
    if (i === 2) fileB = sitemapFileOf(published.wpId);
    if (i === 4) fileC = sitemapFileOf(published.wpId);
  }
  expect(new Set([fileA, fileB, fileC]).size).toBe(3);
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
    expect(index.map((entry) => entry.loc.replace(base, "")).sort()).toEqual(
      [
        `en-${fileC}.xml`,
        "en-lists-1.xml",
        `pt-br-${fileA}.xml`,
        `pt-br-${fileB}.xml`,
        `pt-br-${fileC}.xml`,
        // The home, the category, the tag and the author: four lists, two a file.
        "pt-br-lists-1.xml",
        "pt-br-lists-2.xml",
      ].sort(),
    );
    for (const entry of index) {
      const urls = await urlsOf(f, entry.loc.replace(origin(site), ""));
      expect(urls.length, entry.loc).toBeGreaterThan(0);
      if (entry.loc.includes("-lists-")) expect(urls.length, entry.loc).toBeLessThanOrEqual(FILE_URLS);
      else {
        const newest = Math.max(...urls.map((url) => Date.parse(url.lastmod)));
        expect(Date.parse(entry.lastmod), entry.loc).toBe(newest);
      }
    }
  });

  it("puts every indexable item in exactly one file, in the order of creation, with its hreflang alternates", async () => {
    const files = await Promise.all([fileA, fileB, fileC].map((n) => urlsOf(f, `/sitemaps/pt-br-${n}.xml`)));
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
    const en = await urlsOf(f, `/sitemaps/en-${fileC}.xml`);
    expect(en.map((url) => url.loc)).toEqual([`${origin(site)}/en/posts/article-three/`]);
    expect(asArray(en[0]!["xhtml:link"]).map((link) => link["@hreflang"])).toEqual(["en", "pt-BR"]);
    const empty = [`/sitemaps/pt-br-${fileC + 1}.xml`, `/sitemaps/en-${fileA}.xml`, "/sitemaps/pt-br-lists-3.xml"];
    for (const missing of [...empty, "/sitemaps/pt-br-0.xml"]) {
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
    const ours = (await Promise.all([fileA, fileB, fileC].map((n) => urlsOf(f, `/sitemaps/pt-br-${n}.xml`)))).flat();
    expect(ours.map((url) => url.loc).join()).not.toContain("segredo-da-outra");
    const theirs = await indexOf(g);
    expect(theirs.map((entry) => entry.loc.replace(`${origin(other)}/sitemaps/`, "")).sort()).toEqual([
      `pt-br-${fileC}.xml`,
      "pt-br-lists-1.xml",
    ]);
    expect((await urlsOf(g, `/sitemaps/pt-br-${fileC}.xml`)).map((url) => url.loc)).toEqual([
      `${origin(other)}/pt-br/posts/segredo-da-outra/`,
    ]);
    const response = await g.api(`/sitemaps/pt-br-${fileA}.xml`);
    await response.text();
    expect(response.status).toBe(404);
  });

  it("purges the index and the file a new post lands in, and leaves the other files cached", async () => {
    const paths = ["/sitemap.xml", ...[fileA, fileB, fileC].map((n) => `/sitemaps/pt-br-${n}.xml`)];
    for (const path of paths) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const { response } = await fetchXml(f, `/sitemaps/pt-br-${fileC}.xml`);
    expect(response.headers.get("cache-tag")).toContain(`list:${site.id}:pt-br:sitemap:${fileC}`);
    const fresh = await f.publish("posts", { title: "Artigo 6", slug: "artigo-6", locale: "pt-BR" });
    expect(sitemapFileOf(fresh.wpId)).toBe(fileC);
    posts.push({ id: fresh.id, slug: "artigo-6" });
    await eventually(async () =>
      expect((await urlsOf(f, `/sitemaps/pt-br-${fileC}.xml`)).map((url) => url.loc)).toEqual([
        `${origin(site)}/pt-br/posts/artigo-5/`,
        `${origin(site)}/pt-br/posts/artigo-6/`,
      ]),
    );
    expect((await indexOf(f)).map((entry) => entry.loc)).toContain(`${origin(site)}/sitemaps/pt-br-${fileC}.xml`);
    expect(await cacheState(f, `/sitemaps/pt-br-${fileA}.xml`)).toBe("hit");
    expect(await cacheState(f, `/sitemaps/pt-br-${fileB}.xml`)).toBe("hit");
  });

  it("purges only the item's own file when an item leaves: no other item changes file", async () => {
    for (const path of [fileA, fileB, fileC].map((n) => `/sitemaps/pt-br-${n}.xml`)) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const archived = await f.as("editor", `/api/posts/${posts[1]!.id}/transitions`, { to: "archived" });
    expect(archived.status).toBe(200);
    await eventually(async () =>
      expect((await urlsOf(f, `/sitemaps/pt-br-${fileA}.xml`)).map((url) => url.loc)).toEqual([
        `${origin(site)}/pt-br/posts/artigo-1/`,
      ]),
    );
    expect(await cacheState(f, `/sitemaps/pt-br-${fileB}.xml`)).toBe("hit");
    expect(await cacheState(f, `/sitemaps/pt-br-${fileC}.xml`)).toBe("hit");
    expect((await urlsOf(f, `/sitemaps/pt-br-${fileB}.xml`)).map((url) => url.loc)).toEqual([
      `${origin(site)}/pt-br/posts/artigo-3/`,
      `${origin(site)}/pt-br/posts/artigo-4/`,
    ]);
  });

  it("purges the file of a translation when its sibling changes (its hreflang alternates)", async () => {
    for (const path of [fileA, fileB].map((n) => `/sitemaps/pt-br-${n}.xml`)) {
      await cacheState(f, path);
      expect(await cacheState(f, path), path).toBe("hit");
    }
    const back = await f.as("editor", `/api/posts/${translation.id}/transitions`, {
      to: "draft",
      reason: "Rever a tradução.",
    });
    expect(back.status).toBe(200);
    // artigo-3, first in file B, loses its English alternate.
    await eventually(async () => {
      const first = (await urlsOf(f, `/sitemaps/pt-br-${fileB}.xml`))[0]!;
      expect(first.loc).toBe(`${origin(site)}/pt-br/posts/artigo-3/`);
      expect(first["xhtml:link"]).toBeUndefined();
    });
    expect(await cacheState(f, `/sitemaps/pt-br-${fileA}.xml`)).toBe("hit");
  });
});

describe("the sitemap counts the database keeps", () => {
  type CountRow = { locale: string; kind: number; slug: string; file: number; items: number; lists: number };
  let h: SiteFixture;
  let counted: SeededTenant;
  const ids: Record<string, string> = {};
  const terms: Record<string, string> = {};

  /** The kept counts, read as the app role: the non-empty rows, with a home row's `lists`. */
  async function kept(): Promise<CountRow[]> {
    const rows = await withTenant(appDatabase().db, counted.id, async (tx) => {
      const result = await tx.execute<CountRow & { tenant_id: string; last_modified: string; newest: string | null }>(
        sql`select sc.*, (select max(ci.updated_at) from content_items ci where ci.locale = sc.locale
              and ${indexableSql("ci")}) as newest
            from sitemap_counts sc where sc.items > 0`,
      );
      return result.rows;
    });
    for (const row of rows) {
      expect(row.tenant_id).toBe(counted.id);
      if (row.kind === 0) expect(Date.parse(row.last_modified)).toBeGreaterThanOrEqual(Date.parse(row.newest!));
    }
    return rows
      .map(({ locale, kind, slug, file, items, lists }) => ({ locale, kind, slug, file, items, lists }))
      .sort(byKey);
  }

  function byKey(a: CountRow, b: CountRow): number {
    return `${a.locale} ${a.kind} ${a.slug} ${a.file}`.localeCompare(`${b.locale} ${b.kind} ${b.slug} ${b.file}`);
  }

  /** The same counts from scratch, as the app role, from the items and their links (the public site's own rules). */
  async function recounted(): Promise<CountRow[]> {
    const items = await withTenant(appDatabase().db, counted.id, async (tx) => {
      const result = await tx.execute<{
        locale: string;
        type: string;
        wp_id: string;
        categories: string[] | null;
        tags: string[] | null;
        author: string | null;
      }>(sql`select ci.locale, ci.type, ci.wp_id,
          (select json_agg(c.slug) from content_item_categories ic join categories c on c.id = ic.category_id
           where ic.content_id = ci.id) as categories,
          (select json_agg(t.slug) from content_item_tags it join tags t on t.id = it.tag_id
           where it.content_id = ci.id) as tags,
          (select a.slug from content_authors a where a.user_id = ci.author_id) as author
        from content_items ci where ${indexableSql("ci")}`);
      return result.rows;
    });
    const rows = new Map<string, CountRow>();
    const add = (locale: string, kind: number, slug: string, file: number) => {
      const key = `${locale} ${kind} ${slug} ${file}`;
      const row = rows.get(key) ?? { locale, kind, slug, file, items: 0, lists: 0 };
      row.items += 1;
      rows.set(key, row);
    };
    for (const item of items) {
      add(item.locale, 0, "", 0);
      add(item.locale, 4, "", sitemapFileOf(Number(item.wp_id)));
      if (!listedContentTypes.includes(item.type as ContentType)) continue;
      for (const slug of new Set(item.categories ?? [])) add(item.locale, 1, slug, 0);
      for (const slug of new Set(item.tags ?? [])) add(item.locale, 2, slug, 0);
      if (item.author) add(item.locale, 3, item.author, 0);
    }
    for (const row of rows.values()) {
      if (row.kind < 1 || row.kind > 3) continue;
      rows.get(`${row.locale} 0  0`)!.lists += 1;
    }
    return [...rows.values()].sort(byKey);
  }

  async function asApp(statement: SQL): Promise<void> {
    await withTenant(appDatabase().db, counted.id, (tx) => tx.execute(statement));
  }

  async function expectExact(step: string): Promise<void> {
    const [keptRows, recountedRows] = [await kept(), await recounted()];
    expect(keptRows, step).toEqual(recountedRows);
  }

  beforeAll(async () => {
    counted = await seedTenant(admin, "sitemap-counts");
    await withTenant(appDatabase().db, counted.id, (tx) => ensureDefaultCategories(tx, counted.id));
    h = await siteFixture(admin, worker, counted);
    const categories = (await (await h.as("editor", "/api/categories", undefined, "GET")).json()) as {
      items: Array<{ id: string }>;
    };
    terms.cat1 = categories.items[0]!.id;
    terms.cat2 = categories.items[1]!.id;
    terms.tag1 = ((await (await h.as("editor", "/api/tags", { name: "Vacinas" })).json()) as { id: string }).id;
    terms.tag2 = ((await (await h.as("editor", "/api/tags", { name: "Sono" })).json()) as { id: string }).id;
    ids.one = (
      await h.publish("posts", {
        title: "Um",
        slug: "um",
        locale: "pt-BR",
        categoryIds: [terms.cat1],
        tagIds: [terms.tag1, terms.tag2],
      })
    ).id;
    ids.two = (await h.publish("posts", { title: "Dois", slug: "dois", locale: "pt-BR", tagIds: [terms.tag1] })).id;
    await startNextFile();
    ids.three = (
      await h.publish("posts", { title: "Three", slug: "three", locale: "en", categoryIds: [terms.cat1] })
    ).id;
    ids.page = (await h.publish("pages", { title: "Sobre", slug: "sobre", locale: "pt-BR" })).id;
  }, 120_000);

  it("match a recount from scratch through every write that changes what is indexable", async () => {
    await expectExact("after publishing");
    // pt-BR: the two posts, then the page in the next file; en: its post in that next file.
    expect((await kept()).filter((row) => row.kind === 4)).toHaveLength(3);
    const steps: Array<[string, SQL]> = [
      ["noindex", sql`update content_items set noindex = true where id = ${ids.one}`],
      ["noindex lifted", sql`update content_items set noindex = false where id = ${ids.one}`],
      ["professional", sql`update content_items set compliance_level = 'professional' where id = ${ids.two}`],
      ["public again", sql`update content_items set compliance_level = 'public' where id = ${ids.two}`],
      ["locale", sql`update content_items set locale = 'es' where id = ${ids.two}`],
      ["type", sql`update content_items set type = 'page' where id = ${ids.one}`],
      ["type back", sql`update content_items set type = 'post' where id = ${ids.one}`],
      ["slug", sql`update content_items set slug = 'um-novo' where id = ${ids.one}`],
      ["edited", sql`update content_items set updated_at = now() where id = ${ids.three}`],
      [
        "tag linked",
        sql`insert into content_item_tags (tenant_id, content_id, tag_id)
        values (${counted.id}, ${ids.three}, ${terms.tag2})`,
      ],
      [
        "category linked",
        sql`insert into content_item_categories (tenant_id, content_id, category_id)
        values (${counted.id}, ${ids.two}, ${terms.cat2})`,
      ],
      ["category unlinked", sql`delete from content_item_categories where content_id = ${ids.one}`],
      ["category renamed", sql`update categories set slug = 'renomeada' where id = ${terms.cat2}`],
      ["tag renamed", sql`update tags set slug = 'sono-profundo' where id = ${terms.tag2}`],
      ["author renamed", sql`update content_authors set slug = 'outra-autora'`],
      ["tag deleted", sql`delete from tags where id = ${terms.tag1}`],
      ["trashed", sql`update content_items set trashed_at = now() where id = ${ids.three}`],
      ["restored", sql`update content_items set trashed_at = null where id = ${ids.three}`],
      ["unpublished", sql`update content_items set state = 'draft' where id = ${ids.one}`],
      ["published again", sql`update content_items set state = 'published' where id = ${ids.one}`],
      ["page unpublished", sql`update content_items set state = 'archived' where id = ${ids.page}`],
      ["category deleted", sql`delete from categories where id = ${terms.cat1}`],
    ];
    for (const [step, statement] of steps) {
      await asApp(statement);
      await expectExact(step);
    }
    // The Worker has no DELETE on items: permanent deletion is the owner's, with the item's revisions.
    for (const id of [ids.two, ids.one]) {
      await admin.query(
        `with analyses as (delete from content_analyses where revision_id in
            (select id from content_revisions where content_id = $1)),
          revisions as (delete from content_revisions where content_id = $1)
        select 1`,
        [id],
      );
      await admin.query("delete from content_items where id = $1", [id]);
      await expectExact("item deleted");
    }
    expect((await kept()).map((row) => `${row.locale} ${row.kind} ${row.slug}`)).not.toContain("pt-BR 3 outra-autora");
  });

  it("are what the migration's backfill counts from the rows as they are", async () => {
    const migration = await readFile(
      new URL("../../schema/migrations/0028_sitemap-counts.sql", import.meta.url),
      "utf8",
    );
    const statements = migration.split("--> statement-breakpoint");
    const backfill = statements.slice(statements.findIndex((text) => text.includes("-- The counts of what exists")));
    expect(backfill).toHaveLength(2);
    const before = await kept();
    await admin.query("begin");
    try {
      await admin.query("delete from sitemap_counts");
      for (const statement of backfill) await admin.query(statement);
      await admin.query("commit");
    } catch (error) {
      await admin.query("rollback");
      throw error;
    }
    expect(await kept()).toEqual(before);
    await expectExact("backfilled");
  });

  it("feed the index and the list files of the tenant, and of no other", async () => {
    const index = await indexOf(h);
    const base = `${origin(counted)}/sitemaps/`;
    const three = await withTenant(appDatabase().db, counted.id, async (tx) =>
      tx.execute<{ wp_id: string }>(sql`select wp_id from content_items where id = ${ids.three}`),
    );
    expect(index.map((entry) => entry.loc.replace(base, "")).sort()).toEqual(
      [`en-${sitemapFileOf(Number(three.rows[0]!.wp_id))}.xml`, "en-lists-1.xml", "en-lists-2.xml"].sort(),
    );
    const lists = [
      ...(await urlsOf(h, "/sitemaps/en-lists-1.xml")),
      ...(await urlsOf(h, "/sitemaps/en-lists-2.xml")),
    ].map((url) => url.loc.replace(origin(counted), ""));
    expect(lists).toEqual(["/en/", "/en/tag/sono-profundo/", "/en/author/outra-autora/"]);
  });
});
