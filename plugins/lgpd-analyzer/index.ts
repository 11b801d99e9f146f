// lgpd-analyzer (pipeline stage 1, S.1.1): personal and health data in content to be published.
//
// LGPD (Lei 13.709/2018) Art. 5 I/II: personal data identifies a natural person; health data is
// *sensitive* personal data (Art. 11 narrows the bases for processing it). Publishing a patient's
// identifiers (CPF, CNS, RG, name in clinical context, date of birth) in public content has no legal
// basis → blocking. Contact data (email, phone) and addresses usually belong to the clinic, which must
// publish them → warning, escalated to blocking when the same sentence names a patient.
// HIPAA 164.514(b)(2) Safe Harbor lists the same kinds of identifiers for US content.
//
// Output: {"plugin","version","score","findings":[...],"redacted": string,"counts":{code:n}}
// `redacted` is `text` with everything inside each finding but whitespace and ASCII punctuation replaced by
// • (U+2022); separators are kept, so redacted.length == text.length and all offsets line up.
// Recall and false positives are measured on generated variants in test/plugins/detection-rates.test.ts.

import {
  readInput, inputError, fail, Output, Finding, JSONWriter,
  SEVERITY_BLOCKING, SEVERITY_WARNING,
  fold, isDigit, isLetter, isUpper, isWordChar, isSpace, codeAt,
  splitSentences, sentenceIndexAt, maskSpans, PhraseSet, PhraseScan, phraseTablesJSON, writeOutput,
} from "../sdk/index";
// The cue automata, compiled at build time (scripts/build-plugins.mjs); see plugins/sdk/phrases.ts.
import { PHRASE_TABLES } from "../build/phrases/lgpd-analyzer";

const NAME = "lgpd-analyzer";
const VERSION = "1.1.0";
const INPUT_CAP: i64 = 2 * 1024 * 1024; // keep in sync with plugin.json inputCap

let locale = "pt-BR";
function t(pt: string, en: string, es: string): string {
  return locale == "en" ? en : locale == "es" ? es : pt;
}

// ---------------------------------------------------------------------------
// Check digits

/**
 * CPF (Receita Federal, IN RFB 2.172/2024 Annex / the classic mod-11 rule): 9 base digits,
 * DV1 = 11 − (Σ d[i]·(10−i) mod 11), DV2 = 11 − (Σ d[i]·(11−i) mod 11) over the 10 first digits,
 * with results 10 and 11 becoming 0. Sequences of one repeated digit pass the arithmetic but are
 * not issued, so they are invalid. `d` is exactly 11 ASCII digits.
 */
function isValidCPF(d: string): bool {
  if (d.length != 11) return false;
  let same = true;
  for (let i = 1; i < 11; i++) if (d.charCodeAt(i) != d.charCodeAt(0)) { same = false; break; }
  if (same) return false;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < 9; i++) {
    const v = <i32>d.charCodeAt(i) - 48;
    s1 += v * (10 - i);
    s2 += v * (11 - i);
  }
  let r1 = s1 % 11;
  const dv1 = r1 < 2 ? 0 : 11 - r1;
  if (dv1 != <i32>d.charCodeAt(9) - 48) return false;
  s2 += dv1 * 2;
  const r2 = s2 % 11;
  const dv2 = r2 < 2 ? 0 : 11 - r2;
  return dv2 == <i32>d.charCodeAt(10) - 48;
}

/**
 * CNS (Cartão Nacional de Saúde, Ministério da Saúde rule): 15 digits whose weighted sum with
 * weights 15, 14, …, 1 is a multiple of 11. Definitive cards start with 1 or 2 (derived from the
 * PIS/PASEP), provisional ones with 7, 8 or 9; any other first digit is not a CNS.
 */
function isValidCNS(d: string): bool {
  if (d.length != 15) return false;
  const first = <i32>d.charCodeAt(0) - 48;
  if (!(first == 1 || first == 2 || first == 7 || first == 8 || first == 9)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) sum += (<i32>d.charCodeAt(i) - 48) * (15 - i);
  return sum % 11 == 0;
}

// ---------------------------------------------------------------------------
// Shapes: 'd' = ASCII digit, ' ' = one space (or NBSP), anything else literal.

/** Length of the match of `shape` at s[i] (with digit boundaries), or -1. */
function matchShape(s: string, i: i32, shape: string): i32 {
  const n = s.length;
  const m = shape.length;
  if (i + m > n) return -1;
  for (let k = 0; k < m; k++) {
    const want = <i32>shape.charCodeAt(k);
    const c = <i32>s.charCodeAt(i + k);
    if (want == 100) { if (!isDigit(c)) return -1; }
    else if (want == 32) { if (c != 32 && c != 0xa0) return -1; }
    else if (c != want) return -1;
  }
  // The match may not continue with a digit, or with a separator followed by a digit
  // (e.g. "123.456.789-09" inside "123.456.789-091" or "1234-5678-9").
  const after = codeAt(s, i + m);
  if (isDigit(after) || isLetter(after)) return -1;
  if ((after == 46 || after == 45 || after == 47) && isDigit(codeAt(s, i + m + 1))) return -1;
  return m;
}

function digitsIn(s: string, start: i32, end: i32): string {
  const parts = new Array<string>();
  for (let i = start; i < end; i++) {
    const c = <i32>s.charCodeAt(i);
    if (isDigit(c)) parts.push(String.fromCharCode(c));
  }
  return parts.join("");
}

const CPF_SHAPES: Array<string> = ["ddd.ddd.ddd-dd", "ddddddddd-dd", "ddd ddd ddd dd", "ddd.ddd.ddd dd", "ddddddddddd"];
const CNS_SHAPES: Array<string> = ["ddd dddd dddd dddd", "ddd.dddd.dddd.dddd", "ddd-dddd-dddd-dddd", "ddddddddddddddd"];
const CEP_SHAPES: Array<string> = ["ddddd-ddd", "dd.ddd-ddd"];
// Phone numbers in a fixed national form: North American (NANP) numbers for US content, and Brazilian
// non-geographic numbers (0800/0300/0500/0900 + 7 digits; 3003-/4004-… + 4 digits, reachable without an area
// code). Geographic Brazilian numbers are parsed by the ANATEL numbering plan instead (Scanner.brazilianPhoneAt).
const FIXED_PHONE_SHAPES: Array<string> = [
  "+1 (ddd) ddd-dddd", "+1 ddd-ddd-dddd", "+1 ddd ddd dddd", "(ddd) ddd-dddd", "ddd-ddd-dddd",
  "0800 ddd dddd", "0800-ddd-dddd", "0800 dddd", "0800ddddddd", "0300 ddd dddd", "0300-ddd-dddd", "0500 ddd dddd",
  "0900 ddd dddd", "4004-dddd", "4004 dddd", "4003-dddd", "4002-dddd", "3003-dddd", "3004-dddd", "4020-dddd",
];

