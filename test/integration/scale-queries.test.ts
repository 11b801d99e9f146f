import { sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { encodeCursor } from "../../functions/lib/cursor.js";
import { sha256Hex } from "../../functions/lib/crypto.js";
import { auditHashInput, GENESIS_HASH } from "../../functions/services/audit.js";
import { contentPageQuery } from "../../functions/services/content/crud.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { APP_ROLE, PLATFORM_ROLE } from "../support/fresh-database.js";
import { type PlanNode, planNodes } from "../support/plans.js";
import { startWorker, type TestWorker } from "../support/worker.js";

// Issue #14: what public and staff reads cost must grow with the page, not the tenant. Each read is checked for
// its behaviour (results, paging, isolation), and where the plan is the point, for the index it uses as the app
// role (sequential scans off, so the planner shows the index it would use on a large tenant).

let worker: TestWorker;
let admin: pg.Client;
let app: DatabaseClients;
let site: SeededTenant;
let other: SeededTenant;
let authorId: string;

/** Inserts `n` published public posts (newest first by `i`), with their `published_at` a minute apart. */
async function seedPosts(
  tenant: SeededTenant,
  author: string,
  n: number,
  fields: (i: number) => { title?: string; body?: string; locale?: string; state?: string } = () => ({}),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = fields(i);
    const row = await admin.query<{ id: string }>(
      `insert into content_items (tenant_id, type, title, slug, body_markdown, body_html, excerpt, locale, author_id,
         state, published_at, updated_at)
       values ($1, 'post', $2, $3, $4, $4, '', $5, $6, $7, now() - ($8 || ' minutes')::interval,
         now() - ($8 || ' minutes')::interval) returning id`,
      [
        tenant.id,
        f.title ?? `Artigo ${i}`,
        `artigo-${i}-${Math.random().toString(36).slice(2, 6)}`,
        f.body ?? "Texto sobre cuidados.",
        f.locale ?? "pt-BR",
        author,
        f.state ?? "published",
        String(i),
      ],
    );
    ids.push(row.rows[0]!.id);
  }
  return ids;
}

/**
 * The plan of `query` with `params` as the app role under the tenant's policy, sequential scans allowed: the plan
 * the planner would choose, from the statistics of the moment (ANALYZE what the test seeded first).
 */
async function planAsApp(tenantId: string, query: string, params: unknown[] = []): Promise<PlanNode[]> {
  const client = await app.pool.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    const plan = await client.query<{ "QUERY PLAN": unknown }>(`explain (format json) ${query}`, params);
    return planNodes(plan.rows[0]!["QUERY PLAN"]);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

async function explain(tenantId: string, query: string): Promise<string> {
  return withTenant(app.db, tenantId, async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    const result = await tx.execute(sql.raw(`explain ${query}`));
    return (result.rows as Array<{ "QUERY PLAN": string }>).map((row) => row["QUERY PLAN"]).join("\n");
  });
}

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  app = appDatabase();
  site = await seedTenant(admin, "scale");
  other = await seedTenant(admin, "scaleother");
  const author = await admin.query<{ id: string }>(
    "insert into users (email, display_name) values ($1, 'Dra. Escala') returning id",
    [`autora@${site.slug}.test`],
  );
  authorId = author.rows[0]!.id;
  await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
    site.id,
    authorId,
  ]);
  await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'dra-escala')", [
    site.id,
    authorId,
  ]);
});
afterAll(async () => {
  await app?.pool.end();
  await admin?.end();
  await worker?.dispose();
});

