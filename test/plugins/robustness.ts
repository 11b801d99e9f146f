// Robustness checks run against every plugin of this helper: random/adversarial Unicode, 1 MB input,
// invalid input. Each returns a list of problems (empty = pass).
import fc from "fast-check";
import { ADVERSARIAL_PIECES, checkContract, type PluginRunner } from "./support";

const LOCALES = ["pt-BR", "en", "es"] as const;

export function adversarialText(): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom(...ADVERSARIAL_PIECES), fc.string({ maxLength: 20 })), { maxLength: 40 })
    .map((xs) => xs.join(""));
}

export async function fuzzNeverCrashes(runner: PluginRunner, runs = 150): Promise<void> {
  await fc.assert(
    fc.asyncProperty(adversarialText(), fc.constantFrom(...LOCALES), fc.option(adversarialText(), { nil: undefined }), async (text, locale, title) => {
      const r = await runner.callRaw(JSON.stringify({ locale, ...(title === undefined ? {} : { title }) }), text);
      if (!r.ok) throw new Error(`plugin failed on ${JSON.stringify(text)}: ${r.error}`);
      const problems = checkContract(runner.name, { text }, r.output);
      if (problems.length) throw new Error(problems.join("; "));
    }),
    { numRuns: runs },
  );
}

/** ~1 MB (UTF-8) of realistic mixed content, with emoji, accents and triggers for every plugin. */
export function megabyteText(): string {
  const para =
    "A paciente Maria Souza, CPF 529.982.247-25, tel. (11) 98765-4321, relata melhora 😀. Resultados garantidos e sem riscos! " +
    "Estudos mostram redução de 30% (p < 0.05) [1]. doi:10.1056/NEJMoa2034577 PMID: 32109013. Açaí, coração, niño. " +
    "The best clinic in town: guaranteed results. e\u0301\u0301 \u202eRTL\u202c 👩🏽‍⚕️\n";
  const bytes = Buffer.byteLength(para, "utf8");
  return para.repeat(Math.ceil((1024 * 1024) / bytes));
}

export async function invalidInputsFailCleanly(runner: PluginRunner): Promise<string[]> {
  const problems: string[] = [];
  // The rest of the input as raw JSON, each with a valid text handed over, except where it says otherwise.
  const bad: [string | Uint8Array, string | undefined][] = [
    ["", "ok"],
    ["not json", "ok"],
    ["{\"locale\": \"unterminated", "ok"],
    ["{\"locale\": \"en\"}", undefined], // no text handed over
    ["{\"text\": \"ok\", \"locale\": \"en\"}", undefined], // the text inside the JSON
    ["{\"text\": \"ok\", \"locale\": \"en\"}", "ok"],
    ["{\"title\": 42, \"locale\": \"pt-BR\"}", "ok"],
    ["{}", "ok"],
    ["{\"locale\": \"fr\"}", "ok"],
    ["{\"locale\": \"en\", \"context\": []}", "ok"],
    ["[\"locale\"]", "ok"],
    ["{\"locale\": \"en\"} trailing", "ok"],
    ["[".repeat(100_000), "ok"],
    ["{\"title\": \"\\uZZZZ\", \"locale\": \"en\"}", "ok"],
    ["{\"title\": \"a\u0001b\", \"locale\": \"en\"}", "ok"],
    [new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), "ok"],
  ];
  for (const [input, text] of bad) {
    const r = await runner.callRaw(input, text);
    if (r.ok) problems.push(`accepted invalid input ${JSON.stringify(typeof input === "string" ? input.slice(0, 40) : [...input])} (text ${JSON.stringify(text)})`);
    else if (!r.error.startsWith("Plugin-originated error")) problems.push(`trap instead of clean error: ${r.error}`);
  }
  // The instance keeps working after errors.
  const ok = await runner.callRaw(JSON.stringify({ locale: "en" }), "ok");
  if (!ok.ok) problems.push(`instance broken after errors: ${ok.error}`);
  return problems;
}
