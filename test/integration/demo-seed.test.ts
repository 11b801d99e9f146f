import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { DEMO_ARTICLES, DEMO_CREDENTIAL } from "../../scripts/demo-articles.js";
import { DEMO_ACCOUNTS } from "../../scripts/seed-demo.js";
import { settledAnalysis } from "../support/analysis.js";
import { bearer, jsonPost } from "../support/auth.js";
import { createFreshDatabase, type FreshDatabase } from "../support/fresh-database.js";
import { eventually } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;
const PASSWORD = "vitalis-demo";

/** `npm run seed:demo` as a developer runs it: its own process, the WASM loader, the owner's URL. */
async function seed(databaseUrl: string, environment: string): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENT: environment, DATABASE_URL: databaseUrl };
  delete env.DEMO_PASSWORD;
  try {
    const { stdout, stderr } = await run(
      join(ROOT, "node_modules", ".bin", "tsx"),
      ["--import", "./scripts/wasm-modules.mjs", "scripts/seed-demo.ts"],
      { cwd: ROOT, env },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

async function counts(client: pg.Client): Promise<Record<string, number>> {
  const { rows } = await client.query<Record<string, string>>(`select
    (select count(*) from tenants) as tenants,
    (select count(*) from users) as users,
    (select count(*) from content_items) as items,
    (select count(*) from content_revisions) as revisions,
    (select count(*) from content_analyses) as analyses,
    (select count(*) from tags) as tags,
    (select count(*) from audit_events) as audit,
    (select count(*) from professional_credentials) as credentials,
    (select count(*) from consents) as consents,
    (select count(*) from privacy_requests) as requests`);
  return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, Number(value)]));
}

