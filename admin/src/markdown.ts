/**
 * The live preview: Markdown rendered in the browser with `marked`, every raw HTML block or tag shown as
 * text (escaped), then DOMPurify (the browser's own parser) with the Worker's allow-list and URL rule
 * (functions/html-policy.ts): the same elements, attributes and link/image schemes the stored rendering
 * keeps. Nothing the author types can become markup or script; the strict CSP (`script-src 'self'`) is the
 * next wall. The published page uses the server's own sanitised rendering (bodyHtml); this is only a preview.
 *
 * A library image (`![alt](media:<uuid>)`) is shown as the page will show it: a public image from its public URLs
 * (`/media/<id>/<width>.<ext>`, the admin's own origin, `img-src 'self'`), with the same `srcset`; an image the page
 * would drop (not public, not found, not the tenant's) is a labelled box, and is never fetched from anywhere.
 */
import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import {
  ALLOWED_ELEMENTS,
  DROPPED_WITH_CONTENT,
  escapeHtml,
  isAllowedAttributeValue,
  isSafeUrl,
  MEDIA_IMAGE_URL,
} from "../../functions/html-policy";
import { imageAttributes, type SiteImage } from "../../functions/image-urls";

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
  // DOMPurify's own URL rule, and a library image's `media:<uuid>` (which renderPreview resolves): the hook above
  // holds every URL to the server's stricter rule first.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto|tel):|media:[0-9a-f-]{36}$|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
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

/**
 * What the preview knows of each library image it refers to: the public image, null when the page would not show
 * it; an id not in the map yet is still being looked up.
 */
export type PreviewImages = ReadonlyMap<string, SiteImage | null>;

/** The media ids a body refers to as library images, once each. */
export function mediaIdsIn(markdown: string): string[] {
  const pattern = new RegExp(MEDIA_IMAGE_URL.source.slice(1, -1), "g");
  return [...new Set([...markdown.matchAll(pattern)].map((match) => match[1]!))];
}

/** The preview's HTML; without a DOM to sanitize with (never in the SPA), the source as escaped text. */
export function renderPreview(markdown: string, images: PreviewImages = new Map()): string {
  const purify = preparePurifier();
  if (purify === null) return `<pre>${escapeHtml(markdown)}</pre>`;
  const html = purify.sanitize(marked.parse(markdown, { async: false }) as string, PURIFY_CONFIG);
  if (!html.includes('src="media:')) return html;
  // An inert template: nothing in it loads while the sources are replaced.
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const img of template.content.querySelectorAll("img")) {
    const id = MEDIA_IMAGE_URL.exec(img.getAttribute("src") ?? "")?.[1];
    const image = id === undefined ? undefined : images.get(id);
    if (image) {
      const attributes = imageAttributes(image, { lazy: true, alt: img.getAttribute("alt") ?? "" });
      for (const [name, value] of Object.entries(attributes)) img.setAttribute(name, value);
      continue;
    }
    const box = document.createElement("span");
    box.className = "preview-image-missing";
    box.dataset.state = image === null ? "not-public" : "loading";
    box.textContent = img.getAttribute("alt") || id || "";
    img.replaceWith(box);
  }
  return template.innerHTML;
}
