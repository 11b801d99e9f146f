// content-finalizer (pipeline stage 5, S.4-1.1-3): builds the artefacts published with a page —
// schema.org MedicalWebPage JSON-LD, a summary, a table of contents and the required disclaimers.
//
// CFM Resolução 2.336/2023 (medical publicity): every piece of medical content identifies the responsible
// physician by name, CRM number and UF (CRM numbers are per state, so a number alone identifies nobody);
// published medical content also shows when it was last medically reviewed. Hence `reviewedBy` with the
// CRM/UF as identifier, `lastReviewed`, and a disclaimer naming the physician.
import {
  readInput, inputError, fail, Output, Finding, JSONWriter, JSONValue,
  SEVERITY_BLOCKING, SEVERITY_WARNING, SEVERITY_INFO, fold, splitSentences, isSpace,
} from "../sdk/index";
import { Block, parseBlocks } from "../sdk/markdown";

const NAME = "content-finalizer";
const VERSION = "1.0.0";
const INPUT_CAP: i64 = 2097152;
const SUMMARY_TARGET = 300;
const MAX_TOC = 200;
const MAX_CITATIONS = 200;

const UFS: Array<string> = ["AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO"];

let locale = "pt-BR";

function t(pt: string, en: string, es: string): string {
  if (locale == "en") return en;
  if (locale == "es") return es;
  return pt;
}

function str(v: JSONValue | null, key: string): string {
  if (v === null) return "";
  const s = v.getString(key);
  return s === null ? "" : s.trim();
}

class Reviewer {
  name: string = "";
  crm: string = "";
  uf: string = "";
  rqe: string = "";
  valid(): bool {
    return this.name.length > 0 && this.crm.length > 0 && UFS.includes(this.uf);
  }
  /** "CRM/SP 123456" — the form CFM publicity rules and the CRMs' registries use. */
  registration(): string {
    return "CRM/" + this.uf + " " + this.crm;
  }
}

function readReviewer(ctx: JSONValue | null): Reviewer {
  const r = new Reviewer();
  if (ctx === null) return r;
  const v = ctx.get("reviewer");
  if (v === null || !v.isObject()) return r;
  r.name = str(v, "name");
  // Keep digits only: "123.456" and "123456" are the same registration.
  const crmRaw = v.get("crm");
  let crm = "";
  if (crmRaw !== null && crmRaw.isString()) crm = crmRaw.s;
  else if (crmRaw !== null && crmRaw.isNumber()) crm = (<i64>crmRaw.n).toString();
  const digits = new Array<string>();
  for (let i = 0; i < crm.length; i++) {
    const c = crm.charCodeAt(i);
    if (c >= 48 && c <= 57) digits.push(String.fromCharCode(c));
  }
  r.crm = digits.join("");
  r.uf = str(v, "uf").toUpperCase();
  r.rqe = str(v, "rqe");
  return r;
}

/** Heading text for display: inline Markdown emphasis/code markers removed. */
function plainHeading(s: string): string {
  const parts = new Array<string>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 42 || c == 95 || c == 96) continue; // * _ `
    parts.push(String.fromCharCode(c));
  }
  return parts.join("").trim();
}

/** URL fragment: folded, lowercase ASCII letters and digits joined by single hyphens. */
function anchorOf(text: string): string {
  const f = fold(text);
  const parts = new Array<string>();
  let pendingHyphen = false;
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    const keep = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (keep) {
      if (pendingHyphen && parts.length > 0) parts.push("-");
      pendingHyphen = false;
      parts.push(String.fromCharCode(c));
    } else {
      pendingHyphen = true;
    }
  }
  const a = parts.join("");
  return a.length == 0 ? "secao" : a.length > 80 ? a.substring(0, 80) : a;
}

function buildToc(text: string, blocks: Array<Block>, w: JSONWriter, headings: Array<string>): void {
  const used = new Map<string, i32>();
  w.beginArray();
  for (let i = 0; i < blocks.length && headings.length < MAX_TOC; i++) {
    const b = blocks[i];
    if (b.level == 0) continue;
    const label = plainHeading(text.substring(b.textStart, b.textEnd));
    if (label.length == 0) continue;
    const base = anchorOf(label);
    let anchor = base;
    if (used.has(base)) {
      let n = used.get(base) + 1;
      anchor = base + "-" + n.toString();
      while (used.has(anchor)) { n++; anchor = base + "-" + n.toString(); }
      used.set(base, n);
    }
    used.set(anchor, 1);
    headings.push(label);
    w.beginObject();
    w.key("level"); w.int(b.level);
    w.key("text"); w.str(label);
    w.key("anchor"); w.str(anchor);
    w.key("start"); w.int(b.start);
    w.key("end"); w.int(b.end);
    w.endObject();
  }
  w.endArray();
}

