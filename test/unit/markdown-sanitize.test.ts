import { describe, expect, it } from "vitest";
import { MAX_MARKDOWN_LENGTH, renderMarkdown } from "../../functions/services/content/markdown.js";
import { isSafeUrl, sanitizeHtml } from "../../functions/services/content/sanitize.js";

const ALLOWED_TAGS = new Set([
  "p",
  "br",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "strong",
  "b",
  "em",
  "i",
  "del",
  "s",
  "code",
  "pre",
  "blockquote",
  "ul",
  "ol",
  "li",
  "a",
  "img",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "sup",
  "sub",
]);

/** Schemes a link may use once a browser has resolved it; an image only a library reference (`media:<uuid>`). */
const ALLOWED_SCHEMES = new Set(["http:", "https:", "mailto:", "tel:"]);
const LIBRARY_IMAGE = /^media:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The attribute value a browser sees: the few character references markup needs, and numeric ones. */
function decodeAttribute(value: string): string | null {
  const named: Record<string, string> = { amp: "&", quot: '"', apos: "'", lt: "<", gt: ">" };
  let unknown = false;
  const decoded = value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0x10ffff ? "\ufffd" : String.fromCodePoint(code);
    }
    const char = named[ref.toLowerCase()];
    if (char === undefined || !whole.endsWith(";")) unknown = true; // e.g. &colon; is not judged here: refuse
    return char ?? whole;
  });
  return unknown ? null : decoded;
}

/**
 * Judges a URL as a browser would resolve it, with the WHATWG URL parser (it strips tabs, newlines and
 * leading C0 controls and spaces, and lower-cases the scheme), independently of the sanitizer's own check.
 */
function isAllowedUrl(raw: string, attribute: "href" | "src"): boolean {
  const value = decodeAttribute(raw);
  if (value === null) return false;
  let url: URL;
  try {
    url = new URL(value, "https://site.example/base/");
  } catch {
    return false;
  }
  if (attribute === "src") return LIBRARY_IMAGE.test(value);
  return ALLOWED_SCHEMES.has(url.protocol);
}

/**
 * Nothing in the output may run: every tag is an allowed one, carries no handler or style attribute, and
 * its URLs are safe. Text that merely reads "onerror=" is inert, because its "<" is escaped.
 */
function assertInert(html: string): void {
  for (const [tag, name] of html.matchAll(/<\/?([a-zA-Z][^\s/>]*)[^>]*>/g)) {
    expect(ALLOWED_TAGS.has(name!.toLowerCase()), tag).toBe(true);
    expect(tag).not.toMatch(/\s(on[a-z]+|style|srcdoc|formaction|xlink:href)\s*=/i);
    for (const [, attribute, url] of tag.matchAll(/\s(href|src)="([^"]*)"/g)) {
      expect(isAllowedUrl(url!, attribute as "href" | "src"), `${attribute}=${url}`).toBe(true);
    }
  }
  // Every "<" that is not one of those tags was escaped.
  expect(html.replace(/<\/?[a-zA-Z][^>]*>/g, "")).not.toContain("<");
}

