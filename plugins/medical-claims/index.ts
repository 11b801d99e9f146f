// medical-claims (pipeline stage 2, S.1.2): advertising claims forbidden to physicians and clinics.
//
// Rules encoded (pt, en, es):
//  - CFM Resolução 2.336/2023 (medical publicity; replaced 1.974/2011, in force March 2024): no
//    guaranteeing or promising results, no sensationalism or self-promotion ("the best", "the only"),
//    no methods presented as miraculous/exclusive or without scientific backing, no hiding risks,
//    no publicity as prize or bait. Before-and-after images are allowed since 2023 under conditions
//    (educational purpose, consent, no manipulation, no promise) → a warning that needs context.
//  - ANVISA RDC 96/2008: prescription-only medicines may not be advertised to the general public;
//    products must be registered before they are promoted.
//
// Negation: a claim is not a finding when a negation cue ("não", "not", "no", "nunca", "sem"…)
// stands up to four words before it in the same clause, or inside the matched phrase's gap
// ("results are not guaranteed"). "não prometemos cura" and "we do not guarantee results" pass.
//
// Output: {"plugin","version","score","findings":[{…,"suggestion"}],"claims":{code:n}}
// Findings in the title (if given) have no offsets and a message starting "Título:"/"Title:".

import {
  readInput, inputError, fail, Output, Finding, JSONWriter, JSONValue,
  SEVERITY_BLOCKING, SEVERITY_WARNING,
  fold, tokenize, Span, isDigit, isWordChar, codeAt, PhraseSet, phraseTablesJSON, writeOutput,
} from "../sdk/index";
// The lead automaton, compiled at build time (scripts/build-plugins.mjs); see plugins/sdk/phrases.ts.
import { PHRASE_TABLES } from "../build/phrases/medical-claims";

const NAME = "medical-claims";
const VERSION = "1.1.0";
const INPUT_CAP: i64 = 2 * 1024 * 1024;

