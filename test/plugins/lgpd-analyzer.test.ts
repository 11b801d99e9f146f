import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzNeverCrashes, invalidInputsFailCleanly, megabyteText } from "./robustness";
import { checkContract, checkExpect, cpfFromBase, formatCPF, loadFixtures, PluginRunner, spanText } from "./support";

const NAME = "lgpd-analyzer";
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
      const redacted = out.redacted as string;
      expect(redacted.length).toBe(fx.input.text.length);
    });
  }
});

const base9 = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }).filter((d) => new Set(d).size > 1);
const validCPF = base9.map(cpfFromBase);
// Random surrounding text: words, accents, emoji, punctuation and digits, but never touching the CPF.
const filler = fc
  .array(fc.oneof(fc.constantFrom("paciente", "CPF", "tel.", "nº", "João", "ação", "😀", "e\u0301", ",", ".", "\n", "(11)", "123", "2020-2023", "@"), fc.string({ maxLength: 8 })), {
    maxLength: 12,
  })
  .map((xs) => xs.join(" "));

describe(`${NAME} properties`, () => {
  it("no valid CPF survives in `redacted`", async () => {
    await fc.assert(
      fc.asyncProperty(validCPF, fc.boolean(), filler, filler, async (cpf, formatted, before, after) => {
        const shown = formatted ? formatCPF(cpf) : cpf;
        const text = `${before} ${shown} ${after}`;
        const at = before.length + 1;
        const out = await runner.analyze({ text, locale: "pt-BR" });
        const redacted = out.redacted as string;
        expect(redacted.length).toBe(text.length);
        // Every digit of the CPF is masked, and the CPF appears nowhere in the redacted text.
        expect(/\d/.test(redacted.slice(at, at + shown.length))).toBe(false);
        expect(redacted.includes(shown)).toBe(false);
        const f = out.findings.find((x) => x.start === at);
        expect(f?.end).toBe(at + shown.length);
        expect(["pii.cpf", "pii.phone"]).toContain(f?.code);
      }),
      { numRuns: 200 },
    );
  });

  it("invalid CPFs (one check digit off) are never reported as CPF", async () => {
    await fc.assert(
      fc.asyncProperty(validCPF, fc.integer({ min: 1, max: 9 }), async (cpf, delta) => {
        const wrong = cpf.slice(0, 10) + String((Number(cpf[10]) + delta) % 10);
        const text = `CPF ${formatCPF(wrong)} do cadastro`;
        const out = await runner.analyze({ text, locale: "pt-BR" });
        expect(out.findings.filter((f) => f.code === "pii.cpf")).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("offsets always point at the text they describe", async () => {
    const pieces: [string, string][] = [
      ["529.982.247-25", "pii.cpf"],
      ["898 0010 9823 0002", "pii.cns"],
      ["contato@clinica.com.br", "pii.email"],
      ["(11) 98765-4321", "pii.phone"],
      ["01310-200", "pii.cep"],
    ];
    const sep = fc.constantFrom(" ", " 😀 ", " e\u0301 ", "\n", " \u202e ", ", ", " 👩🏽‍⚕️ ", " ação ");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...pieces), sep), { minLength: 1, maxLength: 8 }), async (parts) => {
        let text = "";
        const expected: [number, string, string][] = [];
        for (const [[piece, code], s] of parts) {
          text += s;
          expected.push([text.length, piece, code]);
          text += piece;
        }
        text += " fim";
        const out = await runner.analyze({ text, locale: "pt-BR" });
        expect(checkContract(NAME, { text }, out)).toEqual([]);
        for (const [start, piece, code] of expected) {
          const f = out.findings.find((x) => x.start === start);
          expect(f, `${code} at ${start}`).toBeDefined();
          expect(f!.code).toBe(code);
          expect(spanText(text, f!)).toBe(piece);
        }
        expect(out.findings.length).toBe(expected.length);
      }),
      { numRuns: 150 },
    );
  });

  it("random and adversarial Unicode never crashes", async () => {
    await fuzzNeverCrashes(runner);
  });
});

describe(`${NAME} limits`, () => {
  it("1 MB of text returns valid output", async () => {
    const text = megabyteText();
    const t0 = Date.now();
    const out = await runner.analyze({ text, locale: "pt-BR" });
    const ms = Date.now() - t0;
    expect(checkContract(NAME, { text }, out)).toEqual([]);
    expect((out.redacted as string).length).toBe(text.length);
    expect(out.findings.length).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(20_000);
  });

  it("invalid input is a clean plugin error, not garbage", async () => {
    expect(await invalidInputsFailCleanly(runner)).toEqual([]);
  });

  it("input over the cap is refused", async () => {
    const r = await runner.callRaw(JSON.stringify({ locale: "en" }), "a".repeat(3 * 1024 * 1024));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/input too large/);
  });
});
