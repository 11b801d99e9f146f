/**
 * Analysis findings carry UTF-16 `start`/`end` offsets into the Markdown body (the plugin contract); the
 * editor shows them as marks over the text. JavaScript strings are UTF-16 too, so offsets index directly;
 * this module only has to clamp them, keep surrogate pairs whole, and flatten overlaps into segments.
 */
export interface Span {
  start?: number;
  end?: number;
}

export interface Segment {
  text: string;
  start: number;
  end: number;
  /** Indexes (into the findings array) of the findings covering this segment; empty for plain text. */
  findings: number[];
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Clamps a span into [0, length] and widens it so it never cuts a surrogate pair; null when unusable. */
export function normaliseSpan(text: string, span: Span): { start: number; end: number } | null {
  if (span.start === undefined || span.end === undefined) return null;
  if (!Number.isInteger(span.start) || !Number.isInteger(span.end)) return null;
  let start = Math.max(0, Math.min(span.start, text.length));
  let end = Math.max(0, Math.min(span.end, text.length));
  if (end < start) return null;
  if (
    start > 0 &&
    start < text.length &&
    isLowSurrogate(text.charCodeAt(start)) &&
    isHighSurrogate(text.charCodeAt(start - 1))
  )
    start--;
  if (end > 0 && end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1)))
    end++;
  if (end === start) return null;
  return { start, end };
}

/** Splits the text at every finding boundary; each segment lists the findings that cover it. */
export function segmentText(text: string, findings: readonly Span[]): Segment[] {
  const spans = findings.map((finding) => normaliseSpan(text, finding));
  const cuts = new Set<number>([0, text.length]);
  for (const span of spans) {
    if (!span) continue;
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const covering: number[] = [];
    spans.forEach((span, index) => {
      if (span && span.start <= start && span.end >= end) covering.push(index);
    });
    const previous = segments[segments.length - 1];
    // Merge neighbours with the same coverage (keeps the DOM small for long plain stretches).
    if (previous && previous.findings.join() === covering.join()) {
      previous.text += text.slice(start, end);
      previous.end = end;
    } else {
      segments.push({ text: text.slice(start, end), start, end, findings: covering });
    }
  }
  if (segments.length === 0) segments.push({ text: "", start: 0, end: 0, findings: [] });
  return segments;
}

/** Line and column (1-based, columns in UTF-16 units as the editor's selection uses) of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
