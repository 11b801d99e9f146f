// scientific-refs (pipeline stage 3, S.2-1.2): citations and how well claims are backed.
//
// Why: CFM Resolução 2.336/2023 forbids presenting methods without scientific backing as effective
// and exaggerating benefits; a statement of efficacy or a statistic should carry its source.
//
// Extracts identifiers — DOI (ISO 26324 / Crossref "10.<registrant>/<suffix>"), PMID (PubMed, 1–8
// digits after "PMID" or in a pubmed URL), PMCID ("PMC" + digits), SciELO PID ("S" + ISSN + year +
// issue + article, 23 chars) — and the numbered entries of a "Referências"/"References"/"Referencias"
// section. Sentences stating efficacy or statistics without a citation in the same or next sentence
// → ref.unsupported_claim (warning).
//
// The plugin does no I/O: the host resolves identifiers and passes
//   context.resolved = { "<id>": { "found": bool, "verified"?: bool, "title"?: string, "retracted"?: bool } }
// found:false → ref.unresolved (warning); retracted:true → ref.retracted (blocking); verified:false (the
// source could not be asked: down, or its circuit breaker open) → ref.unverified (warning). Ids absent from
// the map were not looked up and produce no finding.
//
// Output: {"plugin","version","score","findings":[…],"references":[{"type","id","start","end"}],
//          "claims": n, "supported": n}
// Score: 100 × supported/claims (100 when there are no claims), −30 per retracted, −5 per unresolved or
// unverified.

import {
  readInput, inputError, fail, Output, Finding, JSONWriter, JSONValue,
  SEVERITY_BLOCKING, SEVERITY_WARNING,
  fold, isDigit, isLetter, isUpper, isWordChar, isSpace, codeAt, findWord,
  splitSentences, PhraseSet, phraseTablesJSON, writeOutput,
} from "../sdk/index";
import { PHRASE_TABLES } from "../build/phrases/scientific-refs";

const NAME = "scientific-refs";
const VERSION = "1.0.0";
const INPUT_CAP: i64 = 2 * 1024 * 1024;

class Ref {
  type: string;
  id: string;
  start: i32;
  end: i32;
  constructor(type: string, id: string, start: i32, end: i32) {
    this.type = type;
    this.id = id;
    this.start = start;
    this.end = end;
  }
}

// Characters that end an identifier embedded in prose.
function isIdStop(c: i32): bool {
  return c < 0 || isSpace(c) || c == 34 || c == 60 || c == 62 || c == 0x201c || c == 0x201d || c == 0xab || c == 0xbb;
}

function trimTrailing(s: string, a: i32, b: i32): i32 {
  // Drop trailing punctuation, and a closing bracket that has no opening one inside the id.
  while (b > a) {
    const c = <i32>s.charCodeAt(b - 1);
    if (c == 46 || c == 44 || c == 59 || c == 58 || c == 39 || c == 0x2019) { b--; continue; }
    if (c == 41 || c == 93 || c == 125) {
      const open = c == 41 ? "(" : c == 93 ? "[" : "{";
      const close = String.fromCharCode(c);
      let opens = 0;
      let closes = 0;
      for (let i = a; i < b; i++) {
        const ch = s.charAt(i);
        if (ch == open) opens++;
        else if (ch == close) closes++;
      }
      if (closes > opens) { b--; continue; }
    }
    break;
  }
  return b;
}

function extractDOIs(s: string, refs: Array<Ref>): void {
  let p = s.indexOf("10.", 0);
  const n = s.length;
  while (p >= 0) {
    let next = p + 3;
    if (!isDigit(codeAt(s, p - 1)) && !isLetter(codeAt(s, p - 1))) {
      // Registrant: 4–9 digits, optionally ".sub" parts; then "/" and a non-empty suffix.
      let i = p + 3;
      let d = 0;
      while (i < n && isDigit(<i32>s.charCodeAt(i))) { i++; d++; }
      while (d >= 4 && i < n && <i32>s.charCodeAt(i) == 46 && isDigit(codeAt(s, i + 1))) {
        i++;
        while (i < n && isDigit(<i32>s.charCodeAt(i))) i++;
      }
      if (d >= 4 && d <= 9 && codeAt(s, i) == 47) {
        let e = i + 1;
        while (e < n && !isIdStop(<i32>s.charCodeAt(e))) e++;
        e = trimTrailing(s, i + 1, e);
        if (e > i + 1) {
          refs.push(new Ref("doi", s.substring(p, e), p, e));
          next = e;
        }
      }
    }
    p = s.indexOf("10.", next);
  }
}

