/**
 * Builds the deliberately broken fixture plugin (test/plugins/fixtures/broken) with asc. It traps, returns
 * invalid JSON, runs out of memory, … according to a flag in its input; used by the host tests in Node and
 * by the pipeline test in workerd.
 */
import { mkdirSync, readFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BROKEN_WASM_PATH = join(root, "test/plugins/fixtures/broken/build/test-broken.wasm");
export const BROKEN_MAX_PAGES = 64;
/** The fixture imports its memory, like the bundled plugins, declaring this minimum (asc --initialMemory). */
export const BROKEN_MIN_PAGES = 1;

export async function buildBrokenPlugin(): Promise<Buffer> {
  mkdirSync(dirname(BROKEN_WASM_PATH), { recursive: true });
  const asc = (await import("assemblyscript/asc")).default;
  const tmp = `test/plugins/fixtures/broken/build/test-broken.${process.pid}.tmp.wasm`;
  let stderr = "";
  const { error } = await asc.main(
    [
      "test/plugins/fixtures/broken/index.ts",
      "--outFile",
      tmp,
      "--optimize",
      "--runtime",
      "incremental",
      "--importMemory",
      "--zeroFilledMemory",
      "--initialMemory",
      String(BROKEN_MIN_PAGES),
      "--maximumMemory",
      String(BROKEN_MAX_PAGES),
      "--use",
      "abort=test/plugins/fixtures/broken/index/abortHandler",
    ],
    // `baseDir` is accepted by asc.main (scripts/build-plugins.mjs uses it) but missing from its typings.
    {
      baseDir: root,
      stderr: { write: (s: string) => ((stderr += s), true) },
      stdout: { write: () => true },
    } as unknown as Parameters<typeof asc.main>[1],
  );
  if (error) throw new Error(`asc failed for the broken fixture: ${stderr || error.message}`);
  renameSync(join(root, tmp), BROKEN_WASM_PATH);
  return readFileSync(BROKEN_WASM_PATH);
}
