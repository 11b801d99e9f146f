/**
 * The HTML rendered from Markdown goes through sanitize-html (htmlparser2, no DOM: Workers have none)
 * before it is stored (stored-XSS defence; the CSP in middleware/security-headers.ts is the second layer).
 * The allow-list and the URL rule are ours (functions/html-policy.ts, shared with the admin preview):
 * only those elements and attributes survive, each attribute value must pass its rule, and everything is
 * re-serialised by the library (text escaped, attribute values double-quoted and escaped), so nothing from
 * the input reaches the output verbatim.
 */
import sanitize from "sanitize-html";
import { ALLOWED_ELEMENTS, DROPPED_WITH_CONTENT, isAllowedAttributeValue, isExternalUrl } from "../../html-policy";

export { escapeHtml, isSafeUrl, type UrlContext } from "../../html-policy";

/**
 * Deeper than any article needs; the Markdown renderer bounds its own nesting well below this, so the limit
 * only matters for hand-made HTML (sanitize-html drops the elements beyond it and keeps their text).
 */
const NESTING_LIMIT = 64;

const OPTIONS: sanitize.IOptions = {
  allowedTags: Object.keys(ALLOWED_ELEMENTS),
  allowedAttributes: {
    ...Object.fromEntries(Object.entries(ALLOWED_ELEMENTS).map(([tag, attributes]) => [tag, [...attributes]])),
    // Added below for external links only, never taken from the input.
    a: [...ALLOWED_ELEMENTS.a!, "rel"],
  },
  // A second, coarser scheme check after ours (`isSafeUrl` in html-policy.ts decides first).
  allowedSchemes: ["http", "https", "mailto", "tel"],
  allowedSchemesByTag: { img: ["media"] },
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: true,
  allowedStyles: {},
  allowVulnerableTags: false,
  disallowedTagsMode: "discard",
  nonTextTags: [...DROPPED_WITH_CONTENT],
  nestingLimit: NESTING_LIMIT,
  parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  transformTags: {
    "*": (tagName, attribs) => {
      const kept: Record<string, string> = {};
      for (const [name, value] of Object.entries(attribs)) {
        if (name === "rel") continue;
        if ((ALLOWED_ELEMENTS[tagName] ?? []).includes(name) && isAllowedAttributeValue(tagName, name, value)) {
          kept[name] = value;
        }
      }
      if (tagName === "a" && kept.href !== undefined && isExternalUrl(kept.href)) {
        // Other sites must not get `window.opener` or our URLs in Referer (tabnabbing; LGPD data minimisation).
        kept.rel = "noopener noreferrer";
      }
      return { tagName, attribs: kept };
    },
  },
  // An image whose source was refused is dropped rather than left as an empty <img>.
  exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
};

/**
 * Returns HTML that contains only allowed elements and attributes, with balanced tags. Anything that is
 * not understood becomes escaped text or disappears; it never passes through.
 */
export function sanitizeHtml(input: string): string {
  return sanitize(input, OPTIONS);
}