// Pattern syntax (folded text: lowercase, no accents), tokens separated by spaces:
//   word       exact token          word~   token starting with "word"
//   a|b~|c     alternatives         *       any one token
//   **         gap of 0–3 tokens (not across a sentence end)
//   ?a|b~      an optional token (matched when present)
// Each line: "code|lang|pattern".
const TABLE: Array<string> = [
  // Guarantee / promise of results (CFM 2.336/2023: vedado garantir ou prometer resultados).
  "claim.guarantee|pt|garant~ ** resultado~|sucesso|eficacia|melhora~|beneficio~",
  "claim.guarantee|pt|resultado~|sucesso|eficacia|melhora ** garantid~|assegurad~",
  "claim.guarantee|pt|prometemos|prometo|promete",
  "claim.guarantee|pt|promessa ** resultado~",
  "claim.guarantee|pt|resultado~ imediato~|definitivo~|permanente~|certo~",
  "claim.guarantee|pt|asseguramos|garantimos",
  "claim.guarantee|en|guarantee~ ** result~|success|outcome~|improvement~|efficacy",
  "claim.guarantee|en|result~|success|outcome~ ** guaranteed|assured",
  "claim.guarantee|en|we promise",
  "claim.guarantee|en|promise~ ** result~",
  "claim.guarantee|en|instant|immediate|permanent|definitive result~",
  "claim.guarantee|en|money back guarantee",
  "claim.guarantee|es|garantiza~ ** resultado~|exito|eficacia|mejoria",
  "claim.guarantee|es|garantia de resultado~|exito",
  "claim.guarantee|es|resultado~|exito ** garantizad~|asegurad~",
  "claim.guarantee|es|resultado~ inmediato~|definitivo~|permanente~",
  // Cure promises.
  "claim.cure|pt|cura|curas definitiva~|garantida~|total|completa|rapida|certa|permanente",
  "claim.cure|pt|curamos",
  "claim.cure|pt|curar definitivamente",
  "claim.cure|pt|cura ** para sempre",
  "claim.cure|pt|livre|livra|elimin~|acab~ ** para sempre",
  "claim.cure|en|permanent|complete|guaranteed|total|definitive cure",
  "claim.cure|en|we|will cure",
  "claim.cure|en|cures|cure your",
  "claim.cure|en|cure~ ** for good",
  "claim.cure|en|eliminate~ ** forever",
  "claim.cure|en|get rid ** forever",
  "claim.cure|es|cura|curacion definitiva|garantizada|total|completa|rapida",
  "claim.cure|es|curamos",
  "claim.cure|es|curar definitivamente",
  "claim.cure|es|cura ** para siempre",
  // Absolute claims in words ("100%" is detected separately).
  "claim.absolute|pt|cem|100 por cento",
  "claim.absolute|en|one hundred percent",
  "claim.absolute|en|100 percent",
  "claim.absolute|es|cien|100 por ciento",
  // No risk / hiding risks.
  "claim.no_risk|pt|sem|zero risco~",
  "claim.no_risk|pt|risco zero",
  "claim.no_risk|pt|livre|isento|isenta|livres de risco~",
  "claim.no_risk|pt|sem efeito~ colatera~",
  "claim.no_risk|pt|sem contraindicac~",
  "claim.no_risk|pt|totalmente|completamente|absolutamente seguro~|segura~|inofensiv~",
  "claim.no_risk|en|no|zero|without risk~",
  "claim.no_risk|en|risk free",
  "claim.no_risk|en|no|without side effect~",
  "claim.no_risk|en|completely|totally|absolutely|perfectly safe|harmless",
  "claim.no_risk|es|sin|cero riesgo~",
  "claim.no_risk|es|riesgo cero",
  "claim.no_risk|es|libre de riesgo~",
  "claim.no_risk|es|sin efecto~ secundario~|colateral~",
  "claim.no_risk|es|totalmente|completamente|absolutamente seguro~|segura~|inofensiv~",
  // Absolute safety in negative form (CFM 2.336/2023: exaggerating benefits or hiding risks): "nenhum efeito
  // colateral", "não causa qualquer reação adversa", "zero complicações", "no side effects at all",
  // "doesn't carry any risk", "ningún efecto secundario", "no presenta ningún riesgo". The side effect,
  // reaction, risk, contraindication or complication is named right after the negation (optional "tipo de").
  "claim.no_risk|pt|nenhum|nenhuma ?tipo|especie ?de efeito~|reacao~|reacoes|evento~ colatera~|advers~|indesejad~|secundari~",
  "claim.no_risk|pt|nenhum|nenhuma ?tipo|especie ?de risco~|contraindicac~|complicac~|perigo~|sequela~",
  "claim.no_risk|pt|nao causa|causam|provoca|provocam|tem|ha|existe|existem|apresenta|apresentam|oferece|oferecem|traz|trazem|possui|possuem ?nenhum|nenhuma|qualquer|quaisquer ?tipo ?de efeito~|reacao~|reacoes|evento~ colatera~|advers~|indesejad~|secundari~",
  "claim.no_risk|pt|nao causa|causam|provoca|provocam|tem|ha|existe|existem|apresenta|apresentam|oferece|oferecem|traz|trazem|possui|possuem ?nenhum|nenhuma|qualquer|quaisquer ?tipo ?de risco~|contraindicac~|complicac~|perigo~|sequela~",
  "claim.no_risk|pt|zero efeito~|reacao~|reacoes|evento~ colatera~|advers~|secundari~",
  "claim.no_risk|pt|zero complicac~|contraindicac~|perigo~",
  "claim.no_risk|pt|livre|livres|isento|isenta|isentos|isentas de efeito~|reacao~|reacoes|evento~ colatera~|advers~|secundari~",
  "claim.no_risk|pt|livre|livres|isento|isenta|isentos|isentas de contraindicac~|complicac~",
  "claim.no_risk|en|no|zero|without ?known|serious|harmful|unwanted|negative side|adverse effect~|reaction~|event~",
  "claim.no_risk|en|no|zero|without ?known|serious ?health risk~|complication~|contraindication~|danger~",
  "claim.no_risk|en|not|never|t cause|causes|have|has|carry|carries|pose|poses|produce|produces|involve|involves|present|presents ?any ?known|serious side|adverse effect~|reaction~|event~",
  "claim.no_risk|en|not|never|t cause|causes|have|has|carry|carries|pose|poses|produce|produces|involve|involves|present|presents ?any ?known|serious risk~|complication~|contraindication~|danger~",
  "claim.no_risk|en|free of|from ?all|any side|adverse effect~",
  "claim.no_risk|en|free of|from ?all|any risk~|complication~",
  "claim.no_risk|en|side effect free",
  "claim.no_risk|en|not|t risky|harmful|dangerous|unsafe|toxic at all",
  "claim.no_risk|es|ningun|ninguna|ningunos|ningunas ?tipo ?de efecto~|reaccion~|reacciones|evento~ secundario~|colateral~|colaterales|advers~|indesead~",
  "claim.no_risk|es|ningun|ninguna|ningunos|ningunas ?tipo ?de riesgo~|contraindicacion~|contraindicaciones|complicacion~|complicaciones|peligro~|secuela~",
  "claim.no_risk|es|no causa|causan|provoca|provocan|tiene|tienen|hay|existe|existen|presenta|presentan|produce|producen|conlleva|conllevan ?ningun|ninguna|ningunos|ningunas ?tipo ?de efecto~|reaccion~|reacciones|evento~ secundario~|colateral~|colaterales|advers~|indesead~",
  "claim.no_risk|es|no causa|causan|provoca|provocan|tiene|tienen|hay|existe|existen|presenta|presentan|produce|producen|conlleva|conllevan ?ningun|ninguna|ningunos|ningunas ?tipo ?de riesgo~|contraindicacion~|contraindicaciones|complicacion~|complicaciones|peligro~|secuela~",
  "claim.no_risk|es|cero efecto~|reaccion~|reacciones secundario~|colateral~|colaterales|advers~",
  "claim.no_risk|es|cero complicacion~|complicaciones|contraindicacion~|contraindicaciones",
  "claim.no_risk|es|libre|libres de efecto~ secundario~|colateral~|colaterales|advers~",
  // Quick results with no figures: "emagreça rápido", "lose weight fast", "adelgace rápidamente".
  "claim.quick_result|pt|emagreca|emagrecam ?muito|bem rapid~|rapidamente|depressa|ja",
  "claim.quick_result|pt|perca|percam|elimine|eliminem|queime|queimem|seque|sequem peso|gordura|barriga|quilos|medidas ?muito|bem rapid~|rapidamente|depressa|ja",
  "claim.quick_result|pt|emagrecimento|emagrecer relampago|express|instantane~|imediato",
  "claim.quick_result|en|lose|drop|shed|burn weight|fat|pounds|inches fast|quickly|rapidly|overnight|instantly",
  "claim.quick_result|en|instant|overnight weight|fat loss",
  "claim.quick_result|es|adelgace|adelgaza|adelgacen|baje|baja|bajen|pierda|pierde|pierdan|elimine|elimina|queme|quema ?de peso|grasa|kilos|tallas ?muy rapid~|rapidamente|ya|ahora",
  "claim.quick_result|es|adelgace|adelgaza|adelgacen ?muy rapid~|rapidamente|ya",
  "claim.quick_result|es|adelgazamiento|adelgazar express|instantaneo|inmediato|relampago",
  // Miracle / secret methods.
  "claim.miracle|pt|milagr~",
  "claim.miracle|pt|formula|metodo|segredo|tratamento secret~|magic~",
  "claim.miracle|en|miracle~|miraculous",
  "claim.miracle|en|secret formula|method|cure",
  "claim.miracle|en|magic pill|bullet|cure",
  "claim.miracle|es|milagr~",
  "claim.miracle|es|formula|metodo|tratamiento secret~|magic~",
  // Exclusive methods.
  "claim.exclusive|pt|metodo~|tecnica~|tratamento~|protocolo~|procedimento~ ** exclusiv~",
  "claim.exclusive|pt|exclusividade",
  "claim.exclusive|en|exclusive method~|technique~|treatment~|protocol~|procedure~",
  "claim.exclusive|en|our exclusive",
  "claim.exclusive|es|metodo~|tecnica~|tratamiento~|protocolo~|procedimiento~ ** exclusiv~",
  // Superlatives about the physician or clinic (self-promotion, sensationalism).
  "claim.superlative|pt|melhor|melhores|maior|maiores|unico|unica|unicos|unicas|top|lider ** medico~|medica~|doutor~|dr|dra|cirurgia~|cirurgi~|clinica~|hospita~|consultorio~|especialista~|profissiona~|equipe|dermatologista~|cardiologista~|ortopedista~|pediatra~|ginecologista~",
  "claim.superlative|pt|numero 1|um|uno",
  "claim.superlative|pt|melhor|melhores ** do|da brasil|pais|mundo|cidade|regiao|estado",
  "claim.superlative|en|best|top|leading|only|greatest|number ** doctor~|physician~|surgeon~|clinic~|hospital~|practice|specialist~|dermatologist~|team",
  "claim.superlative|en|number one|1 doctor~|clinic~|surgeon~",
  "claim.superlative|en|best in ** town|city|country|world|state|region",
  "claim.superlative|es|mejor|mejores|unico|unica|lider ** medico~|medica~|doctor~|doctora~|cirujan~|clinica~|hospital~|consultorio~|especialista~|profesional~|equipo",
  "claim.superlative|es|numero uno",
  "claim.superlative|es|mejor|mejores ** del pais|mundo|ciudad|region",
  // Before / after.
  "claim.before_after|pt|antes e|x depois",
  "claim.before_after|pt|antes depois",
  "claim.before_after|en|before and|x|vs after",
  "claim.before_after|en|before after",
  "claim.before_after|es|antes y|x despues",
  "claim.before_after|es|antes despues",
  // Prices as bait, promotions, gifts (CFM 2.336/2023: publicity may not be used as prize or bait).
  "claim.price_bait|pt|promocao|promocoes|promocional|desconto~|sorteio~|brinde~|cupom|cupons|liquidacao",
  "claim.price_bait|pt|black friday",
  "claim.price_bait|pt|consulta~|avaliac~|sess~|exame~|procedimento~|primeira ** gratis|gratuita~|gratuito~|free",
  "claim.price_bait|pt|consulta~|avaliac~|sess~|exame~|procedimento~ ** de graca",
  "claim.price_bait|pt|gratis|gratuita~|gratuito~ ** consulta~|avaliac~|sess~|exame~|procedimento~",
  "claim.price_bait|pt|pague ** leve",
  "claim.price_bait|en|discount~|promo|promotion~|giveaway~|coupon~|raffle",
  "claim.price_bait|en|special offer~",
  "claim.price_bait|en|limited time offer~",
  "claim.price_bait|en|black friday",
  "claim.price_bait|en|free consultation~|evaluation~|session~|exam~|treatment~|procedure~",
  "claim.price_bait|en|consultation~|session~|exam~|procedure~ ** free",
  "claim.price_bait|es|promocion~|descuento~|sorteo~|cupon~|oferta~",
  "claim.price_bait|es|consulta~|evaluacion~|sesion~|examen~|procedimiento~ ** gratis|gratuita~|gratuito~",
  "claim.price_bait|es|gratis|gratuita~|gratuito~ ** consulta~|evaluacion~|sesion~|examen~",
  // Products without registration (ANVISA RDC 96/2008; products must be registered before promotion).
  "claim.unregistered_product|pt|sem|nao registr~ ** anvisa",
  "claim.unregistered_product|pt|produto~|suplemento~|medicamento~|formula~ ** sem|nao registr~",
  "claim.unregistered_product|pt|importado~ sem registr~",
  "claim.unregistered_product|pt|aprovad~ pela anvisa",
  "claim.unregistered_product|en|not fda approved",
  "claim.unregistered_product|en|not approved by ** fda",
  "claim.unregistered_product|en|unapproved|unregistered drug~|product~|supplement~|treatment~",
  "claim.unregistered_product|es|sin|no registr~ sanitari~",
  "claim.unregistered_product|es|sin|no registrad~ ** anmat|cofepris|invima|digemid|anvisa|aemps",
  "claim.unregistered_product|es|producto~|suplemento~|medicamento~ sin registr~",
];