function extractPMIDs(s: string, f: string, refs: Array<Ref>): void {
  const n = s.length;
  // "PMID: 12345678", "PMID 12345678", "pmid:12345678"
  let p = findWord(f, "pmid", 0);
  while (p >= 0) {
    let i = p + 4;
    while (i < n && (isSpace(<i32>s.charCodeAt(i)) || <i32>s.charCodeAt(i) == 58 || <i32>s.charCodeAt(i) == 35)) i++;
    const st = i;
    while (i < n && isDigit(<i32>s.charCodeAt(i))) i++;
    if (i - st >= 1 && i - st <= 8 && !isWordChar(codeAt(s, i))) refs.push(new Ref("pmid", s.substring(st, i), st, i));
    p = findWord(f, "pmid", p + 4);
  }
  // pubmed URLs: pubmed.ncbi.nlm.nih.gov/12345678 and ncbi.nlm.nih.gov/pubmed/12345678
  const hosts: Array<string> = ["pubmed.ncbi.nlm.nih.gov/", "ncbi.nlm.nih.gov/pubmed/"];
  for (let k = 0; k < hosts.length; k++) {
    let q = f.indexOf(hosts[k], 0);
    while (q >= 0) {
      const st = q + hosts[k].length;
      let i = st;
      while (i < n && isDigit(<i32>s.charCodeAt(i))) i++;
      if (i - st >= 1 && i - st <= 8 && !isDigit(codeAt(s, i))) {
        refs.push(new Ref("pmid", s.substring(st, i), st, i));
      }
      q = f.indexOf(hosts[k], st);
    }
  }
}

function extractPMCIDs(s: string, refs: Array<Ref>): void {
  const n = s.length;
  let p = s.indexOf("PMC", 0);
  while (p >= 0) {
    let i = p + 3;
    while (i < n && isDigit(<i32>s.charCodeAt(i))) i++;
    if (!isLetter(codeAt(s, p - 1)) && !isDigit(codeAt(s, p - 1)) && i - p - 3 >= 4 && i - p - 3 <= 9 && !isWordChar(codeAt(s, i))) {
      refs.push(new Ref("pmcid", s.substring(p, i), p, i));
    }
    p = s.indexOf("PMC", p + 3);
  }
}

// SciELO PID: S + ISSN (NNNN-NNNX) + year (4) + issue (4) + article (5), e.g. S0034-89102010000100001.
function extractSciELO(s: string, refs: Array<Ref>): void {
  const n = s.length;
  let p = s.indexOf("S", 0);
  while (p >= 0) {
    let ok = p + 23 <= n && !isWordChar(codeAt(s, p - 1)) && !isWordChar(codeAt(s, p + 23));
    if (ok) {
      for (let k = 1; k < 23 && ok; k++) {
        const c = <i32>s.charCodeAt(p + k);
        if (k == 5) ok = c == 45;
        else if (k == 9) ok = isDigit(c) || c == 88 || c == 120;
        else ok = isDigit(c);
      }
    }
    if (ok) { refs.push(new Ref("scielo", s.substring(p, p + 23), p, p + 23)); p = s.indexOf("S", p + 23); }
    else p = s.indexOf("S", p + 1);
  }
}

