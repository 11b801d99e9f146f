/**
 * An allow-list HTML sanitizer that needs no DOM (Workers have none). It tokenizes HTML the way a browser
 * would split tags from text, keeps only the tags and attributes below, and re-serialises everything
 * itself: text is entity-decoded and escaped again, attribute values are always double-quoted and escaped.
 * Nothing from the input reaches the output verbatim, so attribute breakouts and half-open tags cannot
 * survive. Used on the HTML rendered from Markdown before it is stored (stored-XSS defence; the CSP in
 * middleware/security-headers.ts is the second layer).
 */

/** Tags kept, with the attributes each may carry. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  p: [],
  br: [],
  hr: [],
  h1: ["id"],
  h2: ["id"],
  h3: ["id"],
  h4: ["id"],
  h5: ["id"],
  h6: ["id"],
  strong: [],
  b: [],
  em: [],
  i: [],
  del: [],
  s: [],
  code: ["class"],
  pre: [],
  blockquote: [],
  ul: [],
  ol: ["start"],
  li: [],
  a: ["href", "title"],
  img: ["src", "alt", "title", "width", "height"],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ["align"],
  td: ["align"],
  sup: [],
  sub: [],
};

/** Elements whose content is never text for the reader: dropped with everything inside them. */
const DROP_WITH_CONTENT = new Set([
  "script",
  "style",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "template",
  "noscript",
  "noembed",
  "noframes",
  "textarea",
  "title",
  "xmp",
  "plaintext",
  "svg",
  "math",
  "select",
  "option",
]);

const VOID = new Set(["br", "hr", "img"]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  // The ones attackers use to hide a URL scheme ("javascript&colon;", "java&Tab;script:").
  colon: ":",
  tab: "\t",
  newline: "\n",
  lpar: "(",
  rpar: ")",
  sol: "/",
  num: "#",
  excl: "!",
  semi: ";",
  comma: ",",
  period: ".",
  equals: "=",
  copy: "©",
  reg: "®",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  laquo: "«",
  raquo: "»",
  ldquo: "“",
  rdquo: "”",
  lsquo: "‘",
  rsquo: "’",
  deg: "°",
  middot: "·",
};

/** Decodes character references (numeric, and the named ones above); unknown names stay as written. */
export function decodeEntities(input: string): string {
  return input.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);?/g, (match, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      // NUL, surrogates and out-of-range code points become U+FFFD, as the HTML spec says.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return "\ufffd";
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref.toLowerCase()];
    return named ?? match;
  });
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const SAFE_SCHEMES = new Set(["http", "https", "mailto", "tel"]);
const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

export type UrlContext = "link" | "image";

/**
 * Whether a URL may appear in href/src. Browsers drop ASCII tab/newline anywhere in a URL and leading
 * C0 controls and spaces (WHATWG URL §4.4), and schemes are case-insensitive, so the check runs on the
 * decoded, stripped, lower-cased form: `jav&#x09;ascript:`, ` JaVaScRiPt:` and `javascript&colon;` all fail.
 * Relative URLs are allowed; only http(s), mailto and tel schemes, plus raster `data:image/*` for images.
 */
