// Generated test data for the detectors' measured recall and false-positive rates (detection-rates.test.ts).
// Each generator follows the written rule of its format, not a list of examples: phone numbers every way the
// ANATEL numbering plan and common usage let them be written (prefixes, parentheses, separators, spacing),
// e-mail addresses per RFC 5322/6531 (non-ASCII local parts, internationalised domains, quoted local parts),
// and identifiers that are numbers but not phones (dates, prices, CPF, ISBN, order numbers…). A seeded
// generator keeps the corpus, and so the printed figures, the same on every run.
import { cpfFromBase, formatCPF } from "./support";

export type Locale = "pt-BR" | "en" | "es";

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (r: Rand, n: number): string => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join("");

/** Area codes in use (ANATEL): 11–19, 21 22 24 27 28, 31–35 37 38, 41–49, 51 53 54 55, 61–69, 71 73–75 77 79, 81–89, 91–99. */
export const DDDS = [
  ...[11, 12, 13, 14, 15, 16, 17, 18, 19],
  ...[21, 22, 24, 27, 28],
  ...[31, 32, 33, 34, 35, 37, 38],
  ...[41, 42, 43, 44, 45, 46, 47, 48, 49],
  ...[51, 53, 54, 55],
  ...[61, 62, 63, 64, 65, 66, 67, 68, 69],
  ...[71, 73, 74, 75, 77, 79],
  ...[81, 82, 83, 84, 85, 86, 87, 88, 89],
  ...[91, 92, 93, 94, 95, 96, 97, 98, 99],
].map(String);
/** Two-digit numbers that are not area codes. */
export const NOT_DDDS = Array.from({ length: 90 }, (_, i) => String(i + 10)).filter((d) => !DDDS.includes(d));
/** Long-distance carrier codes (CSP) seen in print. */
const CARRIERS = ["12", "14", "15", "21", "23", "25", "31", "41", "43", "85"];

/** A subscriber number: mobile (9 + 8 digits) or fixed (8 digits starting 2–5). */
function subscriber(r: Rand, mobile: boolean): string {
  return mobile ? `9${digits(r, 8)}` : `${2 + Math.floor(r() * 4)}${digits(r, 7)}`;
}

const SUB_SEPARATORS = ["-", " ", ".", " - ", "\u00a0", "\u2013"];
const FIELD_SEPARATORS = [" ", "", "-", ".", "\u00a0", " - "];

/** The subscriber split as people write it: whole, 5-4 / 4-4, or 1-4-4 for mobiles. */
function splitSubscriber(r: Rand, sub: string): string {
  const sep = pick(r, SUB_SEPARATORS);
  const style = Math.floor(r() * 3);
  if (style === 0) return sub;
  if (sub.length === 9 && style === 2) return `${sub[0]}${pick(r, [" ", ".", "-"])}${sub.slice(1, 5)}${sep}${sub.slice(5)}`;
  return `${sub.slice(0, sub.length - 4)}${sep}${sub.slice(-4)}`;
}

/** One phone number written one of the ways the numbering plan allows. */
export function phoneVariant(r: Rand, ddd: string = pick(r, DDDS)): string {
  const sub = subscriber(r, r() < 0.6);
  const prefix = Math.floor(r() * 8);
  if (r() < 0.12) {
    // All digits together.
    return pick(r, ["", "+55", "0", "+55"]) + ddd + sub;
  }
  const sep = pick(r, FIELD_SEPARATORS);
  const parens = r() < 0.5;
  let area: string;
  switch (prefix) {
    case 0:
    case 1:
      area = parens ? `(${ddd})` : ddd;
      break;
    case 2: // trunk prefix
      area = parens ? `(0${ddd})` : `0${ddd}`;
      break;
    case 3: // trunk + carrier
      area = parens ? `(0${pick(r, CARRIERS)} ${ddd})` : `0${pick(r, CARRIERS)}${pick(r, [" ", ""])}${ddd}`;
      break;
    case 4: // 0xx
      area = parens ? `(0${pick(r, ["xx", "XX"])}${ddd})` : `0${pick(r, ["xx", "XX"])}${pick(r, [" ", ""])}${ddd}`;
      break;
    case 5:
    case 6: // country code
      area = `+55${pick(r, [" ", "", " "])}${parens ? `(${ddd})` : ddd}`;
      break;
    default:
      area = `55 ${parens ? `(${ddd})` : ddd}`;
  }
  const between = area.endsWith(")") ? pick(r, [" ", "", " "]) : sep === "" ? " " : sep;
  return `${area}${between}${splitSubscriber(r, sub)}`;
}

