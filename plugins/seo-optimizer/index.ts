// seo-optimizer (pipeline stage 4, S.3-2): title and meta description lengths, slug, heading structure,
// sentence and paragraph length, readability and keyword use. Returns a score and concrete suggestions.
//
// Readability formulas (scores on a 0–100 scale; higher is easier):
// - pt-BR: Flesch adapted to Portuguese by Martins, Ghiraldelo, Nunes & Oliveira Jr. (1996), "Readability
//   formulas applied to textbooks in Brazilian Portuguese", ICMSC-USP Notas do ICMSC 28:
//   248.835 − 1.015 × words/sentence − 84.6 × syllables/word.
// - en: Flesch (1948) Reading Ease: 206.835 − 1.015 × words/sentence − 84.6 × syllables/word.
// - es: Fernández Huerta (1959), "Medidas sencillas de lecturabilidad", Consigna 214, as corrected by
//   Law (2011): 206.84 − 0.60 × P − 1.02 × F, P = syllables per 100 words, F = sentences per 100 words.
import {
  readInput, inputError, fail, Output, Finding, JSONWriter, JSONValue,
  SEVERITY_INFO, SEVERITY_WARNING, fold, findWord, tokenize, splitSentences, isLetter, Span, scoreFromFindings,
} from "../sdk/index";
import { Block, parseBlocks } from "../sdk/markdown";
import { syllablesEnglish, syllablesRomance } from "./syllables";

const NAME = "seo-optimizer";
const VERSION = "1.0.0";
const INPUT_CAP: i64 = 2097152;

// Limits (common editorial guidance: Google truncates titles near 60 characters and snippets near 160).
const TITLE_MIN = 30;
const TITLE_MAX = 60;
const DESC_MIN = 70;
const DESC_MAX = 160;
const SLUG_MAX = 75;
const PARAGRAPH_MAX_WORDS = 150;
const READABILITY_MIN = 50.0; // below 50 is "difficult" on both Flesch scales
const DENSITY_MIN = 0.5;
const DENSITY_MAX = 2.5;
const DENSITY_MIN_WORDS = 100;
// Long text would otherwise produce thousands of findings; the first ones make the point.
const MAX_PER_CODE = 25;

let locale = "pt-BR";

/** Picks the message for the content's locale. */
function t(pt: string, en: string, es: string): string {
  if (locale == "en") return en;
  if (locale == "es") return es;
  return pt;
}

function sentenceMax(): i32 {
  // Portuguese and Spanish sentences run longer than English ones for the same content.
  return locale == "en" ? 20 : 25;
}

const STOP_PT: Array<string> = ["a", "o", "as", "os", "um", "uma", "uns", "umas", "de", "da", "do", "das", "dos", "e", "em", "na", "no", "nas", "nos", "para", "por", "com", "que", "se", "ao", "aos", "pela", "pelo"];
const STOP_EN: Array<string> = ["a", "an", "the", "of", "and", "or", "to", "in", "on", "for", "with", "at", "by", "from", "is", "are"];
const STOP_ES: Array<string> = ["el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "y", "e", "o", "en", "para", "por", "con", "que", "se", "al"];

function isStopWord(w: string): bool {
  const list = locale == "en" ? STOP_EN : locale == "es" ? STOP_ES : STOP_PT;
  return list.includes(w);
}

/** A string field of the context, or "" when the context, the field or its string value is missing. */
function ctxStr(ctx: JSONValue | null, key: string): string {
  if (ctx === null) return "";
  const v = ctx.getString(key);
  return v === null ? "" : v;
}

function str(n: i32): string {
  return n.toString();
}

function round1(x: f64): f64 {
  return Math.round(x * 10.0) / 10.0;
}

function fmt1(x: f64): string {
  const r = round1(x);
  const whole = <i64>Math.floor(Math.abs(r));
  const tenth = <i64>Math.round((Math.abs(r) - <f64>whole) * 10.0);
  return (r < 0 ? "-" : "") + whole.toString() + "." + tenth.toString();
}

function wordsIn(s: string, start: i32, end: i32): i32 {
  let n = 0;
  let inWord = false;
  for (let i = start; i < end; i++) {
    const c = <i32>s.charCodeAt(i);
    const w = isLetter(c) || (c >= 48 && c <= 57);
    if (w && !inWord) n++;
    inWord = w;
  }
  return n;
}

/** A slug from free text: folded, lowercase ASCII, hyphen-separated, stop words dropped, ≤ 75 chars. */
export function slugify(text: string): string {
  const folded = fold(text);
  const words = new Array<string>();
  const spans = tokenize(folded);
  for (let i = 0; i < spans.length; i++) {
    const raw = folded.substring(spans[i].start, spans[i].end);
    const parts = new Array<string>();
    for (let j = 0; j < raw.length; j++) {
      const c = <i32>raw.charCodeAt(j);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) parts.push(String.fromCharCode(c));
    }
    const w = parts.join("");
    if (w.length == 0 || isStopWord(w)) continue;
    words.push(w);
  }
  let out = "";
  for (let i = 0; i < words.length; i++) {
    const next = out.length == 0 ? words[i] : out + "-" + words[i];
    if (next.length > SLUG_MAX) break;
    out = next;
  }
  return out;
}

