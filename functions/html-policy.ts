/**
 * What rendered Markdown may contain, in one place for the Worker's sanitizer (services/content/sanitize.ts,
 * sanitize-html) and the admin preview (admin/src/markdown.ts, DOMPurify in the browser): the elements and
 * attributes kept, the elements dropped with their content, and which URLs a link or image may carry.
 * Pure and dependency-free, so the SPA may import it at run time (eslint.config.mjs).
 */

/** Tags kept, with the attributes each may carry. */
export const ALLOWED_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
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
export const DROPPED_WITH_CONTENT: readonly string[] = [
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
];

/**
 * Whether an allowed attribute's (decoded) value is acceptable: URLs go through `isSafeUrl`, the rest must
 * match a narrow shape. `class` is only fenced code's language marker (`language-ts`): other classes could
 * hook page CSS or scripts.
 */
export function isAllowedAttributeValue(element: string, attribute: string, value: string): boolean {
  switch (attribute) {
    case "href":
      return isSafeUrl(value, "link");
    case "src":
      // An image in a body is an item of the tenant's media library, resolved when the page is rendered.
      return element === "img" && isSafeUrl(value, "image");
    case "class":
      return /^language-[a-z0-9_+-]{1,30}$/i.test(value);
    case "align":
      return /^(left|right|center)$/i.test(value);
    case "start":
    case "width":
    case "height":
      return /^\d{1,6}$/.test(value);
    case "id":
      return /^[a-z0-9][a-z0-9_-]{0,99}$/i.test(value);
    default:
      return (ALLOWED_ELEMENTS[element] ?? []).includes(attribute);
  }
}

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
  // Most text has nothing to escape: one scan instead of five replaces.
  if (!/[&<>"']/.test(text)) return text;
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The URL schemes a link may use; an image is a library reference only (`MEDIA_IMAGE_URL`). */
export const SAFE_URL_SCHEMES: readonly string[] = ["http", "https", "mailto", "tel"];

export type UrlContext = "link" | "image";

/**
 * Whether a URL may appear in href/src. Browsers drop ASCII tab/newline anywhere in a URL and leading
 * C0 controls and spaces (WHATWG URL §4.4), and schemes are case-insensitive, so the check runs on the
 * decoded, stripped, lower-cased form: `jav&#x09;ascript:`, ` JaVaScRiPt:` and `javascript&colon;` all fail.
 * Relative URLs are allowed; only http(s), mailto and tel schemes. An image must be `media:<uuid>`, exactly.
 */
export function isSafeUrl(raw: string, context: UrlContext): boolean {
  if (context === "image") return isMediaImageUrl(raw);
  const decoded = decodeEntities(raw);
  // eslint-disable-next-line no-control-regex
  const stripped = decoded.replace(/[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, "").toLowerCase();
  if (stripped.length === 0) return false;
  if (stripped.startsWith("data:")) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(stripped);
  if (scheme) return SAFE_URL_SCHEMES.includes(scheme[1]!);
  // No scheme before the first "/", "?" or "#": relative. A ":" that is not a scheme (e.g. "a:b" after
  // stripping odd characters) is refused rather than guessed at.
  const firstDelimiter = stripped.search(/[/?#]/);
  const colon = stripped.indexOf(":");
  return colon === -1 || (firstDelimiter !== -1 && colon > firstDelimiter);
}

/**
 * An image of the media library as Markdown refers to it: `![alt](media:<uuid>)`. The page resolves it to the
 * image's public URLs (only an image of the same tenant that may be public is found; anything else is dropped),
 * so a body can show no other picture: no tracking pixel, no image of a patient, nothing from another site.
 */
export const MEDIA_IMAGE_URL = /^media:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function isMediaImageUrl(value: string): boolean {
  return MEDIA_IMAGE_URL.test(value);
}

/** Whether a URL leaves the site (absolute or protocol-relative http): such links get `rel="noopener noreferrer"`. */
export function isExternalUrl(url: string): boolean {
  return /^(https?:)?\/\//i.test(decodeEntities(url).trim());
}