/** The first sentences of the body, up to about 300 characters, cut on a sentence boundary. */
function buildSummary(text: string, blocks: Array<Block>): string {
  const parts = new Array<string>();
  let length = 0;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    if (block.level != 0) continue;
    const para = text.substring(block.start, block.end);
    const sentences = splitSentences(para);
    for (let i = 0; i < sentences.length; i++) {
      let s = para.substring(sentences[i].start, sentences[i].end);
      s = collapseSpaces(s);
      const added = length == 0 ? s.length : length + 1 + s.length;
      if (added > SUMMARY_TARGET) {
        if (length == 0) return cutOnWord(s, SUMMARY_TARGET); // A first sentence longer than the target.
        return parts.join(" ");
      }
      parts.push(s);
      length = added;
    }
  }
  return parts.join(" ");
}

function collapseSpaces(s: string): string {
  const out = new Array<string>();
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = <i32>s.charCodeAt(i);
    if (isSpace(c)) { space = true; continue; }
    if (space && out.length > 0) out.push(" ");
    space = false;
    out.push(String.fromCharCode(c));
  }
  return out.join("");
}

function cutOnWord(s: string, max: i32): string {
  let end = max - 1;
  while (end > 0 && !isSpace(<i32>s.charCodeAt(end))) end--;
  if (end <= 0) end = max - 1;
  // Do not split a surrogate pair.
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.substring(0, end).trimEnd() + "…";
}

function isIsoDate(s: string): bool {
  if (s.length < 10) return false;
  for (let i = 0; i < 10; i++) {
    const c = s.charCodeAt(i);
    if (i == 4 || i == 7) { if (c != 45) return false; }
    else if (c < 48 || c > 57) return false;
  }
  return true;
}

function writeCitations(ctx: JSONValue | null, w: JSONWriter): i32 {
  let count = 0;
  const refs: JSONValue | null = ctx === null ? null : ctx!.get("references");
  w.beginArray();
  if (refs !== null && refs.isArray()) {
    for (let i = 0; i < refs.items.length && count < MAX_CITATIONS; i++) {
      const r = refs.items[i];
      if (!r.isObject()) continue;
      const res = r.get("resolution");
      // A reference the resolver could not find, or a retracted one, is not cited as support.
      if (res !== null && res.isObject() && (!res.getBool("found", true) || res.getBool("retracted", false))) continue;
      let id = str(r, "doi");
      let url = "";
      if (id.length > 0) url = "https://doi.org/" + id;
      if (id.length == 0) id = str(r, "id");
      if (id.length == 0) id = str(r, "pmid");
      if (id.length == 0) continue;
      const lower = id.toLowerCase();
      if (url.length == 0 && lower.startsWith("10.")) url = "https://doi.org/" + id;
      if (url.length == 0 && lower.startsWith("pmid:")) url = "https://pubmed.ncbi.nlm.nih.gov/" + id.substring(5).trim() + "/";
      // scientific-refs reports { type: "doi" | "pmid" | …, id } with bare identifiers.
      const kind = str(r, "type").toLowerCase();
      if (url.length == 0 && kind == "pmid") url = "https://pubmed.ncbi.nlm.nih.gov/" + id + "/";
      let title = str(r, "title");
      if (title.length == 0 && res !== null && res.isObject()) title = str(res, "title");
      w.beginObject();
      w.key("@type"); w.str("ScholarlyArticle");
      w.key("identifier"); w.str(id);
      if (title.length > 0) { w.key("name"); w.str(title); }
      if (url.length > 0) { w.key("url"); w.str(url); }
      w.endObject();
      count++;
    }
  }
  w.endArray();
  return count;
}

export { textBuffer, outputBuffer, outputUnits } from "../sdk/index";

