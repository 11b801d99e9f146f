import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import type { Scope } from "../../functions/scope.js";
import { listSiteItems } from "../../functions/services/site.js";
import { getWpContent, listWpContent } from "../../functions/services/wordpress/index.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { planNodes, relationsInSubPlans } from "../support/plans.js";

/**
 * What the public site's list statements cost PostgreSQL, on the statements the site itself sends (read off the
 * scope as they go) and run as the app role under the tenant's row-level security: a page's author and image
 * subqueries run for the page's rows only, and the statement is planned once per connection, not per request. The
 * WordPress API's item statements read a page's categories and tags once for the page.
 */

type Sent = { sql: string; params: unknown[] };

let admin: pg.Client;
let app: DatabaseClients;
let tenant: SeededTenant;
const POSTS = 25;

beforeAll(async () => {
  admin = await adminClient();
  app = appDatabase();
  tenant = await seedTenant(admin, "sitestatements", "author");
  await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'autora')", [
    tenant.id,
    tenant.userId,
  ]);
  await admin.query(
    `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at)
     select $1, 'post', 'Artigo ' || n, 'artigo-' || n, '<p>Texto.</p>', '', 'pt-BR', $2, 'published',
       now() - make_interval(mins => n)
     from generate_series(0, $3::int - 1) n`,
    [tenant.id, tenant.userId, POSTS],
  );
});

afterAll(async () => {
  await admin?.end();
  await app?.pool.end();
});

/** A scope of the tenant that records the statements of each `read` it sends. */
function recordingScope(): { scope: Scope; sent: Sent[][] } {
  const real = tenantScope(app.db, tenant);
  const sent: Sent[][] = [];
  const read: Scope["read"] = (build) =>
    real.read((db) => {
      const statements = build(db);
      sent.push(
        statements.map((statement) =>
          (statement as unknown as { _prepare(): { getQuery(): Sent } })._prepare().getQuery(),
        ),
      );
      return statements;
    });
  return { scope: new Proxy(real, { get: (target, key) => (key === "read" ? read : Reflect.get(target, key)) }), sent };
}

/** Runs `fn` on a connection of the app role inside a transaction that has set the tenant, then rolls back. */
async function asApp<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("testEnvironment").appDatabaseUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.tenant_id', $1, true)", [tenant.id]);
    return await fn(client);
  } finally {
    await client.query("rollback").catch(() => undefined);
    await client.end();
  }
}

/** The number of times each subquery of the select list ran, from `explain (analyze)`. */
function subPlanLoops(plan: unknown): number[] {
  return planNodes(plan)
    .filter((node) => node["Parent Relationship"] === "SubPlan")
    .map((node) => node["Actual Loops"] ?? 0);
}

/** The plan of `statement` as the app role under the tenant's policies, run (`explain (analyze)`). */
async function analyzedPlan(statement: Sent): Promise<unknown> {
  return asApp(
    async (client) =>
      (
        await client.query<{ "QUERY PLAN": unknown }>(
          `explain (analyze, format json) ${statement.sql}`,
          statement.params,
        )
      ).rows[0]!["QUERY PLAN"],
  );
}

/** The home page's list statement as the site sends it for `page`, with the items it answered. */
async function homePageStatement(page: number): Promise<{ statement: Sent; items: number }> {
  const { scope, sent } = recordingScope();
  const list = await listSiteItems(scope, { locale: "pt-BR", filter: null, page });
  return { statement: sent[0]![0]!, items: list!.items.length };
}