/**
 * DDDs in use (ANATEL national numbering plan for the fixed and mobile services, Resolução 749/2022 and
 * the area-code table): 11–19, 21 22 24 27 28, 31–35 37 38, 41–49, 51 53 54 55, 61–69, 71 73 74 75 77 79,
 * 81–89, 91–99. Bit i of word DDD_IN_USE[a] says whether area code a·10 + i exists.
 */
const DDD_IN_USE: StaticArray<u16> = [
  0, 0b1111111110, 0b0110010110, 0b0110111110, 0b1111111110, 0b0000111010, 0b1111111110, 0b1010111010, 0b1111111110, 0b1111111110,
];

function dddInUse(a: i32, b: i32): bool {
  return a >= 1 && a <= 9 && ((<i32>unchecked(DDD_IN_USE[a]) >> b) & 1) == 1;
}

/**
 * A Brazilian subscriber number (ANATEL): mobile (SMP) numbers are 9 digits beginning with 9; fixed (STFC)
 * numbers are 8 digits beginning with 2–5. `digits` holds one digit value per element.
 */
function subscriberValid(digits: Array<i32>, at: i32, len: i32): bool {
  if (len == 9) return digits[at] == 9;
  if (len == 8) return digits[at] >= 2 && digits[at] <= 5;
  return false;
}

/** Every "(" in s[start, end) is closed inside it. */
function parenthesesBalance(s: string, start: i32, end: i32): bool {
  let open = 0;
  for (let i = start; i < end; i++) {
    const c = <i32>s.charCodeAt(i);
    if (c == 40) open++;
    else if (c == 41 && open > 0) open--;
  }
  return open == 0;
}

/** Separators people put between the groups of a phone number: spaces, dots, dashes, parentheses. */
function isPhoneSeparator(c: i32): bool {
  return c == 32 || c == 0xa0 || c == 0x202f || c == 46 || c == 45 || c == 0x2010 || c == 0x2011 || c == 0x2013 || c == 40 || c == 41;
}
const PHONE_CUES: Array<string> = [
  "tel", "tel.", "telefone", "telefones", "fone", "celular", "cel", "cel.", "whatsapp", "whats", "zap", "ligue", "ligar", "contato", "contatos",
  "phone", "call", "mobile", "cell", "text", "telefono", "llame", "llamar", "movil", "fax",
];

/** The ends of the word-bounded occurrences of some cues, ascending: "is there one just before `pos`?" by bisection. */
class CueEnds {
  ends: Array<i32> = [];

  constructor(scan: PhraseScan, cues: Array<string>) {
    const f = scan.text;
    for (let k = 0; k < cues.length; k++) {
      const cue = cues[k];
      const at = scan.starts(cue);
      const last = <i32>cue.charCodeAt(cue.length - 1);
      for (let a = 0; a < at.length; a++) {
        const p = at[a];
        const e = p + cue.length;
        if (!isWordChar(codeAt(f, p - 1)) && (!isWordChar(last) || !isWordChar(codeAt(f, e)))) this.ends.push(e);
      }
    }
    this.ends.sort((a: i32, b: i32): i32 => a - b);
  }

  /** A cue ends within `window` code units before `pos`. */
  before(pos: i32, window: i32): bool {
    let lo = 0;
    let hi = this.ends.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid] <= pos) { best = this.ends[mid]; lo = mid + 1; } else hi = mid - 1;
    }
    return best >= 0 && best >= pos - window;
  }
}

const MONTHS: Array<string> = [
      "janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
      "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
      "enero", "febrero", "marzo", "mayo", "junio", "julio", "septiembre", "setiembre", "octubre", "noviembre", "diciembre",
      "jan", "fev", "feb", "mar", "abr", "apr", "mai", "jun", "jul", "ago", "aug", "set", "sep", "out", "oct", "nov", "dez", "dec", "dic", "ene",
    ];

// ---------------------------------------------------------------------------
// Cues, found in one pass over the folded text (plugins/sdk/phrases.ts) rather than one scan per cue.

const ADDRESS_CUES: Array<string> = ["rua", "r.", "av.", "av", "avenida", "travessa", "tv.", "alameda", "al.", "praca", "rodovia", "estrada", "largo", "calle", "carrera", "avda."];
const US_STREET_TYPES: Array<string> = ["street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "way", "court", "place", "parkway", "highway"];
const BIRTH_CUES: Array<string> = [
  "nascido em", "nascida em", "nasceu em", "nascido no dia", "nascida no dia", "data de nascimento", "data nasc", "dt. nasc.", "dt nasc", "dn:", "d.n.", "nasc.:",
  "born on", "born", "date of birth", "dob", "d.o.b.", "birth date", "birthdate",
  "fecha de nacimiento", "nacido el", "nacida el", "nacio el", "f. nac.",
];
const PATIENT_CUES: Array<string> = ["paciente", "patient", "pt.", "paciente:", "patient:", "utente"];
const REGISTRO_GERAL = "registro geral";
// RG cues are case-sensitive ("RG", not the syllable "rg"), so they are found in the text as written.
const RG_CUES: Array<string> = ["RG", "R.G.", "DNI"];

function concatAll(lists: Array<Array<string>>): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < lists.length; i++) for (let j = 0; j < lists[i].length; j++) out.push(lists[i][j]);
  return out;
}

// Words before a bare run of digits that make it something other than a phone number (an order, a protocol,
// a document, a code), and the cues for CPF and CEP.
const NOT_PHONE_CUES: Array<string> = [
  "pedido", "protocolo", "processo", "lote", "codigo", "cod.", "ref.", "referencia", "nota fiscal", "nf", "nf-e", "boleto",
  "fatura", "conta", "matricula", "prontuario", "isbn", "issn", "sku", "serie", "cnpj", "cpf", "cns", "rg", "id", "nis", "pis",
  "order", "invoice", "tracking", "account", "serial", "reference", "code", "case",
  "orden", "factura", "numero de pedido", "expediente", "cuenta", "dni", "codigo postal",
];
const CPF_CUE = "cpf";
const CEP_CUE = "cep";