// Numbered entries after a references heading ("Referências", "Referências bibliográficas",
// "References", "Referencias", "Bibliografia", "Bibliography"; optional markdown "#" and ":").
// Returns the offset where the section starts (or -1).
function extractReferenceList(s: string, f: string, refs: Array<Ref>): i32 {
  const n = s.length;
  const heads: Array<string> = ["referencias bibliograficas", "referencias", "references", "bibliografia", "bibliography", "literatura citada", "works cited"];
  let lineStart = 0;
  let section = -1;
  while (lineStart < n) {
    let lineEnd = s.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = n;
    let a = lineStart;
    let b = lineEnd;
    while (a < b && (isSpace(<i32>s.charCodeAt(a)) || <i32>s.charCodeAt(a) == 35 || <i32>s.charCodeAt(a) == 42)) a++;
    while (b > a && (isSpace(<i32>s.charCodeAt(b - 1)) || <i32>s.charCodeAt(b - 1) == 58 || <i32>s.charCodeAt(b - 1) == 42)) b--;
    if (section < 0) {
      if (b - a <= 30) {
        const line = f.substring(a, b);
        for (let k = 0; k < heads.length; k++) if (line == heads[k]) { section = lineStart; break; }
      }
    } else if (b > a) {
      // "1. ...", "1) ...", "[1] ...", "1 - ..."
      let i = a;
      let bracket = false;
      if (<i32>s.charCodeAt(i) == 91) { bracket = true; i++; }
      const ds = i;
      while (i < b && isDigit(<i32>s.charCodeAt(i))) i++;
      const num = s.substring(ds, i);
      const c = codeAt(s, i);
      const numbered = i > ds && i - ds <= 4 && (bracket ? c == 93 : (c == 46 || c == 41 || c == 32 || c == 45 || c == 9));
      if (numbered && i + 1 < b) refs.push(new Ref("reference", num, a, b));
    }
    lineStart = lineEnd + 1;
  }
  return section;
}

// ---------------------------------------------------------------------------
// Claims: efficacy words and statistics (folded cues; whole words).
const CLAIM_CUES: Array<string> = [
  "eficaz", "eficazes", "eficacia", "efetivo", "efetiva", "efetividade", "comprovado", "comprovada", "comprovadamente", "cientificamente",
  "estudos mostram", "estudos demonstram", "estudos comprovam", "pesquisas mostram", "pesquisas demonstram", "segundo estudos", "evidencias mostram",
  "reduz", "reduziu", "reducao de", "diminui o risco", "aumenta o risco", "aumenta em", "vezes mais", "risco relativo", "intervalo de confianca",
  "effective", "efficacy", "proven", "clinically proven", "studies show", "research shows", "evidence shows", "studies have shown", "reduces", "reduced the risk",
  "lowers the risk", "increases the risk", "times more likely", "confidence interval", "odds ratio", "hazard ratio", "relative risk",
  "eficaces", "efectivo", "efectiva", "comprobado", "comprobada", "estudios demuestran", "estudios muestran", "investigaciones muestran", "reduce", "reduce el riesgo", "aumenta el riesgo", "veces mas",
];

// The cues are folded, like the text they are matched in: exact matching on folded text.
const CLAIM_SET = PhraseSet.exact(CLAIM_CUES, PHRASE_TABLES);

/** The build's check that the cue automaton above comes from PHRASE_TABLES and equals a run-time compile. */
export function phraseTables(): i32 {
  writeOutput(phraseTablesJSON());
  return 0;
}

/** Every occurrence of a claim cue in the folded text, from one scan: (start << 32) | length, ascending. */
function claimCueHits(f: string): Array<i64> {
  const all = CLAIM_SET.scan(f).all;
  const hits = new Array<i64>();
  for (let id = 0; id < all.length; id++) {
    const starts = all[id];
    const length = <i64>CLAIM_CUES[id].length;
    for (let i = 0; i < starts.length; i++) hits.push((<i64>starts[i] << 32) | length);
  }
  hits.sort((x: i64, y: i64): i32 => (x < y ? -1 : x > y ? 1 : 0));
  return hits;
}

/**
 * True when a cue occurs in [a,b) as a whole word of the sentence (the sentence's ends count as word
 * boundaries): what `findWord` over the sentence alone finds.
 */
function hasClaimCue(f: string, hits: Array<i64>, a: i32, b: i32): bool {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (<i32>(hits[mid] >> 32) < a) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < hits.length; i++) {
    const start = <i32>(hits[i] >> 32);
    if (start >= b) break;
    const end = start + <i32>(hits[i] & 0xffffffff);
    if (end > b) continue;
    if ((start == a || !isWordChar(codeAt(f, start - 1))) && (end == b || !isWordChar(codeAt(f, end)))) return true;
  }
  return false;
}

