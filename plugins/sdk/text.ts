// Text utilities shared by the analysis plugins.
//
// Invariant: every function here works on UTF-16 code-unit indices, exactly like
// JavaScript string indices, and `fold` never changes a string's length — so an index
// found in the folded text is the index in the original text (the contract's offsets).

// Folding table for U+00C0..U+00FF (Latin-1 Supplement): lowercase and strip the
// diacritics used in Portuguese and Spanish (á à â ã ä å ç é ê í ó ô õ ú ü ñ ...).
// × (D7) and ÷ (F7) are kept; ß (DF) stays ß. One code unit in, one code unit out.
const LATIN1_FOLD = "aaaaaa\u00e6ceeeeiiii\u00f0nooooo\u00d7ouuuuy\u00fe\u00dfaaaaaa\u00e6ceeeeiiii\u00f0nooooo\u00f7ouuuuy\u00fey";

/** Folds one UTF-16 code unit: ASCII/Latin-1 lowercase + accents removed; others unchanged. */
export function foldCode(c: i32): i32 {
  if (c < 0x80) {
    if (c >= 65 && c <= 90) return c + 32;
    return c;
  }
  if (c >= 0xc0 && c <= 0xff) return <i32>LATIN1_FOLD.charCodeAt(c - 0xc0);
  return c;
}

/**
 * Lowercases and strips Portuguese/Spanish accents for matching ("Não" → "nao",
 * "GARANTÍA" → "garantia"). Same length as the input, so offsets carry over.
 */
export function fold(s: string): string {
  const n = s.length;
  const out = newString(n);
  const from = changetype<usize>(s);
  const to = changetype<usize>(out);
  for (let i = 0; i < n; i++) {
    const at = <usize>i << 1;
    store<u16>(to + at, <u16>foldCode(<i32>load<u16>(from + at)));
  }
  return out;
}

/**
 * A string of n UTF-16 code units for the caller to fill in place, as the standard library builds its own
 * strings: one allocation, where a Uint16Array decoded into a string makes two and copies the text again.
 */
@inline export function newString(n: i32): string {
  return changetype<string>(__new(<usize>n << 1, idof<string>()));
}

@inline export function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

/** ASCII and Latin letters (Latin-1, Extended-A/B), combining marks, and other BMP letters roughly. */
export function isLetter(c: i32): bool {
  if (c < 0x80) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (c >= 0xc0 && c <= 0x24f) return c != 0xd7 && c != 0xf7;
  if (c >= 0x300 && c <= 0x36f) return true; // combining diacritical marks stay inside a word
  if (c == 0xaa || c == 0xba) return true; // ª º
  if (c >= 0x370 && c <= 0x1fff) return true; // Greek, Cyrillic, Hebrew, Arabic... (no boundary inside)
  return false;
}

/** Word characters for boundaries: letters and digits. */
@inline export function isWordChar(c: i32): bool {
  return isDigit(c) || isLetter(c);
}

/** Uppercase Latin letter (A–Z, À–Þ except ×). */
export function isUpper(c: i32): bool {
  if (c >= 65 && c <= 90) return true;
  return c >= 0xc0 && c <= 0xde && c != 0xd7;
}

@inline export function isSpace(c: i32): bool {
  return c == 32 || c == 9 || c == 10 || c == 13 || c == 0xa0 || c == 12 || c == 11 || c == 0x2028 || c == 0x2029 || c == 0x202f;
}

/** The code unit at i, or -1 outside the string. */
@inline export function codeAt(s: string, i: i32): i32 {
  return i >= 0 && i < s.length ? <i32>s.charCodeAt(i) : -1;
}

/** True when [start,end) is delimited by non-word characters (or the text's ends). */
export function isBoundedWord(s: string, start: i32, end: i32): bool {
  return !isWordChar(codeAt(s, start - 1)) && !isWordChar(codeAt(s, end));
}

/** True when the digit run [start,end) is not part of a longer digit run. */
export function isBoundedDigits(s: string, start: i32, end: i32): bool {
  return !isDigit(codeAt(s, start - 1)) && !isDigit(codeAt(s, end));
}

/**
 * Finds `needle` (already folded) in `folded` at a word boundary, from `from`.
 * Returns the start index or -1.
 */
export function findWord(folded: string, needle: string, from: i32): i32 {
  let i = from;
  while (true) {
    i = folded.indexOf(needle, i);
    if (i < 0) return -1;
    if (isBoundedWord(folded, i, i + needle.length)) return i;
    i++;
  }
}

/** Digits of s[start,end) as a string ("123.456-7" → "1234567"). */
export function digitsOf(s: string, start: i32, end: i32): string {
  const parts = new Array<string>();
  let runStart = -1;
  for (let i = start; i < end; i++) {
    const d = isDigit(<i32>s.charCodeAt(i));
    if (d && runStart < 0) runStart = i;
    if (!d && runStart >= 0) { parts.push(s.substring(runStart, i)); runStart = -1; }
  }
  if (runStart >= 0) parts.push(s.substring(runStart, end));
  return parts.join("");
}

// ---------------------------------------------------------------------------
// Tokens and sentences

/** A span [start, end) of UTF-16 code units. */
export class Span {
  start: i32;
  end: i32;
  constructor(start: i32, end: i32) {
    this.start = start;
    this.end = end;
  }
}