export function isSafeUrl(raw: string, context: UrlContext): boolean {
  const decoded = decodeEntities(raw);
  // eslint-disable-next-line no-control-regex
  const stripped = decoded.replace(/[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, "").toLowerCase();
  if (stripped.length === 0) return false;
  if (stripped.startsWith("data:")) return context === "image" && SAFE_DATA_IMAGE.test(decoded.trim());
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(stripped);
  if (scheme) return SAFE_SCHEMES.has(scheme[1]!);
  // No scheme before the first "/", "?" or "#": relative. A ":" that is not a scheme (e.g. "a:b" after
  // stripping odd characters) is refused rather than guessed at.
  const firstDelimiter = stripped.search(/[/?#]/);
  const colon = stripped.indexOf(":");
  return colon === -1 || (firstDelimiter !== -1 && colon > firstDelimiter);
}

function isExternal(url: string): boolean {
  return /^(https?:)?\/\//i.test(decodeEntities(url).trim());
}

interface Attribute {
  name: string;
  value: string;
}

/** Parses the attributes of a start tag the way HTML does (unquoted, single- and double-quoted values). */
function parseAttributes(source: string): Attribute[] {
  const attributes: Attribute[] = [];
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const match of source.matchAll(pattern)) {
    attributes.push({ name: match[1]!.toLowerCase(), value: match[2] ?? match[3] ?? match[4] ?? "" });
  }
  return attributes;
}

function cleanAttributes(tag: string, attributes: Attribute[]): string {
  const allowed = ALLOWED[tag] ?? [];
  const kept = new Map<string, string>();
  for (const { name, value } of attributes) {
    if (!allowed.includes(name) || kept.has(name)) continue;
    const decoded = decodeEntities(value);
    if (name === "href" || name === "src") {
      if (!isSafeUrl(value, tag === "img" ? "image" : "link")) continue;
    } else if (name === "class") {
      // Only the language marker of fenced code (`language-ts`); classes could hook page CSS or scripts.
      if (!/^language-[a-z0-9_+-]{1,30}$/i.test(decoded)) continue;
    } else if (name === "align") {
      if (!/^(left|right|center)$/i.test(decoded)) continue;
    } else if (name === "start" || name === "width" || name === "height") {
      if (!/^\d{1,6}$/.test(decoded)) continue;
    } else if (name === "id") {
      if (!/^[a-z0-9][a-z0-9_-]{0,99}$/i.test(decoded)) continue;
    }
    kept.set(name, decoded);
  }
  if (tag === "img" && !kept.has("src")) return "";
  if (tag === "a" && kept.has("href") && isExternal(kept.get("href")!)) {
    // Other sites must not get `window.opener` or our URLs in Referer (tabnabbing; LGPD data minimisation).
    kept.set("rel", "noopener noreferrer");
  }
  let out = "";
  for (const [name, value] of kept) out += ` ${name}="${escapeHtml(value)}"`;
  return out;
}

/**
 * Returns HTML that contains only allowed elements and attributes, with balanced tags. Anything that is
 * not understood becomes escaped text or disappears; it never passes through.
 */
export function sanitizeHtml(input: string): string {
  let out = "";
  const open: string[] = [];
  let dropping: string | null = null;
  let dropDepth = 0;
  let i = 0;
  const length = input.length;

  const emitText = (text: string): void => {
    if (dropping === null && text.length > 0) out += escapeHtml(decodeEntities(text)).replace(/&#39;/g, "'");
  };

  while (i < length) {
    const lt = input.indexOf("<", i);
    if (lt === -1) {
      emitText(input.slice(i));
      break;
    }
    emitText(input.slice(i, lt));
    i = lt;
    // Comments, doctypes, CDATA and processing instructions: removed whole (conditional comments included).
    if (input.startsWith("<!--", i)) {
      const end = input.indexOf("-->", i + 4);
      i = end === -1 ? length : end + 3;
      continue;
    }
    if (input[i + 1] === "!" || input[i + 1] === "?") {
      const end = input.indexOf(">", i + 2);
      i = end === -1 ? length : end + 1;
      continue;
    }
    const tagMatch = /^<(\/?)([a-zA-Z][^\s/>]*)/.exec(input.slice(i, i + 100));
    if (!tagMatch) {
      emitText("<");
      i += 1;
      continue;
    }
    // Find the end of the tag, skipping ">" inside quoted attribute values.
    let j = i + tagMatch[0].length;
    let quote: string | null = null;
    for (; j < length; j++) {
      const ch = input[j]!;
      if (quote) {
        if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
      } else if (ch === ">") {
        break;
      }
    }
    if (j >= length) {
      // An unterminated tag is text, as in the HTML tokenizer's EOF handling: escaped, never executed.
      emitText(input.slice(i));
      break;
    }
    const closing = tagMatch[1] === "/";
    const name = tagMatch[2]!.toLowerCase();
    const attributeSource = input.slice(i + tagMatch[0].length, j);
    i = j + 1;

    if (dropping !== null) {
      if (name === dropping) dropDepth += closing ? -1 : 1;
      if (dropDepth === 0) dropping = null;
      continue;
    }
    if (DROP_WITH_CONTENT.has(name)) {
      const selfClosing = /\/\s*$/.test(attributeSource);
      if (!closing && !selfClosing) {
        dropping = name;
        dropDepth = 1;
      }
      continue;
    }
    if (!(name in ALLOWED)) continue;
    if (closing) {
      const at = open.lastIndexOf(name);
      if (at === -1) continue;
      while (open.length > at) out += `</${open.pop()}>`;
      continue;
    }
    if (name === "img" || name === "a") {
      const attributes = cleanAttributes(name, parseAttributes(attributeSource));
      if (name === "img" && attributes === "") continue;
      out += `<${name}${attributes}>`;
    } else {
      out += `<${name}${cleanAttributes(name, parseAttributes(attributeSource))}>`;
    }
    if (!VOID.has(name)) open.push(name);
  }
  while (open.length > 0) out += `</${open.pop()}>`;
  return out;
}