// Stored-XSS vectors in the spirit of the OWASP XSS Filter Evasion Cheat Sheet, written for this suite.
const VECTORS: Array<[string, string]> = [
  ["plain script", "<script>alert(1)</script>"],
  ["script with src", "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>"],
  ["img onerror", "<img src=x onerror=alert(1)>"],
  ["img onerror no quotes and slash", "<img/src=x/onerror=alert(1)>"],
  ["svg onload", "<svg onload=alert(1)>"],
  ["svg nested script", "<svg><script>alert(1)</script></svg>"],
  ["iframe javascript", '<iframe src="javascript:alert(1)"></iframe>'],
  ["iframe srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ["anchor with tab-split scheme", '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ["anchor with newline entity", '<a href="jav&#x0A;ascript:alert(1)">x</a>'],
  [
    "anchor with decimal entities",
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  ],
  [
    "anchor with hex entities no semicolons",
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
  ],
  ["anchor with mixed case and leading space", '<a href=" JaVaScRiPt:alert(1)">x</a>'],
  ["anchor with &colon;", '<a href="javascript&colon;alert(1)">x</a>'],
  ["vbscript", '<a href="vbscript:msgbox(1)">x</a>'],
  ["data text/html", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ["style element", "<style>body{background:url(javascript:alert(1))}</style>"],
  ["style attribute", '<p style="background:url(javascript:alert(1))">x</p>'],
  ["object data", '<object data="javascript:alert(1)"></object>'],
  ["embed", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ["base href", '<base href="javascript:alert(1)//">'],
  ["meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ["attribute breakout", '<img src="x" alt="a"onerror="alert(1)">'],
  ["quote breakout in text", '"><script>alert(1)</script>'],
  ["half-open tag", "<img src=x onerror=alert(1)//"],
  ["split script tag", "<scr<script>ipt>alert(1)</scr</script>ipt>"],
  ["body onload", "<body onload=alert(1)>"],
  ["form action", '<form action="javascript:alert(1)"><input type=submit></form>'],
  ["button formaction", '<button formaction="javascript:alert(1)">x</button>'],
  ["markdown javascript link", "[click](javascript:alert(1))"],
  ["markdown javascript link with entity", "[click](jav&#x09;ascript:alert(1))"],
  ["markdown image onerror title", '![x](x" onerror="alert(1))'],
  ["markdown data html image", "![x](data:text/html;base64,PHNjcmlwdD4=)"],
  ["markdown autolink javascript", "<javascript:alert(1)>"],
  ["markdown reference link", "[x][1]\n\n[1]: javascript:alert(1)"],
  ["html comment trick", "<!--<img src=x onerror=alert(1)>-->"],
  ["math with xlink", '<math><a xlink:href="javascript:alert(1)">x</a></math>'],
];

describe("Markdown rendering and sanitizing", () => {
  it.each(VECTORS)("neutralises %s (Markdown input)", (_name, vector) => {
    assertInert(renderMarkdown(vector));
  });

  it.each(VECTORS)("neutralises %s (raw HTML into the sanitizer)", (_name, vector) => {
    assertInert(sanitizeHtml(vector));
  });

  it("shows raw HTML typed in Markdown as text instead of markup", () => {
    const html = renderMarkdown("Hello <img src=x onerror=alert(1)> world");
    expect(html).toContain("&lt;img");
    expect(html).not.toContain("<img");
  });

  it("renders CommonMark and GFM tables", () => {
    const html = renderMarkdown(
      "# Hipertensão\n\nA **pressão** _alta_ e `código`.\n\n- um\n- dois\n\n> citação\n\n| Dose | Via |\n|:---|---:|\n| 10 mg | oral |\n\n```ts\nconst a = 1;\n```\n",
    );
    expect(html).toContain("<h1>Hipertensão</h1>");
    expect(html).toContain("<strong>pressão</strong>");
    expect(html).toContain("<em>alta</em>");
    expect(html).toContain("<code>código</code>");
    expect(html).toContain("<li>um</li>");
    expect(html).toContain("<blockquote>");
    expect(html).toMatch(/<table>[\s\S]*<th align="left">Dose<\/th>[\s\S]*<td align="right">oral<\/td>/);
    expect(html).toContain('<code class="language-ts">');
  });

  it("keeps safe links and adds rel=noopener noreferrer to external ones", () => {
    const html = renderMarkdown("[SBC](https://www.portal.cardiol.br) and [home](/sobre)");
    expect(html).toContain('<a href="https://www.portal.cardiol.br" rel="noopener noreferrer">SBC</a>');
    expect(html).toContain('<a href="/sobre">home</a>');
  });

  it("admits images of the media library only (`media:<uuid>`), never another URL or data: image", () => {
    const id = "0b0e2a7e-1d2c-4c3b-9a8f-123456789abc";
    expect(renderMarkdown(`![Coração](media:${id})`)).toContain(`<img src="media:${id}" alt="Coração" />`);
    expect(renderMarkdown("![dot](data:image/png;base64,iVBORw0KGgo=)")).not.toContain("<img");
    expect(renderMarkdown("![pixel](https://tracker.example/p.gif)")).not.toContain("<img");
    expect(renderMarkdown(`![x](MEDIA:${id.toUpperCase()})`)).not.toContain("<img");
    expect(sanitizeHtml('<img src="https://tracker.example/p.gif">')).not.toContain("<img");
    expect(sanitizeHtml(`<img src="media:${id}" onerror="alert(1)">`)).toBe(`<img src="media:${id}" />`);
    expect(isSafeUrl("data:image/gif;base64,R0lGOD", "link")).toBe(false);
  });

  it("balances tags the input left open", () => {
    expect(sanitizeHtml("<p><strong>bold")).toBe("<p><strong>bold</strong></p>");
  });

  it("refuses URLs hidden behind C0 controls, tabs and newlines", () => {
    for (const url of [
      "\u0001javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:x",
      "\u001f\u0000javascript:x",
    ]) {
      expect(isSafeUrl(url, "link"), JSON.stringify(url)).toBe(false);
    }
  });
});

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe("Markdown rendering within bounds", () => {
  it("renders 6,000 '>' as at most 16 quotes and the rest as text", () => {
    const html = renderMarkdown(">".repeat(6_000));
    expect(count(html, "<blockquote>")).toBeLessThanOrEqual(16);
    expect(count(html, "&gt;")).toBeGreaterThan(5_900);
  });

  it("renders lists nested on one line at most 16 deep", () => {
    const html = renderMarkdown("- ".repeat(10_000) + "fundo");
    expect(count(html, "<ul>")).toBeLessThanOrEqual(16);
    expect(html).toContain("fundo");
  });

  it("renders emphasis nested to the cap at most 16 deep", () => {
    const side = "**".repeat(MAX_MARKDOWN_LENGTH / 4 - 1);
    const html = renderMarkdown(side + "x" + side);
    expect(count(html, "<strong>")).toBeLessThanOrEqual(16);
    expect(html.length).toBeLessThan(4 * MAX_MARKDOWN_LENGTH);
  });

  it("keeps ordinary emphasis, links and addresses inside long articles", () => {
    const article = "Texto com **negrito**, _itálico_, ~~riscado~~ e contato@clinica.example. ".repeat(800);
    const html = renderMarkdown(article + "\n\n" + "_a_b".repeat(2_000) + "\n\nfim **forte** fim");
    expect(count(html, "<strong>negrito</strong>")).toBe(800);
    expect(count(html, "<em>itálico</em>")).toBe(800);
    expect(count(html, "<del>riscado</del>")).toBe(800);
    expect(count(html, 'href="mailto:contato@clinica.example"')).toBe(800);
    expect(html).toContain("fim <strong>forte</strong> fim");
  });
});