const PHONE_TEMPLATES: Record<Locale, string[]> = {
  "pt-BR": [
    "Agende sua consulta pelo {x}.",
    "Telefone: {x}",
    "Ligue para {x} ou venha à clínica.",
    "WhatsApp {x} (segunda a sexta).",
    "Dúvidas? Fale com a recepção no {x}, das 8h às 18h.",
    "O número da recepção é {x}.",
    "Contato ({x}) e e-mail na página.",
  ],
  en: [
    "Call us at {x} to book a visit.",
    "Phone: {x}",
    "Text {x} for reminders.",
    "Our front desk number is {x}; we answer on weekdays.",
    "For questions, reach the clinic on {x}.",
  ],
  es: [
    "Llame al {x} para pedir cita.",
    "Teléfono: {x}",
    "Escríbanos por WhatsApp al {x}.",
    "Para dudas, contacte la clínica en el {x} de lunes a viernes.",
  ],
};

export interface Item {
  text: string;
  locale: Locale;
  /** Where the identifier is in `text`. */
  start: number;
  end: number;
  /** The finding code expected on exactly [start, end), or null for a negative (nothing but `allow` may touch it). */
  code: string | null;
  /** For negatives: a code that may legitimately cover the item (a valid CPF is a CPF). */
  allow?: string;
  kind: string;
}

function place(template: string, x: string, locale: Locale, code: string | null, kind: string, allow?: string): Item {
  const at = template.indexOf("{x}");
  const text = template.replace("{x}", x);
  return { text, locale, start: at, end: at + x.length, code, kind, ...(allow ? { allow } : {}) };
}

const LOCALES: Locale[] = ["pt-BR", "en", "es"];

export function phoneItems(seed: number, count: number): Item[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const locale = pick(r, LOCALES);
    return place(pick(r, PHONE_TEMPLATES[locale]), phoneVariant(r), locale, "pii.phone", "phone");
  });
}

// ---------------------------------------------------------------------------
// E-mail addresses (RFC 5322 dot-atom or quoted local part; RFC 6531 UTF-8 local parts and U-label domains).

const LOCAL_WORDS = [
  "joao", "maria", "ana", "contato", "agenda", "dr", "clinica", "recepcao", "carlos", "luisa", "pat", "info",
  "joão", "maría", "josé", "conceição", "zoë", "françois", "müller", "núñez", "ångström", "søren",
  "用户", "医生", "пользователь", "врач", "θέμα", "γιατρός", "ユーザー", "사용자", "उपयोगकर्ता",
];
const LOCAL_JOINERS = [".", "_", "-", "+", ""];
const LOCAL_SPECIALS = ["o'brien", "a.b+tag", "first_last", "x-y.z", "user%dept", "!def!xyz", "a{b}c", "n=1"];
const DOMAIN_LABELS = [
  "clinica", "hospital", "saude", "med", "mail", "consultorio", "health", "care", "salud", "mail2", "br-clinic",
  "clínica", "médicos", "saúde", "açaí", "españa", "例え", "病院", "почта", "клиника", "ελληνικά", "xn--clnica-fva",
];
const TLDS = ["com", "com.br", "org.br", "med.br", "org", "net", "es", "pt", "io", "health", "рф", "中国", "ελ", "xn--p1ai", "jp"];

