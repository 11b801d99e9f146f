/**
 * Content benchmark cases for bench/run.ts: the WordPress list endpoint and a single post read, each
 * compared with the hello-world baseline like every other case. `contentBenchCases` seeds a tenant with
 * published posts (straight into the database as the owner role, so the bench measures reads only) and
 * returns the cases with the Host header that selects that tenant.
 */
import pg from "pg";
import type { TestEnvironment } from "../test/support/environment.js";

export interface ContentBenchCase {
  name: string;
  path: string;
  headers: Record<string, string>;
  target?: string;
}

export async function contentBenchCases(environment: TestEnvironment, posts = 30): Promise<ContentBenchCase[]> {
  const client = new pg.Client({ connectionString: environment.adminDatabaseUrl });
  await client.connect();
  try {
    const hostname = `bench-content-${Date.now().toString(36)}.test`;
    const tenant = await client.query<{ id: string }>(
      "insert into tenants (slug, name) values ($1, 'Bench clinic') returning id",
      [hostname.split(".")[0]],
    );
    const tenantId = tenant.rows[0]!.id;
    await client.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    const user = await client.query<{ id: string }>(
      "insert into users (email, display_name) values ($1, 'Dra. Bench') returning id",
      [`author@${hostname}`],
    );
    const userId = user.rows[0]!.id;
    await client.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, 'author')", [
      tenantId,
      userId,
    ]);
    await client.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'dra-bench')", [
      tenantId,
      userId,
    ]);
    let firstWpId = 0;
    for (let i = 0; i < posts; i++) {
      const row = await client.query<{ wp_id: string }>(
        `insert into content_items (tenant_id, type, title, slug, body_markdown, body_html, excerpt, locale, author_id, state, published_at)
         values ($1, 'post', $2, $3, $4, $5, $6, 'pt-BR', $7, 'published', now() - ($8 || ' minutes')::interval) returning wp_id`,
        [
          tenantId,
          `Artigo de referência ${i}`,
          `artigo-${i}`,
          "Texto sobre **hipertensão** e cuidados.",
          "<p>Texto sobre <strong>hipertensão</strong> e cuidados.</p>",
          "Texto sobre hipertensão e cuidados.",
          userId,
          String(i),
        ],
      );
      if (i === 0) firstWpId = Number(row.rows[0]!.wp_id);
    }
    const headers = { host: hostname };
    return [
      { name: "WordPress list /wp-json/wp/v2/posts (10 items)", path: "/wp-json/wp/v2/posts", headers },
      { name: "WordPress single post /wp-json/wp/v2/posts/:id", path: `/wp-json/wp/v2/posts/${firstWpId}`, headers },
    ];
  } finally {
    await client.end();
  }
}
