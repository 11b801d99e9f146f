// The analysis plugins bundled into the Worker.
//
// Modules are imported, not read: wrangler bundles `*.wasm` as compiled modules (rule "CompiledWasm" in
// wrangler.toml) and workerd refuses to compile WebAssembly from bytes at run time. Version, SHA-256, stage
// and caps come from plugins/build/manifest.json, which scripts/build-plugins.mjs writes from each
// plugin.json and the .wasm it just built, so the registry cannot drift from the files it bundles.
import manifest from "../../plugins/build/manifest.json";
import lgpdAnalyzer from "../../plugins/build/lgpd-analyzer.wasm";
import medicalClaims from "../../plugins/build/medical-claims.wasm";
import scientificRefs from "../../plugins/build/scientific-refs.wasm";
import seoOptimizer from "../../plugins/build/seo-optimizer.wasm";
import contentFinalizer from "../../plugins/build/content-finalizer.wasm";
import { buildRegistry, type ManifestPlugin, type StageName } from "./manifest";
export { STAGE_ORDER } from "./manifest";
import type { RegistryEntry } from "./types";

const MODULES: Record<StageName, WebAssembly.Module> = {
  "lgpd-analyzer": lgpdAnalyzer,
  "medical-claims": medicalClaims,
  "scientific-refs": scientificRefs,
  "seo-optimizer": seoOptimizer,
  "content-finalizer": contentFinalizer,
};

let cached: RegistryEntry[] | undefined;

/** The bundled plugins in stage order (built once per isolate; the modules themselves are immutable). */
export function pluginRegistry(): RegistryEntry[] {
  cached ??= buildRegistry((manifest as { plugins: ManifestPlugin[] }).plugins, MODULES);
  return cached;
}
