// Test support for the analysis plugins: builds a plugin with the real build script (a no-op when
// its sources are unchanged) and calls it through @extism/extism exactly as the host does (`openPlugin`).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ManifestPlugin } from "../../functions/plugin-host/manifest";
import { openPlugin, readOutput, stageText, type OpenPlugin } from "../../functions/plugin-host/runner";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type Severity = "info" | "warning" | "blocking";

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
  [extra: string]: unknown;
}

export interface AnalyzeInput {
  text: string;
  title?: string;
  locale: "pt-BR" | "en" | "es";
  context?: Record<string, unknown>;
}

export type CallResult = { ok: true; output: PluginOutput; raw: string } | { ok: false; error: string };

export function wasmPath(name: string): string {
  return join(root, "plugins", "build", `${name}.wasm`);
}

/** Runs scripts/build-plugins.mjs for this plugin (skips unchanged sources); throws with the compiler's output. */
export function buildPlugin(name: string): void {
  try {
    execFileSync(process.execPath, [join(root, "scripts", "build-plugins.mjs"), name], { cwd: root, stdio: "pipe" });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`build of ${name} failed:\n${e.stderr?.toString() ?? ""}${e.stdout?.toString() ?? ""}${e.message}`, { cause: err });
  }
  if (!existsSync(wasmPath(name))) throw new Error(`build did not produce ${wasmPath(name)}`);
}

/** A built plugin opened as the host opens it, with the limits plugins/build/manifest.json records for it. */
export async function instantiate(name: string): Promise<OpenPlugin> {
  const { plugins } = JSON.parse(readFileSync(join(root, "plugins", "build", "manifest.json"), "utf8")) as {
    plugins: ManifestPlugin[];
  };
  const meta = plugins.find((p) => p.name === name);
  if (!meta) throw new Error(`${name} is not in plugins/build/manifest.json`);
  return openPlugin({ ...meta, module: new WebAssembly.Module(readFileSync(wasmPath(name))) });
}

/**
 * One long-lived plugin instance (as the host caches it). A call that traps (abort) is reported
 * as an error and the instance is replaced, so later calls start clean.
 */
export class PluginRunner {
  private open: OpenPlugin | null = null;
  constructor(readonly name: string) {}

  static async load(name: string): Promise<PluginRunner> {
    buildPlugin(name);
    const r = new PluginRunner(name);
    r.open = await instantiate(name);
    return r;
  }

  /**
   * Calls `analyze` as the host does: `text` (when given) handed over through the plugin's `textBuffer`, then
   * the rest of the input as raw JSON (a string is UTF-8 encoded by Extism); the output read from the plugin's
   * memory (`readOutput`).
   */
  async callRaw(json: string | Uint8Array, text?: string): Promise<CallResult> {
    this.open ??= await instantiate(this.name);
    const { plugin } = this.open;
    try {
      if (text !== undefined) await stageText(plugin, text);
      // Exact-size copy: @extism/extism 1.0.3 stores `input.buffer` whole, ignoring byteOffset.
      await plugin.call("analyze", typeof json === "string" ? json : new Uint8Array(json));
      const raw = await readOutput(plugin);
      return { ok: true, output: JSON.parse(raw) as PluginOutput, raw };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!message.startsWith("Plugin-originated error")) {
        // A trap: drop the instance.
        await this.open.close().catch(() => undefined);
        this.open = null;
      }
      return { ok: false, error: message };
    }
  }

  async analyze(input: AnalyzeInput): Promise<PluginOutput> {
    const { text, ...rest } = input;
    const r = await this.callRaw(JSON.stringify(rest), text);
    if (!r.ok) throw new Error(r.error);
    return r.output;
  }

  async close(): Promise<void> {
    await this.open?.close();
    this.open = null;
  }
}