export function emailVariant(r: Rand): string {
  let local: string;
  const style = r();
  if (style < 0.08) local = `"${pick(r, LOCAL_WORDS)} ${pick(r, LOCAL_WORDS)}"`;
  else if (style < 0.2) local = pick(r, LOCAL_SPECIALS);
  else {
    const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, LOCAL_WORDS));
    local = parts.map((p, i) => (i === 0 ? p : pick(r, LOCAL_JOINERS) + p)).join("");
    if (r() < 0.3) local += digits(r, 1 + Math.floor(r() * 3));
  }
  const labels = Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, DOMAIN_LABELS));
  const dot = r() < 0.05 ? pick(r, ["。", "．"]) : ".";
  return `${local}@${[...labels, pick(r, TLDS)].join(dot)}`;
}

const EMAIL_TEMPLATES: Record<Locale, string[]> = {
  "pt-BR": ["Escreva para {x}.", "E-mail: {x}", "Envie os exames para {x}, por favor.", "Contato ({x})", "«{x}» é o endereço da recepção.", "Mande um e-mail — {x} — e aguarde."],
  en: ["Email {x} with questions.", "Write to <{x}>.", "Contact: {x}", "Send records to '{x}' only.", "Reach the team at {x}; we reply within a day."],
  es: ["Escriba a {x}.", "Correo: {x}", "Envíe sus estudios a {x}, gracias.", "Contacto: «{x}»."],
};

export function emailItems(seed: number, count: number): Item[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => {
    const locale = pick(r, LOCALES);
    return place(pick(r, EMAIL_TEMPLATES[locale]), emailVariant(r), locale, "pii.email", "email");
  });
}

// ---------------------------------------------------------------------------
// Numbers and strings that are not phone numbers or addresses.

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** ISBN-13 with its check digit (mod 10, weights 1 and 3). */
function isbn13(r: Rand): string {
  const body = `97${pick(r, ["8", "9"])}${pick(r, ["85", "65", "0", "1", "84"])}`;
  const rest = digits(r, 12 - body.length);
  const d = body + rest;
  let s = 0;
  for (let i = 0; i < 12; i++) s += Number(d[i]) * (i % 2 === 0 ? 1 : 3);
  return d + String((10 - (s % 10)) % 10);
}

const NEGATIVE_TEMPLATES: Record<string, Record<Locale, string[]>> = {
  date: {
    "pt-BR": ["A consulta foi em {x}.", "Atualizado em {x}."],
    en: ["Last reviewed on {x}.", "The study ended {x}."],
    es: ["Actualizado el {x}.", "La cita fue el {x}."],
  },
  price: {
    "pt-BR": ["O exame custa {x} no particular.", "Valor: {x}"],
    en: ["The test costs {x} without insurance.", "Price: {x}"],
    es: ["La consulta cuesta {x}.", "Precio: {x}"],
  },
  order: {
    "pt-BR": ["Pedido nº {x} confirmado.", "Protocolo {x}", "Seu código de rastreio: {x}", "Lote {x}, validade 2027."],
    en: ["Order #{x} has shipped.", "Tracking number {x}", "Invoice {x} is attached.", "Case {x} was closed."],
    es: ["Pedido n.º {x} confirmado.", "Número de expediente {x}", "Factura {x} adjunta."],
  },
  isbn: {
    "pt-BR": ["Livro: ISBN {x}.", "Referência: ISBN {x}"],
    en: ["See the book (ISBN {x}).", "ISBN {x}"],
    es: ["Libro: ISBN {x}."],
  },
  cpf: {
    "pt-BR": ["CPF do responsável: {x}", "Documento {x} no cadastro."],
    en: ["Brazilian taxpayer id (CPF) {x}"],
    es: ["CPF {x}"],
  },
  measure: {
    "pt-BR": ["Pressão de {x} na consulta.", "Dose: {x} ao dia."],
    en: ["Blood pressure was {x}.", "Dose: {x} daily."],
    es: ["Presión de {x}.", "Dosis: {x} al día."],
  },
  wrongddd: {
    "pt-BR": ["Ligue {x}", "Telefone: {x}"],
    en: ["Call {x}"],
    es: ["Teléfono: {x}"],
  },
  handle: {
    "pt-BR": ["Siga {x} nas redes.", "Fale com {x} no Instagram."],
    en: ["Follow {x} for updates.", "Write to {x} (no address given)."],
    es: ["Síganos en {x}."],
  },
};