// Prescription-only drugs commonly advertised (ANVISA "venda sob prescrição médica"; RDC 96/2008
// Art. 9 forbids advertising them to the public). Flagged only with a sales cue in the same sentence.
const RX_DRUGS: Array<string> = [
  "ozempic", "wegovy", "rybelsus", "semaglutida", "semaglutide", "mounjaro", "zepbound", "tirzepatida", "tirzepatide",
  "saxenda", "victoza", "liraglutida", "liraglutide", "sibutramina", "sibutramine", "isotretinoina", "isotretinoin", "roacutan", "accutane",
  "finasterida", "finasteride", "dutasterida", "dutasteride", "testosterona", "testosterone", "gestrinona", "gestrinone",
  "oxandrolona", "oxandrolone", "botox", "dysport", "rivotril", "clonazepam", "zolpidem", "metilfenidato", "methylphenidate",
  "ritalina", "ritalin", "venvanse", "vyvanse", "sildenafila", "sildenafil", "viagra", "tadalafila", "tadalafil", "cialis",
  "hidroxicloroquina", "hydroxychloroquine", "ivermectina", "ivermectin", "orlistate", "orlistat", "topiramato", "topiramate",
  "adderall", "xanax", "alprazolam", "oxycodone", "oxycontin", "tramadol",
];
const RX_SALES_CUES: Array<string> = [
  "compre", "comprar", "adquira", "vendemos", "venda", "vende", "aplicamos", "aplicacao", "oferecemos", "disponivel", "encomende", "peca",
  "entrega", "delivery", "preco", "precos", "desconto", "promocao", "parcele", "pix",
  "buy", "order", "offer", "sale", "price", "available", "shop", "purchase", "get",
  "compra", "vendemos", "ofrecemos", "disponible", "precio", "pida", "envio", "oferta",
];

const NEGATORS: Array<string> = ["nao", "nunca", "jamais", "nenhum", "nenhuma", "nem", "not", "never", "no", "nor", "cannot", "neither", "ni", "jamas", "ningun", "ninguna", "tampoco", "nada"];
// Only negate when immediately before the claim ("sem garantia de resultados", "without guaranteed results").
const NEAR_NEGATORS: Array<string> = ["sem", "sin", "without"];
// Words that make "100%" a claim about efficacy or safety (blocking); otherwise a warning.
const EFFICACY: Array<string> = [
  "eficaz", "eficaces", "eficiente", "efetivo", "efetiva", "seguro", "segura", "garantido", "garantida", "resultado", "resultados", "sucesso", "natural", "curado", "cura", "satisfacao",
  "effective", "efficient", "safe", "guaranteed", "results", "success", "cure", "cured", "satisfaction", "proven",
  "efectivo", "efectiva", "exito", "garantizado", "garantizada",
];

// One pattern token, compiled once: alternatives, each exact or a prefix ("word~").
class Tok {
  alts: Array<string> = [];
  prefix: Array<bool> = [];
  any: bool = false;
  gap: bool = false;
  optional: bool = false;
  constructor(src: string) {
    this.gap = src == "**";
    this.any = src == "*";
    if (this.gap || this.any) return this;
    this.optional = src.startsWith("?");
    const parts = (this.optional ? src.substring(1) : src).split("|");
    for (let i = 0; i < parts.length; i++) {
      const a = parts[i];
      const pre = a.endsWith("~");
      this.alts.push(pre ? a.substring(0, a.length - 1) : a);
      this.prefix.push(pre);
    }
  }
  matches(word: string): bool {
    if (this.any) return true;
    for (let i = 0; i < this.alts.length; i++) {
      if (this.prefix[i] ? word.startsWith(this.alts[i]) : word == this.alts[i]) return true;
    }
    return false;
  }
}

// Words of negative concord: "não tem nenhum efeito colateral", "no tiene ningún riesgo" say "none", and the
// "não"/"no" before them does not negate the claim.
const CONCORD: Array<string> = ["nenhum", "nenhuma", "ningun", "ninguna", "ningunos", "ningunas"];

class Rule {
  code: string;
  lang: string;
  toks: Array<Tok> = [];
  literals: Array<string> = [];
  /** Opens with a concord word: a negation before it is emphasis, not negation. */
  concord: bool = true;
  constructor(code: string, lang: string, toks: Array<string>) {
    this.code = code;
    this.lang = lang;
    for (let i = 0; i < toks.length; i++) {
      const t = new Tok(toks[i]);
      this.toks.push(t);
      for (let j = 0; j < t.alts.length; j++) this.literals.push(t.alts[j]);
    }
    const first = this.toks[0];
    if (first.alts.length == 0) this.concord = false;
    for (let j = 0; j < first.alts.length; j++) if (!contains(CONCORD, first.alts[j])) this.concord = false;
  }
}

