import { readFile, writeFile } from "node:fs/promises";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminClient } from "../support/db.js";
import { createWorker, type TestWorker } from "../support/worker.js";

/**
 * The WordPress API's answers, byte for byte: a fixed tenant (fixed ids, dates, names) is read as an anonymous
 * client, and each answer's status, WordPress headers and body text must equal test/fixtures/wordpress/answers.json.
 * Pins what the read path sends, whatever way the Worker builds it. `WP_ANSWERS_WRITE=1` rewrites the fixture
 * (only when the change of an answer is meant).
 */
const HOST = "wp-answers.test";
const FIXTURE = new URL("../fixtures/wordpress/answers.json", import.meta.url);
// Explicit ids far above the sequences, so every run answers the same numbers.
const ID = 880_000_000;

const REQUESTS = [
  "/wp-json/wp/v2/posts",
  "/wp-json/wp/v2/posts?per_page=2",
  "/wp-json/wp/v2/posts?per_page=2&page=2",
  "/wp-json/wp/v2/posts?order=asc&orderby=title",
  `/wp-json/wp/v2/posts?categories=${ID + 301}`,
  "/wp-json/wp/v2/posts?_fields=id,title,medical_review.crm",
  "/wp-json/wp/v2/posts?_embed",
  "/wp-json/wp/v2/posts?page=5",
  `/wp-json/wp/v2/posts/${ID + 1}`,
  `/wp-json/wp/v2/posts/${ID + 2}`,
  `/wp-json/wp/v2/posts/${ID + 1}?_embed`,
  `/wp-json/wp/v2/posts/${ID + 4}`,
  `/wp-json/wp/v2/pages/${ID + 5}`,
  "/wp-json/wp/v2/pages",
  // Every filter and order of a list, each alone and some together, and the terms' lists and items.
  "/wp-json/wp/v2/posts?search=pressao",
  "/wp-json/wp/v2/posts?search=sono%20OR%20diabetes&orderby=relevance",
  "/wp-json/wp/v2/posts?slug=diabetes,apneia,nenhum",
  `/wp-json/wp/v2/posts?include=${ID + 3},${ID + 1},${ID + 4}&orderby=include&order=asc`,
  `/wp-json/wp/v2/posts?include[]=${ID + 3}&include[]=${ID + 2}&orderby=id`,
  `/wp-json/wp/v2/posts?author=${ID + 201}&per_page=1&page=2`,
  `/wp-json/wp/v2/posts?tags=${ID + 401}&categories=${ID + 301},${ID + 300}`,
  "/wp-json/wp/v2/posts?after=2026-01-01T00:00:00&before=2026-03-02T00:00:00Z",
  "/wp-json/wp/v2/posts?orderby=modified&order=asc&per_page=1",
  "/wp-json/wp/v2/posts?orderby=slug",
  `/wp-json/wp/v2/posts?categories=${ID + 300}&_embed`,
  "/wp-json/wp/v2/categories",
  "/wp-json/wp/v2/categories?parent=0",
  `/wp-json/wp/v2/categories?parent=${ID + 300}`,
  `/wp-json/wp/v2/categories?post=${ID + 1}`,
  `/wp-json/wp/v2/categories?post=${ID + 4}`,
  "/wp-json/wp/v2/categories?hide_empty=true&orderby=count&order=desc",
  "/wp-json/wp/v2/categories?search=saude&per_page=1",
  `/wp-json/wp/v2/categories?include=${ID + 301},${ID + 300}&orderby=include`,
  "/wp-json/wp/v2/categories?slug=cardiologia&orderby=slug",
  `/wp-json/wp/v2/categories/${ID + 301}`,
  "/wp-json/wp/v2/tags?search=CORA",
  `/wp-json/wp/v2/tags?post=${ID + 1}&orderby=id&order=desc`,
  `/wp-json/wp/v2/tags/${ID + 401}`,
  `/wp-json/wp/v2/tags/${ID + 402}`,
  "/wp-json/wp/v2/media",
  `/wp-json/wp/v2/media/${ID + 501}`,
  "/wp-json/wp/v2/users",
];
const HEADERS = ["content-type", "cache-control", "vary", "x-wp-total", "x-wp-totalpages", "link"];