// The cue lists are already folded, and so is the text they are matched in: exact matching on folded text.
const FOLDED_CUES = PhraseSet.exact(concatAll([ADDRESS_CUES, US_STREET_TYPES, BIRTH_CUES, PATIENT_CUES, [REGISTRO_GERAL], PHONE_CUES, NOT_PHONE_CUES, [CPF_CUE, CEP_CUE]]), PHRASE_TABLES);
const WRITTEN_CUES = PhraseSet.exact(RG_CUES, PHRASE_TABLES);

/** The build's check that the cue automata above come from PHRASE_TABLES and equal a run-time compile. */
export function phraseTables(): i32 {
  writeOutput(phraseTablesJSON());
  return 0;
}

// ---------------------------------------------------------------------------

class Hit {
  code: string;
  start: i32;
  end: i32;
  constructor(code: string, start: i32, end: i32) {
    this.code = code;
    this.start = start;
    this.end = end;
  }
}

class Scanner {
  text: string;
  folded: string;
  claimed: Uint8Array;
  hits: Array<Hit> = [];
  /** Every cue in the folded text, and the case-sensitive ones in the text as written. */
  cues: PhraseScan;
  writtenCues: PhraseScan;
  phoneCues: CueEnds;
  notPhoneCues: CueEnds;
  cpfCues: CueEnds;
  cepCues: CueEnds;
  /** Scratch for brazilianPhoneAt: the digit values and the group ends (in digits) of one run. */
  runDigits: Array<i32> = [];
  runGroupEnds: Array<i32> = [];
  runGroupStops: Array<i32> = [];
  runBegin: i32 = 0;

  constructor(text: string) {
    const folded = fold(text);
    this.text = text;
    this.folded = folded;
    this.claimed = new Uint8Array(text.length);
    const cues = FOLDED_CUES.scan(folded);
    this.cues = cues;
    this.writtenCues = WRITTEN_CUES.scan(text);
    this.phoneCues = new CueEnds(cues, PHONE_CUES);
    this.notPhoneCues = new CueEnds(cues, NOT_PHONE_CUES);
    this.cpfCues = new CueEnds(cues, [CPF_CUE]);
    this.cepCues = new CueEnds(cues, [CEP_CUE]);
  }

  free(start: i32, end: i32): bool {
    for (let i = start; i < end; i++) if (this.claimed[i] != 0) return false;
    return true;
  }

  add(code: string, start: i32, end: i32): bool {
    if (end <= start || !this.free(start, end)) return false;
    for (let i = start; i < end; i++) this.claimed[i] = 1;
    this.hits.push(new Hit(code, start, end));
    return true;
  }