// RULES[i]: TABLE[i] compiled, on the first text where its first token occurs (most rules never open on a
// given text, and a fresh instance per call would otherwise compile all of them every time).
const RULES = new Array<Rule | null>();
const PERCENT_RULE = new Rule("claim.absolute", "*", ["100"]);
const RX_RULE = new Rule("claim.prescription_drug", "*", ["*"]);
const QUICK_RULE = new Rule("claim.quick_result", "*", ["*"]);
const SPECIALTY_RULE = new Rule("claim.specialty", "*", ["*"]);
// The first token's alternatives of every rule, found in one pass over the folded text (plugins/sdk/phrases.ts):
// LEADS[id] is one alternative, LEAD_RULES[id] the rules it opens, LEAD_PREFIX[id] whether it is a prefix ("word~").
const LEADS = new Array<string>();
const LEAD_RULES = new Array<Array<i32>>();
const LEAD_PREFIX = new Array<bool>();
const LEAD_EXACT_IDS = new Map<string, i32>();
const LEAD_PREFIX_IDS = new Map<string, i32>();
let LEAD_SET: PhraseSet | null = null;
const RX_SET = new Set<string>();
const RX_CUE_SET = new Set<string>();

function ruleAt(idx: i32): Rule {
  let rule = RULES[idx];
  if (rule === null) {
    const line = TABLE[idx];
    const a = line.indexOf("|");
    const b = line.indexOf("|", a + 1);
    rule = new Rule(line.substring(0, a), line.substring(a + 1, b), line.substring(b + 1).split(" "));
    RULES[idx] = rule;
  }
  return rule as Rule;
}

function init(): void {
  if (LEAD_SET !== null) return;
  RULES.length = TABLE.length;
  // The first token's alternatives of each line, read in place (no split, no concatenated keys): this runs in
  // every fresh instance.
  for (let idx = 0; idx < TABLE.length; idx++) {
    const line = TABLE[idx];
    const b = line.indexOf("|", line.indexOf("|") + 1);
    let end = line.indexOf(" ", b + 1);
    if (end < 0) end = line.length;
    let from = b + 1;
    while (from <= end) {
      let bar = line.indexOf("|", from);
      if (bar < 0 || bar > end) bar = end;
      const prefix = bar > from && line.charCodeAt(bar - 1) == 126; // "word~"
      const literal = line.substring(from, prefix ? bar - 1 : bar);
      from = bar + 1;
      const ids = prefix ? LEAD_PREFIX_IDS : LEAD_EXACT_IDS;
      let id = ids.has(literal) ? ids.get(literal) : -1;
      if (id < 0) {
        id = LEADS.length;
        ids.set(literal, id);
        LEADS.push(literal);
        LEAD_PREFIX.push(prefix);
        LEAD_RULES.push(new Array<i32>());
      }
      const rules = LEAD_RULES[id];
      if (rules.length == 0 || rules[rules.length - 1] != idx) rules.push(idx);
    }
  }
  LEAD_SET = PhraseSet.exact(LEADS, PHRASE_TABLES);
  for (let i = 0; i < RX_DRUGS.length; i++) RX_SET.add(RX_DRUGS[i]);
  for (let i = 0; i < RX_SALES_CUES.length; i++) RX_CUE_SET.add(RX_SALES_CUES[i]);
  for (let i = 0; i < NUMBER_WORDS.length; i++) NUMBER_MAP.set(NUMBER_WORDS[i], NUMBER_VALUES[i]);
  for (let i = 0; i < WEIGHT_UNITS.length; i++) WEIGHT_UNIT_SET.add(WEIGHT_UNITS[i]);
  for (let i = 0; i < SPECIALTY_LEADS.length; i++) SPECIALTY_LEAD_SET.add(SPECIALTY_LEADS[i]);
}

/** The build's check that the lead automaton comes from PHRASE_TABLES and equals a run-time compile. */
export function phraseTables(): i32 {
  init();
  writeOutput(phraseTablesJSON());
  return 0;
}

function contains(list: Array<string>, w: string): bool {
  for (let i = 0; i < list.length; i++) if (list[i] == w) return true;
  return false;
}

function isSentenceEnd(c: i32): bool {
  return c == 46 || c == 33 || c == 63 || c == 59 || c == 10 || c == 13 || c == 0x2026;
}

function isClauseBreak(c: i32): bool {
  return isSentenceEnd(c) || c == 44 || c == 58 || c == 40 || c == 41 || c == 0x2014;
}

class Matcher {
  text: string;
  folded: string;
  toks: Array<Span>;
  words: Array<string>;

  constructor(text: string) {
    const folded = fold(text);
    const toks = tokenize(folded);
    const words = new Array<string>(toks.length);
    for (let i = 0; i < toks.length; i++) words[i] = folded.substring(toks[i].start, toks[i].end);
    this.text = text;
    this.folded = folded;
    this.toks = toks;
    this.words = words;
  }

  /** Any character in [a, b) for which `pred` holds. */
  hasBreak(a: i32, b: i32, clause: bool): bool {
    for (let i = a; i < b; i++) {
      const c = <i32>this.text.charCodeAt(i);
      if (clause ? isClauseBreak(c) : isSentenceEnd(c)) {
        // A decimal point or "Dr." inside a match is not a sentence end.
        if (c == 46 && !clause && isWordChar(codeAt(this.text, i + 1))) continue;
        return true;
      }
    }
    return false;
  }

  /** End token index (exclusive) of rule r matched at token ti, or -1. Gaps are non-greedy. */
  matchFrom(r: Rule, pi: i32, ti: i32, startTok: i32): i32 {
    if (pi == r.toks.length) return ti;
    const pat = r.toks[pi];
    if (pat.gap) {
      for (let g = 0; g <= 3; g++) {
        const t = ti + g;
        if (t > this.toks.length) break;
        if (g > 0 && this.hasBreak(this.toks[t - 1].start, t < this.toks.length ? this.toks[t].start : this.text.length, false)) break;
        const e = this.matchFrom(r, pi + 1, t, startTok);
        if (e >= 0) return e;
      }
      return -1;
    }
    if (pat.optional) {
      const taken = this.matchToken(pat, ti, startTok) ? this.matchFrom(r, pi + 1, ti + 1, startTok) : -1;
      return taken >= 0 ? taken : this.matchFrom(r, pi + 1, ti, startTok);
    }
    if (!this.matchToken(pat, ti, startTok)) return -1;
    return this.matchFrom(r, pi + 1, ti + 1, startTok);
  }

  /** Token ti exists, follows the previous one in the same sentence, and matches `pat`. */
  matchToken(pat: Tok, ti: i32, startTok: i32): bool {
    if (ti >= this.toks.length) return false;
    if (ti > startTok && this.hasBreak(this.toks[ti - 1].end, this.toks[ti].start, false)) return false;
    return pat.matches(this.words[ti]);
  }

  /** Negation cue before token ti (≤4 tokens, same clause) or inside [ti, te) not part of the rule. */
  negated(r: Rule, ti: i32, te: i32): bool {
    for (let k = ti + 1; k < te; k++) {
      const w = this.words[k];
      if ((contains(NEGATORS, w) || this.isNt(k)) && !contains(r.literals, w)) return true;
    }
    if (r.concord) return false;
    let k = ti - 1;
    let steps = 0;
    while (k >= 0 && steps < 4) {
      if (this.hasBreak(this.toks[k].end, this.toks[k + 1].start, true)) return false;
      const w = this.words[k];
      if (contains(NEGATORS, w) || this.isNt(k)) return true;
      if (steps == 0 && contains(NEAR_NEGATORS, w)) return true;
      k--;
      steps++;
    }
    return false;
  }

