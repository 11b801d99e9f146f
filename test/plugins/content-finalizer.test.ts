// content-finalizer (stage 5) through Extism: golden fixtures per language, the JSON-LD MedicalWebPage,
// the CFM 2.336/2023 disclaimer naming the physician with CRM/UF, and properties over random input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { PluginRunner, loadFixtures, checkExpect, checkContract } from "./support";

let fin: PluginRunner;
beforeAll(async () => {
  fin = await PluginRunner.load("content-finalizer");
}, 120_000);
afterAll(async () => {
  await fin.close();
});

type Toc = { level: number; text: string; anchor: string; start: number; end: number }[];
type Disclaimer = { code: string; text: string };

describe("golden fixtures", () => {
  for (const fx of loadFixtures("content-finalizer")) {
    it(`${fx.file}: ${fx.description}`, async () => {
      const out = await fin.analyze(fx.input);
      expect(checkContract("content-finalizer", fx.input, out)).toEqual([]);
      expect(checkExpect(fx.input, out, fx.expect)).toEqual([]);
    });
  }
});

const reviewed = {
  title: "Hipertensão arterial: o que saber",
  locale: "pt-BR" as const,
  text: "A hipertensão é comum. Ela costuma não dar sintomas.\n\n## Diagnóstico\n\nFeito pelo médico.",
  context: {
    reviewer: { name: "Dra. Ana Souza", crm: "123456", uf: "SP", rqe: "7890" },
    lastReviewed: "2025-03-10",
    requiresMedicalReview: true,
    references: [
      { id: "10.1000/abc", title: "A trial" },
      { id: "PMID:555", resolution: { found: true, title: "Cohort" } },
      { id: "10.1000/retracted", resolution: { found: true, retracted: true } },
      { id: "10.1000/missing", resolution: { found: false } },
    ],
  },
};

describe("JSON-LD MedicalWebPage", () => {
  it("names the page, the reviewing physician by CRM/UF, the review date, audience and citations", async () => {
    const out = await fin.analyze(reviewed);
    expect(out.jsonLd).toEqual({
      "@context": "https://schema.org",
      "@type": "MedicalWebPage",
      name: "Hipertensão arterial: o que saber",
      inLanguage: "pt-BR",
      description: "A hipertensão é comum. Ela costuma não dar sintomas. Feito pelo médico.",
      lastReviewed: "2025-03-10",
      reviewedBy: {
        "@type": "Physician",
        name: "Dra. Ana Souza",
        identifier: { "@type": "PropertyValue", propertyID: "CRM/SP", value: "123456", name: "CRM/SP 123456" },
      },
      about: [{ "@type": "Thing", name: "Diagnóstico" }],
      medicalAudience: { "@type": "MedicalAudience", audienceType: "Patient" },
      citation: [
        { "@type": "ScholarlyArticle", identifier: "10.1000/abc", name: "A trial", url: "https://doi.org/10.1000/abc" },
        { "@type": "ScholarlyArticle", identifier: "PMID:555", name: "Cohort", url: "https://pubmed.ncbi.nlm.nih.gov/555/" },
      ],
    });
  });

  it("takes `about` and the professional audience from the context", async () => {
    const out = await fin.analyze({ ...reviewed, context: { ...reviewed.context, about: ["Hipertensão", "Pressão arterial"], audience: "professional" } });
    const ld = out.jsonLd as Record<string, unknown>;
    expect(ld.about).toEqual([{ "@type": "Thing", name: "Hipertensão" }, { "@type": "Thing", name: "Pressão arterial" }]);
    expect(ld.medicalAudience).toEqual({ "@type": "MedicalAudience", audienceType: "Clinician" });
  });
});

describe("disclaimers", () => {
  it.each([
    ["pt-BR", /não substitui a consulta médica/, /Médico responsável: Dra\. Ana Souza — CRM\/SP 123456 — RQE 7890\. Última revisão médica: 2025-03-10\./],
    ["en", /does not replace a consultation with a physician/, /Responsible physician: Dra\. Ana Souza — CRM\/SP 123456 — RQE 7890\. Last medically reviewed: 2025-03-10\./],
    ["es", /no sustituye la consulta médica/, /Médico responsable: Dra\. Ana Souza — CRM\/SP 123456 — RQE 7890\. Última revisión médica: 2025-03-10\./],
  ] as const)("%s: informative notice and the responsible physician (CFM 2.336/2023)", async (locale, informative, physician) => {
    const out = await fin.analyze({ ...reviewed, locale });
    const d = out.disclaimers as Disclaimer[];
    expect(d.map((x) => x.code)).toEqual(["informative", "responsible_physician"]);
    expect(d[0]!.text).toMatch(informative);
    expect(d[1]!.text).toMatch(physician);
  });

  it("blocks when review is required and the reviewer lacks a valid UF", async () => {
    const out = await fin.analyze({ ...reviewed, context: { ...reviewed.context, reviewer: { name: "Dra. Ana", crm: "1", uf: "XX" } } });
    expect(out.findings).toEqual([expect.objectContaining({ code: "final.missing_reviewer", severity: "blocking" })]);
    expect((out.disclaimers as Disclaimer[]).map((x) => x.code)).toEqual(["informative"]);
    expect((out.jsonLd as Record<string, unknown>).reviewedBy).toBeUndefined();
  });
});