const MONTHS_PT = ["janeiro", "março", "junho", "outubro"];

function negativeValue(r: Rand, kind: string): { x: string; allow?: string } {
  switch (kind) {
    case "date": {
      const d = 1 + Math.floor(r() * 28);
      const m = 1 + Math.floor(r() * 12);
      const y = 1990 + Math.floor(r() * 40);
      return {
        x: pick(r, [
          `${pad2(d)}/${pad2(m)}/${y}`,
          `${pad2(d)}.${pad2(m)}.${y}`,
          `${pad2(d)}-${pad2(m)}-${y}`,
          `${y}-${pad2(m)}-${pad2(d)}`,
          `${d} de ${pick(r, MONTHS_PT)} de ${y}`,
          `${y}–${y + 1 + Math.floor(r() * 5)}`,
          `${pad2(d)}/${pad2(m)}/${String(y).slice(2)}`,
          `${y} ${y + 2}`,
        ]),
      };
    }
    case "price": {
      const v = Math.floor(r() * 2_000_000);
      const br = v.toLocaleString("pt-BR");
      const us = v.toLocaleString("en-US");
      return { x: pick(r, [`R$ ${br},${digits(r, 2)}`, `$${us}.${digits(r, 2)}`, `US$ ${us}`, `${br} reais`, `€ ${br}`, `R$ ${v}`]) };
    }
    case "order": {
      const len = 5 + Math.floor(r() * 8);
      return { x: pick(r, [digits(r, len), `${digits(r, 4)}.${digits(r, 6)}`, `${digits(r, 3)}-${digits(r, 7)}`, `${1 + Math.floor(r() * 9)}${digits(r, 10)}`]) };
    }
    case "isbn": {
      const i = isbn13(r);
      return { x: pick(r, [i, `${i.slice(0, 3)}-${i.slice(3, 5)}-${i.slice(5, 8)}-${i.slice(8, 12)}-${i.slice(12)}`, `${i.slice(3, 5)}-${i.slice(5, 8)}-${i.slice(8, 12)}-${digits(r, 1)}`]) };
    }
    case "cpf": {
      const base = Array.from({ length: 9 }, () => Math.floor(r() * 10));
      const cpf = cpfFromBase(base);
      const wrong = cpf.slice(0, 10) + String((Number(cpf[10]) + 1 + Math.floor(r() * 8)) % 10);
      const valid = r() < 0.5;
      const value = valid ? cpf : wrong;
      return { x: r() < 0.5 ? formatCPF(value) : value, ...(valid ? { allow: "pii.cpf" } : {}) };
    }
    case "measure":
      return { x: pick(r, [`${100 + Math.floor(r() * 80)}/${60 + Math.floor(r() * 40)} mmHg`, `${1 + Math.floor(r() * 9)},${digits(r, 1)} mg`, `${digits(r, 3)} mg/dL`, `${digits(r, 2)}:${digits(r, 2)}`]) };
    case "wrongddd": {
      // Phone-shaped, but with an area code that does not exist or a subscriber the plan does not allow.
      const bad = r() < 0.6;
      const ddd = bad ? pick(r, NOT_DDDS) : pick(r, DDDS);
      const sub = bad ? subscriber(r, r() < 0.5) : pick(r, [`1${digits(r, 7)}`, `${6 + Math.floor(r() * 3)}${digits(r, 7)}`, `${digits(r, 7)}`]);
      return { x: `(${ddd}) ${sub.slice(0, sub.length - 4)}-${sub.slice(-4)}` };
    }
    default:
      return { x: pick(r, ["@clinica", "@dra.ana", "@saude_em_dia", "user@", "@", "foo @ bar.com", "a@b", "10@20.5"]) };
  }
}