  // One pass over positions where a number can begin.
  numbers(): void {
    const s = this.text;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = <i32>s.charCodeAt(i);
      if (!(isDigit(c) || c == 40 || c == 43)) continue; // digit, '(' or '+'
      const prev = codeAt(s, i - 1);
      if (isDigit(prev) || isLetter(prev)) continue;
      // Not inside a longer number written with dots or dashes ("1.211.987.654", "978-85-…").
      if ((prev == 46 || prev == 45 || prev == 0x2013) && isDigit(codeAt(s, i - 2))) continue;
      if (this.claimed[i] != 0) continue;
      const len = this.numberAt(i);
      if (len > 0) i += len - 1;
    }
  }

  numberAt(i: i32): i32 {
    const s = this.text;
    // CNS first: 15 digits contain 11-digit substrings but digit boundaries keep them apart.
    for (let k = 0; k < CNS_SHAPES.length; k++) {
      const m = matchShape(s, i, CNS_SHAPES[k]);
      if (m > 0 && isValidCNS(digitsIn(s, i, i + m))) { this.add("pii.cns", i, i + m); return m; }
    }
    for (let k = 0; k < CPF_SHAPES.length; k++) {
      const m = matchShape(s, i, CPF_SHAPES[k]);
      if (m <= 0) continue;
      if (!isValidCPF(digitsIn(s, i, i + m))) continue;
      // A bare 11-digit number right after a phone cue that also reads as a mobile number
      // (DDD + 9 + 8 digits) is a phone number, even though its digits satisfy the CPF rule
      // (about 1 in 100 random numbers do). Either way it is masked.
      const bare = CPF_SHAPES[k] == "ddddddddddd";
      if (bare && this.phoneCues.before(i, 24) && !this.cpfCues.before(i, 24) && this.brazilianPhoneAt(i) == m) {
        this.add("pii.phone", i, i + m);
        return m;
      }
      this.add("pii.cpf", i, i + m);
      return m;
    }
    for (let k = 0; k < FIXED_PHONE_SHAPES.length; k++) {
      const shape = FIXED_PHONE_SHAPES[k];
      const m = matchShape(s, i, shape);
      if (m <= 0) continue;
      if (shape.startsWith("+1") || shape.startsWith("(ddd") || shape.startsWith("ddd")) {
        // NANP: area code and exchange start with 2–9.
        const d = digitsIn(s, i, i + m);
        const o = shape.startsWith("+1") ? 1 : 0;
        if (<i32>d.charCodeAt(o) < 50 || <i32>d.charCodeAt(o + 3) < 50) continue;
      }
      this.add("pii.phone", i, i + m);
      return m;
    }
    const phone = this.brazilianPhoneAt(i);
    if (phone > 0) { this.add("pii.phone", i, i + phone); return phone; }
    for (let k = 0; k < CEP_SHAPES.length; k++) {
      const m = matchShape(s, i, CEP_SHAPES[k]);
      if (m > 0) { this.add("pii.cep", i, i + m); return m; }
    }
    // Bare 8-digit CEP only with the cue "CEP" just before.
    const m8 = matchShape(s, i, "dddddddd");
    if (m8 > 0 && this.cepCues.before(i, 8)) { this.add("pii.cep", i, i + m8); return m8; }
    return 0;
  }

  /**
   * A Brazilian phone number at i by the ANATEL numbering plan, or 0: an optional "+55" (or "55" as its own
   * group), an optional trunk prefix "0" with an optional two-digit carrier code (CSP, or "xx" as written in
   * "0xx11"), the DDD (an area code in use), then the subscriber number (mobile: 9 + 8 digits; fixed: 8 digits
   * starting 2–5). Groups may be separated by spaces, dots, dashes and parentheses, or not at all; a group
   * boundary may not fall inside a prefix field, and a subscriber written in several groups ends in four
   * digits. Without a DDD only a 9-digit mobile written 5-4 or 1-4-4 counts, or any subscriber after a phone
   * cue ("tel.", "WhatsApp"). A bare run of digits after a cue such as "pedido" or "protocolo" is not a phone.
   */
  brazilianPhoneAt(i: i32): i32 {
    const s = this.text;
    const n = s.length;
    const digits = this.runDigits;
    const groupEnds = this.runGroupEnds; // digits read at the end of each group
    const stops = this.runGroupStops; // text offset just after each group
    digits.length = 0;
    groupEnds.length = 0;
    stops.length = 0;
    this.runBegin = i;
    let j = i;
    let plus = false;
    let placeholder = false; // "0xx11": the carrier code left for the caller to choose
    if (codeAt(s, j) == 40) j++;
    if (codeAt(s, j) == 43) { plus = true; j++; }
    while (j < n && groupEnds.length < 8) {
      const a = j;
      while (j < n && isDigit(<i32>s.charCodeAt(j))) { digits.push(<i32>s.charCodeAt(j) - 48); j++; }
      if (j == a) break;
      groupEnds.push(digits.length);
      stops.push(j);
      // "0xx" / "0XX": only right after a lone leading 0.
      if (groupEnds.length == 1 && digits.length == 1 && digits[0] == 0 && (codeAt(s, j) | 32) == 120 && (codeAt(s, j + 1) | 32) == 120) {
        let k = j + 2;
        while (k < n && k - j < 4 && isPhoneSeparator(<i32>s.charCodeAt(k))) k++;
        if (!isDigit(codeAt(s, k))) break;
        placeholder = true;
        j = k;
        continue;
      }
      let k = j;
      while (k < n && k - j < 3 && isPhoneSeparator(<i32>s.charCodeAt(k))) k++;
      if (k == j || !isDigit(codeAt(s, k))) break;
      j = k;
    }
    const groups = groupEnds.length;
    if (groups == 0) return 0;
    if (plus && (digits.length < 2 || digits[0] != 5 || digits[1] != 5)) return 0;
    const bareStart = isDigit(codeAt(s, i)) && !plus;
    // The longest reading wins; a shorter one must be set apart by a space, not glued on by "." or "-".
    for (let g = groups - 1; g >= 0; g--) {
      const stop = stops[g];
      if (isLetter(codeAt(s, stop))) continue;
      if (g < groups - 1) {
        let spaced = false;
        for (let q = stop; q < n && isPhoneSeparator(<i32>s.charCodeAt(q)); q++) if (isSpace(<i32>s.charCodeAt(q))) spaced = true;
        if (!spaced) continue;
      }
      if (this.readsAsPhone(groupEnds[g], g + 1, plus, placeholder)) {
        // One bare group after "pedido", "protocolo", "ISBN"…: an identifier, not a phone.
        if (g == 0 && bareStart && !placeholder && this.notPhoneCues.before(i, 24)) return 0;
        // An opening parenthesis is the number's only when it closes inside it ("(11) 9…", not "(11 9…)").
        if (codeAt(s, i) == 40 && !parenthesesBalance(s, i, stop)) return 0;
        return stop - i;
      }
    }
    return 0;
  }

  /** Whether the first `total` digits of the run, in `groups` groups, read as one Brazilian number. */
  readsAsPhone(total: i32, groups: i32, plus: bool, placeholder: bool): bool {
    const d = this.runDigits;
    const ends = this.runGroupEnds;
    let country = 0;
    if (plus) country = 2;
    else if (total >= 12 && d[0] == 5 && d[1] == 5 && ends[0] == 2) country = 2; // "55 11 9…"
    const trunk = total > country && d[country] == 0 ? 1 : 0;
    if (placeholder && trunk == 0) return false;
    // Readings: without a carrier code, then with one (only after the trunk prefix, and not with "xx").
    for (let carrier = 0; carrier <= (trunk == 1 && !placeholder ? 2 : 0); carrier += 2) {
      const dddAt = country + trunk + carrier;
      if (dddAt + 2 > total) break;
      if (!dddInUse(d[dddAt], d[dddAt + 1])) continue;
      const subAt = dddAt + 2;
      if (!subscriberValid(d, subAt, total - subAt)) continue;
      if (this.groupsFit(country, country + trunk, dddAt, subAt, total, groups)) return true;
    }
    if (country == 0 && trunk == 0 && !placeholder && codeAt(this.text, this.runBegin) != 40) {
      // No DDD (and no parentheses, which mark one): a subscriber number alone, written whole, 4-4, 5-4 or 1-4-4.
      if (!subscriberValid(d, 0, total)) return false;
      const shaped = groups == 1 || (groups == 2 && total - ends[0] == 4) || (groups == 3 && ends[0] == 1 && ends[1] == 5);
      if (!shaped) return false;
      // Not the tail of a number whose area code does not exist ("(20) 98765-4321").
      let k = this.runBegin - 1;
      while (k >= 0 && this.runBegin - k <= 3 && isPhoneSeparator(<i32>this.text.charCodeAt(k))) k--;
      if (isDigit(codeAt(this.text, k))) return false;
      if (total == 9 && groups > 1) return true;
      return this.phoneCues.before(this.runBegin, 24);
    }
    return false;
  }

  /**
   * Group boundaries fall only between the prefix's fields (country | trunk | carrier | DDD) and at the
   * subscriber's start, or nowhere at all; a subscriber in several groups (at most three) ends in four digits.
   */
  groupsFit(countryEnd: i32, trunkEnd: i32, dddAt: i32, subAt: i32, total: i32, groups: i32): bool {
    if (groups == 1) return true;
    const ends = this.runGroupEnds;
    let prefixClosed = false;
    let subGroups = 0;
    for (let g = 0; g < groups; g++) {
      const e = ends[g];
      if (e < subAt) {
        if (e != countryEnd && e != trunkEnd && e != dddAt) return false;
      } else if (e == subAt) prefixClosed = true;
      else subGroups++;
    }
    if (!prefixClosed) return false;
    if (subGroups > 1 && total - ends[groups - 2] != 4) return false;
    return subGroups <= 3;
  }

  // E-mail addresses (RFC 5322 addr-spec as extended by RFC 6531 for internationalised mail): a local part
  // that is a dot-atom (letters, digits, ! # $ % & ' * + - / = ? ^ _ ` { | } ~ and any non-ASCII letter, dots
  // between them) or a quoted string; "@"; a domain of labels (letters, digits, hyphens inside, non-ASCII
  // letters of internationalised names; "。" "．" "｡" also separate labels, RFC 3490) ending in a top-level
  // domain of two or more letters (or an A-label "xn--…"), or a domain literal "[192.0.2.1]". Lengths follow
  // RFC 5321: local part ≤ 64, labels ≤ 63, domain ≤ 255. In prose a leading quote, slash, bar, brace or "="
  // belongs to the sentence, not to the address.
  emails(): void {
    const s = this.text;
    const n = s.length;
    let at = s.indexOf("@", 0);
    while (at >= 0) {
      let next = at + 1;
      const a = emailLocalStart(s, at);
      if (a >= 0) {
        const b = emailDomainEnd(s, at + 1, n);
        if (b > 0) {
          this.add("pii.email", a, b);
          next = b;
        }
      }
      at = s.indexOf("@", next);
    }
  }

  // RG (Registro Geral, state identity card): only with the cue "RG" (uppercase in the text, or
  // "R.G."), "Registro Geral", or Spanish "DNI"; the number is 5–14 digits with . - / and an
  // optional final check character X.
  rg(): void {
    const s = this.text;
    for (let k = 0; k < RG_CUES.length; k++) {
      const cue = RG_CUES[k];
      const at = this.writtenCues.greedyStarts(cue);
      for (let i = 0; i < at.length; i++) {
        const p = at[i];
        const e = p + cue.length;
        if (!isWordChar(codeAt(s, p - 1)) && (cue.endsWith(".") || !isWordChar(codeAt(s, e)))) this.rgNumberAfter(e);
      }
    }
    const general = this.cues.wordStarts(REGISTRO_GERAL);
    for (let i = 0; i < general.length; i++) this.rgNumberAfter(general[i] + REGISTRO_GERAL.length);
  }

  rgNumberAfter(pos: i32): void {
    const s = this.text;
    const f = this.folded;
    const n = s.length;
    let i = pos;
    // Skip ":", spaces, "nº", "n°", "no", "número", "num." before the number (at most ~16 chars).
    const lim = min(n, pos + 16);
    while (i < lim) {
      const c = <i32>s.charCodeAt(i);
      if (isDigit(c)) break;
      if (c == 58 || c == 46 || c == 45 || isSpace(c) || c == 0xba || c == 0xb0 || c == 35) { i++; continue; }
      if (f.startsWith("numero", i)) { i += 6; continue; }
      if (f.startsWith("num", i)) { i += 3; continue; }
      if (f.startsWith("no", i) || f.startsWith("n", i)) { i += (f.startsWith("no", i) ? 2 : 1); continue; }
      return;
    }
    if (i >= lim || !isDigit(codeAt(s, i))) return;
    const st = i;
    let digits = 0;
    let end = i;
    while (i < n) {
      const c = <i32>s.charCodeAt(i);
      if (isDigit(c)) { digits++; i++; end = i; continue; }
      if ((c == 46 || c == 45 || c == 47) && isDigit(codeAt(s, i + 1))) { i++; continue; }
      if ((c == 45) && (codeAt(s, i + 1) == 88 || codeAt(s, i + 1) == 120)) { i += 2; end = i; break; }
      if ((c == 88 || c == 120) && !isWordChar(codeAt(s, i + 1))) { i++; end = i; break; }
      break;
    }
    if (digits >= 5 && digits <= 14 && !isWordChar(codeAt(s, end))) this.add("pii.rg", st, end);
  }

  // Street addresses: a street-type cue, a name (capitalized words with connectors, or a number
  // such as "Rua 7 de Setembro"), an optional comma and "nº", then a house number.
  addresses(): void {
    const f = this.folded;
    for (let k = 0; k < ADDRESS_CUES.length; k++) {
      const cue = ADDRESS_CUES[k];
      const at = this.cues.greedyStarts(cue);
      for (let i = 0; i < at.length; i++) {
        const p = at[i];
        const e = p + cue.length;
        const okLeft = !isWordChar(codeAt(f, p - 1));
        const okRight = cue.endsWith(".") || !isWordChar(codeAt(f, e));
        if (okLeft && okRight) this.addressAfter(p, e);
      }
    }
    this.usAddresses();
  }

  addressAfter(cueStart: i32, pos: i32): void {
    const s = this.text;
    const n = s.length;
    let i = pos;
    let words = 0;
    const lim = min(n, pos + 120);
    // Name tokens.
    while (i < lim) {
      while (i < lim && (isSpace(<i32>s.charCodeAt(i)))) i++;
      if (i >= lim) return;
      const c = <i32>s.charCodeAt(i);
      let j = i;
      while (j < n && (isWordChar(<i32>s.charCodeAt(j)) || <i32>s.charCodeAt(j) == 46 || <i32>s.charCodeAt(j) == 39)) j++;
      if (j == i) break;
      const tok = this.folded.substring(i, j);
      const connector = tok == "da" || tok == "de" || tok == "do" || tok == "dos" || tok == "das" || tok == "e" || tok == "del" || tok == "la" || tok == "los" || tok == "y";
      if (isUpper(c) || connector || (words == 0 && isDigit(c))) {
        // A number right after the name (words > 0) is the house number: stop before it.
        if (isDigit(c) && words > 0) break;
        words++;
        i = j;
        if (words > 8) return;
        continue;
      }
      break;
    }
    if (words == 0) return;
    // Optional ", nº" / "n." / "número" / "#".
    while (i < lim) {
      const c = <i32>s.charCodeAt(i);
      if (c == 44 || isSpace(c) || c == 0xba || c == 0xb0 || c == 35 || c == 46) { i++; continue; }
      if (this.folded.startsWith("numero", i)) { i += 6; continue; }
      if (this.folded.startsWith("no", i) && !isWordChar(codeAt(s, i + 2))) { i += 2; continue; }
      if (this.folded.startsWith("n", i) && !isLetter(codeAt(s, i + 1))) { i += 1; continue; }
      break;
    }
    if (i >= n || !isDigit(<i32>s.charCodeAt(i))) return;
    let e = i;
    while (e < n && isDigit(<i32>s.charCodeAt(e))) e++;
    if (e - i > 6 || isLetter(codeAt(s, e)) && isLetter(codeAt(s, e + 1))) return;
    if (isLetter(codeAt(s, e))) e++; // "123A"
    this.add("pii.address", cueStart, e);
  }

  // "1600 Main Street", "221 Baker St." — number + capitalized words + street type.
  usAddresses(): void {
    const s = this.text;
    for (let k = 0; k < US_STREET_TYPES.length; k++) {
      const ty = US_STREET_TYPES[k];
      const at = this.cues.wordStarts(ty);
      for (let a = 0; a < at.length; a++) {
        const p = at[a];
        if (isUpper(<i32>s.charCodeAt(p))) {
          // Walk back over 1–4 capitalized words to a house number.
          let i = p;
          let words = 0;
          let start = -1;
          while (words < 5) {
            let j = i - 1;
            while (j >= 0 && isSpace(<i32>s.charCodeAt(j))) j--;
            if (j < 0) break;
            let b = j;
            while (b >= 0 && isWordChar(<i32>s.charCodeAt(b))) b--;
            b++;
            if (b > j) break;
            const c = <i32>s.charCodeAt(b);
            if (isDigit(c)) {
              let allDigits = true;
              for (let q = b; q <= j; q++) if (!isDigit(<i32>s.charCodeAt(q))) allDigits = false;
              if (allDigits && words >= 1 && j - b < 6 && !isWordChar(codeAt(s, b - 1))) start = b;
              break;
            }
            if (!isUpper(c)) break;
            words++;
            i = b;
          }
          let e = p + ty.length;
          // Keep the dot of an abbreviation ("Baker St."), not a sentence's full stop.
          if (codeAt(s, e) == 46 && ty.length <= 4 && ty != "lane" && ty != "road" && ty != "way") e++;
          if (start >= 0) this.add("pii.address", start, e);
        }
      }
    }
  }

  // Dates of birth: a date within a few characters after a cue.
  birthdates(): void {
    const f = this.folded;
    for (let k = 0; k < BIRTH_CUES.length; k++) {
      const cue = BIRTH_CUES[k];
      const at = this.cues.greedyStarts(cue);
      for (let a = 0; a < at.length; a++) {
        const p = at[a];
        const e = p + cue.length;
        const okLeft = !isWordChar(codeAt(f, p - 1));
        const last = <i32>cue.charCodeAt(cue.length - 1);
        const okRight = !isWordChar(last) || !isWordChar(codeAt(f, e));
        if (okLeft && okRight) {
          // Skip separators and small words ("em", "el", "on", "the", "dia") up to 16 chars.
          let i = e;
          const lim = min(f.length, e + 16);
          while (i < lim) {
            const c = <i32>f.charCodeAt(i);
            if (isDigit(c) || isLetter(c) && this.monthAt(i) > 0) break;
            i++;
          }
          if (i < lim) {
            const len = this.dateAt(i);
            if (len > 0) this.add("pii.birthdate", i, i + len);
          }
        }
      }
    }
  }

  /** Length of a month name (pt/en/es, folded; full or 3-letter with optional ".") at i, else 0. */
  monthAt(i: i32): i32 {
    const f = this.folded;
    for (let k = 0; k < MONTHS.length; k++) {
      const m = MONTHS[k];
      if (f.startsWith(m, i) && !isLetter(codeAt(f, i + m.length))) {
        return codeAt(f, i + m.length) == 46 ? m.length + 1 : m.length;
      }
    }
    return 0;
  }

  /** Length of a date at i: dd/mm/yyyy (/ . -), yyyy-mm-dd, "12 de março de 1980", "March 12, 1980", "12 March 1980". */
  dateAt(i: i32): i32 {
    const s = this.text;
    const n = s.length;
    // Numeric forms.
    let a = i;
    while (a < n && isDigit(<i32>s.charCodeAt(a))) a++;
    const l1 = a - i;
    if (l1 >= 1) {
      const sep = codeAt(s, a);
      if (sep == 47 || sep == 46 || sep == 45) {
        let b = a + 1;
        while (b < n && isDigit(<i32>s.charCodeAt(b))) b++;
        const l2 = b - a - 1;
        if (codeAt(s, b) == sep && l2 >= 1 && l2 <= 2) {
          let c = b + 1;
          while (c < n && isDigit(<i32>s.charCodeAt(c))) c++;
          const l3 = c - b - 1;
          if (l1 <= 2 && (l3 == 2 || l3 == 4)) return c - i;
          if (l1 == 4 && l3 >= 1 && l3 <= 2) return c - i;
        }
      }
      // "12 de março de 1980" / "12 March 1980" / "12 mar. 1980"
      if (l1 <= 2) {
        let j = a;
        while (j < n && isSpace(<i32>s.charCodeAt(j))) j++;
        if (this.folded.startsWith("de ", j)) j += 3;
        const ml = this.monthAt(j);
        if (ml > 0) {
          j += ml;
          while (j < n && (isSpace(<i32>s.charCodeAt(j)) || <i32>s.charCodeAt(j) == 44)) j++;
          if (this.folded.startsWith("de ", j)) j += 3;
          let y = j;
          while (y < n && isDigit(<i32>s.charCodeAt(y))) y++;
          if (y - j == 4) return y - i;
        }
      }
      return 0;
    }
    // "March 12, 1980"
    const ml = this.monthAt(i);
    if (ml == 0) return 0;
    let j = i + ml;
    while (j < n && isSpace(<i32>s.charCodeAt(j))) j++;
    let d = j;
    while (d < n && isDigit(<i32>s.charCodeAt(d))) d++;
    if (d - j < 1 || d - j > 2) return 0;
    j = d;
    if (this.folded.startsWith("st", j) || this.folded.startsWith("nd", j) || this.folded.startsWith("rd", j) || this.folded.startsWith("th", j)) j += 2;
    while (j < n && (isSpace(<i32>s.charCodeAt(j)) || <i32>s.charCodeAt(j) == 44)) j++;
    let y = j;
    while (y < n && isDigit(<i32>s.charCodeAt(y))) y++;
    if (y - j == 4) return y - i;
    return 0;
  }

  // Patient names: capitalized tokens right after a clinical cue ("o paciente João Silva",
  // "a paciente Maria", "patient John Smith", "el paciente Juan Pérez", "Paciente: Ana").
  patientNames(): void {
    const f = this.folded;
    for (let k = 0; k < PATIENT_CUES.length; k++) {
      const cue = PATIENT_CUES[k];
      const at = this.cues.starts(cue);
      let next = 0;
      for (let a = 0; a < at.length; a++) {
        const p = at[a];
        if (p < next || !isCueAt(f, cue, p)) continue;
        this.nameAfter(p + cue.length);
        next = p + cue.length;
      }
    }
  }

  nameAfter(pos: i32): void {
    const s = this.text;
    const n = s.length;
    let i = pos;
    // Allow ":", "," or "—" and spaces between the cue and the name, nothing else.
    const lim = min(n, pos + 4);
    while (i < lim) {
      const c = <i32>s.charCodeAt(i);
      if (isSpace(c) || c == 58 || c == 44 || c == 0x2014 || c == 45) i++;
      else break;
    }
    let start = -1;
    let end = -1;
    let words = 0;
    let j = i;
    while (j < n && words < 5) {
      const c = codeAt(s, j);
      let e = j;
      while (e < n && isLetter(<i32>s.charCodeAt(e))) e++;
      if (e == j) break;
      const tok = this.folded.substring(j, e);
      let allUpper = true;
      for (let q = j; q < e; q++) if (!isUpper(<i32>s.charCodeAt(q))) { allUpper = false; break; }
      const connector = tok == "da" || tok == "de" || tok == "do" || tok == "dos" || tok == "das" || tok == "e" || tok == "del" || tok == "y" || tok == "van" || tok == "von";
      if (isUpper(c) && !(allUpper && e - j <= 4 && e - j >= 2) && !isStopName(tok)) {
        if (start < 0) start = j;
        end = e;
        words++;
      } else if (!(connector && start >= 0)) {
        break;
      }
      // Next token must follow after a single space (names do not span punctuation).
      if (codeAt(s, e) != 32) break;
      j = e + 1;
    }
    if (start >= 0) this.add("phi.patient_name", start, end);
  }
}

