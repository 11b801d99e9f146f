// The content-analysis pipeline: lgpd-analyzer → medical-claims →
// scientific-refs → seo-optimizer → content-finalizer, each a WASM plugin run by runner.ts.
//
// - Stages run one after another in `stage` order; a failing stage yields a `pipeline.error` finding
//   and the next stages still run (a broken SEO plugin must not hide an LGPD finding).
// - Later stages see earlier stages' useful outputs in `context` (see `STAGE_CONTEXT` below), next to
//   whatever the caller put there (reviewer, lastReviewed, description, slug, keyword, …).
// - Plugins do no I/O: identifiers found by scientific-refs are resolved by the caller's
//   `resolveReferences` (Crossref/PubMed behind a Redis cache), then scientific-refs runs once more with
//   the answers in `context.resolved`, and content-finalizer receives the merged references.
import { pluginInputSchema } from "./contract";
import { runPlugin, failureOutput, type PluginInstancePool } from "./runner";
import type { Finding, PluginInput, PluginOutput, PluginResult, RegistryEntry, StageResult } from "./types";

/** What the host learnt of one cited identifier (functions/services/references/), as scientific-refs reads it. */
export interface ResolvedReference {
  found: boolean;
  /** false: the source could not be asked (down, or its circuit breaker open); nothing else is known. */
  verified?: boolean;
  title?: string;
  journal?: string;
  year?: number;
  /** The registry's type: Crossref's (`journal-article`) or PubMed's first publication type. */
  type?: string;
  retracted?: boolean;
  source?: "crossref" | "pubmed" | "pmc";
}

export type ResolveReferences = (ids: string[]) => Promise<Record<string, ResolvedReference>>;

export interface PipelineOptions {
  /** The plugins to run; default: the bundled registry (functions/plugin-host/registry.ts). */
  plugins?: RegistryEntry[];
  /** Resolves DOI/PMID/SciELO identifiers found by scientific-refs. Without it, references stay unresolved. */
  resolveReferences?: ResolveReferences;
  /** Reuse plugin instances across calls (see README.md for why the default is a fresh instance per call). */
  pool?: PluginInstancePool;
}

export interface PipelineResult {
  stages: StageResult[];
  /** True when any stage reported a blocking finding (including `pipeline.error`). */
  blocking: boolean;
  durationMs: number;
}

/**
 * The title a stage reads, when it is not the item's own: search engines show the meta title
 * (`context.metaTitle`) when there is one, so seo-optimizer judges that; every other stage reads the title.
 */
const STAGE_TITLE: Record<string, (context: Record<string, unknown>) => string | undefined> = {
  "seo-optimizer": (context) => (typeof context.metaTitle === "string" ? context.metaTitle : undefined),
};

/** What each stage contributes to the context of the stages after it. */
const STAGE_CONTEXT: Record<string, (output: PluginOutput) => Record<string, unknown>> = {
  "lgpd-analyzer": (o) => ({
    personalData: {
      count: o.findings.length,
      codes: [...new Set(o.findings.map((f) => f.code))],
    },
  }),
  "medical-claims": (o) => ({
    claims: { count: o.findings.length, codes: [...new Set(o.findings.map((f) => f.code))] },
  }),
  "scientific-refs": (o) => (Array.isArray(o.references) ? { references: o.references } : {}),
  "seo-optimizer": (o) => ({
    seo: {
      ...(o.score !== undefined ? { score: o.score } : {}),
      ...(o.readability !== undefined ? { readability: o.readability } : {}),
    },
  }),
};

function stageSummary(result: PluginResult) {
  return {
    ok: result.ok,
    ...(result.output.score !== undefined ? { score: result.output.score } : {}),
    blocking: result.output.findings.some((f: Finding) => f.severity === "blocking"),
    findings: result.output.findings.length,
  };
}

/**
 * Identifiers of the references a scientific-refs output lists (`id`, or `doi` / `pmid` / `scielo`). Entries of a
 * numbered reference list (`type: "reference"`, id "1", "2", …) are positions, not identifiers: never looked up.
 */
export function referenceIds(output: PluginOutput): string[] {
  const refs = Array.isArray(output.references) ? (output.references as unknown[]) : [];
  const ids = new Set<string>();
  for (const ref of refs) {
    if (!ref || typeof ref !== "object") continue;
    const r = ref as Record<string, unknown>;
    if (r.type === "reference") continue;
    const id = [r.id, r.doi, r.pmid, r.scielo].find((v) => typeof v === "string" && v.length > 0);
    if (typeof id === "string") ids.add(id);
  }
  return [...ids];
}