// ---------------------------------------------------------------------------
// Golden fixtures: test/plugins/fixtures/<plugin>/*.json
//   { "description": string,
//     "input": AnalyzeInput,
//     "expect": {
//       "codes"?: string[],                      every code appears
//       "spans"?: [{ "code", "text", "severity"? }],   a finding with that code covers exactly `text`
//                                                together, codes and spans' codes are the exact set of codes
//                                                the output may contain: any other code is a false positive
//       "absent": (string | { "code"?, "text" })[],   required, plausible false positives: no finding has
//                                                that code / no finding (of that code) covers exactly `text`
//       "notSpans"?: string[],                   no finding covers exactly one of these texts
//       "severity"?: { [code]: Severity },       every finding with the code has this severity
//       "score"?: { "min"?: number, "max"?: number },
//       "findings"?: number,                     exact number of findings
//       "fields"?: { [key]: unknown },           top-level output fields equal (deep)
//       "references"?: [{ "type", "id", "text"? }]   scientific-refs: these references are returned
//     } }

/** A plausible false positive: a finding code, or a text no finding (of `code`, when given) may cover exactly. */
export type Absent = string | { code?: string; text: string };

export interface FixtureExpect {
  codes?: string[];
  absent: Absent[];
  spans?: { code: string; text: string; severity?: Severity }[];
  notSpans?: string[];
  severity?: Record<string, Severity>;
  score?: { min?: number; max?: number };
  findings?: number;
  fields?: Record<string, unknown>;
  references?: { type: string; id: string; text?: string }[];
}

export interface Fixture {
  file: string;
  description: string;
  input: AnalyzeInput;
  expect: FixtureExpect;
}

export function loadFixtures(plugin: string): Fixture[] {
  const dir = join(root, "test", "plugins", "fixtures", plugin);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const parsed = JSON.parse(readFileSync(join(dir, file), "utf8")) as Omit<Fixture, "file">;
      // Every fixture names false positives it rules out; a fixture that only checks presence passes too easily.
      if (!Array.isArray(parsed.expect?.absent) || parsed.expect.absent.length === 0) {
        throw new Error(`${plugin}/${file}: expect.absent must list the false positives this fixture rules out`);
      }
      return { file, ...parsed };
    });
}

/** The text a finding points at. */
export function spanText(text: string, f: { start?: number; end?: number }): string | undefined {
  if (f.start === undefined || f.end === undefined) return undefined;
  return text.slice(f.start, f.end);
}

/** Problems with an output against a fixture's expectations (empty = pass). */
export function checkExpect(input: AnalyzeInput, out: PluginOutput, ex: FixtureExpect): string[] {
  const problems: string[] = [];
  const codes = new Set(out.findings.map((f) => f.code));
  const describe = () => out.findings.map((f) => `${f.code}/${f.severity}:${JSON.stringify(spanText(input.text, f) ?? null)}`).join(", ");
  for (const c of ex.codes ?? []) if (!codes.has(c)) problems.push(`missing code ${c} (got ${describe()})`);
  const declared = new Set([...(ex.codes ?? []), ...(ex.spans ?? []).map((s) => s.code)]);
  for (const c of codes) if (!declared.has(c)) problems.push(`code ${c} is not among the fixture's codes or spans (got ${describe()})`);
  for (const a of ex.absent ?? []) {
    if (typeof a === "string") {
      if (declared.has(a)) problems.push(`fixture lists ${a} both as expected and as absent`);
      if (codes.has(a)) problems.push(`unexpected code ${a} (got ${describe()})`);
    } else if (out.findings.some((f) => (a.code === undefined || f.code === a.code) && spanText(input.text, f) === a.text)) {
      problems.push(`a ${a.code ?? "finding"} covers ${JSON.stringify(a.text)}, listed as absent (got ${describe()})`);
    }
  }
  for (const s of ex.spans ?? []) {
    const hit = out.findings.find((f) => f.code === s.code && spanText(input.text, f) === s.text && (!s.severity || f.severity === s.severity));
    if (!hit) problems.push(`no ${s.code}${s.severity ? "/" + s.severity : ""} finding on ${JSON.stringify(s.text)} (got ${describe()})`);
  }
  for (const t of ex.notSpans ?? []) {
    if (out.findings.some((f) => spanText(input.text, f) === t)) problems.push(`a finding covers ${JSON.stringify(t)} (got ${describe()})`);
  }
  for (const [code, sev] of Object.entries(ex.severity ?? {})) {
    for (const f of out.findings) if (f.code === code && f.severity !== sev) problems.push(`${code} has severity ${f.severity}, expected ${sev}`);
  }
  if (ex.score) {
    const s = out.score ?? -1;
    if (ex.score.min !== undefined && s < ex.score.min) problems.push(`score ${s} < ${ex.score.min}`);
    if (ex.score.max !== undefined && s > ex.score.max) problems.push(`score ${s} > ${ex.score.max}`);
  }
  if (ex.findings !== undefined && out.findings.length !== ex.findings) problems.push(`expected ${ex.findings} findings, got ${out.findings.length}: ${describe()}`);
  for (const [k, v] of Object.entries(ex.fields ?? {})) {
    if (JSON.stringify(out[k]) !== JSON.stringify(v)) problems.push(`field ${k} = ${JSON.stringify(out[k])}, expected ${JSON.stringify(v)}`);
  }
  const refs = (out.references ?? []) as { type: string; id: string; start: number; end: number }[];
  for (const r of ex.references ?? []) {
    const hit = refs.find((x) => x.type === r.type && x.id === r.id && (r.text === undefined || input.text.slice(x.start, x.end) === r.text));
    if (!hit) problems.push(`missing reference ${r.type}:${r.id} (got ${refs.map((x) => `${x.type}:${x.id}`).join(", ")})`);
  }
  return problems;
}