describe("full-text search under row-level security", () => {
  it("finds the tenant's published matches only, never another tenant's or a draft", async () => {
    const [mine] = await seedPosts(site, authorId, 1, () => ({ title: "Enxaqueca crônica", body: "Sobre enxaqueca." }));
    await seedPosts(site, authorId, 1, () => ({ title: "Enxaqueca rascunho", state: "draft" }));
    const stranger = await admin.query<{ id: string }>(
      "insert into users (email, display_name) values ($1, 'Outra') returning id",
      [`outra@${other.slug}.test`],
    );
    await seedPosts(other, stranger.rows[0]!.id, 1, () => ({ title: "Enxaqueca alheia", body: "Sobre enxaqueca." }));

    const res = await worker.fetch("/wp-json/wp/v2/posts?search=enxaqueca", { host: site.hostname });
    expect(res.status).toBe(200);
    const posts = (await res.json()) as Array<{ title: { rendered: string } }>;
    expect(posts.map((p) => p.title.rendered)).toEqual(["Enxaqueca crônica"]);
    expect(res.headers.get("x-wp-total")).toBe("1");

    // The search function, as the app role: this tenant's ids only, and nothing without a tenant.
    const query = "websearch_to_tsquery('pg_catalog.portuguese'::regconfig, vitalis_unaccent('enxaqueca'))";
    const found = await withTenant(app.db, site.id, (tx) =>
      tx.execute(sql.raw(`select id from vitalis_search_content(${query})`)),
    );
    expect((found.rows as Array<{ id: string }>).map((row) => row.id)).toContain(mine);
    const tenants = await admin.query<{ tenant_id: string }>(
      "select distinct tenant_id from content_items where id = any($1::uuid[])",
      [(found.rows as Array<{ id: string }>).map((row) => row.id)],
    );
    expect(tenants.rows.map((row) => row.tenant_id)).toEqual([site.id]);
    const client = await app.pool.connect();
    try {
      const unset = await client.query(`select id from vitalis_search_content(${query})`);
      expect(unset.rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it("may be called by the app role only", async () => {
    const privilege = await admin.query<{ app: boolean; platform: boolean; public: boolean }>(
      `select has_function_privilege($1, 'vitalis_search_content(tsquery)', 'execute') as app,
              has_function_privilege($2, 'vitalis_search_content(tsquery)', 'execute') as platform,
              exists (select 1 from pg_proc p, aclexplode(p.proacl) a
                      where p.proname = 'vitalis_search_content' and a.grantee = 0) as public`,
      [APP_ROLE, PLATFORM_ROLE],
    );
    expect(privilege.rows[0]).toEqual({ app: true, platform: false, public: false });
  });
});

describe("WordPress tags", () => {
  let tagWpIds: number[] = [];

  beforeAll(async () => {
    const [first, second, third] = await seedPosts(site, authorId, 3, (i) => ({ title: `Tagged ${i}` }));
    const [hidden] = await seedPosts(site, authorId, 1, () => ({ title: "Hidden", state: "draft" }));
    // Names chosen so Portuguese order differs from byte order: "Ácido" sorts with A, "beta" before "Cálcio".
    const tags = await admin.query<{ id: string; wp_id: string; name: string }>(
      `insert into tags (tenant_id, name, slug) values ($1, 'Cálcio', 'calcio'), ($1, 'Ácido', 'acido'),
         ($1, 'beta', 'beta'), ($1, 'Vazia', 'vazia') returning id, wp_id, name`,
      [site.id],
    );
    const id = (name: string) => tags.rows.find((row) => row.name === name)!.id;
    const link = (content: string, tag: string) =>
      admin.query("insert into content_item_tags (tenant_id, content_id, tag_id) values ($1, $2, $3)", [
        site.id,
        content,
        tag,
      ]);
    await link(first!, id("Cálcio"));
    await link(second!, id("Cálcio"));
    await link(third!, id("Cálcio"));
    await link(first!, id("Ácido"));
    await link(hidden!, id("Vazia"));
    await link(second!, id("beta"));
    await link(third!, id("beta"));
    tagWpIds = tags.rows.map((row) => Number(row.wp_id));
  });

  const tagsOf = async (query: string) => {
    const res = await worker.fetch(`/wp-json/wp/v2/tags?${query}`, { host: site.hostname });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<{ name: string; count: number }>;
    return { body, total: res.headers.get("x-wp-total"), pages: res.headers.get("x-wp-totalpages") };
  };

  it("pages names in Portuguese order with counts of what the reader may see", async () => {
    const all = await tagsOf("per_page=100");
    expect(all.body.map((t) => [t.name, t.count])).toEqual([
      ["Ácido", 1],
      ["beta", 2],
      ["Cálcio", 3],
      ["Vazia", 0],
    ]);
    expect(all.total).toBe("4");
    const second = await tagsOf("per_page=2&page=2");
    expect(second.body.map((t) => t.name)).toEqual(["Cálcio", "Vazia"]);
    expect([second.total, second.pages]).toEqual(["4", "2"]);
  });

  it("orders by count and by id, and hides empty terms when asked", async () => {
    expect((await tagsOf("orderby=count&order=desc")).body.map((t) => t.name)).toEqual([
      "Cálcio",
      "beta",
      "Ácido",
      "Vazia",
    ]);
    expect((await tagsOf("orderby=id")).body.map((t) => t.name)).toEqual(["Cálcio", "Ácido", "beta", "Vazia"]);
    const nonEmpty = await tagsOf("hide_empty=true&per_page=2");
    expect(nonEmpty.body.map((t) => t.name)).toEqual(["Ácido", "beta"]);
    expect(nonEmpty.total).toBe("3");
    expect((await tagsOf(`include=${tagWpIds[2]},${tagWpIds[0]}&orderby=include`)).body.map((t) => t.name)).toEqual([
      "beta",
      "Cálcio",
    ]);
  });
});

describe("paging of long collections", () => {
  let paged: SeededTenant;

  beforeAll(async () => {
    paged = await seedTenant(admin, "paged");
    const user = await admin.query<{ id: string }>(
      "insert into users (email, display_name) values ($1, 'Dr. Página') returning id",
      [`pagina@${paged.slug}.test`],
    );
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'dr-pagina')", [
      paged.id,
      user.rows[0]!.id,
    ]);
    await seedPosts(paged, user.rows[0]!.id, 25, (i) => ({ title: `Página ${i}` }));
  });

  it("serves any WordPress page, and a client that follows `next` reaches the last one", async () => {
    const deep = await worker.fetch("/wp-json/wp/v2/posts?per_page=1&page=20", { host: paged.hostname });
    expect(((await deep.json()) as Array<{ title: { rendered: string } }>)[0]!.title.rendered).toBe("Página 19");
    const seen: string[] = [];
    let path: string | null = "/wp-json/wp/v2/posts?per_page=2";
    for (let guard = 0; path && guard < 30; guard++) {
      const res = await worker.fetch(path, { host: paged.hostname });
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as Array<{ title: { rendered: string } }>).map((p) => p.title.rendered));
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "");
      path = next ? new URL(next[1]!).pathname + new URL(next[1]!).search : null;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `Página ${i}`));
    const past = await worker.fetch("/wp-json/wp/v2/posts?per_page=10&page=4", { host: paged.hostname });
    expect(past.status).toBe(400);
  });

  it("counts X-WP-Total exactly within ten pages past the requested one, as a lower bound beyond", async () => {
    const near = await worker.fetch("/wp-json/wp/v2/posts?per_page=10", { host: paged.hostname });
    expect([near.headers.get("x-wp-total"), near.headers.get("x-wp-totalpages")]).toEqual(["25", "3"]);
    const far = await worker.fetch("/wp-json/wp/v2/posts?per_page=1", { host: paged.hostname });
    // Page 1 of 1 per page: counted up to 1 + 10 pages + 1 row, so "at least 12".
    expect([far.headers.get("x-wp-total"), far.headers.get("x-wp-totalpages")]).toEqual(["12", "12"]);
  });

  it("pages the site's lists, answers 404 past the end, and feeds the newest items", async () => {
    const second = await worker.fetch("/pt-br/?page=2", { host: paged.hostname });
    expect(second.status).toBe(200);
    const titles = [...(await second.text()).matchAll(/Página (\d+)</g)].map((m) => Number(m[1]));
    expect(titles).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect((await worker.fetch("/pt-br/?page=3", { host: paged.hostname })).status).toBe(200);
    expect((await worker.fetch("/pt-br/?page=4", { host: paged.hostname })).status).toBe(404);
    const feed = await (await worker.fetch("/pt-br/feed.xml", { host: paged.hostname })).text();
    const fed = [...feed.matchAll(/<title>Página (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(fed).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("reads a WordPress page and a site list page from the index, without sorting the tenant", async () => {
    const wpPage = await explain(
      paged.id,
      `select id from content_items where type = 'post' and state = 'published' and trashed_at is null
         and compliance_level in ('public') order by published_at desc nulls last, wp_id desc nulls last
         limit 10 offset 20`,
    );
    expect(wpPage).toContain("content_items_public_type_idx");
    expect(wpPage).not.toContain("Sort");
    const list = await explain(
      paged.id,
      `select id from content_items where type in ('post') and locale = 'pt-BR' and state = 'published'
         and trashed_at is null and compliance_level in ('public')
         order by published_at desc nulls last, id desc nulls last limit 10`,
    );
    expect(list).toContain("content_items_public_locale_idx");
    expect(list).not.toContain("Sort");
  });
});

describe("the admin posts index", () => {
  it("pages with a cursor through items that share an updated_at, none twice and none missed", async () => {
    const tenant = await seedTenant(admin, "adminlist");
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const token = (await signIn(worker, tenant.hostname, editor)).accessToken;
    const ids = await seedPosts(tenant, editor.id, 7, (i) => ({ title: `Item ${i}`, state: "draft" }));
    await admin.query("update content_items set updated_at = date_trunc('second', now()) where id = any($1::uuid[])", [
      ids.slice(2, 6),
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res = await worker.fetch(`/api/posts?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
        host: tenant.hostname,
        headers: bearer(token),
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it("reads a page from the index in its order, from the cursor on, on a tenant where the planner has a choice", async () => {
    // Thousands of items and fresh statistics, sequential scans allowed: a plan that sorts the tenant would be
    // chosen here if the service's query could not be read from the index in its order.
    const tenant = await seedTenant(admin, "adminplan");
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, locale, author_id, state, updated_at)
       select $1, 'post', 'Item ' || g, 'item-' || g, 'pt-BR', $2, 'draft', now() - make_interval(mins => g)
       from generate_series(1, 5000) g`,
      [tenant.id, editor.id],
    );
    await admin.query("analyze content_items");
    const viewer = { userId: editor.id, roles: ["editor" as const], verifiedProfessional: false };
    const cursor = encodeCursor(new Date(Date.now() - 600_000), "00000000-0000-4000-8000-000000000000");
    for (const filters of [{}, { cursor }]) {
      const query = await withTenant(app.db, tenant.id, async (tx) =>
        contentPageQuery(tx, viewer, "post", filters, 21).toSQL(),
      );
      // The statement as the service sends it, planned with its parameters, as the app role under the tenant's policy.
      const nodes = await planAsApp(tenant.id, query.sql, [...query.params]);
      const scans = nodes.filter((node) => node["Relation Name"] === "content_items");
      expect(
        scans.map((node) => [node["Node Type"], node["Index Name"]]),
        JSON.stringify(filters),
      ).toEqual([["Index Scan", "content_items_tenant_updated_idx"]]);
      expect(nodes.map((node) => node["Node Type"])).not.toContain("Sort");
      expect(nodes.map((node) => node["Node Type"])).not.toContain("Incremental Sort");
    }
  });
});

describe("the audit log's filters", () => {
  // A tenant with a log long enough for the choice to matter (5,000 events, each filter's value on 1 in 250 of
  // them), and statistics taken after it was written: the plan must not depend on what other test files left in
  // the shared database, or on when autovacuum last analysed it. Sequential scans stay allowed: the planner picks.
  let logged: SeededTenant;
  beforeAll(async () => {
    logged = await seedTenant(admin, "auditplan");
    let prevHash = GENESIS_HASH;
    const rows: unknown[][] = [];
    for (let seq = 1; seq <= 5_000; seq++) {
      const rare = seq % 250 === 0;
      const unsigned = {
        tenantId: logged.id,
        seq,
        occurredAt: new Date(Date.UTC(2026, 0, 1) + seq * 1_000).toISOString(),
        actorType: "user" as const,
        actorId: rare ? "someone" : `staff-${seq % 20}`,
        action: rare ? "content.update" : ["auth.signed_in", "content.viewed", "media.viewed"][seq % 3]!,
        targetType: "content",
        targetId: rare ? "x" : `item-${seq % 1_000}`,
        requestId: null,
        details: {},
        prevHash,
      };
      // A valid chain, so the hourly verification other files trigger finds nothing wrong with this tenant.
      const hash = await sha256Hex(auditHashInput(unsigned));
      rows.push([seq, unsigned.occurredAt, unsigned.actorId, unsigned.action, unsigned.targetId, prevHash, hash]);
      prevHash = hash;
    }
    await admin.query(
      `insert into audit_events (tenant_id, seq, occurred_at, actor_type, actor_id, action, target_type, target_id,
         details, prev_hash, hash)
       select $1, (r->>0)::bigint, (r->>1)::timestamptz, 'user', r->>2, r->>3, 'content', r->>4, '{}', r->>5, r->>6
       from jsonb_array_elements($2::jsonb) r`,
      [logged.id, JSON.stringify(rows)],
    );
    await admin.query("analyze audit_events");
  });

  it.each([
    ["action", "action = 'content.update'", "audit_events_tenant_action_idx"],
    ["actor", "actor_id = 'someone'", "audit_events_tenant_actor_idx"],
    ["target", "target_type = 'content' and target_id = 'x'", "audit_events_tenant_target_idx"],
  ])("reads events by %s from an index, newest first", async (_name, condition, index) => {
    const nodes = await planAsApp(
      logged.id,
      `select seq from audit_events where tenant_id = $1 and ${condition} order by seq desc limit 50`,
      [logged.id],
    );
    // The index serves the filter, read in order or, when the planner expects only a few rows, as a bitmap
    // whose few rows it then sorts (what it picks beside the other test files' tenants): never the whole tenant.
    const reads = nodes.filter((node) => node["Relation Name"] === "audit_events" || node["Index Name"]);
    const indexes = reads.flatMap((node) => (node["Index Name"] === undefined ? [] : [node["Index Name"]]));
    expect(indexes).toEqual([index]);
    expect(reads.map((node) => node["Node Type"])).not.toContain("Seq Scan");
  });
});

describe("an author's items", () => {
  it("are found from an index, not by scanning the tenant, when the author's slug changes", async () => {
    // A prolific colleague's 5,000 items beside the author's 12, statistics fresh, sequential scans allowed.
    const tenant = await seedTenant(admin, "authoridx");
    const colleague = await createUser(admin, tenant, { roles: ["editor"] });
    const author = await createUser(admin, tenant, { roles: ["author"] });
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, locale, author_id, state, published_at, updated_at)
       select $1, 'post', 'Item ' || g, 'item-' || g, 'pt-BR', case when g % 400 = 0 then $3::uuid else $2::uuid end,
              'published', now() - make_interval(mins => g), now() - make_interval(mins => g)
       from generate_series(1, 5000) g`,
      [tenant.id, colleague.id, author.id],
    );
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'dra-antes')", [
      tenant.id,
      author.id,
    ]);
    await admin.query("analyze content_items");

    // The author's list in the sitemap follows the slug (0028's trigger counts the author's items again).
    await withTenant(app.db, tenant.id, (tx) =>
      tx.execute(sql`update content_authors set slug = 'dra-depois' where user_id = ${author.id}`),
    );
    const lists = await admin.query<{ slug: string; items: number }>(
      "select slug, sum(items)::int as items from sitemap_counts where tenant_id = $1 and kind = 3 group by slug",
      [tenant.id],
    );
    expect(lists.rows).toEqual([{ slug: "dra-depois", items: 12 }]);

    // What that trigger (and the admin's and WordPress's author filters) ask: the author's items in the tenant.
    const nodes = await planAsApp(tenant.id, "select id from content_items where tenant_id = $1 and author_id = $2", [
      tenant.id,
      author.id,
    ]);
    const indexes = nodes.filter((node) => node["Index Name"]).map((node) => node["Index Name"]);
    expect(indexes).toEqual(["content_items_tenant_author_idx"]);
    expect(nodes.map((node) => node["Node Type"])).not.toContain("Seq Scan");
  });
});
