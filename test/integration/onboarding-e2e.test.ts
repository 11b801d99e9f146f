/**
 * A new clinic from nothing to a published article, in Chromium (playwright-core, Debian's browser), against the
 * real Worker bundle serving the built admin SPA (test/support/admin-server.ts), the test stack's PostgreSQL,
 * Redis and S3, and the mail catcher. Every step a person takes goes through the SPA; every link comes from an
 * e-mail the catcher received.
 *
 * The operator runs `tenant:create` (the CLI, as `npm run tenant:create --` runs it) → the outbox job sends the
 * first admin's invitation → the admin accepts it, signs in and enrols the second factor the tenant's default
 * policy requires → invites an author and a medical reviewer from the Members screen → both accept from their
 * e-mails → the reviewer declares a CRM and the admin verifies it in the credential queue (the reviewer is told by
 * e-mail) → the author writes and submits an article, the analysis runs, the admin sends it to medical review,
 * the reviewer approves and the admin publishes → the admin demotes the author and then removes them → the
 * reviewer resets a forgotten password from the e-mailed link, the old password stops working and the new one
 * signs in → a physician who already writes for another clinic accepts an invitation by signing in with that
 * account, and arrives signed in. Screenshots go to test-results/screenshots/onboarding-*.png.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { promisify } from "node:util";
import type pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { openInEditor, signInWithBrowser, transitionInEditor, waitForOpenGate } from "../support/admin-browser.js";
import { launchChromium } from "../support/browser.js";
import { createUser } from "../support/auth.js";
import { adminClient, seedTenant } from "../support/db.js";
import { type CaughtMail, waitForMail } from "../support/mail.js";
import { testBindings } from "../support/worker.js";

const run = promisify(execFile);
const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;

/** The link of `path` (`/admin/invitation`, `/admin/reset-password`) in a caught message's text. */
function linkIn(mail: CaughtMail, path: string): string {
  const match = new RegExp(`(https?://[^\\s]+${path}#token=[A-Za-z0-9_%-]+)`).exec(mail.text ?? "");
  if (!match?.[1]) throw new Error(`no ${path} link in the message "${mail.subject}"`);
  return match[1];
}

interface Person {
  email: string;
  name: string;
  password: string;
  context: BrowserContext;
  page: Page;
  recoveryCodes: string[];
}

