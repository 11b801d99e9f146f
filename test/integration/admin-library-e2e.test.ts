/**
 * The admin's content-job screens in Chromium (playwright-core, Debian's /usr/bin/chromium, headless) against the
 * real Worker serving the built SPA: pages as well as posts, categories and tags, the media library (thumbnails
 * from presigned S3 URLs under the admin CSP, the PHI badge, filtering by a data subject found by name) and the
 * data-subject search by CPF — with a session that passed MFA, as PHI needs.
 */
import { mkdir } from "node:fs/promises";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { cpfHash } from "../../functions/services/privacy/subjects.js";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { adminClient } from "../support/db.js";
import { insertMedia, testS3 } from "../support/media.js";

const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;
// A 1×1 PNG: the library must show it as a thumbnail (the browser decodes it).
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
const CPF = "529.982.247-25"; // valid check digits, used only in tests

describe("admin SPA: pages, taxonomy, media library and data subjects in Chromium", () => {
  let admin: pg.Client;
  let s3: S3Client;
  let server: AdminServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let hostname: string;
  let officer: TestUser;
  let secret: string;
  let enrolStep: number;
  let subjectId: string;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  /** A request to the Worker behind the admin server, on the tenant's host. */
  async function api(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
    const response = await server.mf.dispatchFetch(`http://${hostname}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    const env = inject("testEnvironment");
    admin = await adminClient();
    s3 = testS3(env);
    const slug = `admin-library-${Math.random().toString(36).slice(2, 8)}`;
    hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Biblioteca",
    ]);
    const tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
    // An admin who is also the clinic's encarregado: content, taxonomy, media (PHI) and data subjects.
    officer = await createUser(admin, { id: tenantId, slug }, { roles: ["admin", "compliance_officer"], name: "Olga" });
    const subject = await admin.query<{ id: string }>(
      "insert into data_subjects (tenant_id, email, cpf_hash, display_name) values ($1, $2, $3, $4) returning id",
      [tenantId, "ana.lima@example.test", await cpfHash(tenantId, CPF), "Ana Beatriz Lima"],
    );
    subjectId = subject.rows[0]!.id;
    await admin.query("insert into data_subjects (tenant_id, email, display_name) values ($1, $2, $3)", [
      tenantId,
      "bruno@example.test",
      "Bruno Costa",
    ]);
    const insertImage = async (options: { retentionClass: "general_media" | "medical_record"; subject?: string }) => {
      const media = await insertMedia(admin, s3, env, {
        tenantId,
        userId: officer.id,
        kind: "image",
        retentionClass: options.retentionClass,
        subjectId: options.subject ?? null,
        lastEntryAt: new Date(),
      });
      await s3.send(
        new PutObjectCommand({ Bucket: env.s3.bucket, Key: media.objectKey, Body: PNG, ContentType: "image/png" }),
      );
      await admin.query("update media_items set filename = $1, size = $2 where id = $3", [
        options.subject ? "lesao-pele.png" : "capa-cardiologia.png",
        PNG.length,
        media.id,
      ]);
    };
    await insertImage({ retentionClass: "general_media" });
    await insertImage({ retentionClass: "medical_record", subject: subjectId });

    server = await startAdminServer(env);
    origin = server.origin(hostname);
    // A second factor, enrolled through the API; the browser signs in with the next code.
    const session = await api("/api/auth/login", { email: officer.email, password: officer.password });
    const enrolment = await api(
      "/api/me/mfa/enrol",
      { currentPassword: officer.password },
      session.access_token as string,
    );
    secret = enrolment.secret as string;
    enrolStep = totpStep();
    await api("/api/me/mfa/confirm", { code: await totpCode(secret, enrolStep) }, session.access_token as string);

    browser = await launchChromium();
    const context = await browser.newContext({ locale: "pt-BR", viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("dialog", (dialog) => void dialog.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    s3?.destroy();
    await admin?.end();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

  it("signs in with the second factor", async () => {
    await page.goto(`${origin}/admin/`);
    await page.locator("#email").fill(officer.email);
    await page.locator("#password").fill(officer.password);
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("#mfa-code").fill(await totpCode(secret, enrolStep + 1));
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("[data-testid=who]").waitFor();
  });

  it("creates and opens a page, listed apart from the posts", async () => {
    await page.getByRole("link", { name: "Páginas", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Páginas");
    await page.getByRole("link", { name: "Nova página" }).click();
    await page.locator("#new-post-title").fill("Sobre a clínica");
    await page.getByRole("button", { name: "Criar" }).click();
    await page.locator("#body").waitFor();
    expect(page.url()).toMatch(/\/admin\/pages\/[0-9a-f-]{36}$/);
    expect(await page.locator("#title").inputValue()).toBe("Sobre a clínica");
    await page.getByRole("link", { name: /Voltar/ }).click();
    await page.getByRole("link", { name: "Sobre a clínica" }).waitFor();
    await page.getByRole("link", { name: "Posts", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Posts");
    expect(await page.locator("main").textContent()).not.toContain("Sobre a clínica");
    await shot("20-pages");
  });

  it("manages categories and tags", async () => {
    await page.getByRole("link", { name: "Categorias e tags", exact: true }).click();
    const categories = page.locator("[data-testid=category-section]");
    await categories.locator("summary").click();
    await page.locator("#new-category-name").fill("Cardiologia");
    await categories.getByRole("button", { name: "Criar" }).click();
    await categories.locator("[data-testid=term-row]", { hasText: "Cardiologia" }).waitFor();
    await categories.getByRole("button", { name: "Editar" }).first().click();
    await page.locator("#edit-category-name").fill("Cardiologia clínica");
    await categories.getByRole("button", { name: "Salvar" }).click();
    await categories.locator("[data-testid=term-row]", { hasText: "Cardiologia clínica" }).waitFor();

    const tags = page.locator("[data-testid=tag-section]");
    await tags.locator("summary").click();
    await page.locator("#new-tag-name").fill("hipertensão");
    await tags.getByRole("button", { name: "Criar" }).click();
    await tags.locator("[data-testid=term-row]", { hasText: "hipertensão" }).waitFor();
    await tags.getByRole("button", { name: "Excluir" }).first().click();
    await expect.poll(() => tags.locator("[data-testid=term-row]").count()).toBe(0);
    await shot("21-taxonomy");
  });

  it("shows the media library with thumbnails, the PHI badge, and a data-subject filter found by name", async () => {
    await page.getByRole("link", { name: "Mídia", exact: true }).click();
    const library = page.locator("[data-testid=media-library]");
    await expect.poll(() => library.locator("[data-testid=media-item]").count(), { timeout: 15_000 }).toBe(2);
    expect(await library.textContent()).toMatch(/Dado de saúde/);
    // Both thumbnails come from the bucket's presigned URLs, which the CSP's img-src allows: they decode.
    await expect
      .poll(() =>
        library
          .locator("[data-testid=media-thumb]")
          .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth)),
      )
      .toEqual([1, 1]);
    await page.locator("#m-subject").fill("ana");
    await page.locator("[data-testid=m-subject-picker]").getByRole("button", { name: "Buscar" }).click();
    await page.locator("[data-testid=subject-matches]").getByRole("button", { name: "Escolher" }).click();
    expect(await page.locator("[data-testid=m-subject-chosen]").textContent()).toContain("Ana Beatriz Lima");
    await page.getByRole("button", { name: "Aplicar" }).click();
    await expect.poll(() => page.url()).toContain(`subject=${subjectId}`);
    await expect.poll(() => library.locator("[data-testid=media-item]").count()).toBe(1);
    expect(await library.textContent()).toContain("lesao-pele.png");
    await shot("22-media-library");
  });

  it("finds a data subject by CPF and opens their media", async () => {
    await page.getByRole("link", { name: "Titulares", exact: true }).click();
    await page.locator("#subjects-q").fill(CPF);
    await page.getByRole("button", { name: "Buscar" }).click();
    await page.locator("[data-testid=subject-matches]").getByRole("button", { name: "Abrir" }).click();
    const card = page.locator("[data-testid=subject-card]");
    expect(await card.textContent()).toContain(subjectId);
    await card.getByRole("link", { name: "Mídias deste titular" }).click();
    await expect
      .poll(() => page.locator("[data-testid=media-library] [data-testid=media-item]").count(), { timeout: 15_000 })
      .toBe(1);
    await shot("23-subjects");
  });

  it("works in Spanish: the switcher, the new screens and the API's errors in words", async () => {
    await page.locator("#ui-lang").selectOption("es");
    expect(await page.locator("html").getAttribute("lang")).toBe("es");
    const nav = page.locator("nav[aria-label=main]");
    for (const name of ["Entradas", "Páginas", "Categorías y etiquetas", "Multimedia", "Titulares", "Cumplimiento"])
      await nav.getByRole("link", { name, exact: true }).waitFor();
    await nav.getByRole("link", { name: "Multimedia", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Multimedia y DICOM");
    await page.getByRole("heading", { name: "Biblioteca" }).waitFor();
    await expect
      .poll(() => page.locator("[data-testid=media-library]").textContent(), { timeout: 15_000 })
      .toMatch(/Dato de salud/);
    await nav.getByRole("link", { name: "Titulares", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Titulares de datos");
    // A CPF whose check digits are wrong: the API's 422 `cpf_invalid`, said in Spanish.
    await page.locator("#subjects-q").fill("529.982.247-24");
    await page.getByRole("button", { name: "Buscar" }).click();
    await expect.poll(() => page.locator("[role=alert]").first().textContent()).toMatch(/Ese CPF no es válido/);
    await nav.getByRole("link", { name: "Categorías y etiquetas", exact: true }).click();
    await page.getByRole("heading", { name: "Etiquetas", exact: true }).waitFor();
    await nav.getByRole("link", { name: "Cumplimiento", exact: true }).click();
    await page.getByRole("tab", { name: "Conservación y retenciones legales" }).click();
    await page.getByRole("heading", { name: "Políticas de conservación" }).waitFor();
    // A legal hold on a data subject (or on a subject as one item) finds them by name or CPF; no id is pasted.
    await page.locator("[data-testid=hold-subject-picker]").waitFor();
    await page.locator("#hold-scope").selectOption("item");
    expect(await page.locator("#hold-target").count()).toBe(1);
    await page.locator("#hold-item-type").selectOption("data_subject");
    await page.locator("[data-testid=hold-subject-picker]").waitFor();
    expect(await page.locator("#hold-target").count()).toBe(0);
    await shot("24-spanish");
  });

  it("raised no CSP violation and no script error", () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