export function negativeItems(seed: number, count: number): Item[] {
  const r = rng(seed);
  const kinds = Object.keys(NEGATIVE_TEMPLATES);
  return Array.from({ length: count }, () => {
    const kind = pick(r, kinds);
    const locale = pick(r, LOCALES);
    const { x, allow } = negativeValue(r, kind);
    return place(pick(r, NEGATIVE_TEMPLATES[kind]![locale]), x, locale, null, kind, allow);
  });
}

// ---------------------------------------------------------------------------
// Claims (CFM 2.336/2023: no promising results, no hiding risks; a specialty only with its RQE), built from
// the grammar of each forbidden claim in the three languages, and sentences that use the same words lawfully.

export interface ClaimCase {
  text: string;
  locale: Locale;
  /** The code a finding must have, or null: no finding of `codes` may appear. */
  code: string | null;
  /** The codes this case is about (the category it measures). */
  codes: string[];
  context?: Record<string, unknown>;
  kind: string;
}

const SAFETY = ["claim.no_risk"];
const QUICK = ["claim.quick_result"];
const SPECIALTY = ["claim.specialty"];

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const PT_SUBJECTS = ["o tratamento", "este procedimento", "a aplicação", "nosso protocolo", "o medicamento", "a cirurgia"];
const PT_VERBS = ["causa", "provoca", "tem", "apresenta", "oferece", "traz"];
// [noun, feminine]
const PT_NOUNS: [string, boolean][] = [
  ["efeito colateral", false],
  ["efeitos colaterais", false],
  ["reação adversa", true],
  ["reações adversas", true],
  ["risco", false],
  ["riscos", false],
  ["contraindicação", true],
  ["complicação", true],
  ["complicações", true],
  ["efeito indesejado", false],
];
const EN_SUBJECTS = ["the treatment", "this procedure", "our protocol", "the injection", "this medication"];
const EN_VERBS = ["has no", "causes no", "carries no", "poses no", "has zero", "comes with no", "does not cause any", "doesn't cause any", "does not carry any", "won't cause any", "never causes any", "doesn't have any"];
const EN_NOUNS = ["side effects", "side effect", "adverse reactions", "adverse effects", "risk", "risks", "complications", "serious side effects"];
const ES_SUBJECTS = ["el tratamiento", "este procedimiento", "la aplicación", "nuestro protocolo", "el medicamento"];
const ES_VERBS = ["no tiene", "no causa", "no presenta", "no produce", "no conlleva", "no provoca"];
const ES_NOUNS: [string, boolean][] = [
  ["efecto secundario", false],
  ["efectos secundarios", false],
  ["efectos colaterales", false],
  ["riesgo", false],
  ["riesgos", false],
  ["complicaciones", true],
  ["contraindicaciones", true],
  ["reacción adversa", true],
];