describe("onboarding a clinic in Chromium", () => {
  let db: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let origin: string;
  let slug: string;
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  const responses: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    db = await adminClient();
    server = await startAdminServer(inject("testEnvironment"));
    slug = `onboard-${Math.random().toString(36).slice(2, 8)}`;
    origin = server.origin(`${slug}.localhost`);
    browser = await launchChromium();
  }, 120_000);

  afterEach((context) => {
    // What the browsers were refused, to tell a failing step's cause.
    if (context.task.result?.state === "fail") console.error(responses.join("\n"));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await db?.end();
  });

  async function person(label: string): Promise<Person> {
    const suffix = Math.random().toString(36).slice(2, 8);
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on("response", (res) => {
      if (res.status() >= 400) responses.push(`${label}: ${res.status()} ${res.request().method()} ${res.url()}`);
    });
    // Removing a member asks for confirmation in a native dialog.
    page.on("dialog", (dialog) => void dialog.accept());
    return {
      email: `${label}.${suffix}@${slug}.test`,
      name: label,
      password: `a long ${label} passphrase ${suffix}`,
      context,
      page,
      recoveryCodes: [],
    };
  }

  const shot = (who: Person, name: string) =>
    who.page.screenshot({ path: `${SHOTS}onboarding-${name}.png`, fullPage: true });

  /** Opens an e-mailed invitation link and creates the account with a name and password. */
  async function acceptInvitation(who: Person, link: string): Promise<void> {
    await who.page.goto(link);
    await who.page.locator("#accept-name").fill(who.name);
    await who.page.locator("#accept-password").fill(who.password);
    await who.page.getByRole("button", { name: "Accept the invitation" }).click();
    await who.page.locator(".notice-ok").waitFor();
    expect(who.page.url()).not.toContain("token=");
  }

  const signIn = (who: Person, password = who.password) => signInWithBrowser(who.page, origin, who, password);
  const openPost = (who: Person, postId: string) => openInEditor(who.page, origin, `/admin/posts/${postId}`);
  const transition = (who: Person, action: string, state: string) => transitionInEditor(who.page, action, state);

  /** The every-minute cron, as Cloudflare fires it: the outbox job sends what the operator's CLI queued. */
  async function runOutboxJob(): Promise<void> {
    await (await server.mf.getWorker()).scheduled({ cron: "* * * * *" });
  }

  it("creates a tenant, brings in its team, publishes a reviewed article and resets a password", async () => {
    const admin = await person("ada-admin");
    const author = await person("ana-author");
    const reviewer = await person("rui-reviewer");

    // 1. The platform operator creates the clinic with the CLI; it prints the first admin's link once.
    const env = { ...process.env, ...testBindings(inject("testEnvironment")) } as Record<string, string>;
    const created = await run(
      "npx",
      [
        "tsx",
        "scripts/tenant.ts",
        "create",
        "--slug",
        slug,
        "--name",
        "Clínica Aurora",
        "--hostname",
        `${slug}.localhost`,
        "--admin-email",
        admin.email,
        "--locale",
        "en",
        "--origin",
        origin,
      ],
      { env },
    );
    const printed = /(http:\/\/\S+\/admin\/invitation#token=[A-Za-z0-9_-]+)/.exec(created.stdout)?.[1];
    expect(printed, created.stdout + created.stderr).toBeDefined();
    const [tenant] = (await db.query<{ id: string }>("select id from tenants where slug = $1", [slug])).rows;
    expect(tenant).toBeDefined();

    // 2. The operator's login only queues mail; the outbox job sends it, and it reaches the mail catcher.
    await runOutboxJob();
    const adminInvitation = await waitForMail(admin.email, (mail) =>
      /\/admin\/invitation#token=/.test(mail.text ?? ""),
    );
    expect(linkIn(adminInvitation, "/admin/invitation")).toBe(printed);

    // 3. The admin accepts, signs in and enrols the second factor the new tenant's policy requires of admins.
    await acceptInvitation(admin, printed!);
    await shot(admin, "01-admin-accepted");
    await admin.page.getByRole("link", { name: "Go to sign-in" }).click();
    await signIn(admin);
    expect(admin.recoveryCodes.length).toBeGreaterThanOrEqual(8);
    await shot(admin, "02-admin-signed-in");

    // 4. From the Members screen the admin invites an author and a medical reviewer.
    await admin.page.getByRole("link", { name: "Members", exact: true }).click();
    await admin.page.locator(`[data-member="${admin.email}"]`).waitFor();
    await admin.page.locator("#invite-email").fill(author.email);
    await admin.page.getByRole("button", { name: "Send the invitation" }).click();
    await admin.page.locator("[data-testid=invitations]").getByText(author.email).waitFor();
    await admin.page.locator("#invite-email").fill(reviewer.email);
    await admin.page.locator("#invite-role-author").uncheck();
    await admin.page.locator("#invite-role-medical_reviewer").check();
    await admin.page.getByRole("button", { name: "Send the invitation" }).click();
    await admin.page.locator("[data-testid=invitations]").getByText(reviewer.email).waitFor();
    // A sent invitation clears the form: the next one starts from the default role, not the last one's.
    expect(await admin.page.locator("#invite-email").inputValue()).toBe("");
    expect(await admin.page.locator("#invite-role-author").isChecked()).toBe(true);
    expect(await admin.page.locator("#invite-role-medical_reviewer").isChecked()).toBe(false);
    await shot(admin, "03-invitations-open");

    // 5. Both accept from the links in their e-mails (sent right after the invitation committed).
    const isInvitation = (mail: CaughtMail) => /\/admin\/invitation#token=/.test(mail.text ?? "");
    await acceptInvitation(author, linkIn(await waitForMail(author.email, isInvitation), "/admin/invitation"));
    await acceptInvitation(reviewer, linkIn(await waitForMail(reviewer.email, isInvitation), "/admin/invitation"));
    await admin.page.reload();
    await admin.page.locator(`[data-member="${author.email}"]`).waitFor();
    await admin.page.locator(`[data-member="${reviewer.email}"]`).waitFor();
    expect(await admin.page.locator("[data-testid=invitations]").count()).toBe(0);

    // 6. The reviewer signs in (enrolling a second factor) and declares a CRM; the admin verifies it in the
    //    credential queue, and the reviewer is told by e-mail.
    await signIn(reviewer);
    await reviewer.page.getByRole("link", { name: "Account", exact: true }).click();
    await reviewer.page.locator("#crm-number").fill("52834");
    await reviewer.page.locator("#crm-uf").selectOption("SP");
    await reviewer.page.getByRole("button", { name: "Submit for verification" }).click();
    await reviewer.page.locator(".badge-pending").waitFor();
    await admin.page.getByRole("link", { name: "Credentials", exact: true }).click();
    const card = admin.page.locator(`[data-credential="${reviewer.email}"]`);
    await card.waitFor();
    expect(await card.locator("[data-testid=crm]").textContent()).toContain("52834");
    await card.locator("textarea").fill("CRM-SP 52834 checked in the CFM register");
    await card.getByRole("button", { name: "Record the decision" }).click();
    await expect
      .poll(() => admin.page.locator(`[data-credential="${reviewer.email}"]`).count(), { timeout: 15_000 })
      .toBe(0);
    await shot(admin, "04-credential-verified");
    const verdict = await waitForMail(reviewer.email, (mail) => /credential/i.test(mail.subject));
    expect(verdict.text).toMatch(/verified/i);

    // 7. The author writes an article and submits it; the analysis runs by itself once it is in review.
    await signIn(author);
    await author.page.getByRole("link", { name: "New post" }).click();
    const title = `Hypertension: a practical guide ${Date.now().toString(36)}`;
    await author.page.locator("#new-post-title").fill(title);
    await author.page.getByRole("button", { name: "Create" }).click();
    await author.page.locator("#body").waitFor();
    const postId = /\/admin\/posts\/([0-9a-f-]{36})/.exec(author.page.url())![1]!;
    await author.page
      .locator("#body")
      .fill(
        [
          "## What it is",
          "",
          "High blood pressure is a persistent rise in the pressure of the blood in the arteries. It is diagnosed with repeated measurements.",
          "",
          "## Treatment",
          "",
          "Changes in lifestyle and medicines prescribed by a physician help to control it.",
        ].join("\n"),
      );
    await expect
      .poll(() => author.page.locator("[data-testid=save-state]").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("saved");
    await transition(author, "Submit for review", "In editorial review");
    await shot(author, "05-author-submitted");

    // 8. The admin (an editor's rights) waits for the analysis, which the publish gate requires, and sends it on.
    await openPost(admin, postId);
    await waitForOpenGate(admin.page);
    await transition(admin, "Send to medical review", "In medical review");

    // 9. The verified reviewer, not the author, approves; the admin publishes.
    await openPost(reviewer, postId);
    await transition(reviewer, "Approve as medical reviewer", "Approved");
    await shot(reviewer, "06-approved");
    await openPost(admin, postId);
    await transition(admin, "Publish", "Published");
    const listed = await admin.page.evaluate(async () => (await fetch("/wp-json/wp/v2/posts")).text());
    expect(listed).toContain("Hypertension: a practical guide");
    await shot(admin, "07-published");

    // 10. The admin demotes the author to a reader and then removes them; their session here ends.
    await admin.page.getByRole("link", { name: "Members", exact: true }).click();
    const row = admin.page.locator(`[data-member="${author.email}"]`);
    await row.getByRole("button", { name: "Change roles" }).click();
    await row.locator("input[id$='-author']").uncheck();
    await row.locator("input[id$='-reader_professional']").check();
    await row.getByRole("button", { name: "Save roles" }).click();
    await shot(admin, "08-author-demoting");
    await expect.poll(() => row.locator("td").nth(2).textContent(), { timeout: 15_000 }).not.toMatch(/Author/);
    await shot(admin, "08-author-demoted");
    await row.getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => admin.page.locator(`[data-member="${author.email}"]`).count(), { timeout: 15_000 }).toBe(0);
    const memberships = await db.query(
      "select 1 from memberships where tenant_id = $1 and user_id = (select id from users where email = $2)",
      [tenant!.id, author.email],
    );
    expect(memberships.rows).toEqual([]);
    await author.page.reload();
    await author.page.locator("#email").waitFor();

    // 11. The reviewer forgot the password: the link from the e-mail sets a new one and ends every session.
    const forgetful = reviewer.page;
    await forgetful.goto(`${origin}/admin/`);
    await forgetful.locator("[data-testid=who]").waitFor();
    const stranger = await person("rui-again");
    const fresh = { ...reviewer, context: stranger.context, page: stranger.page };
    await fresh.page.goto(`${origin}/admin/`);
    await fresh.page.getByRole("link", { name: "Forgot your password?" }).click();
    await fresh.page.locator("#reset-email").fill(reviewer.email);
    const [asked] = await Promise.all([
      fresh.page.waitForResponse((response) => response.url().endsWith("/api/auth/password-reset")),
      fresh.page.getByRole("button", { name: "Send the link" }).click(),
    ]);
    expect(asked.status()).toBe(202);
    await shot(fresh, "09-reset-asked");
    await fresh.page.locator(".notice-ok").waitFor();
    const resetMail = await waitForMail(reviewer.email, (mail) =>
      /\/admin\/reset-password#token=/.test(mail.text ?? ""),
    );
    // Opened from the mail client: a new page load (on this page a fragment change alone would not be one).
    await fresh.page.goto("about:blank");
    await fresh.page.goto(linkIn(resetMail, "/admin/reset-password"));
    const newPassword = `${reviewer.password} renewed`;
    await fresh.page.locator("#reset-password").fill(newPassword);
    await fresh.page.getByRole("button", { name: "Set the new password" }).click();
    await fresh.page.locator(".notice-ok").waitFor();
    expect(fresh.page.url()).not.toContain("token=");
    await shot(fresh, "09-password-reset");
    await waitForMail(reviewer.email, (mail) => /password/i.test(mail.subject) && /changed/i.test(mail.subject));

    // The old password no longer signs in; the new one does (with a recovery code as the second factor).
    await fresh.page.goto(`${origin}/admin/`);
    await fresh.page.locator("#email").fill(reviewer.email);
    await fresh.page.locator("#password").fill(reviewer.password);
    await fresh.page.locator("form.signin button[type=submit]").click();
    await fresh.page.locator("[role=alert][data-code=invalid_credentials]").waitFor();
    await signIn(fresh, newPassword);
    await shot(fresh, "10-signed-in-with-new-password");
    // The session the reviewer had before the reset has ended.
    await forgetful.reload();
    await forgetful.locator("#email").waitFor();

    // 12. A physician who writes for another clinic already accepts by signing in with that account: the
    //     new-account form is turned into a sign-in, and the invitation page ends signed in here.
    const elsewhere = await seedTenant(db, "onboard-elsewhere");
    const physician = await createUser(db, elsewhere, { roles: ["author"], name: "Dra. Outra Clínica" });
    await admin.page.getByRole("link", { name: "Members", exact: true }).click();
    await admin.page.locator("#invite-email").fill(physician.email);
    await admin.page.locator("#invite-role-medical_reviewer").uncheck();
    await admin.page.locator("#invite-role-author").check();
    await admin.page.getByRole("button", { name: "Send the invitation" }).click();
    await admin.page.locator("[data-testid=invitations]").getByText(physician.email).waitFor();
    const guest = await person("outra");
    await guest.page.goto(linkIn(await waitForMail(physician.email, isInvitation), "/admin/invitation"));
    await guest.page.locator("#accept-name").fill("Someone New");
    await guest.page.locator("#accept-password").fill("a brand new passphrase here");
    await guest.page.getByRole("button", { name: "Accept the invitation" }).click();
    await guest.page.locator("[role=alert][data-code=sign_in_required]").waitFor();
    expect(await guest.page.locator("#accept-name").count()).toBe(0);
    await guest.page.locator("#accept-current-password").fill(physician.password);
    await shot(guest, "11a-existing-account-signs-in");
    const [accepted] = await Promise.all([
      guest.page.waitForResponse((response) => response.url().endsWith("/api/invitations/accept")),
      guest.page.getByRole("button", { name: "Accept the invitation" }).click(),
    ]);
    expect(accepted.status()).toBe(200);
    await expect
      .poll(() => guest.page.locator("[data-testid=who]").textContent(), { timeout: 15_000 })
      .toBe("Dra. Outra Clínica");
    await shot(guest, "11-existing-account-accepted-signed-in");

    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  }, 300_000);
});
