// Markdown block structure with UTF-16 offsets (headings and paragraphs), enough for SEO checks.

export class Block {
  /** 0 for a paragraph, 1–6 for an ATX heading ("# …" to "###### …"). */
  level: i32;
  /** Offsets of the whole block (heading: the line; paragraph: its lines). */
  start: i32;
  end: i32;
  /** Offsets of the heading's text, without the #'s and trailing #'s. */
  textStart: i32;
  textEnd: i32;
  constructor(level: i32, start: i32, end: i32, textStart: i32, textEnd: i32) {
    this.level = level;
    this.start = start;
    this.end = end;
    this.textStart = textStart;
    this.textEnd = textEnd;
  }
}

function isBlank(s: string, a: i32, b: i32): bool {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c != 32 && c != 9 && c != 13) return false;
  }
  return true;
}

/** ATX heading level of the line [a, b) (CommonMark: up to 3 spaces, 1–6 #'s, then space or end), or 0. */
function headingLevel(s: string, a: i32, b: i32): i32 {
  let i = a;
  while (i < b && i - a < 3 && s.charCodeAt(i) == 32) i++;
  let n = 0;
  while (i < b && s.charCodeAt(i) == 35) { i++; n++; }
  if (n < 1 || n > 6) return 0;
  if (i < b && s.charCodeAt(i) != 32 && s.charCodeAt(i) != 9) return 0;
  return n;
}

export function parseBlocks(s: string): Array<Block> {
  const out = new Array<Block>();
  const n = s.length;
  let lineStart = 0;
  let paraStart = -1;
  let paraEnd = -1;
  let inFence = false;
  while (lineStart <= n) {
    let lineEnd = s.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = n;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && s.charCodeAt(contentEnd - 1) == 13) contentEnd--;
    const trimmedStart = skipSpaces(s, lineStart, contentEnd);
    const fence = contentEnd - trimmedStart >= 3 && (s.substr(trimmedStart, 3) == "```" || s.substr(trimmedStart, 3) == "~~~");
    if (fence) inFence = !inFence;
    const level = inFence || fence ? 0 : headingLevel(s, lineStart, contentEnd);
    if (level > 0 || isBlank(s, lineStart, contentEnd) || fence || inFence) {
      if (paraStart >= 0) { out.push(new Block(0, paraStart, paraEnd, paraStart, paraEnd)); paraStart = -1; }
      if (level > 0) {
        let ts = skipSpaces(s, lineStart, contentEnd) + level;
        ts = skipSpaces(s, ts, contentEnd);
        let te = contentEnd;
        while (te > ts && isSpaceCode(s.charCodeAt(te - 1))) te--;
        // Closing sequence of #'s ("## Title ##") is not part of the text.
        let k = te;
        while (k > ts && s.charCodeAt(k - 1) == 35) k--;
        if (k < te && (k == ts || isSpaceCode(s.charCodeAt(k - 1)))) {
          te = k;
          while (te > ts && isSpaceCode(s.charCodeAt(te - 1))) te--;
        }
        out.push(new Block(level, lineStart, contentEnd, ts, te));
      }
    } else {
      if (paraStart < 0) paraStart = trimmedStart;
      paraEnd = contentEnd;
    }
    if (lineEnd >= n) break;
    lineStart = lineEnd + 1;
  }
  if (paraStart >= 0) out.push(new Block(0, paraStart, paraEnd, paraStart, paraEnd));
  return out;
}

@inline function isSpaceCode(c: i32): bool {
  return c == 32 || c == 9 || c == 13;
}

function skipSpaces(s: string, a: i32, b: i32): i32 {
  while (a < b && isSpaceCode(s.charCodeAt(a))) a++;
  return a;
}