function safetyClaim(r: Rand): ClaimCase {
  const locale = pick(r, LOCALES);
  const form = r();
  let text: string;
  if (locale === "pt-BR") {
    const [noun, fem] = pick(r, PT_NOUNS);
    const none = fem ? "nenhuma" : "nenhum";
    if (form < 0.55) {
      const quant = pick(r, ["", `${none} `, "qualquer ", `${none} tipo de `, "qualquer tipo de "]);
      text = `${cap(pick(r, PT_SUBJECTS))} não ${pick(r, PT_VERBS)} ${quant}${noun}.`;
    } else if (form < 0.75) text = `${cap(none)} ${noun}: ${pick(r, PT_SUBJECTS)} é seguro.`;
    else if (form < 0.85) text = `${cap(pick(r, PT_SUBJECTS))} é livre de ${pick(r, ["efeitos colaterais", "complicações", "contraindicações"])}.`;
    else if (form < 0.93) text = `Zero ${pick(r, ["risco", "efeitos colaterais", "complicações", "contraindicações"])}!`;
    else text = `Não há ${none} ${noun} com ${pick(r, PT_SUBJECTS)}.`;
  } else if (locale === "en") {
    if (form < 0.7) text = `${cap(pick(r, EN_SUBJECTS))} ${pick(r, EN_VERBS)} ${pick(r, ["", "known "])}${pick(r, EN_NOUNS)}${pick(r, ["", " at all", " whatsoever"])}.`;
    else if (form < 0.8) text = `${cap(pick(r, EN_SUBJECTS))} is free of ${pick(r, ["side effects", "risk", "complications", "any side effects"])}.`;
    else if (form < 0.88) text = `A ${pick(r, ["side effect free", "side-effect-free"])} way to treat acne.`;
    else if (form < 0.95) text = `${cap(pick(r, EN_SUBJECTS))} ${pick(r, ["isn't", "is not"])} ${pick(r, ["harmful", "risky", "dangerous"])} at all.`;
    else text = `Zero ${pick(r, ["side effects", "risk", "complications"])}, guaranteed comfort.`;
  } else {
    const [noun, fem] = pick(r, ES_NOUNS);
    const none = fem ? "ninguna" : "ningún";
    if (form < 0.55) text = `${cap(pick(r, ES_SUBJECTS))} ${pick(r, ES_VERBS)} ${pick(r, ["", `${none} `, `${none} tipo de `])}${noun}.`;
    else if (form < 0.75) text = `${cap(none)} ${noun}: ${pick(r, ES_SUBJECTS)} es seguro.`;
    else if (form < 0.85) text = `Sin ${none} ${noun}, ${pick(r, ES_SUBJECTS)} es para todos.`;
    else if (form < 0.93) text = `Cero ${pick(r, ["riesgos", "efectos secundarios", "complicaciones"])}.`;
    else text = `${cap(pick(r, ES_SUBJECTS))} es libre de efectos ${pick(r, ["secundarios", "colaterales", "adversos"])}.`;
  }
  return { text, locale, code: "claim.no_risk", codes: SAFETY, kind: "safety" };
}

const SAFETY_NEGATIVES: Record<Locale, string[]> = {
  "pt-BR": [
    "Todo medicamento pode causar efeitos colaterais; converse com seu médico.",
    "Nenhum tratamento é isento de riscos.",
    "Não há estudos suficientes sobre os efeitos colaterais a longo prazo.",
    "Os efeitos colaterais mais comuns são náusea e dor de cabeça.",
    "O risco de complicações é baixo, mas existe.",
    "Não existe risco zero em cirurgia.",
    "Não tome o remédio sem orientação, pois ele tem contraindicações.",
    "Informe ao médico qualquer reação adversa.",
    "Nenhum paciente deve interromper o tratamento por conta própria.",
    "A vacina pode ter efeitos colaterais leves, como febre.",
    "Não ignore os riscos: leia a bula.",
    "Quais são as complicações possíveis da cirurgia?",
  ],
  en: [
    "All medicines can cause side effects; ask your doctor.",
    "No treatment is free of risk.",
    "There is not enough data on long-term side effects.",
    "The most common side effects are nausea and headache.",
    "The risk of complications is low, but it exists.",
    "Tell your doctor about any side effects you notice.",
    "Do not stop the medication without talking to your doctor about the risks.",
    "Some patients have no symptoms at first.",
    "Vaccines can have mild side effects such as fever.",
    "What complications can happen after surgery?",
  ],
  es: [
    "Todos los medicamentos pueden causar efectos secundarios; consulte a su médico.",
    "Ningún tratamiento está libre de riesgos.",
    "No hay datos suficientes sobre los efectos secundarios a largo plazo.",
    "Los efectos secundarios más comunes son náuseas y dolor de cabeza.",
    "El riesgo de complicaciones es bajo, pero existe.",
    "Informe a su médico de cualquier reacción adversa.",
    "No suspenda el tratamiento sin hablar antes de los riesgos.",
    "Las vacunas pueden tener efectos secundarios leves, como fiebre.",
  ],
};

