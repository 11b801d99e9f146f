import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzNeverCrashes, invalidInputsFailCleanly, megabyteText } from "./robustness";
import { checkContract, checkExpect, loadFixtures, PluginRunner } from "./support";

const NAME = "scientific-refs";
let runner: PluginRunner;

interface Ref {
  type: string;
  id: string;
  start: number;
  end: number;
}

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
    });
  }
});

const doi = fc
  .tuple(fc.integer({ min: 1000, max: 99999 }), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._;()/-]{0,20}[A-Za-z0-9]$/))
  .map(([reg, suffix]) => `10.${reg}/${suffix}`);
const pmid = fc.integer({ min: 1, max: 99_999_999 }).map(String);
const pmcid = fc.integer({ min: 1000, max: 99_999_999 }).map((n) => `PMC${n}`);

describe(`${NAME} properties`, () => {
  it("identifier offsets always point at the identifier (UTF-16, after emoji and combining marks)", async () => {
    const sep = fc.constantFrom(" ", " 😀 ", " e\u0301 ", "\n", " \u202e ", " (", "; ", " 👩🏽‍⚕️ ");
    const item = fc.oneof(
      doi.map((d) => ({ type: "doi", id: d, shown: `doi:${d}`, offset: 4 })),
      doi.map((d) => ({ type: "doi", id: d, shown: `https://doi.org/${d}`, offset: 16 })),
      pmid.map((p) => ({ type: "pmid", id: p, shown: `PMID: ${p}`, offset: 6 })),
      pmcid.map((p) => ({ type: "pmcid", id: p, shown: p, offset: 0 })),
    );
    // An optional reference list: each numbered entry is returned as a "reference" whose id is its number and
    // whose span is the whole line, written out here by hand.
    const heading = fc.constantFrom("Referências", "## References", "Referencias:", "**Bibliografia**");
    const marker = fc.constantFrom((n: number) => `${n}. `, (n: number) => `${n}) `, (n: number) => `[${n}] `, (n: number) => `${n} - `);
    const work = fc.constantFrom("Silva A, Souza B. Hipertensão arterial. Rev Bras Cardiol. 2020.", "Smith J et al. Blood pressure. Lancet.", "Pérez M. Diabetes 😀 y ejercicio.");
    const entries = fc.array(fc.tuple(marker, work, fc.option(item, { nil: undefined })), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(item, sep), { minLength: 1, maxLength: 6 }), fc.option(fc.tuple(heading, entries), { nil: undefined }), async (parts, list) => {
        let text = "Ver";
        const expected: { type: string; id: string; start: number }[] = [];
        for (const [it, s] of parts) {
          text += s;
          expected.push({ type: it.type, id: it.id, start: text.length + it.offset });
          text += it.shown;
          text += " ";
        }
        const lines: { id: string; start: number; text: string }[] = [];
        if (list) {
          text += `\n\n${list[0]}\n`;
          list[1].forEach(([mark, title, it], i) => {
            const start = text.length;
            let line = `${mark(i + 1)}${title}`;
            if (it) {
              line += " ";
              expected.push({ type: it.type, id: it.id, start: start + line.length + it.offset });
              line += it.shown;
            }
            lines.push({ id: String(i + 1), start, text: line });
            text += `${line}\n`;
          });
        }
        const out = await runner.analyze({ text, locale: "pt-BR" });
        expect(checkContract(NAME, { text }, out)).toEqual([]);
        const refs = out.references as Ref[];
        for (const r of refs) {
          if (r.type === "reference") {
            const line = lines.find((l) => l.start === r.start);
            expect(line, `reference at ${r.start} in ${JSON.stringify(text)}`).toBeDefined();
            expect(r.id).toBe(line!.id);
            expect(text.slice(r.start, r.end)).toBe(line!.text);
          } else expect(text.slice(r.start, r.end)).toBe(r.id);
        }
        expect(refs.filter((r) => r.type === "reference").length).toBe(lines.length);
        for (const e of expected) {
          const r = refs.find((x) => x.start === e.start);
          expect(r, `${e.type} ${e.id} at ${e.start} in ${JSON.stringify(text)}`).toBeDefined();
          expect(r!.type).toBe(e.type);
          expect(r!.id).toBe(e.id);
          expect(r!.end).toBe(e.start + e.id.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("every resolved id with retracted:true yields exactly one blocking finding on it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(pmid, { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), async (ids, flags) => {
        const text = ids.map((id) => `Fonte PMID: ${id}.`).join(" ");
        const resolved = Object.fromEntries(ids.map((id, i) => [id, { found: true, retracted: flags[i] }]));
        const out = await runner.analyze({ text, locale: "en", context: { resolved } });
        const retracted = out.findings.filter((f) => f.code === "ref.retracted");
        expect(retracted.length).toBe(ids.filter((_, i) => flags[i]).length);
        for (const f of retracted) {
          expect(f.severity).toBe("blocking");
          expect(resolved[text.slice(f.start, f.end)]?.retracted).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
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
    expect((out.references as Ref[]).length).toBeGreaterThan(1000);
  });

  it("invalid input is a clean plugin error, not garbage", async () => {
    expect(await invalidInputsFailCleanly(runner)).toEqual([]);
  });

  it("a context that is not an object is refused; a malformed resolved map is ignored", async () => {
    const bad = await runner.callRaw(JSON.stringify({ locale: "en", context: "x" }), "PMID: 1");
    expect(bad.ok).toBe(false);
    const odd = await runner.analyze({ text: "PMID: 1", locale: "en", context: { resolved: { "1": "yes" } } });
    expect(odd.findings).toEqual([]);
  });
});