export function analyze(): i32 {
  const input = readInput(INPUT_CAP);
  if (input === null) return fail(inputError());
  locale = input.locale;
  const ctx = input.context;
  const text = input.text;
  const out = new Output(NAME, VERSION);
  const blocks = parseBlocks(text);
  const title = input.title === null ? "" : input.title!.trim();
  const reviewer = readReviewer(ctx);
  const lastReviewed = str(ctx, "lastReviewed");
  const requiresReview = ctx !== null && ctx.getBool("requiresMedicalReview", false);

  if (title.length == 0) {
    out.add(new Finding("final.missing_title", SEVERITY_WARNING, t("Sem título: a página publicada e o JSON-LD ficam sem nome.", "No title: the published page and its JSON-LD have no name.", "Sin título: la página publicada y su JSON-LD quedan sin nombre.")))
      .withSuggestion(t("Defina o título antes de publicar.", "Set a title before publishing.", "Defina el título antes de publicar."));
  }
  if (!reviewer.valid()) {
    const sev = requiresReview ? SEVERITY_BLOCKING : SEVERITY_INFO;
    out.add(new Finding("final.missing_reviewer", sev,
      t("Falta o médico responsável com nome, CRM e UF (CFM 2.336/2023).", "The responsible physician's name, CRM and state (UF) are missing (CFM 2.336/2023).", "Falta el médico responsable con nombre, CRM y UF (CFM 2.336/2023).")))
      .withSuggestion(t("Atribua um revisor médico com CRM verificado e a UF do registro.", "Assign a medical reviewer with a verified CRM and its state.", "Asigne un revisor médico con CRM verificado y su UF."));
  } else if (!isIsoDate(lastReviewed)) {
    out.add(new Finding("final.missing_last_reviewed", SEVERITY_WARNING,
      t("Falta a data da última revisão médica (AAAA-MM-DD).", "The last medical review date (YYYY-MM-DD) is missing.", "Falta la fecha de la última revisión médica (AAAA-MM-DD).")));
  }

  // Table of contents first: its headings feed `about` when the caller gives none.
  const tocWriter = new JSONWriter();
  const headings = new Array<string>();
  buildToc(text, blocks, tocWriter, headings);
  const summary = buildSummary(text, blocks);

  const ld = new JSONWriter();
  ld.beginObject();
  ld.key("@context"); ld.str("https://schema.org");
  ld.key("@type"); ld.str("MedicalWebPage");
  if (title.length > 0) { ld.key("name"); ld.str(title); }
  ld.key("inLanguage"); ld.str(locale);
  if (summary.length > 0) { ld.key("description"); ld.str(summary); }
  if (isIsoDate(lastReviewed)) { ld.key("lastReviewed"); ld.str(lastReviewed.substring(0, 10)); }
  if (reviewer.valid()) {
    ld.key("reviewedBy");
    ld.beginObject();
    ld.key("@type"); ld.str("Physician");
    ld.key("name"); ld.str(reviewer.name);
    ld.key("identifier");
    ld.beginObject();
    ld.key("@type"); ld.str("PropertyValue");
    ld.key("propertyID"); ld.str("CRM/" + reviewer.uf);
    ld.key("value"); ld.str(reviewer.crm);
    ld.key("name"); ld.str(reviewer.registration());
    ld.endObject();
    ld.endObject();
  }
  ld.key("about");
  ld.beginArray();
  const about: JSONValue | null = ctx === null ? null : ctx!.get("about");
  if (about !== null && about.isString() && about.s.trim().length > 0) {
    aboutThing(ld, about.s.trim());
  } else if (about !== null && about.isArray() && about.items.length > 0) {
    for (let i = 0; i < about.items.length && i < 20; i++) if (about.items[i].isString()) aboutThing(ld, about.items[i].s.trim());
  } else {
    // No explicit subject: the H2-level headings (or the title) name what the page is about.
    let n = 0;
    for (let i = 0; i < headings.length && n < 10; i++) { aboutThing(ld, headings[i]); n++; }
    if (n == 0 && title.length > 0) aboutThing(ld, title);
  }
  ld.endArray();
  ld.key("medicalAudience");
  ld.beginObject();
  ld.key("@type"); ld.str("MedicalAudience");
  const audience = str(ctx, "audience");
  ld.key("audienceType"); ld.str(audience == "professional" || audience == "Clinician" ? "Clinician" : "Patient");
  ld.endObject();
  ld.key("citation");
  writeCitations(ctx, ld);
  ld.endObject();

  const disc = new JSONWriter();
  disc.beginArray();
  disc.beginObject();
  disc.key("code"); disc.str("informative");
  disc.key("text"); disc.str(t(
    "Este conteúdo tem caráter exclusivamente informativo e educativo e não substitui a consulta médica. Em caso de dúvida ou sintomas, procure um médico.",
    "This content is for information and education only and does not replace a consultation with a physician. If you have questions or symptoms, see a doctor.",
    "Este contenido es solo informativo y educativo y no sustituye la consulta médica. Ante dudas o síntomas, consulte a un médico."));
  disc.endObject();
  if (reviewer.valid()) {
    disc.beginObject();
    disc.key("code"); disc.str("responsible_physician");
    const rqe = reviewer.rqe.length > 0 ? " — RQE " + reviewer.rqe : "";
    const date = isIsoDate(lastReviewed) ? lastReviewed.substring(0, 10) : "";
    disc.key("text"); disc.str(t(
      "Médico responsável: " + reviewer.name + " — " + reviewer.registration() + rqe + "." + (date.length > 0 ? " Última revisão médica: " + date + "." : ""),
      "Responsible physician: " + reviewer.name + " — " + reviewer.registration() + rqe + "." + (date.length > 0 ? " Last medically reviewed: " + date + "." : ""),
      "Médico responsable: " + reviewer.name + " — " + reviewer.registration() + rqe + "." + (date.length > 0 ? " Última revisión médica: " + date + "." : "")));
    disc.endObject();
  }
  disc.endArray();

  out.sortFindings();
  let score = 100;
  for (let i = 0; i < out.findings.length; i++) {
    const s = out.findings[i].severity;
    score -= s == SEVERITY_BLOCKING ? 50 : s == SEVERITY_WARNING ? 15 : 5;
  }
  out.score = max(0, score);
  out.setRaw("jsonLd", ld.toString());
  out.setString("summary", summary);
  out.setRaw("toc", tocWriter.toString());
  out.setRaw("disclaimers", disc.toString());
  return out.emit();
}

function aboutThing(w: JSONWriter, name: string): void {
  if (name.length == 0) return;
  w.beginObject();
  w.key("@type"); w.str("Thing");
  w.key("name"); w.str(name);
  w.endObject();
}
