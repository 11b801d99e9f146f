// seo-optimizer (stage 4) through Extism, as the host runs it: golden fixtures per language, the
// readability formulas, and properties (offsets point at what they describe; random and 1 MB input).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { PluginRunner, loadFixtures, checkExpect, checkContract, type PluginOutput } from "./support";

let seo: PluginRunner;
beforeAll(async () => {
  seo = await PluginRunner.load("seo-optimizer");
}, 120_000);
afterAll(async () => {
  await seo.close();
});

type Readability = { formula: string; score: number; words: number; sentences: number; syllables: number };

describe("golden fixtures", () => {
  for (const fx of loadFixtures("seo-optimizer")) {
    it(`${fx.file}: ${fx.description}`, async () => {
      const out = await seo.analyze(fx.input);
      expect(checkContract("seo-optimizer", fx.input, out)).toEqual([]);
      expect(checkExpect(fx.input, out, fx.expect)).toEqual([]);
      for (const f of out.findings) expect(f.suggestion, f.code).toBeTruthy();
    });
  }
});

describe("readability", () => {
  it("counts Portuguese syllables with hiatus, diphthongs and nasal vowels", async () => {
    // sa-ú-de (3) no (1) pa-ís (2) / mão (1) e (1) le-ão (2) / quais (1) pai (1) → 12
    const out = await seo.analyze({ text: "Saúde no país. Mão e leão. Quais pai.", locale: "pt-BR" });
    const r = out.readability as Readability;
    expect(r).toMatchObject({ formula: "flesch-martins-1996", words: 8, sentences: 3, syllables: 12 });
    const expected = 248.835 - 1.015 * (8 / 3) - 84.6 * (12 / 8);
    expect(r.score).toBeCloseTo(Math.min(100, Math.max(0, expected)), 1);
  });

  it("uses Flesch Reading Ease for English", async () => {
    const out = await seo.analyze({ text: "The cat sat on the mat. It was happy.", locale: "en" });
    const r = out.readability as Readability;
    expect(r).toMatchObject({ formula: "flesch-reading-ease", words: 9, sentences: 2, syllables: 10 });
    expect(r.score).toBeCloseTo(Math.min(100, 206.835 - 1.015 * 4.5 - 84.6 * (10 / 9)), 1);
  });

  it("uses Fernández-Huerta for Spanish", async () => {
    const out = await seo.analyze({ text: "La diabetes es una enfermedad crónica. El cuerpo no usa bien el azúcar.", locale: "es" });
    const r = out.readability as Readability;
    expect(r.formula).toBe("fernandez-huerta");
    const expected = 206.84 - 0.6 * ((100 * r.syllables) / r.words) - 1.02 * ((100 * r.sentences) / r.words);
    expect(r.score).toBeCloseTo(Math.min(100, Math.max(0, expected)), 1);
    // la(1) dia-be-tes(3: "ia" is a diphthong, RAE) es(1) u-na(2) en-fer-me-dad(4) cró-ni-ca(3) el(1) cuer-po(2) no(1) u-sa(2) bien(1) el(1) a-zú-car(3)
    expect(r).toMatchObject({ words: 13, sentences: 2, syllables: 25 });
  });

  it("flags hard text with a concrete suggestion", async () => {
    const text = "A farmacocinética dos anti-hipertensivos determina a biodisponibilidade, a metabolização hepática e a excreção renal dos medicamentos administrados cronicamente.";
    const out = await seo.analyze({ text, title: "Farmacocinética dos anti-hipertensivos na prática", locale: "pt-BR" });
    const f = out.findings.find((x) => x.code === "seo.readability");
    expect(f?.severity).toBe("warning");
    expect(f?.suggestion).toMatch(/palavras por frase/);
  });
});