/** A cue at i not glued to a word on its left, nor on its right unless it ends in punctuation ("pt."). */
function isCueAt(f: string, cue: string, i: i32): bool {
  const last = <i32>cue.charCodeAt(cue.length - 1);
  return !isWordChar(codeAt(f, i - 1)) && (!isWordChar(last) || !isWordChar(codeAt(f, i + cue.length)));
}

// Capitalized words after "paciente" that are not names (sentence words, titles of sections).
const STOP_NAMES: Array<string> = ["com", "que", "de", "em", "no", "na", "foi", "and", "with", "was", "is", "the", "con", "el", "la", "se", "apresentou", "relata", "refere", "sexo", "masculino", "feminino", "idoso", "idosa", "male", "female"];
function isStopName(tok: string): bool {
  for (let i = 0; i < STOP_NAMES.length; i++) if (STOP_NAMES[i] == tok) return true;
  return false;
}

/** ASCII atext (RFC 5322 3.2.3): letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~. */
function isAtext(c: i32): bool {
  if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return c == 33 || (c >= 35 && c <= 39) || c == 42 || c == 43 || c == 45 || c == 47 || c == 61 || c == 63 || (c >= 94 && c <= 96) || (c >= 123 && c <= 126);
}

/**
 * A non-ASCII code unit that can be part of an internationalised address (RFC 6531 UTF8-non-ascii, RFC 5890
 * U-labels): letters and marks of any script. Spaces, punctuation, symbols and emoji (surrogates) around an
 * address in prose are not.
 */