describe("the demo seed, on a fresh database", () => {
  let database: FreshDatabase;
  let client: pg.Client;
  let worker: TestWorker;
  let firstRun: { code: number; output: string };
  let walkStartedAt = new Date(0);

  beforeAll(async () => {
    database = await createFreshDatabase("demo");
    client = new pg.Client({ connectionString: database.adminUrl });
    await client.connect();
    firstRun = await seed(database.adminUrl, "test");
    worker = await startWorker({ DATABASE_URL: database.appUrl });
  });

  afterAll(async () => {
    await worker?.dispose();
    await client?.end();
    await database?.drop();
  });

  it("seeds a dozen published articles in three languages, and one in each other state", async () => {
    expect(firstRun.output).toContain("demo seeded: 18 articles created, 0 already there");
    expect(firstRun.code).toBe(0);
    const { rows } = await client.query<{ state: string; locale: string; n: string }>(
      "select state, locale, count(*) as n from content_items group by 1, 2 order by 1, 2",
    );
    expect(rows.map((row) => `${row.state} ${row.locale} ${row.n}`)).toEqual([
      "approved pt-BR 1",
      "archived pt-BR 1",
      "draft pt-BR 1",
      "in_review pt-BR 1",
      "medical_review pt-BR 1",
      "published en 4",
      "published es 4",
      "published pt-BR 4",
      "scheduled pt-BR 1",
    ]);
    const scheduled = await client.query<{ minutes: number }>(
      "select extract(epoch from scheduled_at - now()) / 60 as minutes from content_items where state = 'scheduled'",
    );
    expect(Number(scheduled.rows[0]!.minutes)).toBeGreaterThan(0);
    expect(Number(scheduled.rows[0]!.minutes)).toBeLessThanOrEqual(5);
  });

  it("links translations and gives every published article categories, tags and references", async () => {
    const groups = await client.query<{ locales: string[] }>(
      `select array_agg(locale order by locale) as locales from content_items where state = 'published'
        group by translation_group_id`,
    );
    expect(groups.rows.map((row) => row.locales)).toEqual(Array(4).fill(["en", "es", "pt-BR"]));
    const published = await client.query<{ slug: string; categories: string; tags: string; body: string }>(
      `select slug, body_markdown as body,
         (select count(*) from content_item_categories c where c.content_id = i.id) as categories,
         (select count(*) from content_item_tags t where t.content_id = i.id) as tags
       from content_items i where state = 'published'`,
    );
    for (const item of published.rows) {
      expect(Number(item.categories), item.slug).toBeGreaterThan(0);
      expect(Number(item.tags), item.slug).toBeGreaterThan(0);
      expect(item.body, item.slug).toMatch(/doi:10\.\d{4,9}\/\S+/);
    }
  });

  it("verifies the reviewer's CRM, and names it on what the reviewer approved", async () => {
    const credential = await client.query<{ status: string; crm: string; uf: string; reviewed_by: string }>(
      `select p.status, p.crm_number as crm, p.crm_uf as uf, u.email as reviewed_by
         from professional_credentials p join users u on u.id = p.reviewed_by
        where p.user_id = (select id from users where email = 'reviewer@demo.test')`,
    );
    expect(credential.rows).toEqual([
      { status: "verified", crm: DEMO_CREDENTIAL.input.crmNumber, uf: "SP", reviewed_by: "admin@demo.test" },
    ]);
    const approved = await client.query<{ crm: string | null }>(
      "select distinct reviewer_crm as crm from content_items where state in ('approved', 'scheduled', 'published', 'archived')",
    );
    expect(approved.rows).toEqual([{ crm: "52834" }]);
  });

  it("went through the services: revisions, audit events and a clean analysis of each published revision", async () => {
    const items = await client.query<{ id: string; revisions: string; audited: string; analysed: string }>(
      `select i.id,
         (select count(*) from content_revisions r where r.content_id = i.id) as revisions,
         (select count(*) from audit_events a where a.target_id = i.id::text and a.action = 'content.created') as audited,
         (select count(*) from content_analyses a where a.revision_id = i.current_revision_id and not a.blocking) as analysed
       from content_items i where i.state = 'published'`,
    );
    expect(items.rows).toHaveLength(12);
    for (const item of items.rows) {
      expect(Number(item.revisions)).toBeGreaterThan(0);
      expect(Number(item.audited)).toBe(1);
      expect(Number(item.analysed)).toBeGreaterThanOrEqual(5);
    }
    // The items in review were analysed on entering it, as the Worker does by itself.
    const inReview = await client.query<{ analysed: boolean }>(
      `select exists (select 1 from content_analyses a where a.revision_id = i.current_revision_id) as analysed
         from content_items i where i.state in ('in_review', 'medical_review')`,
    );
    expect(inReview.rows).toEqual([{ analysed: true }, { analysed: true }]);
    const blocking = await client.query("select 1 from content_analyses where blocking");
    expect(blocking.rows).toEqual([]);
    const privacy = await client.query<{ action: string }>(
      "select action from audit_events where action in ('consent.recorded', 'privacy.request_received') order by action",
    );
    expect(privacy.rows.map((row) => row.action)).toEqual(["consent.recorded", "privacy.request_received"]);
  });

  it("lists the published articles at /wp-json/wp/v2/posts through the Worker", async () => {
    const response = await worker.fetch("/wp-json/wp/v2/posts?per_page=100", { host: "localhost" });
    expect(response.status).toBe(200);
    const posts = (await response.json()) as Array<{ slug: string }>;
    const expected = DEMO_ARTICLES.filter((article) => article.state === "published").map((article) => article.slug);
    expect(posts.map((post) => post.slug).sort()).toEqual([...expected].sort());
  });

  it("lets the demo accounts alone take the draft to published", async () => {
    const api = (path: string, init: RequestInit = {}) => worker.fetch(path, { host: "localhost", ...init });
    const signIn = async (email: string): Promise<string> => {
      const login = (await (await api("/api/auth/login", jsonPost({ email, password: PASSWORD }))).json()) as {
        access_token?: string;
        enrolmentToken?: string;
      };
      if (login.access_token) return login.access_token;
      // The reviewer enrols an authenticator at the first sign-in, as the SPA shows.
      const { secret } = (await (
        await api("/api/auth/mfa/enrol", jsonPost({ enrolmentToken: login.enrolmentToken }))
      ).json()) as { secret: string };
      const confirmed = await api(
        "/api/auth/mfa/enrol/confirm",
        jsonPost({ enrolmentToken: login.enrolmentToken, code: await totpCode(secret, totpStep()) }),
      );
      return ((await confirmed.json()) as { access_token: string }).access_token;
    };
    const author = await signIn("author@demo.test");
    const editor = await signIn("editor@demo.test");
    const reviewer = await signIn("reviewer@demo.test");
    const { rows } = await client.query<{ id: string }>("select id from content_items where state = 'draft'");
    const id = rows[0]!.id;
    walkStartedAt = (await client.query<{ now: Date }>("select now()")).rows[0]!.now;
    const step = async (token: string, path: string, body?: unknown) => {
      const response = await api(`/api/posts/${id}${path}`, jsonPost(body ?? {}, bearer(token)));
      expect(response.status, `${path} ${JSON.stringify(body)}: ${await response.clone().text()}`).toBe(200);
    };
    await step(author, "/transitions", { to: "in_review" });
    await step(editor, "/transitions", { to: "medical_review" });
    // The analysis runs by itself in review; the reviewer reads it before approving, as the SPA shows it.
    const analysis = await settledAnalysis(() => api(`/api/posts/${id}/analysis`, { headers: bearer(reviewer) }));
    expect(analysis).toMatchObject({ status: "analysed", blocking: false });
    await step(reviewer, "/transitions", { to: "approved" });
    await step(editor, "/transitions", { to: "published" });
    const page = await api("/wp-json/wp/v2/posts?slug=hidratacao-em-dias-quentes");
    expect(((await page.json()) as unknown[]).length).toBe(1);
  });

  it("changes nothing when it runs again", async () => {
    // The walk-through's workflow notices are sent after its responses (waitUntil), each audited when sent: let
    // them go out before counting.
    await eventually(async () => {
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from outbox where created_at >= $1 and status <> 'sent'",
        [walkStartedAt],
      );
      expect(rows[0]!.n).toBe(0);
    }, 20_000);
    const before = await counts(client);
    const again = await seed(database.adminUrl, "test");
    expect(again.code).toBe(0);
    expect(again.output).toContain("demo seeded: 0 articles created, 18 already there");
    expect(await counts(client)).toEqual(before);
  });

  it("refuses to run in production, before writing anything", async () => {
    const empty = await createFreshDatabase("demo_refused");
    const other = new pg.Client({ connectionString: empty.adminUrl });
    await other.connect();
    try {
      for (const environment of ["production", ""]) {
        const refused = await seed(empty.adminUrl, environment);
        expect(refused.code).toBe(1);
        expect(refused.output).toMatch(/Refusing to seed demo accounts/);
      }
      expect(await counts(other)).toMatchObject({ tenants: 0, users: 0, items: 0, audit: 0 });
    } finally {
      await other.end();
      await empty.drop();
    }
  });

  it("seeds one account per role, the reviewer among them", () => {
    expect(DEMO_ACCOUNTS.map((account) => account.roles).flat()).toEqual(
      expect.arrayContaining(["admin", "editor", "author", "medical_reviewer", "compliance_officer"]),
    );
  });
});