function checkTitle(out: Output, title: string | null): void {
  if (title === null || title.trim().length == 0) {
    out.add(new Finding("seo.title_length", SEVERITY_WARNING, t("O conteúdo não tem título.", "The content has no title.", "El contenido no tiene título.")))
      .withSuggestion(t("Escreva um título de 30 a 60 caracteres com a palavra-chave principal.", "Write a 30–60 character title that contains the main keyword.", "Escriba un título de 30 a 60 caracteres con la palabra clave principal."));
    return;
  }
  const n = title.trim().length;
  if (n < TITLE_MIN) {
    out.add(new Finding("seo.title_length", SEVERITY_WARNING, t("Título curto: ", "Short title: ", "Título corto: ") + str(n) + t(" caracteres (mínimo 30).", " characters (minimum 30).", " caracteres (mínimo 30).")))
      .withSuggestion(t("Acrescente ", "Add ", "Añada ") + str(TITLE_MIN - n) + t(" caracteres ou mais: o tema, o público ou o benefício (sem prometer resultados).", " or more characters: the topic, the audience or the benefit (without promising results).", " caracteres o más: el tema, el público o el beneficio (sin prometer resultados)."));
  } else if (n > TITLE_MAX) {
    out.add(new Finding("seo.title_length", SEVERITY_WARNING, t("Título longo: ", "Long title: ", "Título largo: ") + str(n) + t(" caracteres (máximo 60); os buscadores cortam o excedente.", " characters (maximum 60); search engines cut the rest.", " caracteres (máximo 60); los buscadores cortan el resto.")))
      .withSuggestion(t("Remova ", "Remove ", "Quite ") + str(n - TITLE_MAX) + t(" caracteres, mantendo a palavra-chave no início.", " characters, keeping the keyword near the start.", " caracteres, manteniendo la palabra clave al principio."));
  }
}