  /** "don't", "doesn't", "isn't", "won't": the token "t" after an apostrophe. */
  isNt(k: i32): bool {
    if (this.words[k] != "t" || k == 0) return false;
    const ap = codeAt(this.text, this.toks[k].start - 1);
    return (ap == 39 || ap == 0x2019) && this.words[k - 1].endsWith("n");
  }
}

class Hit {
  code: string;
  lang: string;
  start: i32;
  end: i32;
  severity: string;
  constructor(code: string, lang: string, start: i32, end: i32, severity: string) {
    this.code = code;
    this.lang = lang;
    this.start = start;
    this.end = end;
    this.severity = severity;
  }
}

function severityOf(code: string): string {
  // Before/after is allowed with conditions since CFM 2.336/2023; exclusivity and price offers
  // need human review; everything else is forbidden outright.
  if (code == "claim.before_after" || code == "claim.exclusive" || code == "claim.price_bait") return SEVERITY_WARNING;
  return SEVERITY_BLOCKING;
}

/** Ascending rule indexes without repeats (a rule can be opened by two alternatives of one token). */
/** Sorts `list` ascending and drops repeats, in place (no allocation: most lists hold zero or one rule). */
function sortedUnique(list: Array<i32>): void {
  const n = list.length;
  if (n < 2) return;
  list.sort((a: i32, b: i32): i32 => a - b);
  let w = 1;
  for (let i = 1; i < n; i++) {
    const v = unchecked(list[i]);
    if (v != unchecked(list[w - 1])) unchecked((list[w++] = v));
  }
  list.length = w;
}

/** The index of the token that starts at `pos`, or -1: tokens are ascending and disjoint, so a bisection finds it
 *  without a table as long as the text. */