describe("slug and keyword", () => {
  it("proposes a clean slug", async () => {
    const out = await seo.analyze({ text: "Texto.", title: "Dor nas costas: causas e tratamento", locale: "pt-BR", context: { slug: "Dor_nas_Costas" } });
    const f = out.findings.find((x) => x.code === "seo.slug");
    expect(f?.suggestion).toBe('Use "dor-costas".');
  });

  it("accepts a clean slug and flags one over 75 characters", async () => {
    const ok = await seo.analyze({ text: "Texto.", locale: "pt-BR", context: { slug: "dor-costas-causas-tratamento" } });
    expect(ok.findings.map((f) => f.code)).not.toContain("seo.slug");
    const long = await seo.analyze({ text: "Texto.", locale: "pt-BR", context: { slug: "palavra-".repeat(12) + "fim" } });
    expect(long.findings.map((f) => f.code)).toContain("seo.slug");
  });

  it("reports low keyword density with how many uses are needed", async () => {
    const text = "Dormir bem ajuda a saúde. ".repeat(40) + "A insônia atrapalha.";
    const out = await seo.analyze({ text, title: "Insônia: como dormir melhor à noite sem remédios", locale: "pt-BR", context: { keyword: "insônia" } });
    const f = out.findings.find((x) => x.code === "seo.keyword_density");
    expect(f?.message).toMatch(/0\.\d%/);
    expect(f?.suggestion).toMatch(/pelo menos \d+ vezes/);
  });
});

const words = fc.constantFrom("saúde", "pressão", "médico", "heart", "corazón", "ação", "😀", "x", "#", "##", "###", "\n", "\n\n", ".", "!", " ", "-", "ção");
const markdownish = fc.array(words, { maxLength: 300 }).map((ws) => ws.join(" "));

function offsetsDescribeText(text: string, out: PluginOutput) {
  for (const f of out.findings) {
    if (f.start === undefined || f.end === undefined) continue;
    const covered = text.slice(f.start, f.end);
    if (f.code === "seo.heading_order") expect(covered.trimStart().startsWith("#")).toBe(true);
    if (f.code === "seo.long_sentence" || f.code === "seo.long_paragraph") {
      expect(covered.trim()).toBe(covered);
      expect(covered.length).toBeGreaterThan(0);
    }
  }
}

describe("properties", () => {
  it("offsets point at the headings and sentences they describe", async () => {
    await fc.assert(
      fc.asyncProperty(markdownish, fc.constantFrom("pt-BR" as const, "en" as const, "es" as const), async (text, locale) => {
        const input = { text, locale, title: "Um título de tamanho razoável para o teste" };
        const out = await seo.analyze(input);
        expect(checkContract("seo-optimizer", input, out)).toEqual([]);
        offsetsDescribeText(text, out);
      }),
      { numRuns: 150 },
    );
  });

  it("never crashes on random Unicode (including lone surrogates)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 2000 }), fc.option(fc.string({ unit: "binary", maxLength: 100 }), { nil: undefined }), async (text, slug) => {
        const input = { text, locale: "pt-BR" as const, title: text.slice(0, 50), context: slug === undefined ? {} : { slug, keyword: slug.slice(0, 10), description: slug } };
        const out = await seo.analyze(input);
        expect(checkContract("seo-optimizer", input, out)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("handles a 1 MB article and caps repeated findings", async () => {
    const para = "Esta é uma frase muito longa que continua e continua sem parar para respirar, enumerando exames, consultas, retornos, medicamentos, dietas e atividades físicas recomendadas ao paciente. ";
    let text = "";
    while (text.length < 1_000_000) text += "## Seção\n\n" + para.repeat(8) + "\n\n";
    const input = { text, locale: "pt-BR" as const, title: "Um artigo enorme sobre cuidados com a saúde diária" };
    const out = await seo.analyze(input);
    expect(checkContract("seo-optimizer", input, out)).toEqual([]);
    expect(out.findings.filter((f) => f.code === "seo.long_sentence").length).toBeLessThanOrEqual(25);
    expect((out.readability as Readability).words).toBeGreaterThan(100_000);
  }, 60_000);
});