function isAddressNonAscii(c: i32): bool {
  if (c < 0x80) return false;
  if (c < 0xc0) return c == 0xaa || c == 0xb5 || c == 0xba;
  if (c == 0xd7 || c == 0xf7) return false;
  if (c >= 0x2000 && c <= 0x2bff) return false; // general punctuation, symbols, arrows, dingbats
  if (c >= 0x2e00 && c <= 0x2e7f) return false;
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xd800 && c <= 0xdfff) return false; // emoji and other astral symbols
  if (c >= 0xfe10 && c <= 0xfe6f) return false;
  if (c >= 0xff00 && c <= 0xff0f || c >= 0xff1a && c <= 0xff20 || c >= 0xff3b && c <= 0xff40 || c >= 0xff5b && c <= 0xff65) return false;
  return c != 0xfeff && c < 0xfff0;
}

function isLocalChar(c: i32): bool {
  return isAtext(c) || isAddressNonAscii(c) || c == 46;
}

/** Label separators of internationalised domain names (RFC 3490 3.1): "." "。" "．" "｡". */
function isLabelDot(c: i32): bool {
  return c == 46 || c == 0x3002 || c == 0xff0e || c == 0xff61;
}

function isLabelChar(c: i32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || isAddressNonAscii(c);
}

/** Start of the local part ending at `at` ("@"), or -1. */
function emailLocalStart(s: string, at: i32): i32 {
  if (codeAt(s, at - 1) == 34) {
    // Quoted string: "…"@ (no line breaks; \" escapes).
    let q = at - 2;
    const stop = max(0, at - 66);
    while (q >= stop) {
      const c = <i32>s.charCodeAt(q);
      if (c == 10 || c == 13) return -1;
      if (c == 34 && codeAt(s, q - 1) != 92) break;
      q--;
    }
    return q >= stop && q < at - 2 ? q : -1;
  }
  let a = at;
  const stop = max(0, at - 64);
  while (a > stop && isLocalChar(<i32>s.charCodeAt(a - 1))) a--;
  if (a == stop && a > 0 && isLocalChar(<i32>s.charCodeAt(a - 1))) return -1; // longer than RFC 5321 allows
  // Punctuation that opens the address in prose ('joao@…', /joao@…, =joao@…) is not part of it.
  while (a < at) {
    const c = <i32>s.charCodeAt(a);
    if (!(c == 39 || c == 96 || c == 47 || c == 124 || c == 61 || c == 123 || c == 125 || c == 46)) break;
    a++;
  }
  if (a == at || codeAt(s, at - 1) == 46) return -1;
  // A dot-atom has no empty atoms: start after the last "..".
  for (let i = at - 1; i > a; i--) if (<i32>s.charCodeAt(i) == 46 && <i32>s.charCodeAt(i - 1) == 46) { a = i + 1; break; }
  return a < at ? a : -1;
}

