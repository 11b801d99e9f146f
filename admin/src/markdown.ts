/**
 * The live preview: Markdown rendered in the browser with `marked`, with every raw HTML block or tag shown
 * as text (escaped) and link/image URLs limited to http(s), mailto and relative addresses. Nothing the
 * author types can become markup or script; the strict CSP (`script-src 'self'`) is the second wall.
 * The published page uses the server's own sanitised rendering (bodyHtml); this is only a preview.
 */
import { Marked, type Tokens } from "marked";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function safeUrl(href: string): string | null {
  const trimmed = href.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return null; // javascript:, data:, vbscript: …
  if (/^\s*\/\//.test(trimmed)) return null; // protocol-relative
  return trimmed;
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      const href = safeUrl(token.href);
      if (!href) return inner;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
      return `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer nofollow" target="_blank">${inner}</a>`;
    },
    image(token: Tokens.Image): string {
      const src = safeUrl(token.href);
      if (!src) return escapeHtml(token.text);
      return `<img src="${escapeHtml(src)}" alt="${escapeHtml(token.text)}" loading="lazy">`;
    },
  },
});

export function renderPreview(markdown: string): string {
  return marked.parse(markdown, { async: false }) as string;
}