/** Word tokens (maximal runs of word characters) with offsets. */
export function tokenize(s: string): Array<Span> {
  const out = new Array<Span>();
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isWordChar(<i32>s.charCodeAt(i))) i++;
    if (i >= n) break;
    const st = i;
    while (i < n && isWordChar(<i32>s.charCodeAt(i))) i++;
    out.push(new Span(st, i));
  }
  return out;
}

// Abbreviations after which a period does not end a sentence (folded, without the dot).
const ABBREVIATIONS: Array<string> = [
  "dr", "dra", "drs", "sr", "sra", "srs", "prof", "profa", "av", "r", "al", "tv", "trav",
  "n", "no", "nº", "fig", "figs", "vs", "etc", "ex", "p", "pp", "vol", "ed", "et", "e.g", "i.e",
  "mr", "mrs", "ms", "st", "jr", "inc", "ltda", "dept", "cap", "art", "arts", "min", "max", "aprox", "approx",
];

function isAbbreviationBefore(s: string, dot: i32): bool {
  let st = dot;
  while (st > 0 && isLetter(<i32>s.charCodeAt(st - 1))) st--;
  if (st == dot) return false;
  if (dot - st == 1 && isUpper(<i32>s.charCodeAt(st))) return true; // initials: "J. Silva"
  const w = fold(s.substring(st, dot));
  for (let i = 0; i < ABBREVIATIONS.length; i++) if (ABBREVIATIONS[i] == w) return true;
  return false;
}

/**
 * Splits text into sentences with offsets. A sentence ends at `.`, `!`, `?`, `…`, `;`
 * followed by whitespace (or the end), or at a line break. Decimal points ("0.05"),
 * abbreviations ("Dr.", "Av.") and initials do not end a sentence. Leading/trailing
 * whitespace is excluded from each span; empty sentences are dropped.
 */
export function splitSentences(s: string): Array<Span> {
  const out = new Array<Span>();
  const n = s.length;
  let st = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>s.charCodeAt(i);
    let cut = -1; // end (exclusive) of the sentence if we cut here
    if (c == 10 || c == 13) {
      cut = i;
    } else if (c == 46 || c == 33 || c == 63 || c == 0x2026 || c == 59) {
      // Consume runs like "?!" or "..." and closing quotes/brackets.
      let j = i + 1;
      while (j < n) {
        const d = <i32>s.charCodeAt(j);
        if (d == 46 || d == 33 || d == 63 || d == 34 || d == 39 || d == 41 || d == 93 || d == 0x201d || d == 0x2019 || d == 0xbb) j++;
        else break;
      }
      if (j >= n || isSpace(<i32>s.charCodeAt(j))) {
        if (!(c == 46 && j == i + 1 && isAbbreviationBefore(s, i))) cut = j;
      }
      if (cut < 0) { i = j - 1; continue; }
      i = j - 1;
    }
    if (cut >= 0) {
      pushTrimmed(s, st, cut, out);
      st = cut;
    }
  }
  pushTrimmed(s, st, n, out);
  return out;
}

function pushTrimmed(s: string, start: i32, end: i32, out: Array<Span>): void {
  while (start < end && isSpace(<i32>s.charCodeAt(start))) start++;
  while (end > start && isSpace(<i32>s.charCodeAt(end - 1))) end--;
  if (end > start) out.push(new Span(start, end));
}

/** Index of the sentence containing offset `pos` (binary search), or -1. */
export function sentenceIndexAt(sentences: Array<Span>, pos: i32): i32 {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const sp = sentences[mid];
    if (pos < sp.start) hi = mid - 1;
    else if (pos >= sp.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Start of the sentence containing `pos`, scanning back at most `limit` code units
 * (cheap alternative to splitSentences when only one position matters).
 */
export function sentenceStartBefore(s: string, pos: i32, limit: i32): i32 {
  const stop = max(0, pos - limit);
  for (let i = pos - 1; i >= stop; i--) {
    const c = <i32>s.charCodeAt(i);
    if (c == 10 || c == 13 || c == 33 || c == 63 || c == 59) return i + 1;
    if (c == 46 && isSpace(codeAt(s, i + 1)) && !isAbbreviationBefore(s, i)) return i + 1;
  }
  return stop;
}

// ---------------------------------------------------------------------------
// Masking

/** The mask character used in redacted text: U+2022 BULLET (one UTF-16 unit). */
export const MASK: u16 = 0x2022;

/**
 * A copy of `s` with every code unit inside each [starts[i], ends[i]) replaced by •, except whitespace and
 * ASCII punctuation (spaces, dots, dashes, @, parentheses), which are kept: letters of any script, digits and
 * symbols all go, so an internationalised address leaves nothing readable. The redacted text has exactly
 * the same length and every offset still lines up with the original.
 */
export function maskSpans(s: string, starts: Array<i32>, ends: Array<i32>): string {
  const n = s.length;
  const out = newString(n);
  const to = changetype<usize>(out);
  memory.copy(to, changetype<usize>(s), <usize>n << 1);
  for (let k = 0; k < starts.length; k++) {
    const a = max(0, starts[k]);
    const b = min(n, ends[k]);
    for (let i = a; i < b; i++) {
      const at = to + (<usize>i << 1);
      const c = <i32>load<u16>(at);
      if (!(isSpace(c) || (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))) store<u16>(at, MASK);
    }
  }
  return out;
}
