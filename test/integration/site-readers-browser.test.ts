import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { waitForMail } from "../support/mail.js";
import { createWorker, type TestWorker } from "../support/worker.js";

const PORT = 8875;
const SCREENSHOTS = join(process.cwd(), "test-results", "screenshots");
const SECRET_SENTENCE = "Em pacientes com depuração abaixo de 30 mL/min, reduza a dose pela metade.";

/**
 * Page weight of the public pages: the HTML of each page plus the one stylesheet, gzip-compressed, as a reader's
 * first visit downloads them (the pages load no script and no font). Measured on this fixture's pages at 2.4–3.0 KiB
 * (the stylesheet 1.4 KiB of it): twice that leaves room for a list of ten items with long titles and a long
 * article's chrome, not for a framework or an inlined asset.
 */
const PAGE_WEIGHT_BUDGET_BYTES = 6 * 1024;

/** The axe-core rules' impacts the build refuses (WCAG 2.2 AA: wcag2a, wcag2aa, wcag21a/aa, wcag22aa tags). */
const REFUSED_IMPACTS = new Set(["serious", "critical"]);
const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core in the page against WCAG 2.2 AA and returns the serious and critical violations. The site's CSP
 * allows no inline script, so the browser context that injects axe bypasses the CSP (`bypassCSP`), as a testing tool.
 */
