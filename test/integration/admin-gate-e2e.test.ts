/**
 * The compliance gate in the admin SPA, in a real browser (Debian's Chromium via playwright-core) against the real
 * Worker bundle and the built SPA (test/support/admin-server.ts): an article is approved and published only once
 * the server's own analysis of its revision has finished (the editor sees "analysing…", then the findings), and the
 * override path refuses a justification under 20 characters, in the browser and at the server. The reviewer then
 * chooses a daily digest of the workflow's notices in their account screen.
 *
 * To hold the analysis "on its way" for as long as the test looks at it, a second database session locks
 * `content_analyses` (the automatic run can read but not store its result); releasing the lock lets the run finish.
 */
import { mkdir } from "node:fs/promises";
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";

const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;
const CPF = "529.982.247-25";
const JUSTIFICATION = "Relato autorizado por escrito pela paciente; revisado pelo comitê de ética.";

describe("the publish gate in the admin SPA (Chromium)", () => {
  let admin: pg.Client;
  let locker: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let editor: TestUser;
  let reviewer: TestUser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    admin = await adminClient();
    locker = await adminClient();
    const slug = `gate-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Portão E2E",
    ]);
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
    const seeded = { id: tenantId, slug };
    editor = await createUser(admin, seeded, { roles: ["editor"], name: "Edna Editora" });
    reviewer = await createUser(admin, seeded, {
      roles: ["medical_reviewer"],
      name: "Dr. Rui Revisor",
      verifiedCredential: { crm: "123456", uf: "SP" },
    });
    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(hostname);
    browser = await launchChromium();
    const context = await browser.newContext({ locale: "pt-BR", viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await locker?.query("rollback").catch(() => undefined);
    await locker?.end();
    await browser?.close();
    await server?.dispose();
    await admin?.end();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

  async function signIn(user: TestUser) {
    await page.goto(`${origin}/admin/`);
    await page.locator("#email").fill(user.email);
    await page.locator("#password").fill(user.password);
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("[data-testid=who]").waitFor();
  }

  async function signOut() {
    await page.locator(".topbar .user button").click();
    await page.locator("#email").waitFor();
  }

  const state = () => page.locator("[data-testid=state]").textContent();

  /** Chooses a workflow action and confirms it (a justification when given). */
  async function choose(action: string | RegExp, justification?: string) {
    await page
      .getByRole("button", { name: action, exact: typeof action === "string" })
      .first()
      .click();
    if (justification !== undefined) await page.locator("#wf-justification").fill(justification);
    await page.locator("[data-testid=confirm-transition]").click();
  }

  it("shows the analysis on its way, refuses approval until it finishes, then shows the findings", async () => {
    // The editor writes a post with a CPF in it and submits it while the analysis cannot finish.
    await signIn(editor);
    await page.getByRole("link", { name: "Novo post" }).click();
    const title = `Relato de caso ${Date.now().toString(36)}`;
    await page.locator("#new-post-title").fill(title);
    await page.getByRole("button", { name: "Criar" }).click();
    await page.locator("#body").waitFor();
    const postId = /\/admin\/posts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page
      .locator("#body")
      .fill(`Relato: a paciente Maria Souza, CPF ${CPF}, procurou a clínica com cefaleia, que melhorou com repouso.`);
    await expect
      .poll(() => page.locator("[data-testid=save-state]").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("saved");

    await locker.query("begin");
    await locker.query("lock table content_analyses in exclusive mode");
    await choose("Enviar para revisão");
    await expect.poll(state, { timeout: 15_000 }).toMatch(/Em revisão editorial/);
    // The server analyses the submitted revision by itself: the panel says so and waits.
    await page.locator("[data-testid=analysis-pending]").waitFor({ timeout: 15_000 });
    expect(await page.locator("[data-testid=analysis-pending]").textContent()).toBe("Analisando…");
    expect(await page.locator("[data-testid=publish-gate]").count()).toBe(0);
    await shot("gate-01-analysing");
    await choose("Enviar para revisão médica");
    await expect.poll(state, { timeout: 15_000 }).toMatch(/Em revisão médica/);
    await signOut();

    // The reviewer cannot approve a revision whose analysis has not finished: 409 analysis_required, in words.
    await signIn(reviewer);
    await page.goto(`${origin}/admin/posts/${postId}`);
    await page.locator("[data-testid=analysis-pending]").waitFor({ timeout: 15_000 });
    await choose("Aprovar como revisor médico");
    const refused = page.locator("[role=alert][data-code=analysis_required]");
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.textContent()).toMatch(/ainda não foi analisada/);
    expect(await state()).toMatch(/Em revisão médica/);
    await shot("gate-02-approval-refused-while-analysing");

    // The analysis finishes: the panel shows the findings, the CPF highlighted, the gate closed.
    await locker.query("commit");
    await page.locator("[data-testid=publish-gate]").waitFor({ timeout: 30_000 });
    expect(await page.locator("[data-testid=analysis-pending]").count()).toBe(0);
    expect(await page.locator("[data-testid=publish-gate]").getAttribute("class")).toMatch(/gate-blocked/);
    const mark = page.locator("[data-testid=highlighted] mark", { hasText: CPF }).first();
    await mark.waitFor();
    expect(await mark.getAttribute("data-code")).toMatch(/cpf/i);
    await shot("gate-03-findings");
  }, 240_000);

  it("refuses an override whose justification is under 20 characters, then approves and publishes with one", async () => {
    const short = "Autorizado.";
    expect(short.length).toBeLessThan(20);
    // The browser's form refuses it (minlength): nothing is sent.
    await choose("Aprovar como revisor médico", short);
    const field = page.locator("#wf-justification");
    expect(await field.evaluate((el: HTMLTextAreaElement) => el.validity.tooShort)).toBe(true);
    expect(await state()).toMatch(/Em revisão médica/);
    // Past the browser's check, the server refuses it too (422), and says why.
    await field.evaluate((el: HTMLTextAreaElement) => el.removeAttribute("minlength"));
    await page.locator("[data-testid=confirm-transition]").click();
    const invalid = page.locator("[role=alert][data-code=validation_failed]");
    await invalid.waitFor({ timeout: 15_000 });
    expect(await state()).toMatch(/Em revisão médica/);
    await shot("gate-04-short-justification-refused");

    // A real justification: approved past the findings, then published by the reviewer's override.
    // (The refused step closed the form.)
    await choose("Aprovar como revisor médico", JUSTIFICATION);
    await expect.poll(state, { timeout: 15_000 }).toMatch(/Aprovado/);
    await choose("Publicar com autorização", JUSTIFICATION);
    await expect
      .poll(async () => `${await state()} ${(await page.locator("[role=alert]").allTextContents()).join(" ")}`, {
        timeout: 15_000,
      })
      .toMatch(/^Publicado/);
    await shot("gate-05-published-with-override");
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it("lets the reviewer choose a daily digest of workflow notices, in English, in their account", async () => {
    await page.getByRole("link", { name: "Conta", exact: true }).click();
    const digest = page.getByRole("radio", { name: "Um resumo diário" });
    await expect.poll(() => page.getByRole("radio", { name: "Um e-mail para cada aviso" }).isChecked()).toBe(true);
    await digest.check();
    await page.locator("#notice-locale").selectOption("en");
    await page.locator("form[aria-labelledby=notices-title] button[type=submit]").click();
    await page.getByRole("status").filter({ hasText: "Salvo." }).waitFor();
    await shot("gate-06-notice-preference");
    // The choice is the server's: a fresh load of the screen shows it.
    await page.reload();
    await expect.poll(() => page.getByRole("radio", { name: "Um resumo diário" }).isChecked()).toBe(true);
    expect(await page.locator("#notice-locale").inputValue()).toBe("en");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