describe("summary and toc", () => {
  it("cuts the summary on a sentence boundary near 300 characters", async () => {
    const sentence = "Esta frase tem exatamente algumas palavras para encher o resumo. ";
    const out = await fin.analyze({ text: sentence.repeat(10), locale: "pt-BR", title: "T" });
    // Each sentence is 64 characters; whole sentences joined by one space: four make 4 × 64 + 3 = 259 characters,
    // a fifth would make 324 > 300.
    expect(sentence.trimEnd().length).toBe(64);
    const four = [1, 2, 3, 4].map(() => "Esta frase tem exatamente algumas palavras para encher o resumo.").join(" ");
    expect(out.summary).toBe(four);
  });

  it("cuts a single very long first sentence on a word, with an ellipsis", async () => {
    const out = await fin.analyze({ text: "palavra ".repeat(100), locale: "pt-BR", title: "T" });
    // "palavra" is 7 letters: n words and their spaces take 8n − 1 characters. The cut is at the last space before
    // the 300th character: 37 words (295 characters) fit, the 38th would end at 303; then the ellipsis.
    const words37 = Array.from({ length: 37 }, () => "palavra").join(" ");
    expect(out.summary).toBe(`${words37}…`);
    expect(words37.length).toBe(295);
  });

  it("builds unique, URL-safe anchors", async () => {
    const text = "# Visão geral\n\n## Causas\n\n## Causas\n\n### Causas-2\n\n## Ação e reação!\n\n## *Tratamento* `x`";
    const out = await fin.analyze({ text, locale: "pt-BR", title: "T" });
    // Anchors: accents folded, lower case, runs of other characters become one hyphen. A taken anchor gets
    // "-2" (then "-3", …): the second "Causas" is "causas-2", so the heading "Causas-2", whose own anchor is now
    // taken, becomes "causas-2-2".
    expect((out.toc as Toc).map((x) => [x.level, x.text, x.anchor])).toEqual([
      [1, "Visão geral", "visao-geral"],
      [2, "Causas", "causas"],
      [2, "Causas", "causas-2"],
      [3, "Causas-2", "causas-2-2"],
      [2, "Ação e reação!", "acao-e-reacao"],
      [2, "Tratamento x", "tratamento-x"],
    ]);
  });
});

describe("properties", () => {
  const pieces = fc.constantFrom("# ", "## ", "### ", "Saúde", "médico", "😀", "Ação", ".", " ", "\n", "\n\n", "!", "`", "*");
  it("toc offsets point at their headings; anchors unique and URL-safe", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(pieces, { maxLength: 200 }).map((p) => p.join("")), async (text) => {
        const input = { text, locale: "pt-BR" as const, title: "Título" };
        const out = await fin.analyze(input);
        expect(checkContract("content-finalizer", input, out)).toEqual([]);
        const toc = out.toc as Toc;
        const anchors = toc.map((x) => x.anchor);
        expect(new Set(anchors).size).toBe(anchors.length);
        for (const h of toc) {
          expect(h.anchor).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
          expect(text.slice(h.start, h.end).trimStart().startsWith("#".repeat(h.level))).toBe(true);
        }
        expect((out.summary as string).length).toBeLessThanOrEqual(301);
      }),
      { numRuns: 150 },
    );
  });

  it("never crashes on random Unicode, random context or 1 MB input", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 2000 }), fc.jsonValue({ maxDepth: 3 }), async (text, junk) => {
        const input = { text, locale: "es" as const, context: { reviewer: junk, references: junk, about: junk, lastReviewed: junk } };
        const out = await fin.analyze(input as never);
        expect(checkContract("content-finalizer", input, out)).toEqual([]);
      }),
      { numRuns: 150 },
    );
    const big = "## Título\n\n" + "Uma frase curta. ".repeat(65_000);
    const out = await fin.analyze({ text: big, locale: "pt-BR", title: "Grande" });
    expect((out.toc as Toc).length).toBe(1);
  }, 60_000);
});
