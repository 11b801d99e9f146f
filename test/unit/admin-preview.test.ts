/**
 * The admin editor's live preview (admin/src/markdown.ts) in a real browser: the module is bundled as the SPA
 * bundles it and run in Debian's Chromium, and every link and image it produces is judged by what the
 * browser resolves it to. Links hidden behind a tab inside `<…>` or a leading C0 control used to come out as
 * clickable `javascript:` links.
 */
import type { Browser, Page } from "playwright-core";
import { build, type Rolldown } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";

let browser: Browser;
let page: Page;

interface Judged {
  html: string;
  /** Every attribute of every element, as `name=value`. */
  attributes: string[];
  links: Array<{ protocol: string; target: string | null; rel: string | null }>;
  images: string[];
}

beforeAll(async () => {
  const bundled = (await build({
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      minify: false,
      lib: {
        entry: new URL("../../admin/src/markdown.ts", import.meta.url).pathname,
        formats: ["iife"],
        name: "Preview",
      },
    },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const output = Array.isArray(bundled) ? bundled[0]! : bundled;
  const chunk = output.output.find((file) => file.type === "chunk");
  browser = await launchChromium();
  page = await browser.newPage();
  // Relative links resolve against an admin origin, as they would in the SPA.
  await page.setContent(
    '<!doctype html><html><head><base href="https://admin.example/"></head><body><div id=preview></div></body></html>',
  );
  await page.addScriptTag({ content: chunk!.code });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Renders in the page, places the HTML in the document as the editor does, and reads what the browser made of it. */
function preview(markdown: string): Promise<Judged> {
  return page.evaluate((source) => {
    const html = (window as unknown as { Preview: { renderPreview(md: string): string } }).Preview.renderPreview(
      source,
    );
    const host = document.getElementById("preview")!;
    host.innerHTML = html;
    return {
      html,
      attributes: Array.from(host.querySelectorAll("*")).flatMap((element) =>
        Array.from(element.attributes).map((attribute) => `${attribute.name}=${attribute.value}`),
      ),
      links: Array.from(host.querySelectorAll("a[href]")).map((a) => ({
        protocol: (a as HTMLAnchorElement).protocol,
        target: a.getAttribute("target"),
        rel: a.getAttribute("rel"),
      })),
      images: Array.from(host.querySelectorAll("img")).map((img) => new URL((img as HTMLImageElement).src).protocol),
    };
  }, markdown);
}

const SAFE_PROTOCOLS = ["http:", "https:", "mailto:", "tel:"];

const VECTORS: Array<[string, string]> = [
  ["a tab inside an angle-bracket destination", "[x](<java\tscript:alert(1)>)"],
  ["a newline inside an angle-bracket destination", "[x](<java\nscript:alert(1)>)"],
  ["a leading C0 control", "[x](\u0001javascript:alert(1))"],
  ["a leading C0 control in angle brackets", "[x](<\u0008javascript:alert(1)>)"],
  ["a leading escape and unit separator", "[x](\u001b\u001fjavascript:alert(1))"],
  ["a tab-split scheme as an entity", "[x](jav&#x09;ascript:alert(1))"],
  ["an encoded colon", "[x](javascript&colon;alert(1))"],
  ["a reference definition", "[x][r]\n\n[r]: <java\tscript:alert(1)>"],
  ["an image", "![x](<java\tscript:alert(1)>)"],
  ["a data: page", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
  ["vbscript", "[x](vbscript:msgbox(1))"],
  ["raw HTML", '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'],
];

describe("admin Markdown preview in Chromium", () => {
  it.each(VECTORS)("gives no script link for %s", async (_name, vector) => {
    const judged = await preview(vector);
    for (const link of judged.links) expect(SAFE_PROTOCOLS, judged.html).toContain(link.protocol);
    for (const protocol of judged.images) expect([...SAFE_PROTOCOLS, "data:"], judged.html).toContain(protocol);
    // Text may read "javascript:" (its markup is escaped); no element may carry a handler or a script URL.
    for (const attribute of judged.attributes) {
      expect(attribute).not.toMatch(/^on|script:|^[a-z]+=data:text/i);
    }
    expect(judged.html).not.toMatch(/<script/i);
  });

  it("shows a public library image from its public URLs, and one the page would drop as a box, never loaded", async () => {
    const shown = "6f1c2a8e-0d7b-4d4e-9a57-0b2f1c9e7d11";
    const refused = "0b2f1c9e-7d11-4d4e-9a57-6f1c2a8e0d7b";
    const unknown = "9a570b2f-1c9e-4d4e-9a57-6f1c2a8e0d7b";
    const html = await page.evaluate(
      ([a, b, c]) => {
        const images = new Map([
          [a!, { id: a!, contentType: "image/png", version: "0123456789ab", width: 800, height: 600, alt: "Coração" }],
          [b!, null],
        ]);
        const preview = (window as unknown as { Preview: { renderPreview(md: string, images: unknown): string } })
          .Preview;
        return preview.renderPreview(`![](media:${a})\n\n![foto](media:${b})\n\n![outra](media:${c})`, images);
      },
      [shown, refused, unknown],
    );
    const host = await page.evaluate((markup) => {
      const element = document.createElement("div");
      element.innerHTML = markup;
      return {
        images: Array.from(element.querySelectorAll("img")).map((img) => ({
          src: img.getAttribute("src"),
          srcset: img.getAttribute("srcset"),
          alt: img.getAttribute("alt"),
        })),
        boxes: Array.from(element.querySelectorAll(".preview-image-missing")).map((box) => [
          box.getAttribute("data-state"),
          box.textContent,
        ]),
      };
    }, html);
    // The public image as the page shows it: its fixed widths on the site's own route, the library's alt text.
    expect(host.images).toEqual([
      {
        src: `/media/${shown}/960.png?v=0123456789ab`,
        srcset: `/media/${shown}/320.png?v=0123456789ab 320w, /media/${shown}/640.png?v=0123456789ab 640w, /media/${shown}/960.png?v=0123456789ab 800w`,
        alt: "Coração",
      },
    ]);
    // Not public (or still being looked up): named by its alt text, with no URL at all.
    expect(host.boxes).toEqual([
      ["not-public", "foto"],
      ["loading", "outra"],
    ]);
    expect(html).not.toContain(refused);
    expect(html).not.toContain(unknown);
  });

  it("keeps ordinary links, opening them outside the editor", async () => {
    const judged = await preview("[SBC](https://www.portal.cardiol.br) [home](/sobre) [mail](mailto:a@b.test)");
    expect(judged.links).toEqual([
      { protocol: "https:", target: "_blank", rel: "noopener noreferrer nofollow" },
      { protocol: "https:", target: "_blank", rel: "noopener noreferrer nofollow" },
      { protocol: "mailto:", target: "_blank", rel: "noopener noreferrer nofollow" },
    ]);
  });

  it("shows raw HTML as text and keeps Markdown structure", async () => {
    const judged = await preview(
      "# T\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n**b** _i_ `c`\n\n| a | b |\n|---|--:|\n| 1 | 2 |",
    );
    expect(judged.html).toContain("&lt;script&gt;");
    expect(judged.html).toContain("<h1>T</h1>");
    expect(judged.html).toContain("<strong>b</strong>");
    expect(judged.html).toMatch(/<td align="right">2<\/td>/);
    expect(judged.images).toEqual([]);
  });
});
