/**
 * Images and webhooks in the admin SPA, in Debian's Chromium against the real Worker serving the built SPA (with the
 * resizer Worker beside it): an admin uploads a real PNG, gives it alt text and marks it public, and sees why a
 * patient's image can never be; in the editor they pick it as the featured image and insert it in the body, and the
 * preview shows it from its public URL (a non-public image is never loaded); once published, the public page shows
 * both. Then a webhook endpoint: a private address is refused with its message, a publication appears in the
 * delivery log, and a delivery is sent again.
 */
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sitePaths } from "../../functions/site/urls.js";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { openInEditor, signInWithBrowser } from "../support/admin-browser.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";
import { pngImage } from "../support/images.js";
import { insertMedia, insertSubject, testS3 } from "../support/media.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const ALT = "Ilustração de um coração saudável";
const SLUG = "coracao-saudavel";
/** The editor saves a moment after the last change (debounced), and the machine may be busy. */
const AUTOSAVE = { timeout: 20_000, interval: 250 };
/** The browser, the Worker and the resizer share a busy machine: what the page shows may take a while. */
const SHOWN = { timeout: 15_000 };

describe("images and webhooks in the admin SPA (Chromium)", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let tenantId: string;
  let administrator: TestUser & { recoveryCodes: string[] };
  let f: SiteFixture;
  let receiver: Receiver;
  let imageId: string;
  let patientImageId: string;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const requested: string[] = [];

  beforeAll(async () => {
    const env = inject("testEnvironment");
    admin = await adminClient();
    const slug = `images-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Imagens",
    ]);
    tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    // The writers and the reviewer sign in with a password; the admin, whose session must reach a patient's image,
    // enrols a second factor at its browser sign-in (the policy for admins, set back below).
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
    receiver = await startReceiver();
    // The receiver runs on loopback over http: the test-only allowance.
    server = await startAdminServer(env, { bindings: { WEBHOOK_ALLOW_LOOPBACK_HTTP: "true" } });
    origin = server.origin(hostname);
    const seeded = { id: tenantId, slug, hostname, userId: "", email: "" };
    f = await siteFixture(admin, server, seeded);
    administrator = {
      ...(await createUser(admin, seeded, { roles: ["admin"], name: "Ada Admin" })),
      recoveryCodes: [],
    };
    await admin.query("update tenants set mfa_required_roles = '{admin}' where id = $1", [tenantId]);

    // A patient's photo, in the library already (as a medical reviewer would have uploaded it).
    const s3 = testS3(env);
    const patientImage = await insertMedia(admin, s3, env, {
      tenantId,
      userId: administrator.id,
      kind: "image",
      retentionClass: "medical_record",
      subjectId: await insertSubject(admin, tenantId, "paciente.imagem@example.test"),
      lastEntryAt: new Date(),
      body: pngImage(30, 20),
    });
    s3.destroy();
    patientImageId = patientImage.id;
    await admin.query("update media_items set filename = 'lesao-paciente.png', width = 30, height = 20 where id = $1", [
      patientImageId,
    ]);

    browser = await launchChromium();
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("request", (request) => requested.push(request.url()));
    page.on("dialog", (dialog) => void dialog.accept());
    await signInWithBrowser(page, origin, administrator);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await receiver?.close();
    await admin?.end();
  });

  /** Whether the browser has decoded an image (a broken one has no natural width). */
  const loaded = (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);

  it("uploads an image, gives it alt text and marks it public; a patient's image says why it never can be", async () => {
    await page.getByRole("link", { name: "Media" }).click();
    await page.locator("#upload-files").setInputFiles({
      name: "capa-coracao.png",
      mimeType: "image/png",
      buffer: Buffer.from(pngImage(120, 80)),
    });
    const job = page.locator("[data-testid=upload][data-phase=done]");
    await job.waitFor({ timeout: 30_000 });
    const stored = await admin.query<{ id: string }>(
      "select id from media_items where tenant_id = $1 and filename = 'capa-coracao.png'",
      [tenantId],
    );
    imageId = stored.rows[0]!.id;

    const form = job.locator("[data-testid=public-image]");
    await form.getByLabel("Alt text (all languages)").fill(ALT);
    await form.getByLabel("Show on the public site").check();
    await form.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(
        async () =>
          (
            await admin.query<{ public: boolean; alt: string | null }>(
              "select public_at is not null as public, alt_text as alt from media_items where id = $1",
              [imageId],
            )
          ).rows[0],
        SHOWN,
      )
      .toEqual({ public: true, alt: ALT });

    // The library shows both pictures (presigned thumbnails under the admin's CSP).
    await page.reload();
    const library = page.locator("[data-testid=media-library]");
    const card = library.locator("[data-testid=media-item]", { hasText: "capa-coracao.png" });
    await expect
      .poll(() => loaded("[data-testid=media-item]:has-text('capa-coracao.png') [data-testid=media-thumb]"), SHOWN)
      .toBe(true);
    expect(await card.count()).toBe(1);

    // A patient's image: no form to mark it public, and the reason instead.
    const patient = library.locator("[data-testid=media-item]", { hasText: "lesao-paciente.png" });
    await patient.getByRole("button", { name: "Details" }).click();
    await expect
      .poll(() => patient.locator("[data-testid=public-refusal]").textContent(), SHOWN)
      .toContain("media_not_publishable");
    expect(await patient.locator("[data-testid=public-image]").count()).toBe(0);
  });

  it("picks the featured image, inserts one in the body, previews it from its public URL and publishes both", async () => {
    const created = await f.as("author", "/api/posts", {
      title: "Coração saudável",
      slug: SLUG,
      locale: "pt-BR",
      bodyMarkdown: "Hábitos simples protegem o coração ao longo da vida.",
    });
    expect(created.status).toBe(201);
    const post = (await created.json()) as { id: string };
    await openInEditor(page, origin, `/admin/posts/${post.id}`);
    // From here on (the library's thumbnails above did load it, through a presigned link, as a PHI read).
    requested.length = 0;

    // A patient's image named in the body: the preview shows a box and never loads it, from anywhere.
    const body = page.locator("#body");
    await body.fill(`Hábitos simples protegem o coração.\n\n![foto](media:${patientImageId})\n`);
    const preview = page.locator("[data-testid=preview]");
    await preview.locator(".preview-image-missing[data-state=not-public]").waitFor();
    expect(await preview.locator("img").count()).toBe(0);
    expect(requested.filter((url) => url.includes(patientImageId) && !url.includes("/api/media/"))).toEqual([]);
    await body.fill("Hábitos simples protegem o coração ao longo da vida.");

    await page.getByRole("button", { name: "Choose image" }).click();
    await page.locator("[data-testid=image-picker]").getByRole("button", { name: ALT }).click();
    await expect.poll(() => page.locator("[data-testid=featured-image] code").textContent(), SHOWN).toBe(ALT);

    await body.focus();
    await body.press("End");
    await page.getByRole("button", { name: "Insert image" }).click();
    await page.locator("[data-testid=image-picker]").getByRole("button", { name: ALT }).click();
    await expect.poll(() => body.inputValue(), SHOWN).toContain(`![](media:${imageId})`);

    // The preview shows the picture from the public route on the admin's own origin, as the page will.
    const shown = preview.locator("img");
    await expect
      .poll(() => shown.getAttribute("src"), SHOWN)
      .toMatch(new RegExp(`^/media/${imageId}/\\d+\\.png\\?v=[0-9a-f]{12}$`));
    await expect.poll(() => loaded("[data-testid=preview] img"), SHOWN).toBe(true);
    expect(await shown.getAttribute("alt")).toBe(ALT);

    // Saved by the editor's autosave, then taken through the workflow to publication.
    await expect
      .poll(async () => {
        const saved = (await (await f.as("author", `/api/posts/${post.id}`, undefined, "GET")).json()) as {
          featuredMediaId: string | null;
          bodyMarkdown: string;
        };
        return saved.featuredMediaId === imageId && saved.bodyMarkdown.includes(`media:${imageId}`);
      }, AUTOSAVE)
      .toBe(true);
    const analysed = await f.as("analyst", `/api/posts/${post.id}/analysis`);
    expect(analysed.status).toBe(200);
    for (const to of ["in_review", "medical_review", "approved", "published"]) {
      const moved = await f.move("posts", post.id, { to });
      expect(moved.status, `${to}: ${await moved.clone().text()}`).toBe(200);
    }

    // The public page shows the featured image and the inline one, both from /media/<id>/.
    await page.goto(`${origin}${sitePaths.item("pt-BR", "post", SLUG)}`);
    const pictures = page.locator(`img[src^="/media/${imageId}/"]`);
    await expect.poll(() => pictures.count(), SHOWN).toBe(2);
    for (const index of [0, 1]) {
      await expect
        .poll(
          () => pictures.nth(index).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
          SHOWN,
        )
        .toBe(true);
      expect(await pictures.nth(index).getAttribute("alt")).toBe(ALT);
    }
    expect(cspViolations).toEqual([]);
  });

  it("registers a webhook endpoint (a private address refused), logs a publication's delivery and sends it again", async () => {
    await page.goto(`${origin}/admin/webhooks`);
    await page.locator("#webhook-url").fill("https://10.0.0.5/hooks");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect.poll(() => page.locator(".notice-error").first().textContent(), SHOWN).toContain("private network");

    await page.locator("#webhook-url").fill(receiver.url("/e2e"));
    await page.locator("#webhook-description").fill("Parceiro CRM");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = (await page.locator("[data-testid=webhook-secret] code").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "I have stored it" }).click();
    const endpoints = page.locator("[data-testid=webhooks]");
    await endpoints.getByText("Parceiro CRM").waitFor();

    const published = await f.publish("posts", {
      title: "Vacinação em dia",
      slug: "vacinacao-em-dia",
      locale: "pt-BR",
    });
    await eventually(async () => expect(receiver.at("/e2e")).toHaveLength(1));
    const first = receiver.at("/e2e")[0]!;
    const signed = {
      "webhook-id": first.headers["webhook-id"] as string,
      "webhook-timestamp": first.headers["webhook-timestamp"] as string,
      "webhook-signature": first.headers["webhook-signature"] as string,
    };
    expect(new Webhook(secret).verify(first.body, signed)).toMatchObject({
      type: "content.published",
      data: { id: published.id },
    });
    await eventually(async () => {
      const row = await admin.query("select status from outbox where id = $1", [signed["webhook-id"]]);
      expect(row.rows).toEqual([{ status: "sent" }]);
    });

    await endpoints.getByRole("button", { name: "Deliveries" }).click();
    const deliveries = page.locator("[data-testid=webhook-deliveries]");
    const row = deliveries.locator("tbody tr", { hasText: "content.published" });
    await row.waitFor();
    expect(await row.textContent()).toContain("Sent");
    await row.getByRole("button", { name: "Send again" }).click();
    await page.getByText("Queued again: it is being sent now.").waitFor();
    await eventually(async () => expect(receiver.at("/e2e")).toHaveLength(2));
    expect(receiver.at("/e2e")[1]!.headers["webhook-id"]).toBe(signed["webhook-id"]);

    // A new secret with the overlap: the screen says until when the previous one also signs.
    await endpoints.getByRole("button", { name: "New secret" }).click();
    const rotated = (await page.locator("[data-testid=webhook-secret] code").textContent()) ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await endpoints.locator("[data-testid=webhook-previous-secret]").waitFor();
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
