/**
 * The incident register and the access logs in the admin SPA, in a real browser (Debian's Chromium via
 * playwright-core) against the Worker that serves the built SPA: a compliance officer registers an incident and
 * finds it in the list with its communication deadline; the access-log tab shows the officer's own sign-in and
 * downloads the period as CSV; an admin has neither tab.
 */
import { readFile } from "node:fs/promises";
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { signInWithBrowser } from "../support/admin-browser.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";

describe("the incident register and access logs in the admin SPA", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  let officer: TestUser & { recoveryCodes: string[] };
  let administrator: TestUser;
  let tenantId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    admin = await adminClient();
    const slug = `screens-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Registro",
    ]);
    tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      `${slug}.localhost`,
      tenantId,
    ]);
    officer = {
      ...(await createUser(admin, { id: tenantId, slug }, { roles: ["compliance_officer"], name: "Olga Oficial" })),
      recoveryCodes: [],
    };
    administrator = await createUser(admin, { id: tenantId, slug }, { roles: ["admin"], name: "Ari Admin" });
    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(`${slug}.localhost`);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await admin?.end();
  });

  async function open(): Promise<Page> {
    const context = await browser.newContext({
      locale: "en-US",
      viewport: { width: 1366, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    return page;
  }

  it("registers an incident that appears in the list with its communication deadline", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, officer);
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("tab", { name: "Incidents" }).click();
    const form = page.locator("[data-testid=incident-create]");
    await form.getByLabel("Title").fill("Planilha enviada ao destinatário errado");
    await form.getByLabel("What happened").fill("Uma planilha de agendamentos foi enviada por e-mail a um fornecedor.");
    await form.getByRole("button", { name: "Register" }).click();

    const row = page
      .locator("[data-testid=incidents] tbody tr")
      .filter({ hasText: "Planilha enviada ao destinatário errado" });
    await row.waitFor();
    const { rows } = await admin.query<{ due: string }>(
      "select communication_due::text as due from incidents where tenant_id = $1 and title = $2",
      [tenantId, "Planilha enviada ao destinatário errado"],
    );
    expect(rows).toHaveLength(1);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain(rows[0]!.due);
    expect(text).toContain("draft");
    expect(text).toMatch(/\d+ days left/);
    // The new incident opens with its ANPD form filled from the register.
    await expect
      .poll(() => page.locator("[data-testid=anpd-form] [data-field=communicationDue]").textContent())
      .toBe(rows[0]!.due);
    expect(problems).toEqual([]);
  });

  it("shows the officer's own sign-in in the access logs and downloads them as CSV", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, officer);
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("tab", { name: "Access logs" }).click();
    await page.locator("#access-user").fill(officer.id);
    // The log is written after each response: ask again until the sign-in is there (bounded).
    const signIn = page
      .locator("[data-testid=access-logs] tbody tr[data-kind=sign_in]")
      .filter({ hasText: officer.id });
    for (let attempt = 0; attempt < 10 && (await signIn.count()) === 0; attempt++) {
      await page.getByRole("button", { name: "Show" }).click();
      await page.waitForTimeout(300);
    }
    expect(await signIn.count()).toBeGreaterThan(0);
    expect(await signIn.first().textContent()).toContain("POST /api/auth/");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^access-logs-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toContain(officer.id);
    expect(csv).toContain("sign_in");
    expect(problems).toEqual([]);
  });

  it("has neither tab for an admin", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, { ...administrator, recoveryCodes: [] });
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("tab", { name: "Audit log" }).waitFor();
    expect(await page.getByRole("tab", { name: "Incidents" }).count()).toBe(0);
    expect(await page.getByRole("tab", { name: "Access logs" }).count()).toBe(0);
  });
});