function checkDescription(out: Output, ctx: JSONValue | null, text: string, sentences: Array<Span>): void {
  const d = ctxStr(ctx, "description");
  if (d.trim().length == 0) {
    let proposal = "";
    for (let i = 0; i < sentences.length && proposal.length < DESC_MIN; i++) {
      const s = text.substring(sentences[i].start, sentences[i].end);
      if (s.startsWith("#")) continue;
      const next = proposal.length == 0 ? s : proposal + " " + s;
      if (next.length > DESC_MAX) break;
      proposal = next;
    }
    const f = out.add(new Finding("seo.meta_description", SEVERITY_WARNING, t("Falta a meta descrição.", "The meta description is missing.", "Falta la meta descripción.")));
    f.withSuggestion(proposal.length >= DESC_MIN
      ? t("Sugestão: ", "Suggestion: ", "Sugerencia: ") + proposal
      : t("Escreva de 70 a 160 caracteres que resumam a página.", "Write 70–160 characters that summarise the page.", "Escriba de 70 a 160 caracteres que resuman la página."));
    return;
  }
  const n = d.trim().length;
  if (n < DESC_MIN) {
    out.add(new Finding("seo.meta_description", SEVERITY_WARNING, t("Meta descrição curta: ", "Short meta description: ", "Meta descripción corta: ") + str(n) + t(" caracteres (mínimo 70).", " characters (minimum 70).", " caracteres (mínimo 70).")))
      .withSuggestion(t("Acrescente pelo menos ", "Add at least ", "Añada al menos ") + str(DESC_MIN - n) + t(" caracteres explicando o que o leitor encontrará.", " characters explaining what the reader will find.", " caracteres explicando lo que el lector encontrará."));
  } else if (n > DESC_MAX) {
    out.add(new Finding("seo.meta_description", SEVERITY_WARNING, t("Meta descrição longa: ", "Long meta description: ", "Meta descripción larga: ") + str(n) + t(" caracteres (máximo 160).", " characters (maximum 160).", " caracteres (máximo 160).")))
      .withSuggestion(t("Corte ", "Cut ", "Recorte ") + str(n - DESC_MAX) + t(" caracteres; o excedente não aparece nos resultados de busca.", " characters; the rest is not shown in search results.", " caracteres; el resto no aparece en los resultados de búsqueda."));
  }
}

function checkSlug(out: Output, ctx: JSONValue | null, title: string | null): void {
  const slug = ctxStr(ctx, "slug");
  if (slug.length == 0) return; // No slug yet: the CMS derives one on publish.
  const problems = new Array<string>();
  if (slug.length > SLUG_MAX) problems.push(t("mais de 75 caracteres", "longer than 75 characters", "más de 75 caracteres"));
  let badChar = false;
  let accent = false;
  let upper = false;
  for (let i = 0; i < slug.length; i++) {
    const c = <i32>slug.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 0xc0 && c <= 0x24f) accent = true;
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45)) badChar = true;
  }
  if (upper) problems.push(t("letras maiúsculas", "uppercase letters", "mayúsculas"));
  if (accent) problems.push(t("acentos", "accented letters", "acentos"));
  if (badChar) problems.push(t("caracteres além de letras, números e hífens", "characters other than letters, digits and hyphens", "caracteres distintos de letras, números y guiones"));
  if (slug.startsWith("-") || slug.endsWith("-") || slug.includes("--")) problems.push(t("hífens sobrando", "stray hyphens", "guiones sobrantes"));
  const parts = slug.toLowerCase().split("-");
  for (let i = 0; i < parts.length; i++) {
    if (isStopWord(fold(parts[i]))) {
      problems.push(t("palavra vazia \"", "stop word \"", "palabra vacía \"") + parts[i] + "\"");
      break;
    }
  }
  if (problems.length == 0) return;
  let proposal = slugify(slug.replaceAll("-", " "));
  if (proposal.length == 0 && title !== null) proposal = slugify(title);
  const f = out.add(new Finding("seo.slug", SEVERITY_WARNING, t("Slug a corrigir: ", "Slug needs fixing: ", "Slug a corregir: ") + problems.join(", ") + "."));
  if (proposal.length > 0) f.withSuggestion(t("Use \"", "Use \"", "Use \"") + proposal + "\".");
}

