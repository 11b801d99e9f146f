// Shapes shared by the registry, the runner and the pipeline. Kept free of imports of compiled modules so
// the runner and pipeline can be loaded in Node tests with modules compiled there.

export type Locale = "pt-BR" | "en" | "es";
export type Severity = "info" | "warning" | "blocking";

/** One bundled analysis plugin: what it is, where it runs in the pipeline and the limits it runs under. */
export interface RegistryEntry {
  name: string;
  version: string;
  /** Hex SHA-256 of the .wasm file, from plugins/build/manifest.json; recorded with each result. */
  sha256: string;
  /** Order in the analysis pipeline (1 runs first). */
  stage: number;
  /** Largest accepted input: UTF-8 bytes of the text plus those of the rest as JSON. Checked before instantiating. */
  inputCap: number;
  /** Memory cap in 64 KiB WebAssembly pages (the module's declared maximum; checked again after each call). */
  memoryCapPages: number;
  /** The module's declared minimum memory in pages: an imported memory is created at least this large. */
  memoryMinPages: number;
  module: WebAssembly.Module;
}

export interface PluginInput {
  text: string;
  title?: string;
  locale: Locale;
  context?: Record<string, unknown>;
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  start?: number;
  end?: number;
  suggestion?: string;
}

export interface PluginOutput {
  plugin: string;
  version: string;
  score?: number;
  findings: Finding[];
  /** Plugin-specific fields (redactedText, references, readability, jsonLd, …). */
  [extra: string]: unknown;
}

export type FailureKind =
  | "input_too_large"
  | "instantiate_failed"
  | "trap"
  | "out_of_memory"
  | "memory_cap_exceeded"
  | "plugin_error"
  | "no_output"
  | "invalid_json"
  | "contract_violation";

export interface PluginResult {
  plugin: string;
  version: string;
  sha256: string;
  stage: number;
  ok: boolean;
  /** Always a contract-valid output: the plugin's own, or one carrying a single `pipeline.error` finding. */
  output: PluginOutput;
  error?: { kind: FailureKind; message: string };
  durationMs: number;
  inputBytes: number;
  outputBytes: number;
  /** Linear memory of the instance after the call, in 64 KiB pages (when it could be read). */
  memoryPages?: number;
}

export type StageResult = PluginResult;