describe("the site's list statements", () => {
  it("build the author and image of the page's rows only, never of the rows the offset skips", async () => {
    const { statement, items } = await homePageStatement(3);
    expect(items).toBe(POSTS - 20);
    const plan = await asApp(
      async (client) =>
        (
          await client.query<{ "QUERY PLAN": unknown }>(
            `explain (analyze, format json) ${statement.sql}`,
            statement.params,
          )
        ).rows[0]!["QUERY PLAN"],
    );
    const loops = subPlanLoops(plan);
    expect(loops.length).toBeGreaterThan(0);
    for (const count of loops) expect(count).toBeLessThanOrEqual(items);
  });

  it("are planned once per connection: the prepared statement's generic plan serves every request", async () => {
    const { statement } = await homePageStatement(1);
    const plans = await asApp(async (client) => {
      // What the Neon endpoint does with a page's statement: prepared once on a connection, then bound per request.
      for (let i = 0; i < 8; i++)
        await client.query({ name: "home_page", text: statement.sql, values: statement.params });
      return (
        await client.query<{ generic: number; custom: number }>(
          "select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where name = 'home_page'",
        )
      ).rows[0];
    });
    // PostgreSQL plans the first five executions for their values, then keeps the generic plan if it costs no more.
    expect(plans).toEqual({ generic: 3, custom: 5 });
  });
});

describe("the WordPress item statements", () => {
  const LIST = { page: 1, perPage: 10, orderby: "date", order: "desc", embed: false } as const;
  let categoryWpIds: number[];
  let tagWpIds: number[];

  beforeAll(async () => {
    // Two categories and two tags on every other post; the rest have none.
    const terms = async (table: "categories" | "tags", links: string, column: string) => {
      const rows = await admin.query<{ id: string; wp_id: string }>(
        `insert into ${table} (tenant_id, name, slug) select $1, 'Termo ' || n, '${table}-' || n
         from generate_series(1, 2) n returning id, wp_id`,
        [tenant.id],
      );
      await admin.query(
        `insert into ${links} (tenant_id, content_id, ${column})
         select $1, ci.id, t.id from content_items ci cross join unnest($2::uuid[]) t(id)
         where ci.tenant_id = $1 and ci.slug ~ '[02468]$'`,
        [tenant.id, rows.rows.map((row) => row.id)],
      );
      return rows.rows.map((row) => Number(row.wp_id)).sort((a, b) => a - b);
    };
    categoryWpIds = await terms("categories", "content_item_categories", "category_id");
    tagWpIds = await terms("tags", "content_item_tags", "tag_id");
  });

  it("read a list page's categories and tags once for the page, never in a subquery per item", async () => {
    const { scope, sent } = recordingScope();
    const page = await listWpContent(scope, { type: "post", origin: "https://example.test", query: LIST });
    const terms = page.items.map((item) => [item["slug"], item["categories"], item["tags"]]);
    expect(terms).toEqual(
      Array.from({ length: 10 }, (_, n) =>
        n % 2 === 0 ? [`artigo-${n}`, categoryWpIds, tagWpIds] : [`artigo-${n}`, [], []],
      ),
    );
    const plan = await analyzedPlan(sent[0]![1]!);
    const read = planNodes(plan).map((node) => node["Relation Name"]);
    expect(read).toEqual(expect.arrayContaining(["content_item_categories", "content_item_tags"]));
    expect(relationsInSubPlans(plan)).not.toContain("content_item_categories");
    expect(relationsInSubPlans(plan)).not.toContain("content_item_tags");
  });

  it("read one item's categories and tags, or none, the same way", async () => {
    const wpIds = await admin.query<{ slug: string; wp_id: string }>(
      "select slug, wp_id from content_items where tenant_id = $1 and slug in ('artigo-0', 'artigo-1')",
      [tenant.id],
    );
    for (const { slug, wp_id } of wpIds.rows) {
      const { scope, sent } = recordingScope();
      const item = await getWpContent(scope, {
        type: "post",
        origin: "https://example.test",
        wpId: Number(wp_id),
        embed: false,
      });
      expect([item!["categories"], item!["tags"]]).toEqual(slug === "artigo-0" ? [categoryWpIds, tagWpIds] : [[], []]);
      expect(relationsInSubPlans(await analyzedPlan(sent[0]![0]!))).not.toContain("content_item_tags");
    }
  });
});
