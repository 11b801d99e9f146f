// Pairs plugins/build/manifest.json with compiled modules. Kept apart from registry.ts (which imports the
// bundled .wasm files) so it can be tested in Node.
import { ANALYSIS_STAGES } from "../contract";
import type { RegistryEntry } from "./types";

/** The pipeline's stages, in order (the contract's list, shared with the admin SPA). */
export const STAGE_ORDER = ANALYSIS_STAGES;
export type StageName = (typeof STAGE_ORDER)[number];

export interface ManifestPlugin {
  name: string;
  version: string;
  stage: number;
  inputCap: number;
  memoryCapPages: number;
  memoryMinPages: number;
  sha256: string;
}

/**
 * Pairs manifest entries with compiled modules. Throws when a bundled module has no manifest entry, when
 * the manifest's stage order disagrees with STAGE_ORDER, or when a cap is missing: a Worker must not run
 * a publishing gate with a plugin it cannot identify.
 */
export function buildRegistry(
  plugins: readonly ManifestPlugin[],
  modules: Record<string, WebAssembly.Module>,
  order: readonly string[] = STAGE_ORDER,
): RegistryEntry[] {
  return order.map((name, index) => {
    const meta = plugins.find((p) => p.name === name);
    const module = modules[name];
    if (!meta)
      throw new Error(`plugin registry: ${name} is not in plugins/build/manifest.json; run npm run build:plugins`);
    if (!module) throw new Error(`plugin registry: no compiled module bundled for ${name}`);
    if (meta.stage !== index + 1)
      throw new Error(`plugin registry: ${name} declares stage ${meta.stage}, expected ${index + 1}`);
    if (!(meta.inputCap > 0) || !(meta.memoryCapPages > 0) || !(meta.memoryMinPages >= 0))
      throw new Error(`plugin registry: ${name} lacks inputCap, memoryCapPages or memoryMinPages`);
    if (!/^[0-9a-f]{64}$/.test(meta.sha256)) throw new Error(`plugin registry: ${name} has no SHA-256 in the manifest`);
    return {
      name,
      version: meta.version,
      sha256: meta.sha256,
      stage: meta.stage,
      inputCap: meta.inputCap,
      memoryCapPages: meta.memoryCapPages,
      memoryMinPages: meta.memoryMinPages,
      module,
    };
  });
}
