/**
 * The outgoing-mail screen in a real browser (Debian's Chromium) against the Worker serving the built SPA: an
 * admin finds a message that was given up on, retries it, and it arrives in the mail catcher; a member who is
 * not an admin has no such screen.
 */
import { mkdir } from "node:fs/promises";
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createInvitation } from "../../functions/services/identity/invitations.js";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient, appDatabase, platformScope } from "../support/db.js";
import { waitForMail } from "../support/mail.js";

const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;

describe("outgoing mail in the admin SPA", () => {
  let admin: pg.Client;
  let app: DatabaseClients;
  let server: AdminServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let administrator: TestUser;
  let editor: TestUser;
  let invited: string;
  let outboxId: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    admin = await adminClient();
    app = appDatabase();
    const slug = `admin-outbox-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Correio",
    ]);
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
    administrator = await createUser(admin, { id: tenantId, slug }, { roles: ["admin"], name: "Ada Admin" });
    editor = await createUser(admin, { id: tenantId, slug }, { roles: ["editor"], name: "Edna Editora" });

    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(hostname);

    // An invitation whose e-mail was given up on (as after eight failed attempts).
    invited = `convidada.${Math.random().toString(36).slice(2, 8)}@example.test`;
    const scope = platformScope(app.db).forTenant({ id: tenantId, slug, name: "Clínica Correio" });
    await scope.transaction((tx) =>
      createInvitation(scope, tx, { email: invited, roles: ["author"], origin, locale: "pt-BR" }),
    );
    const row = await admin.query<{ id: string }>(
      "update outbox set status = 'dead', attempts = 8, last_error = 'connection refused' where recipient = $1 returning id",
      [invited],
    );
    outboxId = row.rows[0]!.id;

    browser = await launchChromium();
    page = await (await browser.newContext({ locale: "pt-BR", viewport: { width: 1366, height: 900 } })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  async function signIn(user: TestUser) {
    await page.goto(`${origin}/admin/`);
    await page.locator("#email").fill(user.email);
    await page.locator("#password").fill(user.password);
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("[data-testid=who]").waitFor();
  }

  it("shows a dead message to an admin, who retries it, and it arrives", async () => {
    await signIn(administrator);
    await page.getByRole("link", { name: "E-mails", exact: true }).click();
    await page.locator("#outbox-status").selectOption("dead");
    const row = page.locator("[data-testid=outbox] tbody tr", { hasText: invited });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Convite.*Abandonada.*connection refused/);
    await page.screenshot({ path: `${SHOTS}outbox-dead.png`, fullPage: true });

    await row.getByRole("button", { name: "Tentar de novo" }).click();
    await page.locator(".notice-ok").waitFor();
    const mail = await waitForMail(invited);
    expect(mail.subject).toBe("Convite para Clínica Correio");
    const status = await admin.query<{ status: string }>("select status from outbox where id = $1", [outboxId]);
    expect(["sending", "sent"]).toContain(status.rows[0]!.status);
    await page.locator("#outbox-status").selectOption("");
    await expect
      .poll(() => page.locator("[data-testid=outbox] tbody tr", { hasText: invited }).textContent(), {
        timeout: 15_000,
      })
      .toMatch(/Enviada/);
    await page.screenshot({ path: `${SHOTS}outbox-sent.png`, fullPage: true });
  });

  it("has no outgoing-mail screen for a member who is not an admin", async () => {
    await page.locator(".topbar .user button").click();
    await page.locator("#email").waitFor();
    await signIn(editor);
    expect(await page.getByRole("link", { name: "E-mails", exact: true }).count()).toBe(0);
    await page.goto(`${origin}/admin/outbox`);
    await expect.poll(() => page.locator("main").textContent()).toMatch(/Esta página não existe/);
  });
});