const TIME_UNITS: Record<Locale, { day: [string, string]; week: [string, string]; month: [string, string] }> = {
  "pt-BR": { day: ["dia", "dias"], week: ["semana", "semanas"], month: ["mês", "meses"] },
  en: { day: ["day", "days"], week: ["week", "weeks"], month: ["month", "months"] },
  es: { day: ["día", "días"], week: ["semana", "semanas"], month: ["mes", "meses"] },
};
const WORD_NUMBERS: Record<Locale, Record<number, string>> = {
  "pt-BR": { 1: "um", 2: "duas", 3: "três", 10: "dez", 15: "quinze", 30: "trinta" },
  en: { 1: "a", 2: "two", 3: "three", 10: "ten", 15: "fifteen", 30: "thirty" },
  es: { 1: "un", 2: "dos", 3: "tres", 10: "diez", 15: "quince", 30: "treinta" },
};
const LOSS: Record<Locale, string[]> = {
  "pt-BR": ["Emagreça", "Perca", "Elimine", "Queime", "Você vai perder", "Garanta: perca", "Seque"],
  en: ["Lose", "Drop", "Shed", "You will lose", "Burn off", "Melt away"],
  es: ["Baje", "Pierda", "Elimine", "Adelgace", "Usted va a perder", "Baja"],
};
const WEIGHT: Record<Locale, string[]> = { "pt-BR": ["kg", "quilos", "kg"], en: ["lbs", "pounds", "kg", "lb"], es: ["kilos", "kg", "kilogramos"] };
const LINKS: Record<Locale, string[]> = {
  "pt-BR": ["em", "em apenas", "em só", "até", "em menos de"],
  en: ["in", "in just", "in only", "within", "in less than"],
  es: ["en", "en solo", "en apenas", "en menos de"],
};

function quickClaim(r: Rand): ClaimCase {
  const locale = pick(r, LOCALES);
  if (r() < 0.12) {
    const text = pick(r, {
      "pt-BR": ["Emagreça rápido com nossa dieta.", "Perca peso rapidamente!", "Elimine gordura já.", "Emagrecimento relâmpago para o verão."],
      en: ["Lose weight fast with our plan.", "Drop pounds quickly!", "Rapid weight loss for summer."],
      es: ["Adelgace rápidamente con nuestro plan.", "Baje de peso rápido.", "Pierda grasa ya."],
    }[locale]);
    return { text, locale, code: "claim.quick_result", codes: QUICK, kind: "quick" };
  }
  const amount = 2 + Math.floor(r() * 19);
  const unit = pick(r, WEIGHT[locale]);
  const glued = r() < 0.3 && unit.length <= 3;
  const span = pick(r, ["day", "week", "month"] as const);
  const value = span === "day" ? pick(r, [3, 5, 7, 10, 15, 21, 30]) : span === "week" ? pick(r, [1, 2, 3, 4, 6, 8]) : pick(r, [1, 2, 3]);
  const [one, many] = TIME_UNITS[locale][span];
  const word = WORD_NUMBERS[locale][value];
  const n = word && r() < 0.4 ? (span === "month" && locale === "pt-BR" && value === 1 ? "um" : word) : String(value);
  const time = `${n === "a" || n === "um" || n === "un" || value === 1 ? (n === "1" ? "1" : n) : n} ${value === 1 ? one : many}`;
  const link = pick(r, LINKS[locale]);
  const text = `${pick(r, LOSS[locale])} ${glued ? `${amount}${unit}` : `${amount} ${unit}`} ${link} ${time}${pick(r, [".", "!", " com o nosso método.", " — sem sofrer."])}`;
  return { text, locale, code: "claim.quick_result", codes: QUICK, kind: "quick" };
}

const QUICK_NEGATIVES: Record<Locale, string[]> = {
  "pt-BR": [
    "O bebê ganhou 2 kg em 3 meses.",
    "Perder 10 kg em 1 ano é uma meta segura para muitos pacientes.",
    "Em 12 semanas, os pacientes perderam em média 5% do peso.",
    "A perda de peso saudável é de 0,5 a 1 kg por semana.",
    "O emagrecimento rápido pode causar cálculos na vesícula.",
    "Pacientes perderam em média 15 kg em 68 semanas no estudo.",
    "A dose é de 2,4 mg por semana.",
    "Pese-se uma vez por semana, sempre no mesmo horário.",
  ],
  en: [
    "The baby gained 2 kg in 3 months.",
    "Losing 1 kg a week is considered safe.",
    "Patients lost an average of 15 kg over 68 weeks in the trial.",
    "Rapid weight loss can cause gallstones.",
    "Weigh yourself once a week at the same time.",
    "The dose is 2.4 mg once a week.",
  ],
  es: [
    "El bebé aumentó 2 kilos en 3 meses.",
    "Bajar 10 kilos en un año es razonable.",
    "La fiebre baja rápido con el tratamiento.",
    "Los pacientes perdieron 15 kg en 68 semanas en el estudio.",
    "La dosis es de 2,4 mg una vez por semana.",
  ],
};

