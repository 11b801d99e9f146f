/**
 * The live preview: Markdown rendered in the browser with `marked`, every raw HTML block or tag shown as
 * text (escaped), then DOMPurify (the browser's own parser) with the Worker's allow-list and URL rule
 * (functions/html-policy.ts): the same elements, attributes and link/image schemes the stored rendering
 * keeps. Nothing the author types can become markup or script; the strict CSP (`script-src 'self'`) is the
 * next wall. The published page uses the server's own sanitised rendering (bodyHtml); this is only a preview.
 */
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import {
  ALLOWED_ELEMENTS,
  DROPPED_WITH_CONTENT,
  escapeHtml,
  isAllowedAttributeValue,
  isSafeUrl,
} from "../../functions/html-policy";

export { escapeHtml };

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      if (!isSafeUrl(token.href, "link")) return inner;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(token.href)}"${title}>${inner}</a>`;
    },
    image(token: Tokens.Image): string {
      if (!isSafeUrl(token.href, "image")) return escapeHtml(token.text);
      return `<img src="${escapeHtml(token.href)}" alt="${escapeHtml(token.text)}">`;
    },
  },
});

const PURIFY_CONFIG = {
  ALLOWED_TAGS: Object.keys(ALLOWED_ELEMENTS),
  ALLOWED_ATTR: [...new Set(Object.values(ALLOWED_ELEMENTS).flat())],
  ADD_FORBID_CONTENTS: [...DROPPED_WITH_CONTENT],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
};

type Purifier = ReturnType<typeof DOMPurify>;
let purifier: Purifier | null = null;

/** One DOMPurify of our own (its hooks stay off the shared instance), made at first use in a browser. */
function preparePurifier(): Purifier | null {
  if (purifier !== null) return purifier;
  if (typeof window === "undefined") return null;
  const made = DOMPurify(window);
  if (!made.isSupported) return null;
  made.addHook("uponSanitizeAttribute", (node, data) => {
    const element = node.nodeName.toLowerCase();
    const allowed = (ALLOWED_ELEMENTS[element] ?? []).includes(data.attrName);
    if (!allowed || !isAllowedAttributeValue(element, data.attrName, data.attrValue)) data.keepAttr = false;
  });
  made.addHook("afterSanitizeAttributes", (node) => {
    // Links open outside the editor, without `window.opener` or the admin URL in Referer.
    if (node.nodeName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  });
  purifier = made;
  return purifier;
}

/** The preview's HTML; without a DOM to sanitize with (never in the SPA), the source as escaped text. */
export function renderPreview(markdown: string): string {
  const purify = preparePurifier();
  if (purify === null) return `<pre>${escapeHtml(markdown)}</pre>`;
  return purify.sanitize(marked.parse(markdown, { async: false }) as string, PURIFY_CONFIG);
}