async function seed(admin: pg.Client): Promise<void> {
  const q = (text: string, values: unknown[] = []) => admin.query(text, values);
  const tenant = await q("insert into tenants (slug, name) values ('wp-answers', 'Clínica & Cia') returning id");
  const tenantId = tenant.rows[0]!.id as string;
  await q("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [HOST, tenantId]);
  const user = async (email: string, name: string) =>
    (await q("insert into users (email, display_name) values ($1, $2) returning id", [email, name])).rows[0]!
      .id as string;
  const author = await user("autora@wp-answers.test", "Dra. Ana <Autora>");
  const reviewer = await user("revisor@wp-answers.test", "Dr. Revisor");
  await q("insert into content_authors (tenant_id, user_id, slug, wp_id) values ($1, $2, 'dra-ana', $3)", [
    tenantId,
    author,
    ID + 201,
  ]);
  const parent = await q(
    "insert into categories (tenant_id, wp_id, name, slug, description) values ($1, $2, 'Saúde', 'saude', 'Tudo') returning id",
    [tenantId, ID + 300],
  );
  const cardio = await q(
    "insert into categories (tenant_id, wp_id, name, slug, parent_id) values ($1, $2, 'Cardiologia', 'cardiologia', $3) returning id",
    [tenantId, ID + 301, parent.rows[0]!.id],
  );
  const tag = await q(
    "insert into tags (tenant_id, wp_id, name, slug) values ($1, $2, 'Coração', 'coracao') returning id",
    [tenantId, ID + 401],
  );
  const item = async (
    k: number,
    fields: { type?: string; title: string; slug: string; html: string; excerpt: string; published: string },
    extra = "",
  ) =>
    (
      await q(
        `insert into content_items (tenant_id, wp_id, type, title, slug, body_markdown, body_html, excerpt, locale,
           author_id, state, compliance_level, published_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, 'md', $6, $7, 'pt-BR', $8, 'published', ${extra || "'public'"}, $9, $9::timestamptz - interval '1 day',
           $9::timestamptz + interval '2 hours 3.456 seconds') returning id`,
        [
          tenantId,
          ID + k,
          fields.type ?? "post",
          fields.title,
          fields.slug,
          fields.html,
          fields.excerpt,
          author,
          fields.published,
        ],
      )
    ).rows[0]!.id as string;
  // A public image: the first post's featured image, and in its body (beside one that is not public).
  const image = (
    await q(
      `insert into media_items (id, tenant_id, created_by, kind, filename, content_type, size, sha256, object_key,
         retention_class, width, height, alt_text, public_at, wp_id, created_at)
       values ('0f0f0f0f-0000-4000-8000-000000000501', $1, $2, 'image', 'foto.jpg', 'image/jpeg', 1000, $3, 'k/foto', 'general_media', 1600, 900,
         'Médica & paciente', '2026-01-01T00:00:00Z', $4, '2026-01-01T01:02:03.456Z') returning id`,
      [tenantId, author, "ab".repeat(32), ID + 501],
    )
  ).rows[0]!.id as string;
  const first = await item(1, {
    title: 'Pressão "alta" & <você>',
    slug: "pressao-alta",
    html:
      '<p>Texto sobre <strong>hipertensão</strong> & cuidados.</p>\n<p><a href="/x">ver</a></p>' +
      `<p><img src="media:${image}" alt="Foto"></p><p><img src="media:00000000-0000-4000-8000-000000000000" alt=""></p>`,
    excerpt: "Resumo <com> & aspas \"duplas\" e 'simples'",
    published: "2026-03-01T10:20:30.987Z",
  });
  await q(
    `update content_items set reviewed_by = $2, reviewer_name = 'Dr. Revisor', reviewer_crm = '123456',
       reviewer_uf = 'SP', last_medically_reviewed_at = '2026-02-27T08:09:10.123Z', featured_media_id = $3
     where id = $1`,
    [first, reviewer, image],
  );
  await q("insert into content_item_categories (tenant_id, content_id, category_id) values ($1, $2, $3)", [
    tenantId,
    first,
    cardio.rows[0]!.id,
  ]);
  await q("insert into content_item_tags (tenant_id, content_id, tag_id) values ($1, $2, $3)", [
    tenantId,
    first,
    tag.rows[0]!.id,
  ]);
  const second = await item(2, {
    title: "Diabetes",
    slug: "diabetes",
    html: "",
    excerpt: "",
    published: "2026-03-02T00:00:00.000Z",
  });
  await q("insert into content_item_categories (tenant_id, content_id, category_id) values ($1, $2, $3)", [
    tenantId,
    second,
    parent.rows[0]!.id,
  ]);
  await item(3, {
    title: "Apneia do sono",
    slug: "apneia",
    html: "<p>Sono.</p>",
    excerpt: "Sono",
    published: "2025-12-31T23:59:59.999Z",
  });
  await item(
    4,
    {
      title: "Dose (profissional)",
      slug: "dose",
      html: "<p>Dose.</p>",
      excerpt: "",
      published: "2026-03-03T00:00:00Z",
    },
    "'professional'",
  );
  await item(5, {
    type: "page",
    title: "Sobre nós",
    slug: "sobre",
    html: "<p>Quem somos.</p>",
    excerpt: "",
    published: "2026-01-15T12:00:00.5Z",
  });
}

describe("the WordPress API's answers", () => {
  let worker: TestWorker;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = await adminClient();
    await seed(admin);
    worker = await createWorker(inject("testEnvironment"));
  });
  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("are the same, byte for byte, as the fixture's", async () => {
    const answers: Record<string, { status: number; headers: Record<string, string>; body: string }> = {};
    for (const path of REQUESTS) {
      const res = await worker.fetch(path, { host: HOST });
      const headers: Record<string, string> = {};
      for (const name of HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      answers[path] = { status: res.status, headers, body: await res.text() };
    }
    if (process.env.WP_ANSWERS_WRITE === "1") await writeFile(FIXTURE, `${JSON.stringify(answers, null, 2)}\n`);
    const expected = JSON.parse(await readFile(FIXTURE, "utf8")) as typeof answers;
    for (const path of REQUESTS) expect(answers[path], path).toEqual(expected[path]);
    // The fixture is not empty words: the list shows the public posts and hides the professional one.
    expect(JSON.parse(answers["/wp-json/wp/v2/posts"]!.body).map((p: { id: number }) => p.id)).toEqual([
      ID + 2,
      ID + 1,
      ID + 3,
    ]);
  });
});