function checkHeadings(out: Output, text: string, blocks: Array<Block>, title: string | null): void {
  const hasTitle = title !== null && title.trim().length > 0;
  const foldedTitle = hasTitle ? fold(title!.trim()) : "";
  let h1 = 0;
  // When the page title is rendered as the H1, body headings start at level 2.
  let prev = hasTitle ? 1 : 0;
  let reported = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.level == 0) continue;
    const headingText = text.substring(b.textStart, b.textEnd);
    if (b.level == 1) {
      h1++;
      const sameAsTitle = hasTitle && fold(headingText.trim()) == foldedTitle;
      if ((hasTitle && !sameAsTitle) || h1 > 1) {
        if (reported++ < MAX_PER_CODE) {
          out.add(new Finding("seo.heading_order", SEVERITY_WARNING,
            hasTitle && h1 == 1
              ? t("O título da página já é o H1; este \"# \" cria um segundo H1.", "The page title is already the H1; this \"# \" adds a second one.", "El título de la página ya es el H1; este \"# \" crea un segundo H1.")
              : t("Mais de um H1 no texto.", "More than one H1 in the text.", "Más de un H1 en el texto."),
            b.start, b.end)).withSuggestion(t("Troque por \"## ", "Change it to \"## ", "Cámbielo por \"## ") + headingText + "\".");
        }
      }
      prev = 1;
      continue;
    }
    if (b.level > prev + 1) {
      if (reported++ < MAX_PER_CODE) {
        const want = prev + 1;
        out.add(new Finding("seo.heading_order", SEVERITY_WARNING,
          t("Nível de título pulado: H", "Skipped heading level: H", "Nivel de título omitido: H") + str(b.level) + t(" depois de H", " after H", " después de H") + str(prev) + ".",
          b.start, b.end)).withSuggestion(t("Use \"", "Use \"", "Use \"") + "#".repeat(want) + " " + headingText + "\".");
      }
      prev = want(prev);
      continue;
    }
    prev = b.level;
  }
  if (!hasTitle && h1 == 0) {
    out.add(new Finding("seo.heading_order", SEVERITY_WARNING, t("Sem título nem H1.", "No title and no H1.", "Sin título ni H1.")))
      .withSuggestion(t("Dê um título à página ou comece o texto com \"# \".", "Give the page a title or start the text with \"# \".", "Dé un título a la página o empiece el texto con \"# \"."));
  }
}

// A skipped level is reported once; the next headings are judged against the level it should have had.
@inline function want(prev: i32): i32 {
  return prev + 1;
}

class Counts {
  words: i32 = 0;
  sentences: i32 = 0;
  syllables: i32 = 0;
}

function syllables(text: string, start: i32, end: i32): i32 {
  return locale == "en" ? syllablesEnglish(text, start, end) : syllablesRomance(text, start, end);
}

/** Sentence and paragraph checks, and the counts for the readability formula, over paragraph blocks. */
function checkBody(out: Output, text: string, blocks: Array<Block>): Counts {
  const counts = new Counts();
  let longSentences = 0;
  let longParagraphs = 0;
  const limit = sentenceMax();
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    if (block.level != 0) continue;
    const para = text.substring(block.start, block.end);
    const paraWords = wordsIn(text, block.start, block.end);
    if (paraWords > PARAGRAPH_MAX_WORDS && longParagraphs++ < MAX_PER_CODE) {
      out.add(new Finding("seo.long_paragraph", SEVERITY_INFO,
        t("Parágrafo com ", "Paragraph of ", "Párrafo de ") + str(paraWords) + t(" palavras (máximo recomendado: 150).", " words (recommended maximum: 150).", " palabras (máximo recomendado: 150)."),
        block.start, block.end)).withSuggestion(t("Divida em parágrafos de uma ideia cada.", "Split it into paragraphs of one idea each.", "Divídalo en párrafos de una idea cada uno."));
    }
    const sentences = splitSentences(para);
    for (let i = 0; i < sentences.length; i++) {
      const st = block.start + sentences[i].start;
      const en = block.start + sentences[i].end;
      const tokens = tokenize(text.substring(st, en));
      let words = 0;
      for (let k = 0; k < tokens.length; k++) {
        const ts = st + tokens[k].start;
        const te = st + tokens[k].end;
        // Pure numbers count as words ("2025", "10") with one syllable per digit group; they are read aloud.
        words++;
        counts.syllables += syllables(text, ts, te);
      }
      if (words == 0) continue;
      counts.words += words;
      counts.sentences++;
      if (words > limit && longSentences++ < MAX_PER_CODE) {
        out.add(new Finding("seo.long_sentence", SEVERITY_INFO,
          t("Frase com ", "Sentence of ", "Frase de ") + str(words) + t(" palavras (recomendado: até ", " words (recommended: up to ", " palabras (recomendado: hasta ") + str(limit) + ").",
          st, en)).withSuggestion(t("Divida a frase em duas, com um verbo principal cada.", "Split it into two sentences with one main verb each.", "Divídala en dos frases con un verbo principal cada una."));
      }
    }
  }
  return counts;
}