/** True when the sentence [a,b) states efficacy or a statistic. */
function isClaim(f: string, hits: Array<i64>, a: i32, b: i32): bool {
  if (hasClaimCue(f, hits, a, b)) return true;
  const seg = f.substring(a, b);
  // A percentage: digits followed by "%" (or " %").
  let p = seg.indexOf("%", 0);
  while (p >= 0) {
    let q = p - 1;
    if (q >= 0 && <i32>seg.charCodeAt(q) == 32) q--;
    if (q >= 0 && isDigit(<i32>seg.charCodeAt(q))) return true;
    p = seg.indexOf("%", p + 1);
  }
  // A p-value: "p < 0.05", "p=0,03", "p ≤ .01".
  let v = seg.indexOf("p", 0);
  while (v >= 0) {
    if (!isWordChar(codeAt(seg, v - 1))) {
      let i = v + 1;
      while (i < seg.length && <i32>seg.charCodeAt(i) == 32) i++;
      const c = codeAt(seg, i);
      if (c == 60 || c == 61 || c == 62 || c == 0x2264 || c == 0x2265) {
        i++;
        while (i < seg.length && <i32>seg.charCodeAt(i) == 32) i++;
        if (isDigit(codeAt(seg, i)) || (codeAt(seg, i) == 46 && isDigit(codeAt(seg, i + 1)))) return true;
      }
    }
    v = seg.indexOf("p", v + 1);
  }
  return false;
}

/** Superscript digits (¹ ² ³ ⁰ ⁴–⁹), compared as code units: a citation marker check allocates nothing per character. */
function isSuperscriptDigit(c: i32): bool {
  return c == 0xb9 || c == 0xb2 || c == 0xb3 || c == 0x2070 || (c >= 0x2074 && c <= 0x2079);
}

/** True when [a,b) holds a citation marker: [1], [1,2], [1-3], superscript digits, (Author, 2020), et al. */
function hasMarker(s: string, f: string, a: i32, b: i32): bool {
  for (let i = a; i < b; i++) {
    const c = <i32>s.charCodeAt(i);
    if (isSuperscriptDigit(c)) return true;
    if (c == 91) { // [digits(,|-|–)…]
      let j = i + 1;
      let digits = 0;
      while (j < b) {
        const d = <i32>s.charCodeAt(j);
        if (isDigit(d)) { digits++; j++; continue; }
        if (d == 44 || d == 45 || d == 0x2013 || d == 32) { j++; continue; }
        break;
      }
      if (digits > 0 && codeAt(s, j) == 93) return true;
    }
    if (c == 40) { // (… 2020) with a capitalized name inside
      const close = s.indexOf(")", i);
      if (close > i && close - i <= 80) {
        let hasYear = false;
        let hasName = false;
        for (let j = i + 1; j + 3 < close; j++) {
          if ((s.startsWith("19", j) || s.startsWith("20", j)) && isDigit(codeAt(s, j + 2)) && isDigit(codeAt(s, j + 3)) && !isDigit(codeAt(s, j - 1)) && !isDigit(codeAt(s, j + 4))) hasYear = true;
        }
        for (let j = i + 1; j < close; j++) if (isUpper(<i32>s.charCodeAt(j)) && !isWordChar(codeAt(s, j - 1)) && isLetter(codeAt(s, j + 1))) hasName = true;
        if (hasYear && hasName) return true;
      }
    }
  }
  return findWord(f.substring(a, b), "et al", 0) >= 0;
}

function sentenceHasRef(refs: Array<Ref>, a: i32, b: i32): bool {
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    if (r.type != "reference" && r.start >= a && r.end <= b) return true;
  }
  return false;
}

function lookupResolved(resolved: JSONValue | null, id: string): JSONValue | null {
  if (resolved === null) return null;
  let v = resolved.get(id);
  if (v === null) v = resolved.get(id.toLowerCase());
  if (v === null || !v.isObject()) return null;
  return v;
}

let locale = "pt-BR";
function t(pt: string, en: string, es: string): string {
  return locale == "en" ? en : locale == "es" ? es : pt;
}

export { textBuffer, outputBuffer, outputUnits } from "../sdk/index";

