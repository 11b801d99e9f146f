import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM } from "./admin-server.js";

/**
 * Browser tests use Debian's Chromium and never download one. A missing browser fails the test file with
 * this message instead of skipping it, so a CI image without Chromium cannot pass by running nothing.
 */
export function requireChromium(executablePath: string): void {
  if (!existsSync(executablePath)) {
    throw new Error(
      `${executablePath} is missing: install Debian's chromium package (apt-get install chromium); this test never downloads a browser.`,
    );
  }
}

/** Debian's Chromium, headless, with the flags every browser test uses (admin-server.ts `CHROMIUM`). */
export async function launchChromium(): Promise<Browser> {
  requireChromium(CHROMIUM.executablePath);
  return chromium.launch({ executablePath: CHROMIUM.executablePath, args: CHROMIUM.args, headless: true });
}