/** End of the domain that starts at `from` (after "@"), or -1. */
function emailDomainEnd(s: string, from: i32, n: i32): i32 {
  if (codeAt(s, from) == 91) {
    // Domain literal: [IPv4] or [IPv6:…].
    let e = from + 1;
    while (e < n && e - from < 64 && (isDigit(<i32>s.charCodeAt(e)) || <i32>s.charCodeAt(e) == 46 || <i32>s.charCodeAt(e) == 58 || isLetter(<i32>s.charCodeAt(e)))) e++;
    return codeAt(s, e) == 93 && e > from + 1 ? e + 1 : -1;
  }
  let b = from;
  const stop = min(n, from + 255);
  while (b < stop && (isLabelChar(<i32>s.charCodeAt(b)) || isLabelDot(<i32>s.charCodeAt(b)))) b++;
  // A sentence's full stop or a dash after the address is not part of it.
  while (b > from && (isLabelDot(<i32>s.charCodeAt(b - 1)) || <i32>s.charCodeAt(b - 1) == 45)) b--;
  // Labels: 1–63 characters, no hyphen at either end; at least two; the last is alphabetic (2+) or "xn--".
  let labels = 0;
  let st = from;
  let lastStart = from;
  for (let i = from; i <= b; i++) {
    if (i < b && !isLabelDot(<i32>s.charCodeAt(i))) continue;
    const len = i - st;
    if (len < 1 || len > 63 || <i32>s.charCodeAt(st) == 45 || <i32>s.charCodeAt(i - 1) == 45) return -1;
    labels++;
    lastStart = st;
    st = i + 1;
  }
  if (labels < 2) return -1;
  if (b - lastStart < 2) return -1;
  const idn = b - lastStart > 4 && fold(s.substring(lastStart, lastStart + 4)) == "xn--";
  if (!idn) for (let i = lastStart; i < b; i++) if (isDigit(<i32>s.charCodeAt(i)) || <i32>s.charCodeAt(i) == 45) return -1;
  return b;
}

