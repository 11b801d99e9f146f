// The sdk's phrase automaton (plugins/sdk/phrases.ts), through a probe plugin built from
// test/plugins/fixtures/phrases with the same compiler flags as the real plugins.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryImportOf } from "../../functions/plugin-host/memory-import";
import { openPlugin, readOutput, stageText, type OpenPlugin } from "../../functions/plugin-host/runner";
import { root } from "./support";

let open: OpenPlugin;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "vitalis-phrases-"));
  const wasm = join(scratch, "phrases-probe.wasm");
  const asc = (await import("assemblyscript/asc")).default;
  let stderr = "";
  const { error } = await asc.main(
    [
      "test/plugins/fixtures/phrases/index.ts",
      "--outFile",
      wasm,
      "--optimize",
      "--runtime",
      "incremental",
      "--importMemory",
      "--zeroFilledMemory",
      "--use",
      "abort=plugins/sdk/index/abortHandler",
    ],
    // `baseDir` is accepted by asc.main (scripts/build-plugins.mjs uses it) but missing from its typings.
    {
      baseDir: root,
      stderr: { write: (s: string) => ((stderr += s), true) },
      stdout: { write: () => true },
    } as unknown as Parameters<typeof asc.main>[1],
  );
  if (error) throw new Error(`asc failed for the phrases probe: ${stderr || error.message}`);
  const bytes = readFileSync(wasm);
  const memory = memoryImportOf(bytes);
  if (!memory) throw new Error("the phrases probe does not import its memory");
  open = await openPlugin({
    name: "phrases-probe",
    version: "0.0.0",
    module: new WebAssembly.Module(bytes),
    memoryMinPages: memory.minPages,
    memoryCapPages: memory.maxPages ?? 65_536,
  });
}, 120_000);

afterAll(async () => {
  await open?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

type Sequence = "all" | "word" | "greedy";

/** The occurrences the automaton reports, per sequence, as "phrase@start". */
async function find(text: string, phrases: string[], mode: "folded" | "exact" = "folded") {
  await stageText(open.plugin, text);
  const input = JSON.stringify({ locale: "pt-BR", context: { phrases, mode } });
  await open.plugin.call("analyze", input);
  const output = JSON.parse(await readOutput(open.plugin)) as {
    findings: Array<{ code: Sequence; message: string; start: number; end: number }>;
  };
  const seen: Record<Sequence, string[]> = { all: [], word: [], greedy: [] };
  for (const f of output.findings) {
    expect(f.end - f.start).toBe(f.message.length);
    seen[f.code].push(`${f.message}@${f.start}`);
  }
  for (const list of Object.values(seen)) list.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return seen;
}

/** What looping over indexOf / a whole-word search would visit, written the plain way, for comparison. */
function expected(text: string, phrase: string, fold = true) {
  const f = fold ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase() : text;
  const all: number[] = [];
  for (let i = f.indexOf(phrase); i >= 0; i = f.indexOf(phrase, i + 1)) all.push(i);
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  const greedy: number[] = [];
  const word: number[] = [];
  let [g, w] = [0, 0];
  for (const p of all) {
    if (p >= g) {
      greedy.push(p);
      g = p + phrase.length;
    }
    if (p >= w && !isWord(f[p - 1]) && !isWord(f[p + phrase.length])) {
      word.push(p);
      w = p + phrase.length;
    }
  }
  return { all, word, greedy };
}

describe("the phrase automaton", () => {
  it("reports overlapping phrases and phrases inside others, each at every place it occurs", async () => {
    const seen = await find("she sells seashells; hers", ["he", "she", "hers", "his", "s"]);
    for (const phrase of ["he", "she", "hers", "his", "s"]) {
      const want = expected("she sells seashells; hers", phrase, false);
      expect(seen.all.filter((x) => x.startsWith(`${phrase}@`)).sort(), phrase).toEqual(
        want.all.map((p) => `${phrase}@${p}`).sort(),
      );
    }
    expect(seen.all).toContain("she@0");
    expect(seen.all).toContain("he@1");
    expect(seen.all).toContain("hers@21");
    expect(seen.all.some((x) => x.startsWith("his@"))).toBe(false);
  });

  it("reports a phrase overlapping itself every time, and skips the overlaps where indexOf would", async () => {
    const seen = await find("aaaa", ["aa"]);
    expect(seen.all).toEqual(["aa@0", "aa@1", "aa@2"]);
    expect(seen.greedy).toEqual(["aa@0", "aa@2"]);
  });

  it("keeps only whole words in the word sequence", async () => {
    const text = "Rua, rua: ruas; perua rua2 (rua) rua";
    const seen = await find(text, ["rua"]);
    expect(seen.word).toEqual(expected(text, "rua").word.map((p) => `rua@${p}`));
    expect(seen.word).toEqual(["rua@0", "rua@5", "rua@28", "rua@33"]);
    expect(seen.all.length).toBe(7);
  });

  it("folds case and pt/es accents, keeping UTF-16 offsets of the text as written", async () => {
    const text = "😀 Praça da Sé — PRAÇA; praca. Nascido em 1980; NACIÓ EL";
    const seen = await find(text, ["praça", "sé", "nacio el"]);
    const at = (written: string) => text.indexOf(written);
    expect(seen.all).toEqual([
      `nacio el@${at("NACIÓ EL")}`,
      `praça@${at("Praça")}`,
      `praça@${at("PRAÇA")}`,
      `praça@${at("praca")}`,
      `sé@${at("Sé")}`,
    ]);
    // The emoji is two UTF-16 code units: offsets are JavaScript string indexes.
    expect(at("Praça")).toBe(3);
  });

  it("matches exactly as written when it does not fold", async () => {
    const seen = await find("RG 123, rg 456, R.G. 789, DNI", ["RG", "R.G.", "DNI"], "exact");
    expect(seen.all).toEqual(["DNI@26", "R.G.@16", "RG@0"]);
  });

  it("finds phrases with code units beyond Latin-1 (classed by bisection), and none it was not given", async () => {
    const text = "a—b x—y → ≥ 5 ≤ —";
    const seen = await find(text, ["—b", "x—", "≥ 5", "→"], "exact");
    expect([...seen.all].sort()).toEqual(["x—@4", "—b@1", "→@8", "≥ 5@10"].sort());
  });

  it("agrees with plain searches on random text", async () => {
    const alphabet = ["a", "b", "á", "B", " ", ".", "ab", "ba", "aba"];
    const phrases = ["ab", "ba", "aba", "a", "bab", "a.b", "b a"];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 30; round++) {
      const text = Array.from({ length: 40 }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const seen = await find(text, phrases);
      for (const phrase of phrases) {
        const want = expected(text, phrase);
        for (const sequence of ["all", "word", "greedy"] as const)
          expect(
            seen[sequence].filter((x) => x.startsWith(`${phrase}@`)),
            `${sequence} ${phrase} in ${JSON.stringify(text)}`,
          ).toEqual(
            want[sequence]
              .map((p) => `${phrase}@${p}`)
              .sort((a, b) => a.localeCompare(b, "en", { numeric: true })),
          );
      }
    }
  });
});
