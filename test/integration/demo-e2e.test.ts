/**
 * The living demo, clicked through as a newcomer would: on a database that `npm run seed:demo` alone filled, the
 * demo accounts take the seeded draft to published in the admin SPA in Chromium (the author submits it, the
 * editor sends it to medical review once the analysis has run, the reviewer, whose CRM the seed verified, enrols
 * the authenticator the default policy asks for and approves, the editor publishes), and the WordPress API lists it.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  type BrowserAccount,
  openInEditor,
  signInWithBrowser,
  transitionInEditor,
  waitForOpenGate,
} from "../support/admin-browser.js";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { launchChromium } from "../support/browser.js";
import { createFreshDatabase, type FreshDatabase } from "../support/fresh-database.js";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;
const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;

describe("the demo in Chromium, with the demo accounts alone", () => {
  let database: FreshDatabase;
  let client: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    database = await createFreshDatabase("demo_e2e");
    // `npm run seed:demo` as a developer runs it, with the default demo password.
    const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENT: "test", DATABASE_URL: database.adminUrl };
    delete env.DEMO_PASSWORD;
    await run(
      join(ROOT, "node_modules", ".bin", "tsx"),
      ["--import", "./scripts/wasm-modules.mjs", "scripts/seed-demo.ts"],
      {
        cwd: ROOT,
        env,
      },
    );
    client = new pg.Client({ connectionString: database.adminUrl });
    await client.connect();
    server = await startAdminServer({ ...inject("testEnvironment"), appDatabaseUrl: database.appUrl });
    // The demo tenant answers on localhost, a secure context for the refresh cookie over http.
    origin = server.origin("localhost");
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await client?.end();
    await database?.drop();
  });

  async function demoAccount(name: string): Promise<BrowserAccount & { page: Page }> {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${name}: ${error.message}`));
    return { email: `${name}@demo.test`, password: "vitalis-demo", recoveryCodes: [], page };
  }

  it("takes the seeded draft to published in the SPA", async () => {
    const [draft] = (
      await client.query<{ id: string; title: string; slug: string }>(
        "select id, title, slug from content_items where state = 'draft'",
      )
    ).rows;
    expect(draft).toBeDefined();
    const path = `/admin/posts/${draft!.id}`;
    const author = await demoAccount("author");
    const editor = await demoAccount("editor");
    const reviewer = await demoAccount("reviewer");

    // The author finds the draft among the drafts and submits it.
    await signInWithBrowser(author.page, origin, author);
    await author.page.goto(`${origin}/admin/?state=draft`);
    await author.page.getByRole("link", { name: draft!.title }).click();
    await author.page.locator("[data-testid=state]").waitFor();
    await transitionInEditor(author.page, "Submit for review", "In editorial review");

    // The editor waits for the analysis the publish gate needs and sends it to medical review.
    await signInWithBrowser(editor.page, origin, editor);
    await openInEditor(editor.page, origin, path);
    await waitForOpenGate(editor.page);
    await transitionInEditor(editor.page, "Send to medical review", "In medical review");

    // The reviewer (CRM verified by the seed) enrols an authenticator at the first sign-in and approves.
    await signInWithBrowser(reviewer.page, origin, reviewer);
    expect(reviewer.recoveryCodes.length).toBeGreaterThan(0);
    await openInEditor(reviewer.page, origin, path);
    await transitionInEditor(reviewer.page, "Approve as medical reviewer", "Approved");

    // The editor publishes; the site's WordPress API lists it.
    await openInEditor(editor.page, origin, path);
    await transitionInEditor(editor.page, "Publish", "Published");
    await editor.page.screenshot({ path: `${SHOTS}demo-draft-published.png`, fullPage: true });
    const listed = await editor.page.evaluate(
      async (slug) => (await (await fetch(`/wp-json/wp/v2/posts?slug=${slug}`)).json()) as unknown[],
      draft!.slug,
    );
    expect(listed).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