// ---------------------------------------------------------------------------

function isPatientIdentifier(code: string): bool {
  return code == "pii.cpf" || code == "pii.cns" || code == "pii.rg" || code == "pii.birthdate" || code == "phi.patient_name";
}

function messageFor(code: string, patient: bool): string {
  if (code == "pii.cpf") return t("CPF válido no texto: identificador pessoal (LGPD Art. 5º I) — não publique", "Valid Brazilian CPF in the text: a personal identifier (LGPD Art. 5 I) — do not publish", "CPF brasileño válido en el texto: identificador personal (LGPD Art. 5 I) — no publicar");
  if (code == "pii.cns") return t("Número do Cartão Nacional de Saúde (CNS) válido: identifica o paciente no SUS", "Valid Brazilian national health card (CNS) number: identifies the patient", "Número de tarjeta nacional de salud (CNS) válido: identifica al paciente");
  if (code == "pii.rg") return t("Número de RG: documento de identidade pessoal", "Identity document number (RG/DNI)", "Número de documento de identidad (RG/DNI)");
  if (code == "pii.birthdate") return t("Data de nascimento de uma pessoa identificável", "Date of birth of an identifiable person", "Fecha de nacimiento de una persona identificable");
  if (code == "phi.patient_name") return t("Nome de paciente em contexto clínico: dado de saúde sensível (LGPD Art. 5º II, Art. 11)", "Patient name in clinical context: sensitive health data (LGPD Art. 5 II; HIPAA identifier)", "Nombre de paciente en contexto clínico: dato de salud sensible (LGPD Art. 5 II)");
  const who = patient ? t(" de um paciente identificado", " of an identified patient", " de un paciente identificado") : t(" — confirme que é da clínica", " — confirm it belongs to the clinic", " — confirme que pertenece a la clínica");
  if (code == "pii.email") return t("Endereço de e-mail", "Email address", "Dirección de correo electrónico") + who;
  if (code == "pii.phone") return t("Número de telefone", "Phone number", "Número de teléfono") + who;
  if (code == "pii.cep") return t("CEP (código postal)", "Postal code (CEP)", "Código postal (CEP)") + who;
  return t("Endereço", "Street address", "Dirección") + who;
}

function suggestionFor(code: string, patient: bool): string {
  if (isPatientIdentifier(code) || patient) return t("Remova ou anonimize (ex.: \"paciente de 45 anos\") e registre o consentimento, se houver base legal", "Remove or anonymise (e.g. \"a 45-year-old patient\"); publish only with documented consent", "Elimine o anonimice (p. ej. \"paciente de 45 años\"); publique solo con consentimiento documentado");
  return t("Mantenha apenas contatos institucionais da clínica", "Keep only the clinic's institutional contact details", "Mantenga solo los contactos institucionales de la clínica");
}

export { textBuffer, outputBuffer, outputUnits } from "../sdk/index";

export function analyze(): i32 {
  const input = readInput(INPUT_CAP);
  if (input === null) return fail(inputError());
  locale = input.locale;
  const text = input.text;
  const sc = new Scanner(text);
  // Order matters only for overlaps: the more specific detector claims the span first.
  sc.emails();
  sc.birthdates();
  sc.rg();
  sc.numbers();
  sc.addresses();
  sc.patientNames();

  // Sentences that name a patient: contact data there is the patient's, not the clinic's.
  const sentences = splitSentences(text);
  const patientSentence = new Set<i32>();
  for (let i = 0; i < sc.hits.length; i++) {
    const h = sc.hits[i];
    if (h.code == "phi.patient_name") patientSentence.add(sentenceIndexAt(sentences, h.start));
  }

  const out = new Output(NAME, VERSION);
  const starts = new Array<i32>();
  const ends = new Array<i32>();
  const codes = new Map<string, i32>();
  for (let i = 0; i < sc.hits.length; i++) {
    const h = sc.hits[i];
    const inPatientSentence = !isPatientIdentifier(h.code) && patientSentence.has(sentenceIndexAt(sentences, h.start));
    const sev = isPatientIdentifier(h.code) || inPatientSentence ? SEVERITY_BLOCKING : SEVERITY_WARNING;
    out.add(new Finding(h.code, sev, messageFor(h.code, inPatientSentence), h.start, h.end)).withSuggestion(suggestionFor(h.code, inPatientSentence));
    starts.push(h.start);
    ends.push(h.end);
    codes.set(h.code, codes.has(h.code) ? codes.get(h.code) + 1 : 1);
  }
  out.sortFindings();
  // Penalties: 25 per patient identifier (blocking), 5 per contact item (warning).
  out.score = scoreFromFindingsLocal(out.findings);
  out.setString("redacted", maskSpans(text, starts, ends));
  const w = new JSONWriter();
  w.beginObject();
  const keys = codes.keys();
  keys.sort();
  for (let i = 0; i < keys.length; i++) { w.key(keys[i]); w.int(codes.get(keys[i])); }
  w.endObject();
  out.setRaw("counts", w.toString());
  return out.emit();
}

function scoreFromFindingsLocal(findings: Array<Finding>): i32 {
  let s = 100;
  for (let i = 0; i < findings.length && s > 0; i++) s -= findings[i].severity == SEVERITY_BLOCKING ? 25 : 5;
  return max(0, s);
}