export function analyze(): i32 {
  const input = readInput(INPUT_CAP);
  if (input === null) return fail(inputError());
  locale = input.locale;
  const s = input.text;
  const f = fold(s);
  const out = new Output(NAME, VERSION);

  const refs = new Array<Ref>();
  extractDOIs(s, refs);
  extractPMIDs(s, f, refs);
  extractPMCIDs(s, refs);
  extractSciELO(s, refs);
  const section = extractReferenceList(s, f, refs);
  refs.sort((x: Ref, y: Ref): i32 => x.start != y.start ? x.start - y.start : x.end - y.end);

  // Claims outside the reference list, supported by a marker or identifier in the same or next sentence.
  const sentences = splitSentences(s);
  const cueHits = claimCueHits(f);
  let claims = 0;
  let supported = 0;
  let ri = 0; // refs are sorted: scan forward for the window
  for (let i = 0; i < sentences.length; i++) {
    const sp = sentences[i];
    if (section >= 0 && sp.start >= section) break;
    if (!isClaim(f, cueHits, sp.start, sp.end)) continue;
    claims++;
    const wEnd = i + 1 < sentences.length && !(section >= 0 && sentences[i + 1].start >= section) ? sentences[i + 1].end : sp.end;
    while (ri < refs.length && refs[ri].end < sp.start) ri++;
    let ok = hasMarker(s, f, sp.start, wEnd);
    if (!ok) {
      for (let k = ri; k < refs.length && refs[k].start < wEnd; k++) {
        if (refs[k].type != "reference" && refs[k].start >= sp.start) { ok = true; break; }
      }
    }
    if (ok) { supported++; continue; }
    out.add(new Finding("ref.unsupported_claim", SEVERITY_WARNING,
      t("Afirmação de eficácia ou estatística sem referência", "Efficacy claim or statistic without a citation", "Afirmación de eficacia o estadística sin referencia"),
      sp.start, sp.end)).withSuggestion(t("Cite a fonte logo após a afirmação (ex.: [1] com DOI ou PMID na lista de referências) ou reformule sem o dado.", "Cite the source right after the claim (e.g. [1] with a DOI or PMID in the reference list) or rephrase without the figure.", "Cite la fuente tras la afirmación (p. ej. [1] con DOI o PMID en la lista de referencias) o reformule sin el dato."));
  }

  // Host-resolved identifiers.
  let retracted = 0;
  let unresolved = 0;
  let unverified = 0;
  const ctx = input.context;
  const resolved = ctx !== null ? ctx.get("resolved") : null;
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    if (r.type == "reference") continue;
    const v = lookupResolved(resolved, r.id);
    if (v === null) continue;
    if (!v.getBool("verified", true)) {
      unverified++;
      out.add(new Finding("ref.unverified", SEVERITY_WARNING,
        t("Referência não verificada (fonte indisponível): ", "Reference not verified (source unavailable): ", "Referencia no verificada (fuente no disponible): ") + r.id,
        r.start, r.end)).withSuggestion(t("Analise de novo mais tarde: a existência e a retratação desta referência não foram conferidas.", "Analyse again later: whether this reference exists or was retracted has not been checked.", "Analice de nuevo más tarde: no se comprobó si esta referencia existe o fue retractada."));
    } else if (v.getBool("retracted", false)) {
      retracted++;
      const title = v.getString("title");
      out.add(new Finding("ref.retracted", SEVERITY_BLOCKING,
        t("Referência retratada: ", "Retracted reference: ", "Referencia retractada: ") + r.id + (title !== null ? " — " + title : ""),
        r.start, r.end)).withSuggestion(t("Remova a referência retratada e revise as afirmações que dependem dela.", "Remove the retracted reference and revise the claims that rely on it.", "Elimine la referencia retractada y revise las afirmaciones que dependen de ella."));
    } else if (!v.getBool("found", true)) {
      unresolved++;
      out.add(new Finding("ref.unresolved", SEVERITY_WARNING,
        t("Identificador não encontrado: ", "Identifier not found: ", "Identificador no encontrado: ") + r.id,
        r.start, r.end)).withSuggestion(t("Confira o identificador (erro de digitação?) ou cite outra fonte verificável.", "Check the identifier for typos or cite another verifiable source.", "Verifique el identificador o cite otra fuente verificable."));
    }
  }
  out.sortFindings();

  let score = claims == 0 ? 100 : <i32>Math.round(100.0 * <f64>supported / <f64>claims);
  score -= 30 * retracted + 5 * unresolved + 5 * unverified;
  out.score = max(0, min(100, score));

  const w = new JSONWriter();
  w.beginArray();
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i];
    w.beginObject();
    w.key("type"); w.str(r.type);
    w.key("id"); w.str(r.id);
    w.key("start"); w.int(r.start);
    w.key("end"); w.int(r.end);
    w.endObject();
  }
  w.endArray();
  out.setRaw("references", w.toString());
  out.setRaw("claims", claims.toString());
  out.setRaw("supported", supported.toString());
  return out.emit();
}