function tokenStartingAt(toks: Array<Span>, pos: i32): i32 {
  let lo = 0;
  let hi = toks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = unchecked(toks[mid]).start;
    if (start == pos) return mid;
    if (start < pos) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The rules each token may open, from one pass over the folded text: first those whose first token has an
 * alternative equal to the word, then those with a prefix alternative that starts it (two lists per token,
 * each in rule order; null where a token opens none).
 */
function candidates(m: Matcher): Array<Array<Array<i32>> | null> {
  const n = m.toks.length;
  const out = new Array<Array<Array<i32>> | null>(n);
  const scan = (LEAD_SET as PhraseSet).scan(m.folded);
  for (let id = 0; id < LEADS.length; id++) {
    const at = scan.all[id];
    const len = LEADS[id].length;
    for (let i = 0; i < at.length; i++) {
      const ti = tokenStartingAt(m.toks, at[i]);
      if (ti < 0) continue;
      const prefix = LEAD_PREFIX[id];
      if (!prefix && at[i] + len != m.toks[ti].end) continue;
      let lists = out[ti];
      if (lists === null) {
        lists = [new Array<i32>(), new Array<i32>()];
        out[ti] = lists;
      }
      const target = lists[prefix ? 1 : 0];
      const rules = LEAD_RULES[id];
      for (let r = 0; r < rules.length; r++) target.push(rules[r]);
    }
  }
  for (let ti = 0; ti < n; ti++) {
    const lists = out[ti];
    if (lists === null) continue;
    sortedUnique(lists[0]);
    sortedUnique(lists[1]);
  }
  return out;
}

function analyzeText(text: string, held: Array<Array<string>> | null): Array<Hit> {
  init();
  const m = new Matcher(text);
  const hits = new Array<Hit>();
  const lastEnd = new Map<string, i32>();
  const lastHit = new Map<string, Hit>();
  const n = m.toks.length;
  const opened = candidates(m);
  for (let ti = 0; ti < n; ti++) {
    const lists = opened[ti];
    if (lists === null) continue;
    for (let pass = 0; pass < 2; pass++) {
      const list = lists[pass];
      for (let c = 0; c < list.length; c++) {
        const r = ruleAt(list[c]);
        const te = m.matchFrom(r, 0, ti, ti);
        if (te <= ti) continue;
        const start = m.toks[ti].start;
        const end = m.toks[te - 1].end;
        if (m.negated(r, ti, te)) continue;
        if (lastEnd.has(r.code) && lastEnd.get(r.code) > start) {
          // Overlaps the previous hit of this code: keep one finding, the longest span.
          const prev = lastHit.get(r.code);
          if (prev.start == start && end > prev.end) { prev.end = end; lastEnd.set(r.code, end); }
          continue;
        }
        let sev = severityOf(r.code);
        if (r.code == "claim.absolute") sev = absoluteSeverity(m, ti, te);
        const h = new Hit(r.code, r.lang, start, end, sev);
        hits.push(h);
        lastEnd.set(r.code, end);
        lastHit.set(r.code, h);
      }
    }
  }
  percentHits(m, hits);
  rxHits(m, hits);
  quickResultHits(m, hits);
  if (held !== null) specialtyHits(m, held, hits);
  return hits;
}

function absoluteSeverity(m: Matcher, ti: i32, te: i32): string {
  for (let k = max(0, ti - 2); k < min(m.toks.length, te + 2); k++) {
    if (contains(EFFICACY, m.words[k])) return SEVERITY_BLOCKING;
  }
  return SEVERITY_WARNING;
}

// "100%" / "100 %": absolute promises (CFM 2.336/2023: no guaranteed results; sensationalism).
function percentHits(m: Matcher, hits: Array<Hit>): void {
  const s = m.text;
  let p = s.indexOf("100", 0);
  while (p >= 0) {
    let e = p + 3;
    if (!isDigit(codeAt(s, p - 1)) && codeAt(s, p - 1) != 46 && codeAt(s, p - 1) != 44) {
      if (codeAt(s, e) == 32) e++;
      if (codeAt(s, e) == 37) {
        e++;
        // Token index of "100".
        let ti = tokenIndexAt(m, p);
        if (ti >= 0 && !m.negated(PERCENT_RULE, ti, ti + 1)) {
          hits.push(new Hit("claim.absolute", "*", p, e, absoluteSeverity(m, ti, ti + 1)));
        }
      }
    }
    p = s.indexOf("100", p + 3);
  }
}

function tokenIndexAt(m: Matcher, pos: i32): i32 {
  let lo = 0;
  let hi = m.toks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = m.toks[mid];
    if (pos < t.start) hi = mid - 1;
    else if (pos >= t.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function rxHits(m: Matcher, hits: Array<Hit>): void {
  const n = m.toks.length;
  for (let ti = 0; ti < n; ti++) {
    if (!RX_SET.has(m.words[ti])) continue;
    // Sales cue within 8 tokens either side, same sentence.
    let found = false;
    for (let k = max(0, ti - 8); k < min(n, ti + 9) && !found; k++) {
      if (k == ti || !RX_CUE_SET.has(m.words[k])) continue;
      const a = min(m.toks[k].end, m.toks[ti].end);
      const b = max(m.toks[k].start, m.toks[ti].start);
      if (!m.hasBreak(a, b, false)) found = true;
    }
    if (!found) continue;
    if (m.negated(RX_RULE, ti, ti + 1)) continue;
    hits.push(new Hit("claim.prescription_drug", "*", m.toks[ti].start, m.toks[ti].end, SEVERITY_BLOCKING));
  }
}

// ---------------------------------------------------------------------------
// Quick weight-loss promises with figures (CFM 2.336/2023: no promising results): an amount of weight and a
// short time frame, "emagreça 10 kg em 2 semanas", "lose 10 lbs in 2 weeks", "baja 5 kilos en 10 días",
// "-8 kg em 30 dias". The amount is a number (or a number word) with a unit of weight, glued ("10kg") or not;
// the time frame follows within two words ("em", "in", "en", "até", "within", "só", "only", "apenas"…) and is
// at most 90 days; a verb of losing comes before the amount (or "a menos"/"less"/"off" after it, or a minus
// sign). One pass over the tokens.

const LOSS_VERBS: Array<string> = [
  "emagre", "perd", "perc", "elimin", "queim", "sec", "seq", "tir", "lose", "losing", "lost", "drop", "shed", "burn", "melt",
  "baj", "pierd", "adelgaz", "adelgac", "quem", "sac",
];
const WEIGHT_UNITS: Array<string> = ["kg", "kgs", "kilo", "kilos", "quilo", "quilos", "lb", "lbs", "libra", "libras", "pound", "pounds", "quilogramas", "kilogramos", "kilograms", "kilogramas"];
const TIME_LINKS: Array<string> = ["em", "in", "en", "ate", "hasta", "within", "por", "durante", "during", "apenas", "so", "somente", "only", "just", "solo", "solamente", "menos", "less", "than", "de", "under", "over", "the", "next", "a", "os", "as", "los", "las", "um", "uma"];
const NUMBER_WORDS: Array<string> = [
  "um", "uma", "one", "a", "an", "un", "una", "uno", "dois", "duas", "two", "dos", "tres", "three", "quatro", "four", "cuatro",
  "cinco", "five", "seis", "six", "sete", "seven", "siete", "oito", "eight", "ocho", "nove", "nine", "nueve", "dez", "ten", "diez",
  "quinze", "fifteen", "quince", "vinte", "twenty", "veinte", "trinta", "thirty", "treinta", "poucos", "poucas", "few", "pocos", "pocas",
];
const NUMBER_VALUES: Array<i32> = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 15, 15, 15, 20, 20, 20, 30, 30, 30, 3, 3, 3, 3, 3];
const AFTER_LOSS: Array<string> = ["a", "menos", "less", "off", "de"];
// Looked up once per token: hashed, not scanned.
const NUMBER_MAP = new Map<string, i32>();
const WEIGHT_UNIT_SET = new Set<string>();
const SPECIALTY_LEAD_SET = new Set<string>();

function numberValue(w: string): i32 {
  if (w.length > 0 && w.length <= 4) {
    let all = true;
    for (let i = 0; i < w.length; i++) if (!isDigit(<i32>w.charCodeAt(i))) all = false;
    if (all) return I32.parseInt(w);
  }
  return NUMBER_MAP.has(w) ? NUMBER_MAP.get(w) : -1;
}

/** Days in one time unit ("dias" 1, "semanas" 7, "mês" 30), or 0. */
function daysPer(w: string): i32 {
  if (w.startsWith("dia") || w.startsWith("day")) return 1;
  if (w.startsWith("semana") || w.startsWith("week") || w == "wk" || w == "wks") return 7;
  if (w == "mes" || w == "meses" || w.startsWith("month")) return 30;
  return 0;
}

function startsWithAny(w: string, list: Array<string>): bool {
  for (let i = 0; i < list.length; i++) if (w.startsWith(list[i])) return true;
  return false;
}

/** A weight amount at token ti: [end token, value] as (end << 16 | value) or -1. "10 kg", "10kg", "dez quilos". */
function weightAt(m: Matcher, ti: i32): i32 {
  const w = m.words[ti];
  // Glued: digits then a unit ("10kg", "5lbs").
  let d = 0;
  while (d < w.length && isDigit(<i32>w.charCodeAt(d))) d++;
  if (d > 0 && d < w.length && d <= 3 && WEIGHT_UNIT_SET.has(w.substring(d))) return ((ti + 1) << 16) | I32.parseInt(w.substring(0, d));
  const v = numberValue(w);
  if (v <= 0 || ti + 1 >= m.toks.length) return -1;
  // "10,5 kg": a decimal part.
  let u = ti + 1;
  if (isDigit(<i32>m.words[u].charCodeAt(0)) && (codeAt(m.text, m.toks[u].start - 1) == 44 || codeAt(m.text, m.toks[u].start - 1) == 46) && u + 1 < m.toks.length) u++;
  if (m.hasBreak(m.toks[ti].end, m.toks[u].start, false)) return -1;
  return WEIGHT_UNIT_SET.has(m.words[u]) ? ((u + 1) << 16) | v : -1;
}

function quickResultHits(m: Matcher, hits: Array<Hit>): void {
  const n = m.toks.length;
  for (let ti = 0; ti < n; ti++) {
    const wt = weightAt(m, ti);
    if (wt < 0) continue;
    const after = wt >> 16;
    // A verb of losing up to four words before, in the same clause; or "a menos", "less", "off" after; or "-10 kg".
    let first = -1;
    for (let k = ti - 1; k >= max(0, ti - 4); k--) {
      if (m.hasBreak(m.toks[k].end, m.toks[k + 1].start, true)) break;
      if (startsWithAny(m.words[k], LOSS_VERBS)) { first = k; break; }
    }
    let j = after;
    while (j < n && j < after + 2 && contains(AFTER_LOSS, m.words[j]) && !m.hasBreak(m.toks[j - 1].end, m.toks[j].start, true)) {
      if (m.words[j] != "a" && m.words[j] != "de") first = first < 0 ? ti : first;
      j++;
    }
    const minus = codeAt(m.text, m.toks[ti].start - 1);
    if (first < 0 && (minus == 45 || minus == 0x2212 || minus == 0x2013)) first = ti;
    if (first < 0) continue;
    // The time frame: up to three linking words, then a number (or "um", "a", "few") and a unit of time.
    let k = j;
    let links = 0;
    while (k < n && links < 3 && contains(TIME_LINKS, m.words[k]) && numberValue(m.words[k]) < 0) { k++; links++; }
    if (links == 0 || k >= n || m.hasBreak(m.toks[j - 1].end, m.toks[k].start, false)) {
      // "em um mês", "in a week": the number word may itself be a link.
      if (links == 0) continue;
    }
    let value = numberValue(m.words[k]);
    let unitTok = k + 1;
    if (value < 0) {
      // "em uma semana" where "uma" was read as a link: step back one.
      if (k > j && numberValue(m.words[k - 1]) > 0 && daysPer(m.words[k]) > 0) { value = numberValue(m.words[k - 1]); unitTok = k; } else continue;
    }
    if (unitTok >= n || m.hasBreak(m.toks[j].start, m.toks[unitTok].start, false)) continue;
    const per = daysPer(m.words[unitTok]);
    if (per == 0 || value * per > 90) continue;
    if (m.negated(QUICK_RULE, first, unitTok + 1)) continue;
    const start = first == ti && (minus == 45 || minus == 0x2212 || minus == 0x2013) ? m.toks[ti].start - 1 : m.toks[first].start;
    hits.push(new Hit("claim.quick_result", "*", start, m.toks[unitTok].end, SEVERITY_BLOCKING));
    ti = unitTok;
  }
}

// ---------------------------------------------------------------------------
// Specialty claims (CFM 2.336/2023: a physician announces a specialty only with its RQE): "especialista em X",
// "specialist in X", "especialista en X", "especializado em X". The host passes the specialties the author
// holds an RQE for as `context.authorSpecialties` (strings); when it does, a claimed specialty that none of
// them covers is a warning. Without that field (an older host) the check does not run.

const SPECIALTY_LEADS: Array<string> = [
  "especialista", "especialistas", "specialist", "specialists", "especializado", "especializada", "especializados", "especializadas",
  "specialized", "specialised", "specializing", "specialising",
];
const SPECIALTY_LINKS: Array<string> = ["em", "en", "in"];
/** Words that end the name of a specialty. */
const SPECIALTY_STOPS: Array<string> = [
  "e", "and", "y", "com", "with", "con", "que", "who", "que", "ha", "desde", "since", "por", "for", "para", "pela", "pelo", "na", "no", "at",
  "do", "da", "del", "of", "the", "em", "en", "in", "a", "o", "as", "os", "la", "el", "los", "las", "um", "uma", "un", "una", "ou", "or",
];
const SPECIALTY_ARTICLES: Array<string> = ["a", "o", "as", "os", "the", "la", "el", "los", "las"];
// Four letters tell specialties apart across pt/en/es ("derm", "card", "pedi", "plas") while matching
// "pediatria"/"pediatrics"/"pediatría"; words shared by many specialties are left out unless alone.
const STEM = 4;
const GENERIC: Array<string> = ["cirurgia", "cirugia", "surgery", "medicina", "medicine", "clinica", "clinical", "clinico", "area"];

function stems(words: Array<string>): Array<string> {
  const out = new Array<string>();
  const generic = new Array<string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.length < 3 || contains(SPECIALTY_STOPS, w)) continue;
    const stem = w.length > STEM ? w.substring(0, STEM) : w;
    if (contains(GENERIC, w)) generic.push(stem);
    else out.push(stem);
  }
  return out.length > 0 ? out : generic;
}

