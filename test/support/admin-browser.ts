/**
 * Steps a person takes in the admin SPA, shared by the browser walk-throughs (English labels: the browser context
 * asks for `en-US`).
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { totpCode, totpStep } from "../../functions/lib/totp.js";

export interface BrowserAccount {
  email: string;
  password: string;
  /** Filled at the first sign-in that enrols a second factor; later sign-ins spend one each. */
  recoveryCodes: string[];
}

/**
 * Signs in from the sign-in screen. A role the tenant's policy covers (by default admin, medical reviewer and
 * compliance officer) enrols a TOTP authenticator the first time, from the key the screen shows, and keeps the
 * recovery codes; a later sign-in with a second factor spends one of them.
 */
export async function signInWithBrowser(
  page: Page,
  origin: string,
  account: BrowserAccount,
  password = account.password,
): Promise<void> {
  await page.goto(`${origin}/admin/`);
  await page.locator("#email").fill(account.email);
  await page.locator("#password").fill(password);
  await page.locator("form.signin button[type=submit]").click();
  const next = page.locator("[data-testid=who], [data-testid=mfa-required-by-policy], #mfa-code").first();
  await next.waitFor();
  const step = await next.evaluate((element) => element.getAttribute("data-testid") ?? element.id);
  if (step === "mfa-required-by-policy") {
    await page.getByRole("button", { name: "Show the QR code" }).click();
    const secret = ((await page.locator("[data-testid=mfa-secret]").textContent()) ?? "").replace(/\s+/g, "");
    await page.locator("#mfa-confirm").fill(await totpCode(secret, totpStep()));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.locator("[data-testid=recovery-codes]").waitFor();
    account.recoveryCodes = await page.locator("[data-testid=recovery-codes] code").allTextContents();
    await page.getByRole("button", { name: "I have stored them" }).click();
  } else if (step === "mfa-code") {
    const code = account.recoveryCodes.shift();
    if (!code) throw new Error(`${account.email} has no recovery code left`);
    await page.locator("#mfa-code").fill(code);
    await page.locator("form.signin button[type=submit]").click();
  }
  await page.locator("[data-testid=who]").waitFor();
}

/** Opens an item in the editor by its admin path (`/admin/posts/<id>`). */
export async function openInEditor(page: Page, origin: string, path: string): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.locator("[data-testid=state]").waitFor();
}

/** Takes the open item through one workflow step from the editor's buttons, and waits for its new state. */
export async function transitionInEditor(page: Page, action: string, expectedState: string): Promise<void> {
  await page.getByRole("button", { name: action, exact: true }).first().click();
  await page.locator("[data-testid=confirm-transition]").click();
  await expect.poll(() => page.locator("[data-testid=state]").textContent(), { timeout: 15_000 }).toBe(expectedState);
}

/** Waits until the open item's analysis has finished with nothing blocking (the publish gate requires one). */
export async function waitForOpenGate(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator("[data-testid=publish-gate]").getAttribute("class"), { timeout: 60_000 })
    .toMatch(/gate-open/);
}
