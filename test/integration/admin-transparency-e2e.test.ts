/**
 * Transparency in the admin SPA, in a real browser (Debian's Chromium via playwright-core) against the Worker that
 * serves the built SPA: an admin writes the Portuguese privacy notice in the settings and the public privacy page
 * shows it; a compliance officer opens the processing register from the compliance screen, and printing it leaves
 * the app's chrome out.
 */
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { signInWithBrowser } from "../support/admin-browser.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";

describe("transparency in the admin SPA", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  let administrator: TestUser;
  let officer: TestUser;
  const problems: string[] = [];

  beforeAll(async () => {
    admin = await adminClient();
    const slug = `transparency-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Aberta",
    ]);
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    // The default policy: admins and compliance officers enrol a second factor at their first sign-in, so the audit
    // log and the settings open without a step-up.
    administrator = await createUser(admin, { id: tenantId, slug }, { roles: ["admin"], name: "Ada Admin" });
    officer = await createUser(admin, { id: tenantId, slug }, { roles: ["compliance_officer"], name: "Otto Oficial" });
    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(hostname);
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

  it("saves a privacy notice from the settings screen, and the public privacy page shows it", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, { ...administrator, recoveryCodes: [] });
    await page.goto(`${origin}/admin/settings`);
    await page.locator("#dpo-name").fill("Carla Encarregada");
    await page.locator("#dpo-email").fill("dpo@aberta.example");
    await page.locator("#dpo-phone").fill("+55 11 3333-5555");
    await page.locator("#privacy-pt-BR").fill("## Nosso aviso\n\nTratamos **somente** o necessário.");
    await page.locator("[data-testid=settings-form] button[type=submit]").click();
    // No technical director typed: the UF select's preset alone does not make one (the block is sent as null).
    await page.getByRole("status").filter({ hasText: "Settings saved." }).waitFor();

    await page.goto(`${origin}/pt-br/privacidade/`);
    await expect.poll(() => page.locator("main h2").first().textContent()).toBe("Nosso aviso");
    expect(await page.locator("main strong").first().textContent()).toBe("somente");
    expect(await page.locator("#dpo").textContent()).toContain("Carla Encarregada");
    // The other locales show the notice generated from the register.
    await page.goto(`${origin}/en/privacy/`);
    expect(await page.locator("main").textContent()).toContain("Upstash, Inc.");
    await page.context().close();
  });

  it("shows the processing register to a compliance officer and prints it without the app's chrome", async () => {
    const page = await open();
    await signInWithBrowser(page, origin, { ...officer, recoveryCodes: [] });
    await page.goto(`${origin}/admin/compliance`);
    await page.getByRole("link", { name: /Record of processing operations/ }).click();
    const register = page.locator("[data-testid=processing-register]");
    await register.locator("table").first().waitFor();
    expect(await register.textContent()).toContain("Carla Encarregada");
    expect(await register.textContent()).toContain("UPSTASH_REDIS_REST_URL");
    await page.locator("#register-locale").selectOption("pt-BR");
    await expect.poll(() => register.textContent()).toContain("Registros de acesso");

    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".topbar").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Print" }).isVisible()).toBe(false);
    expect(await register.locator("table").first().isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