/** Every stem of `claimed` is among one held specialty's stems. */
function covered(claimed: Array<string>, held: Array<Array<string>>): bool {
  for (let h = 0; h < held.length; h++) {
    let all = claimed.length > 0;
    for (let i = 0; i < claimed.length && all; i++) if (!contains(held[h], claimed[i])) all = false;
    if (all) return true;
  }
  return false;
}

function specialtyHits(m: Matcher, held: Array<Array<string>>, hits: Array<Hit>): void {
  const n = m.toks.length;
  for (let ti = 0; ti + 2 < n; ti++) {
    if (!SPECIALTY_LEAD_SET.has(m.words[ti]) || !contains(SPECIALTY_LINKS, m.words[ti + 1])) continue;
    if (m.hasBreak(m.toks[ti].end, m.toks[ti + 2].start, false)) continue;
    let k = ti + 2;
    while (k < n && contains(SPECIALTY_ARTICLES, m.words[k])) k++;
    // The specialty's name: up to four words, through "de"/"of" ("medicina do esporte", "cirurgia plástica").
    const words = new Array<string>();
    let end = k;
    while (end < n && words.length < 4) {
      if (end > k && m.hasBreak(m.toks[end - 1].end, m.toks[end].start, true)) break;
      const w = m.words[end];
      const joiner = w == "de" || w == "do" || w == "da" || w == "of" || w == "del";
      if (!joiner && contains(SPECIALTY_STOPS, w)) break;
      if (joiner && (end + 1 >= n || contains(SPECIALTY_STOPS, m.words[end + 1]) && m.words[end + 1] != "a")) break;
      words.push(w);
      end++;
    }
    while (words.length > 0 && (words[words.length - 1] == "de" || words[words.length - 1] == "do" || words[words.length - 1] == "da" || words[words.length - 1] == "of" || words[words.length - 1] == "del")) { words.pop(); end--; }
    if (words.length == 0) continue;
    if (covered(stems(words), held)) continue;
    if (m.negated(SPECIALTY_RULE, ti, end)) continue;
    hits.push(new Hit("claim.specialty", "*", m.toks[ti].start, m.toks[end - 1].end, SEVERITY_WARNING));
    ti = end - 1;
  }
}

// ---------------------------------------------------------------------------
// Messages (in the request's locale) and suggestions (in the claim's language).

let locale = "pt-BR";
function t(pt: string, en: string, es: string): string {
  return locale == "en" ? en : locale == "es" ? es : pt;
}
function inLang(lang: string, pt: string, en: string, es: string): string {
  const l = lang == "*" ? (locale == "en" ? "en" : locale == "es" ? "es" : "pt") : lang;
  return l == "en" ? en : l == "es" ? es : pt;
}

function messageFor(code: string): string {
  if (code == "claim.guarantee") return t("Promessa ou garantia de resultado (vedada pela Res. CFM 2.336/2023)", "Promised or guaranteed result (forbidden by CFM Resolution 2.336/2023)", "Promesa o garantía de resultado (prohibida por la Res. CFM 2.336/2023)");
  if (code == "claim.cure") return t("Promessa de cura", "Promise of a cure", "Promesa de curación");
  if (code == "claim.absolute") return t("Afirmação absoluta (\"100%\")", "Absolute claim (\"100%\")", "Afirmación absoluta (\"100%\")");
  if (code == "claim.no_risk") return t("Afirma ausência de riscos ou efeitos colaterais (omite riscos)", "Claims no risks or side effects (hides risks)", "Afirma ausencia de riesgos o efectos secundarios");
  if (code == "claim.miracle") return t("Método milagroso ou secreto, sem respaldo científico", "Miraculous or secret method without scientific backing", "Método milagroso o secreto, sin respaldo científico");
  if (code == "claim.exclusive") return t("Método apresentado como exclusivo", "Method presented as exclusive", "Método presentado como exclusivo");
  if (code == "claim.superlative") return t("Autopromoção/superlativo sobre médico ou clínica (sensacionalismo)", "Self-promotion / superlative about the physician or clinic", "Autopromoción / superlativo sobre el médico o la clínica");
  if (code == "claim.before_after") return t("Antes e depois: permitido só com finalidade educativa, consentimento do paciente, sem manipulação e sem promessa de resultado", "Before/after: allowed only for educational purposes, with patient consent, unmanipulated and without promising results", "Antes y después: permitido solo con fin educativo, consentimiento, sin manipulación ni promesa de resultado");
  if (code == "claim.price_bait") return t("Preço, promoção ou brinde usado como chamariz", "Price, promotion or gift used as bait", "Precio, promoción u obsequio usado como reclamo");
  if (code == "claim.unregistered_product") return t("Produto sem registro sanitário (ANVISA RDC 96/2008)", "Product without sanitary registration (ANVISA RDC 96/2008)", "Producto sin registro sanitario (ANVISA RDC 96/2008)");
  if (code == "claim.quick_result") return t("Promessa de resultado rápido (perda de peso em prazo curto), vedada pela Res. CFM 2.336/2023", "Promise of quick results (weight loss in a short time), forbidden by CFM Resolution 2.336/2023", "Promesa de resultado rápido (pérdida de peso en poco tiempo), prohibida por la Res. CFM 2.336/2023");
  if (code == "claim.specialty") return t("Anuncia uma especialidade para a qual o autor não tem RQE (Res. CFM 2.336/2023)", "Claims a specialty the author holds no RQE (specialty registration) for (CFM Resolution 2.336/2023)", "Anuncia una especialidad para la que el autor no tiene RQE (Res. CFM 2.336/2023)");
  return t("Medicamento de venda sob prescrição anunciado ao público (ANVISA RDC 96/2008)", "Prescription-only medicine advertised to the public (ANVISA RDC 96/2008)", "Medicamento de venta bajo receta anunciado al público (ANVISA RDC 96/2008)");
}