function readabilityScore(c: Counts): f64 {
  if (c.words == 0 || c.sentences == 0) return 0.0;
  const wps = <f64>c.words / <f64>c.sentences;
  const spw = <f64>c.syllables / <f64>c.words;
  if (locale == "en") return 206.835 - 1.015 * wps - 84.6 * spw;
  if (locale == "es") return 206.84 - 0.6 * (100.0 * spw) - 1.02 * (100.0 * <f64>c.sentences / <f64>c.words);
  return 248.835 - 1.015 * wps - 84.6 * spw;
}

function formulaName(): string {
  if (locale == "en") return "flesch-reading-ease";
  if (locale == "es") return "fernandez-huerta";
  return "flesch-martins-1996";
}

function checkKeyword(out: Output, ctx: JSONValue | null, text: string, title: string | null, blocks: Array<Block>, totalWords: i32): void {
  const kw = ctxStr(ctx, "keyword");
  if (kw.trim().length == 0) return;
  const needle = fold(kw.trim());
  const folded = fold(text);
  if (title === null || findWord(fold(title), needle, 0) < 0) {
    out.add(new Finding("seo.keyword_missing", SEVERITY_WARNING, t("A palavra-chave \"", "The keyword \"", "La palabra clave \"") + kw.trim() + t("\" não está no título.", "\" is not in the title.", "\" no está en el título.")))
      .withSuggestion(t("Inclua \"", "Include \"", "Incluya \"") + kw.trim() + t("\" no título, de preferência no início.", "\" in the title, preferably near the start.", "\" en el título, preferiblemente al principio."));
  }
  let first: Block | null = null;
  for (let i = 0; i < blocks.length; i++) if (blocks[i].level == 0) { first = blocks[i]; break; }
  if (first !== null) {
    const at = findWord(folded, needle, first.start);
    if (at < 0 || at + needle.length > first.end) {
      out.add(new Finding("seo.keyword_missing", SEVERITY_WARNING, t("A palavra-chave não aparece no primeiro parágrafo.", "The keyword does not appear in the first paragraph.", "La palabra clave no aparece en el primer párrafo."), first.start, first.end))
        .withSuggestion(t("Mencione \"", "Mention \"", "Mencione \"") + kw.trim() + t("\" logo nas primeiras frases.", "\" in the opening sentences.", "\" en las primeras frases."));
    }
  }
  // Density says little about a short text (one mention of a two-word keyword in 80 words is 2.5%);
  // like the common editorial tools, judge it only from 100 words on.
  if (totalWords < DENSITY_MIN_WORDS) return;
  let occurrences = 0;
  let from = 0;
  while (true) {
    const at = findWord(folded, needle, from);
    if (at < 0) break;
    occurrences++;
    from = at + needle.length;
  }
  const kwWords = wordsIn(needle, 0, needle.length);
  const density = 100.0 * <f64>(occurrences * max(1, kwWords)) / <f64>totalWords;
  if (density < DENSITY_MIN || density > DENSITY_MAX) {
    const target = <i32>Math.ceil(DENSITY_MIN * <f64>totalWords / 100.0 / <f64>max(1, kwWords));
    const ceiling = <i32>Math.floor(DENSITY_MAX * <f64>totalWords / 100.0 / <f64>max(1, kwWords));
    out.add(new Finding("seo.keyword_density", SEVERITY_WARNING,
      t("Densidade da palavra-chave: ", "Keyword density: ", "Densidad de la palabra clave: ") + fmt1(density) + t("% (ideal: 0,5–2,5%).", "% (target: 0.5–2.5%).", "% (ideal: 0,5–2,5%)."),
    )).withSuggestion(density < DENSITY_MIN
      ? t("Use \"", "Use \"", "Use \"") + kw.trim() + t("\" pelo menos ", "\" at least ", "\" al menos ") + str(max(1, target)) + t(" vezes, com naturalidade.", " times, naturally.", " veces, con naturalidad.")
      : t("Reduza para no máximo ", "Reduce it to at most ", "Redúzcala a un máximo de ") + str(max(1, ceiling)) + t(" ocorrências; use sinônimos.", " occurrences; use synonyms.", " apariciones; use sinónimos."));
  }
}

