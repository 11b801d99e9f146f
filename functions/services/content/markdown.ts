import { Marked, Tokenizer, type Tokens } from "marked";
import { escapeHtml, isSafeUrl, sanitizeHtml } from "./sanitize";

/**
 * The longest Markdown body a save accepts (UTF-16 code units). Rendering is close to linear once the bounds
 * below hold, and a body this long renders in a few tens of milliseconds (bench/markdown.ts has the figures).
 */
export const MAX_MARKDOWN_LENGTH = 64_000;

/**
 * Bounds on marked's recursive descent and on its emphasis search, so no input can overflow the stack or
 * take quadratic time (6,000 `>` overflowed the stack; a paragraph of 150 KB of `_a_b` took a minute).
 * - Block containers (block quotes and lists, together) nest at most `BLOCK_DEPTH` deep; a deeper one is
 *   read as a paragraph, its markers shown as text.
 * - Inline containers (emphasis, strikethrough, link and image text) nest at most `INLINE_DEPTH` deep.
 * - Each delimiter run (`*`, `_`, `~`) that opens a search for its closing run costs the characters that
 *   search may read (the rest of its text when nothing closes it, the span found otherwise). A run of inline
 *   text (a paragraph, a heading, a cell, an emphasis's content) may spend `EMPHASIS_PER_CHARACTER` times its
 *   length, and the document `EMPHASIS_BUDGET`; past either, the remaining runs are literal text. Ordinary
 *   text spends about its own length, so one hostile paragraph cannot take emphasis from the others.
 * - marked looks for an e-mail address ahead of every character of a run of characters that may spell one
 *   (`a_b*c~d…` with no space), which is quadratic in the run's length. A run longer than `ADDRESS_RUN`
 *   (an address has at most 254 characters, RFC 5321 §4.5.3.1.3) is read as text up to its next markup
 *   character, without that search: it holds no autolink.
 */
const BLOCK_DEPTH = 16;
const INLINE_DEPTH = 16;
const EMPHASIS_PER_CHARACTER = 32;
const EMPHASIS_BUDGET = 8_000_000;
const ADDRESS_RUN = 320;
const LONG_ADDRESS_RUN = new RegExp(`^[a-zA-Z0-9.!#$%&'*+/=?_\`{|}~-]{${ADDRESS_RUN}}`);

interface RenderWork {
  blockDepth: number;
  inlineDepth: number;
  emphasisSpent: number;
  /** Spent per inline text, keyed by marked's masked copy of it (one string per text). */
  emphasisSpentIn: Map<string, number>;
}

const freshWork = (): RenderWork => ({ blockDepth: 0, inlineDepth: 0, emphasisSpent: 0, emphasisSpentIn: new Map() });

/** The current render's counters; rendering is synchronous, so one render never sees another's. */
let work: RenderWork = freshWork();

function nested<T>(kind: "blockDepth" | "inlineDepth", limit: number, tokenize: () => T): T | undefined {
  if (work[kind] >= limit) return undefined;
  work[kind] += 1;
  try {
    return tokenize();
  } finally {
    work[kind] -= 1;
  }
}

/**
 * Runs an emphasis (`*`, `_`) or strikethrough (`~`) search within the document's budget; past it, the run
 * stays text. Only a run of the search's own delimiters starts one; marked refuses anything else at once.
 */
function delimited<T extends { raw: string }>(
  delimiters: string,
  src: string,
  maskedSrc: string,
  search: () => T | undefined,
): T | undefined {
  if (!delimiters.includes(src.charAt(0))) return search();
  const spentHere = work.emphasisSpentIn.get(maskedSrc) ?? 0;
  if (work.emphasisSpent >= EMPHASIS_BUDGET || spentHere >= EMPHASIS_PER_CHARACTER * maskedSrc.length) {
    return undefined;
  }
  const token = nested("inlineDepth", INLINE_DEPTH, search);
  const cost = token ? token.raw.length : src.length;
  work.emphasisSpent += cost;
  work.emphasisSpentIn.set(maskedSrc, spentHere + cost);
  return token;
}

/** Plain text for the start of a run longer than `ADDRESS_RUN`: up to its next markup character. */
function longRunText(src: string): Tokens.Text | undefined {
  if (!LONG_ADDRESS_RUN.test(src)) return undefined;
  // A run of backticks or tildes stays whole, as marked would keep it; anything else ends before the next
  // character that may start markup, and takes at least one character.
  const same = /^(`+|~+)/.exec(src);
  const end = same ? same[0].length : Math.max(1, src.slice(0, ADDRESS_RUN).search(/[\\<![`*~_]|$/));
  const raw = src.slice(0, end);
  return { type: "text", raw, text: raw, escaped: false };
}

const base = Tokenizer.prototype;

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
  tokenizer: {
    blockquote(this: Tokenizer, src: string) {
      return nested("blockDepth", BLOCK_DEPTH, () => base.blockquote.call(this, src));
    },
    list(this: Tokenizer, src: string) {
      return nested("blockDepth", BLOCK_DEPTH, () => base.list.call(this, src));
    },
    emStrong(this: Tokenizer, src: string, maskedSrc: string, prevChar?: string) {
      return delimited("*_", src, maskedSrc, () => base.emStrong.call(this, src, maskedSrc, prevChar));
    },
    del(this: Tokenizer, src: string, maskedSrc: string, prevChar?: string) {
      return delimited("~", src, maskedSrc, () => base.del.call(this, src, maskedSrc, prevChar));
    },
    url(this: Tokenizer, src: string) {
      return LONG_ADDRESS_RUN.test(src) ? undefined : base.url.call(this, src);
    },
    inlineText(this: Tokenizer, src: string) {
      return longRunText(src) ?? base.inlineText.call(this, src);
    },
    link(this: Tokenizer, src: string) {
      return nested("inlineDepth", INLINE_DEPTH, () => base.link.call(this, src));
    },
    reflink(this: Tokenizer, src: string, links: Parameters<Tokenizer["reflink"]>[1]) {
      return nested("inlineDepth", INLINE_DEPTH, () => base.reflink.call(this, src, links));
    },
  },
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

function render(source: string): string {
  work = freshWork();
  return sanitizeHtml(markdown.parse(source) as string);
}

/** Renders Markdown to sanitized HTML, ready to store and serve. */
export function renderMarkdown(source: string): string {
  return render(source);
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

/**
 * The Markdown the analysis reads: each library image (`![alt](media:<uuid>)`) becomes its alt text padded with
 * spaces to the same length, so the plugins neither quote the reference in a summary nor shift the offsets of
 * their findings, which index the body the editor shows.
 */
export function maskLibraryImages(markdown: string): string {
  return markdown.replace(
    /!\[([^\]\n]*)\]\(media:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/g,
    (whole, alt: string) => `  ${alt}`.padEnd(whole.length, " "),
  );
}
