/**
 * The compliance dashboard in the admin SPA, in a real browser (Debian's Chromium via playwright-core) against the
 * Worker that serves the built SPA: a compliance officer opens the compliance screen's dashboard tab and sees the
 * clinic's open incident with its communication deadline; an admin, who may not read incidents, has no such tab.
 */
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { signInWithBrowser } from "../support/admin-browser.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";

describe("the compliance dashboard in the admin SPA", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  let officer: TestUser;
  let administrator: TestUser;
  let tenantId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    admin = await adminClient();
    const slug = `dashboard-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Atenta",
    ]);
    tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      `${slug}.localhost`,
      tenantId,
    ]);
    officer = await createUser(admin, { id: tenantId, slug }, { roles: ["compliance_officer"], name: "Otto Oficial" });
    administrator = await createUser(admin, { id: tenantId, slug }, { roles: ["admin"], name: "Ada Admin" });
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
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    return page;
  }

  it("shows a compliance officer the open incident and its deadline", async () => {
    await admin.query(
      `insert into incidents (tenant_id, source, title, description, discovered_at, communication_due)
       values ($1, 'manual', 'Notebook furtado', 'Um notebook com agendas foi furtado.', now(), '2031-01-07')`,
      [tenantId],
    );
    const page = await open();
    await signInWithBrowser(page, origin, { ...officer, recoveryCodes: [] });
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("tab", { name: "Dashboard" }).click();
    const row = page.locator("[data-testid=dashboard-incidents] tbody tr").filter({ hasText: "Notebook furtado" });
    await row.waitFor();
    expect(await row.textContent()).toContain("2031-01-07");
    expect(await page.locator("[data-testid=dashboard-trust] tbody tr").count()).toBe(14);
    expect(problems).toEqual([]);
  });

  it("has no dashboard tab for an admin", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, { ...administrator, recoveryCodes: [] });
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("tab", { name: "Audit log" }).waitFor();
    expect(await page.getByRole("tab", { name: "Dashboard" }).count()).toBe(0);
  });
});
