/**
 * The admin SPA end to end, in a real browser (Debian's Chromium via playwright-core), against the real
 * Worker bundle serving the built SPA from its assets (test/support/admin-server.ts) and the test stack.
 *
 * Flow: an admin verifies a reviewer's CRM; an editor signs in, turns on MFA (QR + recovery codes), writes a
 * post containing a CPF, runs the analysis and sees the LGPD finding highlighted, fixes it, submits it and
 * sends it to medical review; the (now verified) reviewer approves it; the editor signs in again with a
 * recovery code and publishes; the article is on the public site. Screenshots go to test-results/screenshots.
 */
import { mkdir } from "node:fs/promises";
import type pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";
import { type AdminServer, startAdminServer } from "../support/admin-server.js";
import { createUser, type TestUser } from "../support/auth.js";
import { launchChromium } from "../support/browser.js";
import { makeDicom } from "../support/dicom.js";
import { adminClient } from "../support/db.js";
import { lastMail } from "../support/outbox.js";

const SHOTS = new URL("../../test-results/screenshots/", import.meta.url).pathname;
describe("admin SPA in Chromium", () => {
  let admin: pg.Client;
  let server: AdminServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let editor: TestUser;
  let reviewer: TestUser;
  let administrator: TestUser;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const consoleLog: string[] = [];
  let hasAnalysis = false;
  let tenantId: string;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    admin = await adminClient();
    const slug = `admin-e2e-${Math.random().toString(36).slice(2, 8)}`;
    const hostname = `${slug}.localhost`;
    const tenant = await admin.query<{ id: string }>("insert into tenants (slug, name) values ($1, $2) returning id", [
      slug,
      "Clínica Vitalis E2E",
    ]);
    tenantId = tenant.rows[0]!.id;
    await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, true)", [
      hostname,
      tenantId,
    ]);
    // This walk-through is about editing and review, not second factors: the MFA policy is off here.
    await admin.query("update tenants set mfa_required_roles = '{}' where id = $1", [tenantId]);
    const seeded = { id: tenantId, slug };
    editor = await createUser(admin, seeded, { roles: ["editor"], name: "Edna Editora" });
    administrator = await createUser(admin, seeded, { roles: ["admin"], name: "Ada Admin" });
    reviewer = await createUser(admin, seeded, { roles: ["medical_reviewer"], name: "Dr. Rui Revisor" });
    // The reviewer has declared a CRM that nobody has verified yet: the admin verifies it in the UI.
    await admin.query(
      "insert into professional_credentials (tenant_id, user_id, crm_number, crm_uf, status) values ($1, $2, '123456', 'SP', 'pending')",
      [tenantId, reviewer.id],
    );

    server = await startAdminServer(inject("testEnvironment"));
    origin = server.origin(hostname);
    const openapiText = await (await fetch(`http://127.0.0.1:${server.port}/api/openapi.json`)).text();
    if (!openapiText.startsWith("{")) throw new Error(`openapi: ${openapiText.slice(0, 2000)}`);
    const openapi = JSON.parse(openapiText) as { paths?: Record<string, unknown> };
    hasAnalysis = Object.keys(openapi.paths ?? {}).some((path) => /\/posts\/\{id\}\/analysis$/.test(path));

    browser = await launchChromium();
    context = await browser.newContext({ locale: "pt-BR", viewport: { width: 1366, height: 900 } });
    page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => consoleLog.push(`${message.type()}: ${message.text()}`));
    page.on("requestfailed", (req) =>
      consoleLog.push(`requestfailed ${req.method()} ${req.url().slice(0, 120)} ${req.failure()?.errorText}`),
    );
    page.on("response", (res) => {
      if (res.status() >= 400)
        consoleLog.push(`response ${res.status()} ${res.request().method()} ${res.url().slice(0, 120)}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await admin?.end();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

  async function signIn(user: Pick<TestUser, "email" | "password">, secondFactor?: string) {
    await page.goto(`${origin}/admin/`);
    await page.locator("#email").fill(user.email);
    await page.locator("#password").fill(user.password);
    await page.locator("form.signin button[type=submit]").click();
    if (secondFactor) {
      await page.locator("#mfa-code").fill(secondFactor);
      await page.locator("form.signin button[type=submit]").click();
    }
    await page.locator("[data-testid=who]").waitFor();
  }

  async function signOut() {
    await page.locator(".topbar .user button").click();
    await page.locator("#email").waitFor();
  }

  async function transition(buttonName: RegExp, expectedState: RegExp) {
    await page.getByRole("button", { name: buttonName }).first().click();
    await page.locator("[data-testid=confirm-transition]").click();
    await expect
      .poll(() => page.locator("[data-testid=state]").textContent(), { timeout: 15_000 })
      .toMatch(expectedState);
  }

  it("serves the SPA under /admin with SPA fallback and a strict CSP, and leaves the API to the Worker", async () => {
    const index = await fetch(`${origin.replace(/\/\/[^:]+:/, "//127.0.0.1:")}/admin/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(await index.text()).toContain('<div id="app">');
    const deep = await fetch(`http://127.0.0.1:${server.port}/admin/posts/00000000-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain("/admin/assets/");
    const api = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(api.status).toBe(200);
  });

  it("runs the editorial flow: MFA, write, analyse, fix, submit, approve, publish, public page", async () => {
    // 1. Sign-in screen in Portuguese (the browser's language), then a wrong password in words.
    await page.goto(`${origin}/admin/`);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Entrar");
    await page.locator("#email").fill(editor.email);
    await page.locator("#password").fill("not the password");
    await page.locator("form.signin button[type=submit]").click();
    await expect.poll(() => page.locator("[role=alert]").textContent()).toMatch(/E-mail ou senha incorretos/);
    await shot("01-sign-in-error");
    // The e-mailed reset link opens a public page; a spent or bogus token is said in words, and leaves the URL.
    await page.getByRole("link", { name: "Esqueceu a senha?" }).click();
    await page.locator("#reset-email").waitFor();
    // As from the e-mail: a fresh page load of the link (a fragment change alone is not a new page).
    await page.goto(`${origin}/admin/`);
    await page.goto(`${origin}/admin/reset-password#token=${"x".repeat(43)}`);
    await page.locator("#reset-password").fill("uma frase longa o bastante");
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("[role=alert][data-code=reset_token_invalid]").waitFor();
    expect(page.url()).not.toContain("token=");
    await shot("01b-reset-link-spent");
    await page.goto(`${origin}/admin/`);

    // 2. The admin verifies the reviewer's CRM in the credential queue, and sees the members.
    await signIn(administrator);
    await page.getByRole("link", { name: "Credenciais", exact: true }).click();
    const card = page.locator(`[data-credential="${reviewer.email}"]`);
    await card.waitFor();
    await card.locator("textarea").fill("CRM-SP 123456 conferido no portal do CFM");
    await card.getByRole("button", { name: "Registrar a decisão" }).click();
    await page.locator(".notice-ok").waitFor();
    await expect.poll(() => page.locator(`[data-credential="${reviewer.email}"]`).count()).toBe(0);
    await shot("02-credential-queue-verified");
    await page.getByRole("link", { name: "Membros", exact: true }).click();
    await page.locator(`[data-member="${reviewer.email}"]`).waitFor();
    await shot("02a-members");
    // The admin invites an author; the link from the e-mail opens the public page, which creates the account.
    const invitee = `autora.${Math.random().toString(36).slice(2, 8)}@example.test`;
    await page.locator("#invite-email").fill(invitee);
    await page.getByRole("button", { name: "Enviar o convite" }).click();
    await page.locator("[data-testid=invitations]").getByText(invitee).waitFor();
    const invitation = await lastMail(admin, tenantId, invitee, "invitation");
    await page.goto(`${origin}/admin/invitation#token=${invitation.secret!}`);
    await page.locator("#accept-name").fill("Dra. Ana Autora");
    await page.locator("#accept-password").fill("uma frase longa da autora");
    await page.getByRole("button", { name: "Aceitar o convite" }).click();
    await page.locator(".notice-ok").waitFor();
    expect(page.url()).not.toContain("token=");
    await shot("02b-invitation-accepted");
    await page.goto(`${origin}/admin/members`);
    await page.locator(`[data-member="${invitee}"]`).waitFor();
    // The admin also sees the compliance screens. The audit log names data subjects and PHI reads: this
    // password-only session is asked to step up (RFC 9470), and declining leaves the log unread.
    await page.getByRole("link", { name: "Conformidade", exact: true }).click();
    const auditDialog = page.locator("dialog[open]");
    await auditDialog.waitFor({ timeout: 15_000 });
    await shot("02b-compliance-audit-step-up");
    await auditDialog.locator("button.secondary").click();
    await page.locator("[role=alert][data-code=step_up_required]").first().waitFor();
    expect(await page.locator("[data-testid=audit-events] tbody tr").count()).toBe(0);
    // Placing a legal hold is a restricted write; releasing one (what it covered may then be destroyed) is PHI.
    await page.getByRole("tab", { name: "Retenção e legal holds" }).click();
    await page.locator("#hold-scope").selectOption("tenant");
    await page.locator("#hold-reason").fill("Ofício do Ministério Público 123/2026");
    await page.getByRole("button", { name: "Aplicar retenção" }).click();
    await page.locator("[data-testid=holds] tbody tr").first().waitFor();
    await shot("02c-compliance-retention-holds");
    await page.getByRole("button", { name: "Liberar" }).first().click();
    const releaseDialog = page.locator("dialog[open]");
    await releaseDialog.waitFor();
    await releaseDialog.locator("button.secondary").click();
    await page.locator("[role=alert][data-code=step_up_required]").first().waitFor();
    expect(await page.locator("[data-testid=holds]").textContent()).not.toMatch(/liberada/);
    // Data-subject requests are PHI: a password-only session is asked to step up (RFC 9470) in a dialog.
    await page.getByRole("tab", { name: "Pedidos de titulares" }).click();
    const dialog = page.locator("dialog[open]");
    const outcome = await Promise.race([
      dialog.waitFor({ timeout: 10_000 }).then(() => "dialog" as const),
      page
        .locator("[role=alert][data-code=trust_denied]")
        .waitFor({ timeout: 10_000 })
        .then(() => "denied" as const),
    ]);
    if (outcome === "dialog") {
      await shot("02d-step-up-dialog");
      await page.locator("#stepup-password").fill(administrator.password);
      await dialog.getByRole("button", { name: "Verificar" }).click();
      // This admin has no second factor yet: the dialog says so, in words, and what to do.
      await expect.poll(() => dialog.textContent()).toMatch(/Configure-a em Conta/);
      await dialog.getByRole("button", { name: "Fechar" }).click();
      await page.locator("[role=alert][data-code=step_up_required]").waitFor();
    }
    await signOut();

    // 3. The editor signs in and turns on MFA: QR code, manual key, recovery codes shown once.
    await signIn(editor);
    await shot("03-content-list-empty");
    await page.getByRole("link", { name: "Conta", exact: true }).click();
    await page.getByRole("button", { name: "Configurar autenticação em dois fatores" }).click();
    await page.locator("#mfa-current-password").fill(editor.password);
    await page.getByRole("button", { name: "Mostrar o QR code" }).click();
    await page.locator("svg.qr").waitFor();
    const secret = ((await page.locator("[data-testid=mfa-secret]").textContent()) ?? "").replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await shot("04-mfa-enrolment-qr");
    await page.locator("#mfa-confirm").fill(await totpCode(secret, totpStep()));
    await page.getByRole("button", { name: "Verificar" }).click();
    await page.locator("[data-testid=recovery-codes]").waitFor();
    const recoveryCodes = await page.locator("[data-testid=recovery-codes] code").allTextContents();
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    await shot("05-mfa-recovery-codes");
    await page.getByRole("button", { name: "Já guardei" }).click();
    await expect.poll(() => page.locator("[data-testid=mfa-state]").textContent()).toBe("Ativa");

    // 4. A new post with a CPF in it; autosave (PATCH with If-Match) keeps it.
    await page.getByRole("link", { name: "Posts", exact: true }).click();
    await page.getByRole("link", { name: "Novo post" }).click();
    const title = `Hipertensão arterial: guia prático ${Date.now().toString(36)}`;
    await page.locator("#new-post-title").fill(title);
    await page.getByRole("button", { name: "Criar" }).click();
    await page.locator("#body").waitFor();
    const postId = /\/admin\/posts\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const cpf = "529.982.247-25";
    const withCpf = [
      "## O que é",
      "",
      "A hipertensão arterial é a elevação persistente da pressão sanguínea. O diagnóstico é feito com medições repetidas.",
      "",
      `Caso atendido: paciente Maria Souza, CPF ${cpf}, relatou cefaleia.`,
      "",
      "## Tratamento",
      "",
      "Mudanças no estilo de vida e medicamentos prescritos pelo médico ajudam a controlar a pressão.",
    ].join("\n");
    await page.locator("#body").fill(withCpf);
    await expect
      .poll(() => page.locator("[data-testid=save-state]").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("saved");
    await expect.poll(() => page.locator("[data-testid=preview] h2").first().textContent()).toBe("O que é");
    await shot("06-editor-autosaved");

    // 5. Analysis: the LGPD analyser's CPF finding is highlighted at its offsets.
    if (hasAnalysis) {
      await page.getByRole("button", { name: "Analisar" }).click();
      const mark = page.locator("[data-testid=highlighted] mark", { hasText: cpf }).first();
      await mark.waitFor({ timeout: 30_000 });
      expect(await mark.getAttribute("class")).toMatch(/sev-blocking/);
      expect(await mark.getAttribute("data-code")).toMatch(/cpf/i);
      // Clicking the mark selects exactly the finding's UTF-16 range in the Markdown textarea.
      await mark.click();
      expect(
        await page
          .locator("#body")
          .evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd)),
      ).toBe(cpf);
      await expect.poll(() => page.locator("[data-testid=publish-gate]").getAttribute("class")).toMatch(/gate-blocked/);
      await shot("07-analysis-cpf-highlighted");

      // 6. Fix it and analyse again: nothing blocks publishing any more.
      await page
        .locator("#body")
        .fill(withCpf.replace(`paciente Maria Souza, CPF ${cpf}, relatou`, "uma pessoa adulta relatou"));
      await page.getByRole("button", { name: "Analisar" }).click();
      await expect
        .poll(() => page.locator("[data-testid=publish-gate]").getAttribute("class"), { timeout: 30_000 })
        .toMatch(/gate-open/);
      expect(await page.locator("[data-testid=highlighted] mark.sev-blocking").count()).toBe(0);
      await shot("08-analysis-fixed");
    } else {
      await page
        .locator("#body")
        .fill(withCpf.replace(`paciente Maria Souza, CPF ${cpf}, relatou`, "uma pessoa adulta relatou"));
      await expect
        .poll(() => page.locator("[data-testid=save-state]").getAttribute("data-state"), { timeout: 15_000 })
        .toBe("saved");
    }

    // 7. Revision history: compare an earlier revision with the current one.
    await page.getByRole("button", { name: "Comparar com a atual" }).first().click();
    await page.locator("[data-testid=diff]").waitFor();
    await shot("09-revisions-diff");

    // 8. Submit, then send to medical review (the editor may do both).
    await transition(/Enviar para revisão$/, /Em revisão editorial/);
    await transition(/Enviar para revisão médica/, /Em revisão médica/);
    await shot("10-in-medical-review");
    await signOut();

    // 9. The verified reviewer (not the author) approves. A deep link exercises the SPA fallback.
    await signIn(reviewer);
    await page.goto(`${origin}/admin/posts/${postId}`);
    await page.locator("[data-testid=state]").waitFor();
    await transition(/Aprovar como revisor médico/, /Aprovado/);
    await expect.poll(() => page.locator(".panel").first().textContent()).toMatch(/CRM 123456\/SP/);
    await shot("11-approved-by-reviewer");
    await signOut();

    // 10. The editor signs in again, now with MFA (a recovery code), and publishes.
    await page.goto(`${origin}/admin/`);
    await page.locator("#email").fill(editor.email);
    await page.locator("#password").fill(editor.password);
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("#mfa-code").waitFor();
    await shot("12-sign-in-mfa");
    await page.locator("#mfa-code").fill(recoveryCodes[0]!);
    await page.locator("form.signin button[type=submit]").click();
    await page.locator("[data-testid=who]").waitFor();
    await page.goto(`${origin}/admin/posts/${postId}`);
    await page.locator("[data-testid=state]").waitFor();
    await transition(/^Publicar$/, /Publicado/);
    await shot("13-published");

    // 10b. A DICOM study (17 MiB: three presigned parts). The first try of part 2 fails on the network and
    // is retried; the progress bar reaches 100 %, then the Worker's verification shows the header's metadata
    // and flags the patient's name, ID and birth date as PHI.
    const study = await makeDicom({ modality: "MR", studyDate: "20250310", pixelBytes: 17 * 1024 * 1024 });
    let failedOnce = false;
    await page.route(/partNumber=2/, async (route) => {
      if (!failedOnce && route.request().method() === "PUT") {
        failedOnce = true;
        await route.abort("connectionreset");
      } else await route.continue();
    });
    await page.getByRole("link", { name: "Mídia", exact: true }).click();
    await page
      .locator("#upload-files")
      .setInputFiles({ name: "estudo-rm.dcm", mimeType: "application/dicom", buffer: Buffer.from(study.bytes) });
    const upload = page.locator("[data-testid=upload]").first();
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add((await upload.locator("[data-testid=upload-percent]").textContent()) ?? "");
          const phase = await upload.getAttribute("data-phase");
          if (phase === "failed") {
            await shot("13b-dicom-upload-failed");
            throw new Error(`upload failed: ${await upload.textContent()} | ${consoleLog.slice(-12).join(" | ")}`);
          }
          return phase;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe("done");
    expect(failedOnce).toBe(true);
    expect(await upload.locator("[data-testid=upload-percent]").textContent()).toBe("100%");
    expect(await upload.textContent()).toMatch(/1 parte reenviada/);
    expect(await upload.locator("[data-testid=dicom-modality]").textContent()).toBe("MR");
    expect(await upload.locator("[data-testid=phi-flags]").textContent()).toMatch(/PatientName/);
    await shot("13b-dicom-uploaded");
    await page.unroute(/partNumber=2/);

    // 10c. Drag and drop: a small illustration dropped on the drop zone.
    await page.locator("[data-testid=dropzone]").evaluate((zone) => {
      const bytes = Uint8Array.from(
        atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
        (c) => c.charCodeAt(0),
      );
      const data = new DataTransfer();
      data.items.add(new File([bytes], "capa.png", { type: "image/png" }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect
      .poll(() => page.locator("[data-testid=upload]").first().getAttribute("data-phase"), { timeout: 30_000 })
      .toBe("done");
    expect(await page.locator("[data-testid=upload]").first().textContent()).toContain("capa.png");
    await shot("13c-media-drop");

    // 11. The content list, filtered by state, shows it published; then in English.
    await page.goto(`${origin}/admin/?state=published`);
    await page.getByRole("link", { name: title }).waitFor();
    await page.locator("#ui-lang").selectOption("en");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Posts");
    await expect.poll(() => page.locator("table.list").textContent()).toMatch(/Published/);
    await shot("14-content-list-english");

    // 12. The public site shows the article (and the WordPress-compatible API lists it).
    const item = (await page.evaluate(async (id) => {
      const answer = await fetch(`/wp-json/wp/v2/posts?per_page=50`);
      return { status: answer.status, body: await answer.text(), id };
    }, postId)) as { status: number; body: string };
    expect(item.status).toBe(200);
    expect(item.body).toContain("Hipertens");
    const slug = (JSON.parse(item.body) as Array<{ slug: string; title: { rendered: string } }>).find((post) =>
      post.title.rendered.includes("guia"),
    )!.slug;
    const publicPage = await page.goto(`${origin}/pt-br/posts/${slug}/`);
    expect(publicPage?.status()).toBe(200);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Hipertensão arterial");
    // CFM 2.336/2023: the responsible physician's name and CRM are on the published page.
    expect(await page.locator("body").textContent()).toMatch(/123456/);
    await shot("15-public-article");

    // 13. Readable on a tablet (portrait): the editor's side panels stack under the text.
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(`${origin}/admin/posts/${postId}`);
    await page.locator("[data-testid=state]").waitFor();
    await shot("16-editor-tablet");

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
