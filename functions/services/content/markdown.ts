import { Marked, type Tokens } from "marked";
import { escapeHtml, isSafeUrl, sanitizeHtml } from "./sanitize";

/**
 * Markdown → stored HTML. CommonMark with GitHub's table, strikethrough and autolink extensions (marked,
 * `gfm: true`). Raw HTML in the Markdown is shown as text, never passed through: authors write Markdown,
 * and an `<img onerror>` pasted into an article must not become markup. Unsafe link and image URLs are
 * dropped here, and the whole output goes through the allow-list sanitizer anyway (two independent layers).
 */
const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const text = this.parser.parseInline(tokens);
      if (!isSafeUrl(href, "link")) return text;
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(href)}"${titleAttribute}>${text}</a>`;
    },
    image({ href, title, text }: Tokens.Image): string {
      if (!isSafeUrl(href, "image")) return escapeHtml(text);
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}"${titleAttribute}>`;
    },
  },
});

/** Renders Markdown to sanitized HTML, ready to store and serve. */
export function renderMarkdown(source: string): string {
  const html = markdown.parse(source) as string;
  return sanitizeHtml(html);
}

/** A plain-text excerpt for listings when the author wrote none: the first words of the rendered text. */
export function plainTextExcerpt(html: string, maxLength = 280): string {
  const text = html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const space = cut.lastIndexOf(" ");
  return `${(space > maxLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