export { textBuffer, outputBuffer, outputUnits } from "../sdk/index";

export function analyze(): i32 {
  const input = readInput(INPUT_CAP);
  if (input === null) return fail(inputError());
  locale = input.locale;
  const out = new Output(NAME, VERSION);
  const text = input.text;
  const ctx = input.context;
  const blocks = parseBlocks(text);

  checkTitle(out, input.title);
  checkDescription(out, ctx, text, splitFirstSentences(text, blocks));
  checkSlug(out, ctx, input.title);
  checkHeadings(out, text, blocks, input.title);
  const counts = checkBody(out, text, blocks);

  const raw = readabilityScore(counts);
  const score = raw < 0.0 ? 0.0 : raw > 100.0 ? 100.0 : raw;
  if (counts.words > 0 && score < READABILITY_MIN) {
    const wps = <f64>counts.words / <f64>counts.sentences;
    const spw = <f64>counts.syllables / <f64>counts.words;
    out.add(new Finding("seo.readability", SEVERITY_WARNING,
      t("Leitura difícil: índice ", "Hard to read: score ", "Lectura difícil: índice ") + fmt1(score) + t(" (meta: 50 ou mais).", " (target: 50 or more).", " (meta: 50 o más)."),
    )).withSuggestion(
      t("Média de ", "Average ", "Promedio de ") + fmt1(wps) + t(" palavras por frase e ", " words per sentence and ", " palabras por frase y ") + fmt1(spw) +
      t(" sílabas por palavra: encurte as frases e troque termos técnicos por palavras comuns (explique o termo na primeira vez).",
        " syllables per word: shorten sentences and replace technical terms with common words (explain a term the first time).",
        " sílabas por palabra: acorte las frases y cambie términos técnicos por palabras comunes (explique el término la primera vez)."));
  }

  checkKeyword(out, ctx, text, input.title, blocks, counts.words);

  out.sortFindings();
  out.score = scoreFromFindings(out.findings, 25, 8, 2);
  const w = new JSONWriter();
  w.beginObject();
  w.key("formula"); w.str(formulaName());
  w.key("score"); w.num(round1(score));
  w.key("words"); w.int(counts.words);
  w.key("sentences"); w.int(counts.sentences);
  w.key("syllables"); w.int(counts.syllables);
  w.endObject();
  out.setRaw("readability", w.toString());
  return out.emit();
}

/** Sentences of the paragraphs only (headings excluded), with offsets into the whole text. */
function splitFirstSentences(text: string, blocks: Array<Block>): Array<Span> {
  const out = new Array<Span>();
  for (let b = 0; b < blocks.length && out.length < 6; b++) {
    const block = blocks[b];
    if (block.level != 0) continue;
    const ss = splitSentences(text.substring(block.start, block.end));
    for (let i = 0; i < ss.length && out.length < 6; i++) out.push(new Span(block.start + ss[i].start, block.start + ss[i].end));
  }
  return out;
}
