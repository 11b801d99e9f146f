import { existsSync } from "node:fs";

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
