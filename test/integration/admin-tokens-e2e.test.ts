/**
 * The API tokens screen in a real browser (Debian's Chromium via playwright-core) against the Worker that serves the
 * built SPA: a member makes a token, sees it once with a copy button, the token works against the API, the list
 * never shows it again, and revoking it ends it. An admin makes a service account and a token that acts as it: what
 * the token drafts is the service account's, and the list marks the token as a service's.
 */
import type pg from "pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { signInWithBrowser } from "../support/admin-browser.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";

describe("the API tokens screen", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  let editor: TestUser;
  let boss: TestUser;
  const problems: string[] = [];

  beforeAll(async () => {
    admin = await adminClient();
    const slug = `tokens-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Integrada",
    ]);
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    editor = await createUser(admin, { id: tenantId, slug }, { roles: ["editor"], name: "Edna Editora" });
    boss = await createUser(admin, { id: tenantId, slug }, { roles: ["admin"], name: "Ada Admin" });
    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(hostname);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await admin?.end();
  });

  it("shows a new token once, with a copy button; the token works until it is revoked", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    await signInWithBrowser(page, origin, { ...editor, recoveryCodes: [] });
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.locator("#token-name").fill("Newsletter export");
    await page.getByRole("button", { name: "Create token" }).click();

    const secret = (await page.locator("[data-testid=token-secret]").textContent()) ?? "";
    expect(secret).toMatch(/^vt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // From the page: Chromium resolves the tenant's `*.localhost` host to the loopback server.
    const api = (path: string) =>
      page.evaluate(
        async ([url, token]) => (await fetch(url!, { headers: { authorization: `Bearer ${token}` } })).status,
        [`${origin}${path}`, secret],
      );
    expect(await api("/api/posts")).toBe(200);

    await page.getByRole("button", { name: "Close" }).click();
    await page.reload();
    const list = page.locator("[data-testid=tokens]");
    await list.getByText("Newsletter export").waitFor();
    expect(await page.content()).not.toContain(secret.slice(36));

    await list.getByRole("button", { name: "Revoke" }).click();
    await list.getByText("revoked").waitFor();
    expect(await api("/api/posts")).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lets an admin make a service account and a token that acts as it", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    await signInWithBrowser(page, origin, { ...boss, recoveryCodes: [] });
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.locator("#service-account-name").fill("Agenda sync");
    await page.getByRole("button", { name: "Create service account" }).click();
    await page.locator("[data-testid=service-accounts]").getByText("Agenda sync").waitFor();
    // The new service account is chosen for the next token.
    await page.locator("#token-acts-as").waitFor();
    expect(await page.locator("#token-acts-as option:checked").textContent()).toBe("Agenda sync");
    await page.locator("#token-name").fill("Agenda drafts");
    await page.getByLabel("content:write", { exact: false }).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = (await page.locator("[data-testid=token-secret]").textContent()) ?? "";
    expect(secret).toMatch(/^vt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);

    const draft = await page.evaluate(
      async ([url, token]) => {
        const res = await fetch(url!, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ title: "Agenda de vacinas", bodyMarkdown: "Calendário.", locale: "pt-BR" }),
        });
        return { status: res.status, id: ((await res.json()) as { id: string }).id };
      },
      [`${origin}/api/posts`, secret],
    );
    expect(draft.status).toBe(201);
    const author = await admin.query<{ kind: string; display_name: string }>(
      "select u.kind, u.display_name from content_items c join users u on u.id = c.author_id where c.id = $1",
      [draft.id],
    );
    expect(author.rows).toEqual([{ kind: "service", display_name: "Agenda sync" }]);

    const row = page.locator("[data-testid=tokens] tr", { hasText: "Agenda drafts" });
    await row.getByText("service").waitFor();
    expect(await row.textContent()).toContain("Agenda sync");
    // Members names it a service account, not a person.
    await page.getByRole("link", { name: "Members" }).click();
    const member = page.locator("tr", { hasText: "Agenda sync" });
    expect(await member.locator("[data-testid=member-service]").textContent()).toBe("service account");
    expect(problems).toEqual([]);
    await context.close();
  });
});