function suggestionFor(code: string, lang: string): string {
  if (code == "claim.guarantee") return inLang(lang, "Os resultados variam de pessoa para pessoa; converse com seu médico sobre o que esperar.", "Results vary from person to person; talk to your physician about what to expect.", "Los resultados varían de una persona a otra; consulte a su médico sobre qué esperar.");
  if (code == "claim.cure") return inLang(lang, "O tratamento pode ajudar a controlar a condição; a resposta varia conforme cada caso.", "Treatment can help manage the condition; response varies from case to case.", "El tratamiento puede ayudar a controlar la condición; la respuesta varía en cada caso.");
  if (code == "claim.absolute") return inLang(lang, "Use dados de estudos com a fonte citada (ex.: \"em estudo com N pacientes, X% …\").", "Use study data with a cited source (e.g. \"in a study of N patients, X% …\").", "Use datos de estudios con la fuente citada (p. ej. \"en un estudio con N pacientes, X% …\").");
  if (code == "claim.no_risk") return inLang(lang, "Todo procedimento tem riscos; informe os principais riscos e contraindicações.", "Every procedure carries risks; state the main risks and contraindications.", "Todo procedimiento tiene riesgos; informe los principales riesgos y contraindicaciones.");
  if (code == "claim.miracle") return inLang(lang, "Descreva o método reconhecido e as evidências científicas que o sustentam.", "Describe the recognised method and the scientific evidence behind it.", "Describa el método reconocido y la evidencia científica que lo respalda.");
  if (code == "claim.exclusive") return inLang(lang, "Descreva a técnica sem exclusividade; cite a evidência e o reconhecimento pelo CFM.", "Describe the technique without exclusivity; cite the evidence and its recognition.", "Describa la técnica sin exclusividad; cite la evidencia y su reconocimiento.");
  if (code == "claim.superlative") return inLang(lang, "Informe nome, CRM/UF e RQE do médico, sem comparações ou superlativos.", "State the physician's name, licence number and specialty, without comparisons or superlatives.", "Informe nombre, matrícula y especialidad del médico, sin comparaciones ni superlativos.");
  if (code == "claim.before_after") return inLang(lang, "Use imagens só com finalidade educativa, consentimento escrito, sem edição e com aviso de que resultados variam.", "Use images only for education, with written consent, unedited, and a note that results vary.", "Use imágenes solo con fin educativo, consentimiento escrito, sin edición y aviso de que los resultados varían.");
  if (code == "claim.price_bait") return inLang(lang, "Informe valores de forma neutra, sem promoções, descontos ou brindes.", "State fees neutrally, without promotions, discounts or gifts.", "Informe los valores de forma neutra, sin promociones, descuentos ni obsequios.");
  if (code == "claim.quick_result") return inLang(lang, "Explique que a perda de peso segura é gradual e depende de acompanhamento; não prometa quilos nem prazos.", "Explain that safe weight loss is gradual and needs follow-up; do not promise pounds or deadlines.", "Explique que la pérdida de peso segura es gradual y requiere seguimiento; no prometa kilos ni plazos.");
  if (code == "claim.specialty") return inLang(lang, "Cite a especialidade só com o RQE correspondente (ex.: \"Dermatologista — RQE 12345\") ou descreva a área de atuação sem se dizer especialista.", "Name a specialty only with its RQE (e.g. \"Dermatologist — RQE 12345\"), or describe the field of practice without claiming to be a specialist.", "Cite la especialidad solo con su RQE (p. ej. \"Dermatóloga — RQE 12345\") o describa el área de actuación sin decirse especialista.");
  if (code == "claim.unregistered_product") return inLang(lang, "Divulgue apenas produtos com registro na ANVISA e informe o número do registro.", "Promote only registered products and state the registration number.", "Promocione solo productos registrados e informe el número de registro.");
  return inLang(lang, "Fale da classe terapêutica de forma educativa, sem nome comercial e sem oferta; a indicação é feita em consulta.", "Discuss the drug class educationally, without brand names or offers; prescribing happens in a consultation.", "Hable de la clase terapéutica de forma educativa, sin marca ni oferta; la indicación se hace en consulta.");
}

/** The stems of each specialty in `context.authorSpecialties`, or null when the host does not say. */
function heldSpecialties(context: JSONValue | null): Array<Array<string>> | null {
  if (context === null) return null;
  const list = context.get("authorSpecialties");
  if (list === null || !list.isArray()) return null;
  const out = new Array<Array<string>>();
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    if (!item.isString()) continue;
    const f = fold(item.s);
    const toks = tokenize(f);
    const words = new Array<string>();
    for (let k = 0; k < toks.length; k++) words.push(f.substring(toks[k].start, toks[k].end));
    out.push(stems(words));
  }
  return out;
}

export { textBuffer, outputBuffer, outputUnits } from "../sdk/index";

export function analyze(): i32 {
  const input = readInput(INPUT_CAP);
  if (input === null) return fail(inputError());
  locale = input.locale;
  const out = new Output(NAME, VERSION);
  const counts = new Map<string, i32>();

  const held = heldSpecialties(input.context);
  const title = input.title;
  if (title !== null) {
    const th = analyzeText(title, held);
    for (let i = 0; i < th.length; i++) {
      const h = th[i];
      out.add(new Finding(h.code, h.severity, t("Título: ", "Title: ", "Título: ") + messageFor(h.code) + " — \"" + title.substring(h.start, h.end) + "\""))
        .withSuggestion(suggestionFor(h.code, h.lang));
      counts.set(h.code, counts.has(h.code) ? counts.get(h.code) + 1 : 1);
    }
  }
  const hits = analyzeText(input.text, held);
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    out.add(new Finding(h.code, h.severity, messageFor(h.code), h.start, h.end)).withSuggestion(suggestionFor(h.code, h.lang));
    counts.set(h.code, counts.has(h.code) ? counts.get(h.code) + 1 : 1);
  }
  out.sortFindings();
  // Penalties: 30 per forbidden claim, 10 per claim needing review.
  let score = 100;
  for (let i = 0; i < out.findings.length && score > 0; i++) score -= out.findings[i].severity == SEVERITY_BLOCKING ? 30 : 10;
  out.score = max(0, score);
  const w = new JSONWriter();
  w.beginObject();
  const keys = counts.keys();
  keys.sort();
  for (let i = 0; i < keys.length; i++) { w.key(keys[i]); w.int(counts.get(keys[i])); }
  w.endObject();
  out.setRaw("claims", w.toString());
  return out.emit();
}
