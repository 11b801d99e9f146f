import { neonConfig, NeonDbError } from "@neondatabase/serverless";
import { eq, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { contentItems } from "../../schema/index.js";
import {
  createHttpDatabase,
  type HttpDatabase,
  preparedRead,
  type ReadPlaceholders,
  readAsTenant,
} from "../../functions/lib/db-http.js";
import { type NeonHttpEndpoint, type NeonProxy, startNeonHttp, startNeonProxy } from "../../local-cloud/index.js";
import { PG_HOST, PG_PORT } from "../support/environment.js";
import { getConfig } from "../../functions/env.js";
import { openClients } from "../../functions/scope.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { startWorker, testBindings, type TestWorker } from "../support/worker.js";

/**
 * Public reads go over Neon's HTTP driver (functions/lib/db-http.ts): one request per page, a read-only
 * transaction that sets the tenant before the page's statements. Row-level security must hold there exactly as
 * on the WebSocket path: the Worker connects as the app role, and a page of one tenant never shows another's rows.
 */
describe("the HTTP read path", () => {
  let admin: pg.Client;
  let clinicA: SeededTenant;
  let clinicB: SeededTenant;

  async function publish(site: SeededTenant, slug: string, title: string): Promise<void> {
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at)
       values ($1, 'post', $2, $3, '<p>Texto.</p>', 'Resumo.', 'pt-BR', $4, 'published', now())`,
      [site.id, title, slug, site.userId],
    );
  }

  beforeAll(async () => {
    admin = await adminClient();
    clinicA = await seedTenant(admin, "http-a");
    clinicB = await seedTenant(admin, "http-b");
    for (const site of [clinicA, clinicB]) {
      await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'membro')", [
        site.id,
        site.userId,
      ]);
    }
    await publish(clinicA, "gripe-a", "Gripe na clínica A");
    await publish(clinicB, "segredo-b", "Artigo só da clínica B");
  });

  afterAll(async () => {
    await admin?.end();
  });

  describe("readAsTenant, as the app role", () => {
    let db: HttpDatabase;

    beforeAll(() => {
      const env = inject("testEnvironment");
      neonConfig.fetchEndpoint = env.neonHttp;
      db = createHttpDatabase({ url: env.appDatabaseUrl, wsProxy: undefined, httpEndpoint: env.neonHttp });
    });

    const slugs = (rows: Array<{ slug: string }>) => rows.map((row) => row.slug).sort();

    it("sees only the tenant it names", async () => {
      const [rowsA] = await readAsTenant(db, clinicA.id, [db.select({ slug: contentItems.slug }).from(contentItems)]);
      expect(slugs(rowsA)).toEqual(["gripe-a"]);
      const [rowsB] = await readAsTenant(db, clinicB.id, [db.select({ slug: contentItems.slug }).from(contentItems)]);
      expect(slugs(rowsB)).toEqual(["segredo-b"]);
    });

    it("sees nothing without a tenant, and the setting ends with its request", async () => {
      expect(await db.select({ slug: contentItems.slug }).from(contentItems)).toEqual([]);
      await readAsTenant(db, clinicA.id, [db.execute(sql`select 1`)]);
      const [leftover] = await readAsTenant(db, clinicB.id, [
        db.select({ slug: contentItems.slug }).from(contentItems),
      ]);
      expect(slugs(leftover)).toEqual(["segredo-b"]);
      expect(await db.select({ slug: contentItems.slug }).from(contentItems)).toEqual([]);
    });

    it("cannot write: the batch is a read-only transaction", async () => {
      await expect(
        readAsTenant(db, clinicA.id, [
          db
            .update(contentItems)
            .set({ title: "changed" })
            .where(sql`true`),
        ]),
      ).rejects.toMatchObject({ code: "25006" });
      const { rows } = await admin.query("select count(*)::int as n from content_items where title = 'changed'");
      expect(rows[0]).toEqual({ n: 0 });
    });

    it("sends a prepared read with its values bound, mapped as the query, under the tenant it names", async () => {
      const built: string[] = [];
      const bySlug = preparedRead((db, p: ReadPlaceholders<{ slug: string }>) => {
        built.push("built");
        return db
          .select({ slug: contentItems.slug, publishedAt: contentItems.publishedAt })
          .from(contentItems)
          .where(eq(contentItems.slug, p.slug));
      });
      const [own] = await readAsTenant(db, clinicA.id, [bySlug({ slug: "gripe-a" })]);
      expect(own.map((row) => row.slug)).toEqual(["gripe-a"]);
      // Drizzle's mapping of the selected fields holds: a timestamp column is a Date, as from the query builder.
      expect(own[0]!.publishedAt).toBeInstanceOf(Date);
      // Another tenant's row is out of reach with the same statement, and a statement beside it is sent as usual.
      const [other, plain] = await readAsTenant(db, clinicA.id, [
        bySlug({ slug: "segredo-b" }),
        db.select({ slug: contentItems.slug }).from(contentItems),
      ]);
      expect(other).toEqual([]);
      expect(slugs(plain)).toEqual(["gripe-a"]);
      const [theirs] = await readAsTenant(db, clinicB.id, [bySlug({ slug: "segredo-b" })]);
      expect(theirs.map((row) => row.slug)).toEqual(["segredo-b"]);
      // The statement was built once, at first use: each call binds only its values.
      expect(built).toHaveLength(1);
    });

    it("answers every type, and a failed statement, as the driver and drizzle's own batch do", async () => {
      const typed = () =>
        db.execute(
          sql`select '2026-12-03 20:00:00+00'::timestamptz as at, ${new Date(0)}::timestamptz as epoch,
            1.50::numeric as amount, array[1, 2]::int[] as ids, '{"a": [1, null]}'::jsonb as doc, null::text as nothing,
            ${true}::boolean as yes, ${7}::int8 as big, ${'say "hi"'}::text as quoted, '2026-12-03'::date as day`,
        );
      const [ours] = await readAsTenant(db, clinicA.id, [typed()]);
      const [drivers] = await db.batch([typed()]);
      expect(ours.rows).toEqual(drivers.rows);
      expect(ours.rows).toEqual([
        {
          at: "2026-12-03 20:00:00+00",
          epoch: "1970-01-01 00:00:00+00",
          amount: "1.50",
          ids: [1, 2],
          doc: { a: [1, null] },
          nothing: null,
          yes: true,
          big: "7",
          quoted: 'say "hi"',
          day: "2026-12-03",
        },
      ]);

      const failure = await readAsTenant(db, clinicA.id, [db.execute(sql`select 1 / 0`)]).catch((error) => error);
      expect(failure).toBeInstanceOf(NeonDbError);
      expect(failure).toMatchObject({ code: "22012", message: "division by zero" });
    });

    it("refuses an id that is not a UUID before sending anything", async () => {
      await expect(readAsTenant(db, "' or true --", [db.execute(sql`select 1`)])).rejects.toThrow(TypeError);
    });
  });

  describe("a request's clients and scope", () => {
    it("open no pool until the database is used, and say when one is left to end", async () => {
      const clients = openClients(getConfig(testBindings(inject("testEnvironment"))));
      expect(clients.poolOpened).toBe(false);
      await readAsTenant(clients.http, clinicA.id, [clients.http.execute(sql`select 1`)]);
      expect(clients.poolOpened).toBe(false);
      await clients.db.execute(sql`select 1`);
      expect(clients.poolOpened).toBe(true);
      await clients.close();
    });

    it("tell whether committed transactions left events to deliver, only once they commit", async () => {
      const app = appDatabase();
      try {
        const scope = tenantScope(app.db, { id: clinicA.id, slug: "http-a" });
        const event = { type: "mail.queued" as const, outboxIds: [] as string[] };
        expect(scope.hasCommittedEvents).toBe(false);
        await expect(
          scope.transaction(async (tx) => {
            scope.afterCommit(tx, event);
            throw new Error("rolled back");
          }),
        ).rejects.toThrow("rolled back");
        expect(scope.hasCommittedEvents).toBe(false);
        await scope.transaction(async (tx) => scope.afterCommit(tx, event));
        expect(scope.hasCommittedEvents).toBe(true);
        expect(scope.takeCommittedEvents()).toEqual([event]);
        expect(scope.hasCommittedEvents).toBe(false);
      } finally {
        await app.pool.end();
      }
    });
  });

  describe("pages in the Worker", () => {
    let http: NeonHttpEndpoint;
    let refusing: NeonProxy;
    let worker: TestWorker;

    beforeAll(async () => {
      http = await startNeonHttp({ allow: [`${PG_HOST}:${PG_PORT}`] });
      // A WebSocket proxy that reaches no database: a page that needed the WebSocket pool would fail.
      refusing = await startNeonProxy({ allow: ["127.0.0.1:1"] });
      worker = await startWorker({
        NEON_HTTP_ENDPOINT: http.url,
        NEON_WS_PROXY: `127.0.0.1:${refusing.port}/v1`,
        SITE_CACHE_SECONDS: "0",
      });
    });

    afterAll(async () => {
      await worker?.dispose();
      await Promise.allSettled([http?.close(), refusing?.close()]);
    });

    it("renders a tenant's article in one HTTP round trip, without the WebSocket pool", async () => {
      // The first request also resolves the host and the primary hostname (memoised per isolate).
      const first = await worker.fetch("/pt-br/posts/gripe-a/", { host: clinicA.hostname });
      expect(first.status).toBe(200);
      await first.text();
      const before = http.requests;
      const page = await worker.fetch("/pt-br/posts/gripe-a/", { host: clinicA.hostname });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Gripe na clínica A");
      expect(http.requests - before).toBe(1);
    });

    it("never shows another tenant's rows on a page, a list, a feed or the WordPress API", async () => {
      const other = await worker.fetch("/pt-br/posts/segredo-b/", { host: clinicA.hostname });
      expect(other.status).toBe(404);
      await other.text();
      const own = await worker.fetch("/pt-br/posts/segredo-b/", { host: clinicB.hostname });
      expect(own.status).toBe(200);
      expect(await own.text()).toContain("Artigo só da clínica B");

      // Item files are fixed wp id ranges: the index names the one clinic A's post is in.
      const index = await worker.fetch("/sitemap.xml", { host: clinicA.hostname });
      const itemFile = /\/sitemaps\/pt-br-\d+\.xml/.exec(await index.text())?.[0];
      expect(itemFile).toBeDefined();
      for (const path of ["/pt-br/", "/pt-br/feed.xml", "/sitemap.xml", itemFile!, "/pt-br/search?q=artigo"]) {
        const response = await worker.fetch(path, { host: clinicA.hostname });
        expect(response.status, path).toBe(200);
        const body = await response.text();
        expect(body, path).not.toContain("segredo-b");
      }
      const wp = await worker.fetch("/wp-json/wp/v2/posts", { host: clinicA.hostname });
      expect(wp.status).toBe(200);
      const posts = (await wp.json()) as Array<{ slug: string }>;
      expect(posts.map((post) => post.slug)).toEqual(["gripe-a"]);
    });
  });
});
