import type { TocEntry } from "../services/site";

export interface LinkedTocEntry extends TocEntry {
  /** The id given to the heading in the body, or null when no heading of the body matched the entry. */
  id: string | null;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** A heading's text as a reader sees it: tags dropped, character references decoded, spaces collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? whole;
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Links the content-finalizer's table of contents to the body. The finalizer names each heading of the
 * Markdown with an anchor, but the stored body is rendered by marked, whose headings carry no id; so each
 * entry, in order, takes the next heading of its level with the same text, and that heading gets the id.
 * An entry that matches nothing (its Markdown heading held a link, say) is listed without a link. The ids
 * are the finalizer's anchors (lower-case letters, digits, hyphens) behind a prefix that no other id on the
 * page uses, so they obey the HTML policy's `id` rule and cannot clash with the page's own landmarks.
 */
export function linkHeadings(html: string, toc: TocEntry[]): { html: string; toc: LinkedTocEntry[] } {
  // No entry links anything: the body stays as it is (most items have no table of contents).
  if (toc.length === 0) return { html, toc: [] };
  const headings = [...html.matchAll(/<h([1-6])>([\s\S]*?)<\/h\1>/g)].map((match) => ({
    index: match.index,
    level: Number(match[1]),
    text: visibleText(match[2] ?? ""),
    id: null as string | null,
  }));
  let next = 0;
  const linked = toc.map((entry): LinkedTocEntry => {
    const text = entry.text.replace(/\s+/g, " ").trim();
    for (let at = next; at < headings.length; at++) {
      const heading = headings[at]!;
      if (heading.level !== entry.level || heading.text !== text) continue;
      heading.id = `sec-${entry.anchor}`;
      next = at + 1;
      return { ...entry, id: heading.id };
    }
    return { ...entry, id: null };
  });
  let out = "";
  let from = 0;
  for (const heading of headings) {
    if (!heading.id) continue;
    const open = heading.index + 3; // after "<hN"
    out += `${html.slice(from, open)} id="${heading.id}"`;
    from = open;
  }
  return { html: out + html.slice(from), toc: linked };
}
