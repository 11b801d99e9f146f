// The plugin host's public surface for routes and jobs. The Worker calls
//   runAnalysisPipeline({ text, title, locale, context })
// and gets the bundled registry; tests pass `plugins` compiled in Node.
export {
  runAnalysisPipeline,
  referenceIds,
  type PipelineOptions,
  type PipelineResult,
  type ResolveReferences,
  type ResolvedReference,
} from "./pipeline";
export { runPlugin, PluginInstancePool, failureOutput, type RunOptions } from "./runner";
export { pluginOutputSchema, pluginInputSchema, findingSchema } from "./contract";
export type {
  RegistryEntry,
  PluginInput,
  PluginOutput,
  PluginResult,
  StageResult,
  Finding,
  Severity,
  Locale,
  FailureKind,
} from "./types";
export { buildRegistry, STAGE_ORDER, type ManifestPlugin, type StageName } from "./manifest";
