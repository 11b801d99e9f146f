// The phrase automata compiled at build time (scripts/build-plugins.mjs → plugins/build/phrases/<plugin>.ts):
// each plugin's sets must run on their build-time tables, and those tables must equal what compiling the same
// phrases at run time gives, so the generator cannot drift from plugins/sdk/phrases.ts unnoticed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readOutput } from "../../functions/plugin-host/runner";
import { buildPlugin, instantiate, root } from "./support";

interface PhraseSetReport {
  fingerprint: number;
  phrases: number;
  precompiled: boolean;
  matchesCompile: boolean;
  states: number;
  classes: number;
  delta: number[];
}

async function report(name: string): Promise<PhraseSetReport[]> {
  buildPlugin(name);
  const open = await instantiate(name);
  try {
    await open.plugin.call("phraseTables", new Uint8Array(0));
    return JSON.parse(await readOutput(open.plugin)) as PhraseSetReport[];
  } finally {
    await open.close();
  }
}

describe("build-time phrase tables", () => {
  for (const [name, sets] of [
    ["lgpd-analyzer", 2],
    ["medical-claims", 1],
    ["scientific-refs", 1],
  ] as const) {
    it(`${name}: every set runs on its build-time table, equal to a run-time compile`, async () => {
      const found = await report(name);
      expect(found.length).toBe(sets);
      const source = readFileSync(join(root, "plugins", "build", "phrases", `${name}.ts`), "utf8");
      for (const set of found) {
        expect(set.phrases).toBeGreaterThan(0);
        expect(set.precompiled, `set ${set.fingerprint} has no build-time table`).toBe(true);
        expect(set.matchesCompile, `set ${set.fingerprint} differs from a run-time compile`).toBe(true);
        expect(set.delta.length).toBe(set.states * set.classes);
        expect(source).toContain(`new PhraseTable(<u32>${set.fingerprint}, ${set.classes}, ${set.states},`);
      }
    }, 180_000);
  }
});