function mergeResolutions(output: PluginOutput, resolved: Record<string, ResolvedReference>): unknown[] {
  const refs = Array.isArray(output.references) ? (output.references as unknown[]) : [];
  return refs.map((ref) => {
    if (!ref || typeof ref !== "object") return ref;
    const r = ref as Record<string, unknown>;
    if (r.type === "reference") return r;
    const id = [r.id, r.doi, r.pmid, r.scielo].find((v) => typeof v === "string" && v in resolved);
    return typeof id === "string" ? { ...r, resolution: resolved[id] } : r;
  });
}

async function defaultPlugins(): Promise<RegistryEntry[]> {
  // Loaded lazily so this module (and its tests in Node) does not import the bundled .wasm files.
  const { pluginRegistry } = await import("./registry");
  return pluginRegistry();
}

/**
 * Runs every stage on one document. Never throws for a plugin's failure; throws a TypeError only when
 * `input` itself breaks the input contract (a caller bug: routes validate with zod first).
 */
export async function runAnalysisPipeline(input: PluginInput, options: PipelineOptions = {}): Promise<PipelineResult> {
  const started = performance.now();
  const checked = pluginInputSchema.safeParse(input);
  if (!checked.success)
    throw new TypeError("runAnalysisPipeline: input does not match { text, title?, locale, context? }");

  let plugins: RegistryEntry[];
  try {
    plugins = options.plugins ?? (await defaultPlugins());
  } catch {
    // A Worker without its registry must still refuse to publish: one blocking stage says why.
    const missing = { name: "plugin-registry", version: "0", stage: 0 };
    const output = failureOutput(missing, "instantiate_failed", "the bundled plugin registry could not be loaded");
    return {
      stages: [
        {
          plugin: missing.name,
          version: missing.version,
          sha256: "",
          stage: 0,
          ok: false,
          output,
          error: { kind: "instantiate_failed", message: output.findings[0]!.message },
          durationMs: 0,
          inputBytes: 0,
          outputBytes: 0,
        },
      ],
      blocking: true,
      durationMs: performance.now() - started,
    };
  }

  const ordered = [...plugins].sort((a, b) => a.stage - b.stage);
  const base: PluginInput = {
    text: input.text,
    locale: input.locale,
    ...(input.title !== undefined ? { title: input.title } : {}),
  };
  const callerContext = input.context ?? {};
  const derived: Record<string, unknown> = {};
  const summaries: Record<string, unknown> = {};
  const stages: StageResult[] = [];
  const runOptions = options.pool ? { pool: options.pool } : {};

  for (const entry of ordered) {
    const context = { ...callerContext, ...derived, stages: { ...summaries } };
    const title = STAGE_TITLE[entry.name]?.(callerContext);
    const stageBase = title === undefined ? base : { ...base, title };
    let result = await runPlugin(entry, { ...stageBase, context }, runOptions);

    let contribution = result.ok ? (STAGE_CONTEXT[entry.name]?.(result.output) ?? {}) : {};
    if (result.ok && entry.name === "scientific-refs" && options.resolveReferences) {
      const ids = referenceIds(result.output);
      let resolved: Record<string, ResolvedReference> | undefined;
      try {
        resolved = ids.length > 0 ? await options.resolveReferences(ids) : undefined;
      } catch {
        resolved = undefined; // Lookups are best effort; unresolved references are the plugin's concern.
      }
      if (resolved && Object.keys(resolved).length > 0) {
        // scientific-refs reads `context.resolved` (plugins/scientific-refs/index.ts).
        const second = await runPlugin(entry, { ...stageBase, context: { ...context, resolved } }, runOptions);
        if (second.ok) result = second;
        // The stage's stored output keeps what was learnt of each reference (title, journal, year, type,
        // retraction): the daily re-check compares against it, and the editor sees it.
        const references = mergeResolutions(result.output, resolved);
        result = { ...result, output: { ...result.output, references } };
        contribution = { references };
      }
    }

    stages.push(result);
    summaries[entry.name] = stageSummary(result);
    Object.assign(derived, contribution);
  }

  return {
    stages,
    blocking: stages.some((s) => s.output.findings.some((f) => f.severity === "blocking")),
    durationMs: performance.now() - started,
  };
}
