import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { launchChromium } from "../support/browser.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { createWorker, type TestWorker } from "../support/worker.js";

const PORT = 8874;
const SCREENSHOTS = join(process.cwd(), "test-results", "screenshots");

/**
 * A real browser (Debian's Chromium, never a downloaded one) reads a published article served by the
 * Worker over loopback: the page renders with its stylesheet under the strict CSP, with no script, and
 * keyboard users reach the skip link first.
 */
describe("the public site in a real browser", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let browser: Browser;

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "browser");
    // The browser asks for 127.0.0.1:<port>; that hostname is this tenant's second (non-primary) name.
    await admin.query(
      "insert into tenant_hostnames (hostname, tenant_id, is_primary) values ('127.0.0.1', $1, false) on conflict (hostname) do update set tenant_id = excluded.tenant_id",
      [site.id],
    );
    await admin.query("update users set display_name = 'Dra. Ana Souza' where id = $1", [site.userId]);
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'ana-souza')", [
      site.id,
      site.userId,
    ]);
    await admin.query(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at,
         last_medically_reviewed_at, reviewed_by, reviewer_name, reviewer_crm, reviewer_uf)
       values ($1, 'post', 'Hipertensão: como medir a pressão em casa', 'medir-pressao', $2, 'Um guia prático.', 'pt-BR', $3, 'published', now(),
         now(), $3, 'Dra. Ana Souza', '123456', 'SP')`,
      [
        site.id,
        "<h2>Antes de medir</h2><p>Descanse cinco minutos, sentado, com as costas apoiadas.</p><h2>Durante a medida</h2><ul><li>Braço na altura do coração.</li><li>Não fale.</li></ul>",
        site.userId,
      ],
    );
    worker = await createWorker(inject("testEnvironment"), {}, { port: PORT });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
    await admin?.query("delete from tenant_hostnames where hostname = '127.0.0.1' and tenant_id = $1", [site?.id]);
    await admin?.end();
  });

  it("renders a published article with its styles, no script errors, and a working skip link", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, javaScriptEnabled: false });
    const failures: string[] = [];
    page.on("requestfailed", (request) => failures.push(request.url()));
    // Every subresource must load (the browser's own /favicon.ico probe aside: the site has no icon yet).
    page.on("response", (res) => {
      if (res.status() >= 400 && !res.url().endsWith("/favicon.ico")) failures.push(`${res.status()} ${res.url()}`);
    });
    const response = await page.goto(`http://127.0.0.1:${PORT}/pt-br/posts/medir-pressao/`);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe("Hipertensão: como medir a pressão em casa — Clinic browser");
    expect(await page.getAttribute("html", "lang")).toBe("pt-BR");
    expect(await page.locator("h1").innerText()).toBe("Hipertensão: como medir a pressão em casa");
    expect(await page.locator(".review").innerText()).toContain("Dra. Ana Souza — CRM/SP 123456");
    // The stylesheet loaded (allowed by `style-src 'self'`): the review box has its background.
    expect(await page.locator(".review").evaluate((el) => getComputedStyle(el).borderLeftStyle)).toBe("solid");
    expect(failures).toEqual([]);

    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "site-article.png"), fullPage: true });

    // Keyboard: the first Tab lands on the skip link, which becomes visible.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip-link");
    await page.screenshot({ path: join(SCREENSHOTS, "site-article-skip-link.png") });
    await page.close();
  });
});