const SPECIALTIES: Record<Locale, [string, string][]> = {
  // [specialty as the author's RQE names it, as an article writes it]
  "pt-BR": [
    ["Dermatologia", "dermatologia"],
    ["Cirurgia Plástica", "cirurgia plástica"],
    ["Cardiologia", "cardiologia"],
    ["Pediatria", "pediatria"],
    ["Endocrinologia e Metabologia", "endocrinologia"],
    ["Medicina Esportiva", "medicina esportiva"],
  ],
  en: [
    ["Dermatologia", "dermatology"],
    ["Cardiologia", "cardiology"],
    ["Pediatria", "pediatrics"],
    ["Cirurgia Plástica", "plastic surgery"],
  ],
  es: [
    ["Dermatologia", "dermatología"],
    ["Cardiologia", "cardiología"],
    ["Pediatria", "pediatría"],
    ["Cirurgia Plástica", "cirugía plástica"],
  ],
};
const SPECIALTY_FRAMES: Record<Locale, string[]> = {
  "pt-BR": ["Sou especialista em {s} há 15 anos.", "A Dra. Ana é especialista em {s}.", "Médico especialista em {s}, atende em São Paulo.", "Somos especializados em {s} e estética."],
  en: ["I am a specialist in {s} with 15 years of practice.", "Dr. Ana is a specialist in {s}.", "Specialist in {s}, seeing patients in Miami."],
  es: ["Soy especialista en {s} desde 2010.", "La Dra. Ana es especialista en {s}.", "Médico especialista en {s}, atiende en Madrid."],
};
const UNHELD: Record<Locale, string[]> = {
  "pt-BR": ["emagrecimento", "nutrologia", "medicina estética", "ortopedia", "harmonização facial"],
  en: ["weight loss", "aesthetic medicine", "anti-aging", "sports medicine"],
  es: ["medicina estética", "adelgazamiento", "nutrición", "traumatología"],
};

function specialtyCase(r: Rand): ClaimCase {
  const locale = pick(r, LOCALES);
  const [held, written] = pick(r, SPECIALTIES[locale]);
  const frame = pick(r, SPECIALTY_FRAMES[locale]);
  const positive = r() < 0.5;
  const claimed = positive ? pick(r, UNHELD[locale]) : written;
  // Positives: the author holds an RQE for another specialty, or for none at all.
  const authorSpecialties = positive ? (r() < 0.5 ? [held] : []) : [held];
  const text = frame.replace("{s}", claimed);
  return { text, locale, code: positive ? "claim.specialty" : null, codes: SPECIALTY, context: { authorSpecialties }, kind: "specialty" };
}

export function claimCases(seed: number, count: number): ClaimCase[] {
  const r = rng(seed);
  const out: ClaimCase[] = [];
  for (let i = 0; i < count; i++) {
    const which = r();
    if (which < 0.3) out.push(safetyClaim(r));
    else if (which < 0.45) {
      const locale = pick(r, LOCALES);
      out.push({ text: pick(r, SAFETY_NEGATIVES[locale]), locale, code: null, codes: SAFETY, kind: "safety" });
    } else if (which < 0.7) out.push(quickClaim(r));
    else if (which < 0.82) {
      const locale = pick(r, LOCALES);
      out.push({ text: pick(r, QUICK_NEGATIVES[locale]), locale, code: null, codes: QUICK, kind: "quick" });
    } else out.push(specialtyCase(r));
  }
  return out;
}
