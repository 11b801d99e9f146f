import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzNeverCrashes, invalidInputsFailCleanly, megabyteText } from "./robustness";
import { checkContract, checkExpect, loadFixtures, PluginRunner, spanText } from "./support";

const NAME = "medical-claims";
let runner: PluginRunner;

beforeAll(async () => {
  runner = await PluginRunner.load(NAME);
}, 120_000);
afterAll(async () => {
  await runner?.close();
});

describe(`${NAME} golden fixtures`, () => {
  for (const fx of loadFixtures(NAME)) {
    it(`${fx.file}: ${fx.description}`, async () => {
      const out = await runner.analyze(fx.input);
      expect(checkContract(NAME, fx.input, out)).toEqual([]);
      expect(checkExpect(fx.input, out, fx.expect)).toEqual([]);
      for (const f of out.findings) expect(f.suggestion, `${f.code} has a compliant rewording`).toBeTruthy();
    });
  }
});

// [phrase, code, locale]
const CLAIMS: [string, string, "pt-BR" | "en" | "es"][] = [
  ["resultados garantidos", "claim.guarantee", "pt-BR"],
  ["garantimos resultados", "claim.guarantee", "pt-BR"],
  ["cura definitiva", "claim.cure", "pt-BR"],
  ["sem riscos", "claim.no_risk", "pt-BR"],
  ["milagroso", "claim.miracle", "pt-BR"],
  ["guaranteed results", "claim.guarantee", "en"],
  ["risk free", "claim.no_risk", "en"],
  ["resultados garantizados", "claim.guarantee", "es"],
  ["sin riesgos", "claim.no_risk", "es"],
];
const NEGATION: Record<string, string[]> = { "pt-BR": ["não", "nunca"], en: ["not", "never"], es: ["no", "nunca"] };

describe(`${NAME} properties`, () => {
  it("offsets always point at the claim, after any Unicode prefix", async () => {
    const sep = fc.constantFrom(". ", ".\n", ". 😀 ", ". e\u0301 ", ". \u202e ", ". 👩🏽‍⚕️ Açaí. ");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...CLAIMS), sep), { minLength: 1, maxLength: 6 }), async (parts) => {
        let text = "";
        const expected: [number, string, string][] = [];
        for (const [[phrase, code], s] of parts) {
          text += s;
          expected.push([text.length, phrase, code]);
          text += phrase;
        }
        text += ".";
        const out = await runner.analyze({ text, locale: "pt-BR" });
        expect(checkContract(NAME, { text }, out)).toEqual([]);
        for (const [start, phrase, code] of expected) {
          const f = out.findings.find((x) => x.start === start && x.code === code);
          expect(f, `${code} at ${start} in ${JSON.stringify(text)}`).toBeDefined();
          expect(spanText(text, f!)?.toLowerCase()).toBe(phrase);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a negation cue a few words before a claim, in the same sentence, silences it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CLAIMS.filter(([, code]) => code === "claim.guarantee")), fc.nat(), async ([phrase, , locale], k) => {
        const neg = NEGATION[locale]![k % 2]!;
        const verb = locale === "en" ? "we do" : locale === "es" ? "" : "";
        const text = `${verb ? verb + " " : ""}${neg} ${phrase}.`.replace(/^./, (c) => c.toUpperCase());
        const out = await runner.analyze({ text, locale });
        expect(out.findings.filter((f) => f.code === "claim.guarantee"), text).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it("a negation in a previous sentence does not silence a claim", async () => {
    const out = await runner.analyze({ text: "Não fume. Resultados garantidos!", locale: "pt-BR" });
    expect(out.findings.map((f) => f.code)).toContain("claim.guarantee");
  });

  it("random and adversarial Unicode never crashes", async () => {
    await fuzzNeverCrashes(runner);
  });
});

describe(`${NAME} limits`, () => {
  it("1 MB of text returns valid output", async () => {
    const text = megabyteText();
    const out = await runner.analyze({ text, locale: "pt-BR" });
    expect(checkContract(NAME, { text }, out)).toEqual([]);
    expect(out.findings.length).toBeGreaterThan(1000);
  });

  it("invalid input is a clean plugin error, not garbage", async () => {
    expect(await invalidInputsFailCleanly(runner)).toEqual([]);
  });
});
