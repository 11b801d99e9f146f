// `node --import ./scripts/wasm-modules.mjs`: lets Node import `*.wasm` the way wrangler bundles them for the
// Worker (a compiled `WebAssembly.Module` as the default export, rule "CompiledWasm" in wrangler.toml), so
// scripts can run the Worker's services, the analysis plugins included (functions/plugin-host/registry.ts).
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

if (isMainThread) register(import.meta.url);

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !new URL(url).pathname.endsWith(".wasm")) return nextLoad(url, context);
  return {
    format: "module",
    shortCircuit: true,
    source: `import { readFileSync } from "node:fs";\nexport default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));\n`,
  };
}
