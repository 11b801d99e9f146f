/**
 * Attacks on rendering, through the real Worker in workerd: Markdown built to overflow marked's stack or to
 * make its emphasis search quadratic, attack bodies that the sanitizer (sanitize-html, running in workerd)
 * must neutralise before they are stored, and titles carrying characters XML 1.0 forbids, which made the
 * whole feed unreadable.
 */
import type pg from "pg";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_MARKDOWN_LENGTH } from "../../functions/services/content/markdown.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let tenant: SeededTenant;
let token: string;

interface Saved {
  status: number;
  body: { bodyHtml?: string; code?: string; errors?: Array<{ path: string }> };
}

let posts = 0;

async function createPost(bodyMarkdown: string): Promise<Saved> {
  posts += 1;
  const title = `Texto de teste ${posts}`;
  const res = await worker.fetch("/api/posts", {
    host: tenant.hostname,
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify({ title, locale: "pt-BR", bodyMarkdown }),
  } as RequestInit & { host: string });
  return { status: res.status, body: (await res.json()) as Saved["body"] };
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

/** Parses as a strict XML 1.0 parser does (saxes reports characters XML forbids); answers the first error. */
function xmlError(text: string): string | null {
  const parser = new SaxesParser({ xmlns: true });
  let error: string | null = null;
  parser.on("error", (e) => {
    error ??= e.message;
  });
  parser.write(text).close();
  return error;
}

beforeAll(async () => {
  admin = await adminClient();
  tenant = await seedTenant(admin, "render");
  worker = await startWorker();
  const author = await createUser(admin, tenant, { roles: ["author"] });
  token = (await signIn(worker, tenant.hostname, author)).accessToken;
});
afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

describe("Markdown that attacks the renderer", () => {
  it("saves 6,000 '>' without a server error, as a bounded quote with the rest as text", async () => {
    const saved = await createPost(">".repeat(6_000));
    expect(saved.status).toBe(201);
    const html = saved.body.bodyHtml!;
    expect(count(html, "<blockquote>")).toBeGreaterThan(0);
    expect(count(html, "<blockquote>")).toBeLessThanOrEqual(16);
    expect(count(html, "<blockquote>")).toBe(count(html, "</blockquote>"));
    expect(count(html, "&gt;")).toBeGreaterThan(5_900);
  });

  it("saves lists and quotes nested on one line, thousands deep", async () => {
    const saved = await createPost("> - ".repeat(5_000) + "fundo");
    expect(saved.status).toBe(201);
    expect(count(saved.body.bodyHtml!, "<li>")).toBeLessThanOrEqual(16);
    expect(saved.body.bodyHtml).toContain("fundo");
  });

  it("saves emphasis nested as deep as the cap allows, with bounded markup", async () => {
    const half = (MAX_MARKDOWN_LENGTH - 1) / 2;
    const body = "**".repeat(Math.floor(half / 2)) + "x" + "**".repeat(Math.floor(half / 2));
    expect(body.length).toBeLessThanOrEqual(MAX_MARKDOWN_LENGTH);
    const saved = await createPost(body);
    expect(saved.status).toBe(201);
    expect(count(saved.body.bodyHtml!, "<strong>")).toBeLessThanOrEqual(16);
    expect(saved.body.bodyHtml!.length).toBeLessThan(4 * MAX_MARKDOWN_LENGTH);
  });

  it("saves a body at the cap made of delimiters that never close, with bounded output", async () => {
    const body = "_a_b*c~d".repeat(MAX_MARKDOWN_LENGTH / 8);
    expect(body.length).toBe(MAX_MARKDOWN_LENGTH);
    const saved = await createPost(body);
    expect(saved.status).toBe(201);
    expect(saved.body.bodyHtml!.length).toBeLessThan(4 * MAX_MARKDOWN_LENGTH);
  });

  it("refuses a body longer than the cap with 422 naming the field", async () => {
    const saved = await createPost("a".repeat(MAX_MARKDOWN_LENGTH + 1));
    expect(saved.status).toBe(422);
    expect(saved.body.code).toBe("validation_failed");
    expect(saved.body.errors?.map((e) => e.path)).toContain("json.bodyMarkdown");
  });
});

describe("the sanitizer in workerd", () => {
  it("stores an attack body with nothing that can run and the article's structure intact", async () => {
    const saved = await createPost(
      [
        "# Pressão alta",
        "<script>alert(1)</script> <img src=x onerror=alert(1)> <svg onload=alert(1)>",
        "[a](javascript:alert(1)) [b](jav&#x09;ascript:alert(1)) [c](<java\tscript:alert(1)>) [d](\u0001javascript:x)",
        "![e](data:text/html;base64,PHNjcmlwdD4=) [f](https://www.portal.cardiol.br) **forte**",
      ].join("\n\n"),
    );
    expect(saved.status).toBe(201);
    const html = saved.body.bodyHtml!;
    // Text may read "onerror=" (its "<" is escaped); no tag may carry a handler or a script URL.
    expect(html).not.toMatch(/<(script|svg|img)\b/i);
    for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) {
      expect(tag).not.toMatch(/\son[a-z]+=|javascript:|data:/i);
    }
    expect(html).toContain("<h1>Pressão alta</h1>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain('<a href="https://www.portal.cardiol.br" rel="noopener noreferrer">f</a>');
    expect(html).toContain("<strong>forte</strong>");
  });
});

describe("feeds and sitemaps with characters XML forbids", () => {
  let site: SeededTenant;
  let f: SiteFixture;
  const title = "Pressão\u0001 alta\u0008 e\u001f diabetes\uffff \u000b😀";

  beforeAll(async () => {
    site = await seedTenant(admin, "render-xml");
    f = await siteFixture(admin, worker, site);
    await f.publish("posts", { title, slug: "pressao-alta-xml", locale: "pt-BR", bodyMarkdown: "Texto." });
  });

  it.each([
    "/pt-br/feed.xml",
    "/pt-br/atom.xml",
    "/sitemap.xml",
    "/sitemaps/pt-br-<n>.xml",
    "/sitemaps/pt-br-lists-1.xml",
  ])("%s parses as XML 1.0", async (path) => {
    // The item file is the wp id range the post is in, as the index names it.
    const index = path.includes("<n>") ? await (await f.api("/sitemap.xml")).text() : "";
    const itemFile = /\/sitemaps\/pt-br-\d+\.xml/.exec(index)?.[0];
    const res = await f.api(itemFile ?? path);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(xmlError(text)).toBeNull();
    if (path.includes("feed") || path.includes("atom")) expect(text).toContain("Pressão alta e diabetes 😀");
  });
});