async function seriousViolations(page: Page): Promise<Array<{ id: string; help: string; targets: string[] }>> {
  await page.addScriptTag({ content: await AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    })) as { violations: unknown[] };
    return result.violations;
  });
  return (violations as AxeViolation[])
    .filter((violation) => violation.impact !== null && REFUSED_IMPACTS.has(violation.impact))
    .map((violation) => ({
      id: violation.id,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
}

/**
 * The Done-when of professional readers, in Debian's Chromium against the Worker over loopback: a professional
 * registers on the site, confirms the e-mail from the mail catcher, an admin verifies the credential through the
 * API, the professional signs in on the site and reads the professional article in full; signed out, the teaser
 * shows. axe-core finds no serious or critical WCAG 2.2 AA violation on the home, article, list, search, sign-in
 * (both steps) and registration pages, and their HTML + CSS stays under the page-weight budget.
 */
describe("professional readers and accessible pages in a real browser", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  let browser: Browser;
  let base: string;
  let adminToken: string;

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "readersweb");
    // Chromium resolves every *.localhost name to loopback and treats it as a secure context, so the site's
    // Secure, __Host- cookies work over plain http here, as they do on https in production.
    const hostname = `${site.slug}.localhost`;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, false)", [
      hostname,
      site.id,
    ]);
    base = `http://${hostname}:${PORT}`;
    await admin.query("update users set display_name = 'Dra. Ana Souza' where id = $1", [site.userId]);
    await admin.query("insert into content_authors (tenant_id, user_id, slug) values ($1, $2, 'ana-souza')", [
      site.id,
      site.userId,
    ]);
    const category = await admin.query<{ id: string }>(
      "insert into categories (tenant_id, name, slug) values ($1, 'Nefrologia', 'nefrologia') returning id",
      [site.id],
    );
    const tag = await admin.query<{ id: string }>(
      "insert into tags (tenant_id, name, slug) values ($1, 'Rins', 'rins') returning id",
      [site.id],
    );
    const items = await admin.query<{ id: string }>(
      `insert into content_items (tenant_id, type, title, slug, body_html, excerpt, locale, author_id, state, published_at,
         last_medically_reviewed_at, reviewed_by, reviewer_name, reviewer_crm, reviewer_uf, compliance_level)
       values ($1, 'post', 'Doença renal crônica: sinais de alerta', 'doenca-renal', $2, 'O que observar.', 'pt-BR', $3,
         'published', now(), now(), $3, 'Dra. Ana Souza', '123456', 'SP', 'public'),
              ($1, 'post', 'Ajuste de dose de antibióticos na doença renal', 'ajuste-dose-renal', $4,
         'Tabela para prescritores.', 'pt-BR', $3, 'published', now(), now(), $3, 'Dra. Ana Souza', '123456', 'SP',
         'professional')
       returning id`,
      [
        site.id,
        "<h2>Sinais</h2><p>Inchaço, urina espumosa e pressão alta merecem consulta.</p><h2>Exames</h2><p>Creatinina e urina tipo 1.</p>",
        site.userId,
        `<h2>Ajuste</h2><p>${SECRET_SENTENCE}</p>`,
      ],
    );
    for (const item of items.rows) {
      await admin.query(
        "insert into content_item_categories (tenant_id, content_id, category_id) values ($1, $2, $3)",
        [site.id, item.id, category.rows[0]!.id],
      );
      await admin.query("insert into content_item_tags (tenant_id, content_id, tag_id) values ($1, $2, $3)", [
        site.id,
        item.id,
        tag.rows[0]!.id,
      ]);
    }
    worker = await createWorker(inject("testEnvironment"), {}, { port: PORT });
    const reviewer = await createUser(admin, site, { roles: ["admin"] });
    adminToken = (await signIn(worker, site.hostname, reviewer)).accessToken;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
    await admin?.end();
  });

  it("lets a professional register, be verified, sign in and read the professional article; signed out, the teaser", async () => {
    const email = `dra.nova.${Math.random().toString(36).slice(2, 8)}@readersweb.test`;
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const article = `${base}/pt-br/posts/ajuste-dose-renal/`;

    // Signed out: the teaser, whose link leads to the site's own sign-in.
    await page.goto(article);
    await expect(page.locator(".teaser").innerText()).resolves.toContain("Conteúdo para profissionais de saúde");
    expect(await page.content()).not.toContain(SECRET_SENTENCE);
    await page.click(".teaser a");
    expect(new URL(page.url()).pathname).toBe("/pt-br/entrar");
    await page.click("text=Cadastre-se como profissional de saúde");

    // Registration: a plain form.
    await page.fill("#name", "Dra. Nova Leitora");
    await page.fill("#email", email);
    await page.fill("#password", "uma frase longa de senha");
    await page.selectOption("#council", "CRM");
    await page.fill("#councilNumber", "343434");
    await page.selectOption("#councilUf", "PE");
    await page.check("#consent");
    await page.click("form.account button[type=submit]");
    await expect(page.locator("h1").innerText()).resolves.toBe("Confira o seu e-mail");

    // The e-mailed link opens the confirmation page; the token travels in the fragment only.
    const mail = await waitForMail(email);
    const link = /(http:\/\/\S+\/pt-br\/cadastro\/confirmar#token=[A-Za-z0-9_%-]+)/.exec(mail.text ?? "")?.[1];
    expect(link).toBeTruthy();
    await page.goto(link!);
    expect(new URL(page.url()).hash).toBe("");
    await page.click("form.account button[type=submit]");
    await expect(page.locator("h1").innerText()).resolves.toBe("E-mail confirmado");

    // Signed in but not yet verified: still the teaser.
    await page.goto(`${base}/pt-br/entrar?next=${encodeURIComponent("/pt-br/posts/ajuste-dose-renal/")}`);
    await page.fill("#email", email);
    await page.fill("#password", "uma frase longa de senha");
    await page.click("form.account button[type=submit]");
    expect(page.url()).toBe(article);
    expect(await page.content()).not.toContain(SECRET_SENTENCE);

    // An admin verifies the credential in the credential queue (the API the SPA's screen uses).
    const queue = await worker.fetch("/api/credentials?status=pending", {
      host: site.hostname,
      headers: bearer(adminToken),
    });
    const pending = ((await queue.json()) as { items: Array<{ userId: string; email: string; council: string }> })
      .items;
    const mine = pending.find((item) => item.email === email)!;
    expect(mine.council).toBe("CRM");
    const reviewed = await worker.fetch(`/api/users/${mine.userId}/credential/review`, {
      host: site.hostname,
      method: "POST",
      headers: { ...bearer(adminToken), "content-type": "application/json" },
      body: JSON.stringify({ status: "verified", note: "CRM/PE 343434 conferido no conselho" }),
    });
    expect(reviewed.status).toBe(200);

    // The same session now reads the article in full, privately.
    const response = await page.goto(article);
    expect(response?.headers()["cache-control"]).toBe("private, no-store");
    await expect(page.locator("article .content").innerText()).resolves.toContain(SECRET_SENTENCE);
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === "__Host-vitalis_site")!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
    expect(await seriousViolations(page)).toEqual([]);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "site-professional-article.png"), fullPage: true });

    // Signed out: the teaser again, and the cookie is gone.
    await page.click("form.sign-out button");
    await page.goto(article);
    expect(await page.content()).not.toContain(SECRET_SENTENCE);
    await expect(page.locator(".teaser").count()).resolves.toBe(1);
    expect((await context.cookies()).some((cookie) => cookie.name === "__Host-vitalis_site")).toBe(false);
    await context.close();
  });

  // The code step shows its form only to a browser that holds a pending sign-in (its cookie's value is checked when
  // the code is posted, not to show the page).
  const PENDING_SIGN_IN = { name: "__Host-vitalis_mfa", value: "pending.sign-in.step" };
  const PAGES: Array<[string, string, { name: string; value: string }?]> = [
    ["home", "/pt-br/"],
    ["article", "/pt-br/posts/doenca-renal/"],
    ["professional teaser", "/pt-br/posts/ajuste-dose-renal/"],
    ["category list", "/pt-br/category/nefrologia/"],
    ["tag list", "/pt-br/tag/rins/"],
    ["search", "/pt-br/search?q=renal"],
    ["sign-in", "/pt-br/entrar"],
    ["registration", "/pt-br/cadastro"],
    ["sign-in (en)", "/en/sign-in"],
    ["sign-in code", "/pt-br/entrar/codigo", PENDING_SIGN_IN],
    ["sign-in code (en)", "/en/sign-in/code", PENDING_SIGN_IN],
    ["registration (es)", "/es/registro"],
  ];

  it("has no serious or critical WCAG 2.2 AA violation (axe-core) on the public pages, and runs no script", async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on("request", (request) => {
      if (request.resourceType() === "script") scripts.push(request.url());
    });
    const found: Record<string, unknown> = {};
    for (const [name, path, cookie] of PAGES) {
      // A Secure cookie is set through an https URL; Chromium sends it to the loopback site (a secure context) too.
      if (cookie) {
        await context.addCookies([
          { ...cookie, url: base.replace(/^http:/, "https:") + "/", secure: true, httpOnly: true },
        ]);
      }
      const response = await page.goto(base + path);
      expect(response?.status(), name).toBe(200);
      expect(new URL(page.url()).pathname, name).toBe(path.split("?")[0]);
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[name] = violations;
    }
    expect(found).toEqual({});
    // None of these pages loads a script (the confirmation page's is the only one the site has).
    expect(scripts).toEqual([]);
    await context.close();
  });

  it("keeps each page's HTML + CSS under the page-weight budget (gzip)", async () => {
    const figures: Record<string, number> = {};
    let cssBytes = 0;
    for (const [name, path, cookie] of PAGES) {
      const headers: Record<string, string> = cookie ? { cookie: `${cookie.name}=${cookie.value}` } : {};
      const response = await worker.fetch(path, { host: site.hostname, headers });
      expect(response.status, name).toBe(200);
      const html = await response.text();
      if (cssBytes === 0) {
        const href = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!;
        cssBytes = gzipSync(await (await worker.fetch(href, { host: site.hostname })).text()).length;
      }
      figures[name] = gzipSync(html).length + cssBytes;
    }
    console.log(`page weight, HTML + CSS gzip (CSS ${cssBytes} B): ${JSON.stringify(figures)}`);
    for (const [name, bytes] of Object.entries(figures)) {
      expect(bytes, `${name}: ${bytes} B`).toBeLessThan(PAGE_WEIGHT_BUDGET_BYTES);
    }
  });
});