/** Structural checks every output must pass. */
export function checkContract(name: string, input: { text: string }, out: PluginOutput): string[] {
  const problems: string[] = [];
  if (out.plugin !== name) problems.push(`plugin = ${out.plugin}`);
  if (typeof out.version !== "string" || !/^\d+\.\d+\.\d+/.test(out.version)) problems.push(`version = ${out.version}`);
  if (out.score !== undefined && !(Number.isInteger(out.score) && out.score >= 0 && out.score <= 100)) problems.push(`score = ${out.score}`);
  if (!Array.isArray(out.findings)) return [...problems, "findings is not an array"];
  for (const f of out.findings) {
    if (typeof f.code !== "string" || !/^[a-z]+\.[a-z_]+$/.test(f.code)) problems.push(`code ${f.code}`);
    if (!["info", "warning", "blocking"].includes(f.severity)) problems.push(`severity ${f.severity}`);
    if (typeof f.message !== "string" || f.message.length === 0) problems.push(`message of ${f.code}`);
    if ((f.start === undefined) !== (f.end === undefined)) problems.push(`${f.code}: start/end must come together`);
    if (f.start !== undefined && f.end !== undefined) {
      if (!Number.isInteger(f.start) || !Number.isInteger(f.end) || f.start < 0 || f.end <= f.start || f.end > input.text.length) {
        problems.push(`${f.code}: bad span ${f.start}..${f.end} (text length ${input.text.length})`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Check digits for generating test data (the plugin's own logic is tested through Extism).

/** A valid CPF (11 digits) from 9 base digits: mod-11 check digits (Receita Federal). */
export function cpfFromBase(base: number[]): string {
  const d = [...base];
  for (const len of [9, 10]) {
    let s = 0;
    for (let i = 0; i < len; i++) s += d[i]! * (len + 1 - i);
    const r = s % 11;
    d.push(r < 2 ? 0 : 11 - r);
  }
  return d.join("");
}

export function formatCPF(d: string): string {
  return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;
}

// ---------------------------------------------------------------------------
// Text generators shared by the property tests.

/** Random "adversarial" strings: any UTF-16 units (lone surrogates included), emoji, combining marks, RTL. */
export const ADVERSARIAL_PIECES = [
  "😀", "👩🏽‍⚕️", "e\u0301", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u202e", "\u200b", "\ud800", "\udc00", "\u0000", "\"", "\\",
  "\n", "\r\n", "\t", "ã", "Ç", "ß", "İ", "ﬁ", "\uFEFF", "{", "}", "[", "]", "%", "@", "10.", "PMC", "RG", "100%", "(11)", "+55",
];
