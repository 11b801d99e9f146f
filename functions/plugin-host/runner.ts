// Runs one analysis plugin through Extism, in-isolate.
//
// Platform facts this file is built around, each checked in workerd (plugin-host/README.md has the figures):
// - workerd refuses to compile WebAssembly from bytes at run time, so the manifest always carries an
//   already compiled `WebAssembly.Module` (`{ wasm: [{ module }] }`), never `{ data }`.
// - `runInWorker: true` needs crossOriginIsolated and fails in workerd; plugins run on the request's thread.
// - Extism JS 1.0.3 has no memory option: the memory cap is the module's declared maximum
//   (asc --maximumMemory) and is re-checked here after each call.
// - A synchronous WebAssembly call cannot be interrupted in-thread; a runaway loop is bounded only by the
//   Worker's CPU limit. Plugins are pure functions over bounded input to keep that theoretical.
//
// `runPlugin` never throws: every failure becomes a result carrying one blocking `pipeline.error` finding.
import createPlugin, { type Plugin } from "@extism/extism";
import { describeIssues, pluginOutputSchema } from "./contract";
import type { FailureKind, PluginInput, PluginOutput, PluginResult, RegistryEntry } from "./types";

const PAGE_BYTES = 65_536;

// Plugins may call Extism's log functions; the host must not forward them (inputs may hold health data,
// and Worker logs are not a place for it).
const silentLogger = {
  log() {},
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
} as unknown as Console;

export interface RunOptions {
  /** Keep instances across calls (see PluginInstancePool). Default: a fresh instance per call. */
  pool?: PluginInstancePool;
  /** Receives plugin log lines; default drops them. */
  logger?: Console;
}

interface Lease {
  plugin: Plugin;
  /** Closes (fresh instance) or hands back (pooled) the instance. `healthy=false` always closes it. */
  release(healthy: boolean): Promise<void>;
}

function createOptions(entry: RegistryEntry, logger: Console) {
  return {
    useWasi: false,
    runInWorker: false,
    logger,
    // The module learns its registered identity; the bundled plugins hardcode theirs, test fixtures use it.
    config: { plugin: entry.name, version: entry.version },
  };
}

async function freshLease(entry: RegistryEntry, logger: Console): Promise<Lease> {
  const plugin = await createPlugin({ wasm: [{ module: entry.module }] }, createOptions(entry, logger));
  return {
    plugin,
    async release() {
      await plugin.close();
    },
  };
}

/**
 * Keeps one idle instance per plugin (name + sha256) for reuse within an isolate. An instance is handed
 * out to one call at a time; a concurrent call gets a fresh instance. After a call the Extism call context
 * is reset (it otherwise keeps every input/output block); an instance that failed, or whose linear memory
 * grew past `maxIdlePages`, is closed instead of kept.
 */
export class PluginInstancePool {
  readonly #idle = new Map<string, Plugin>();
  readonly #maxIdlePages: number;

  constructor(options: { maxIdlePages?: number } = {}) {
    this.#maxIdlePages = options.maxIdlePages ?? 64;
  }

  async lease(entry: RegistryEntry, logger: Console): Promise<Lease> {
    const key = `${entry.name}@${entry.sha256}`;
    let plugin = this.#idle.get(key);
    if (plugin) this.#idle.delete(key);
    else plugin = await createPlugin({ wasm: [{ module: entry.module }] }, createOptions(entry, logger));
    const leased = plugin;
    return {
      plugin: leased,
      release: async (healthy: boolean) => {
        const pages = healthy ? await memoryPages(leased) : undefined;
        const keep = healthy && pages !== undefined && pages <= this.#maxIdlePages && (await leased.reset());
        // Checked after the awaits: concurrent releases must not overwrite (and leak) each other's instance.
        if (keep && !this.#idle.has(key)) {
          this.#idle.set(key, leased);
          return;
        }
        await leased.close();
      },
    };
  }

  /** Closes every idle instance. */
  async clear(): Promise<void> {
    const plugins = [...this.#idle.values()];
    this.#idle.clear();
    await Promise.all(plugins.map((p) => p.close()));
  }

  get size(): number {
    return this.#idle.size;
  }
}

async function memoryPages(plugin: Plugin): Promise<number | undefined> {
  try {
    const instance = await plugin.getInstance();
    // Duck-typed: the instance may come from another realm (test runners), where instanceof fails.
    const memory = instance.exports.memory as { buffer?: { byteLength?: unknown } } | undefined;
    const bytes = memory?.buffer?.byteLength;
    return typeof bytes === "number" ? bytes / PAGE_BYTES : undefined;
  } catch {
    return undefined;
  }
}

const KIND_TEXT: Record<FailureKind, string> = {
  input_too_large: "input exceeds the plugin's size cap",
  instantiate_failed: "the module could not be instantiated",
  trap: "the plugin trapped",
  out_of_memory: "the plugin ran out of memory",
  memory_cap_exceeded: "the plugin's memory grew past its cap",
  plugin_error: "the plugin reported an error",
  no_output: "the plugin returned no output",
  invalid_json: "the plugin returned invalid JSON",
  contract_violation: "the plugin's output does not match the contract",
};

class StageFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly detail?: string,
  ) {
    super(`${kind}${detail ? `: ${detail}` : ""}`);
  }
}

function field(err: unknown, key: "name" | "message"): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const value = (err as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

// Engine messages for traps ("unreachable", "memory access out of bounds", "Maximum call stack size
// exceeded") carry no data from the input; keep the first line only, never a stack.
function engineMessage(err: unknown): string | undefined {
  const message = field(err, "message");
  if (message === undefined) return undefined;
  const line = message.split("\n", 1)[0]?.trim();
  return line ? line.slice(0, 120) : undefined;
}

function classifyCallError(err: unknown, pages: number | undefined, cap: number): StageFailure {
  if (field(err, "message")?.startsWith("Plugin-originated error:")) {
    // The plugin's own error text may quote the input; report only that it failed.
    return new StageFailure("plugin_error");
  }
  // By name rather than instanceof: the error may come from another realm's WebAssembly namespace.
  const name = field(err, "name") ?? "";
  const isWasmTrap = name === "RuntimeError";
  const isTrap = isWasmTrap || name === "RangeError";
  // AssemblyScript's allocator executes `unreachable` when memory.grow fails at the module's maximum;
  // it first tries to double, then to grow by what it needs, so a failed growth leaves the memory above
  // half the cap. A trap at that level is reported as out-of-memory.
  if (isWasmTrap && pages !== undefined && pages >= cap / 2) {
    return new StageFailure("out_of_memory", `${pages} of ${cap} pages in use`);
  }
  return new StageFailure(isTrap ? "trap" : "plugin_error", engineMessage(err));
}

export function failureOutput(
  entry: Pick<RegistryEntry, "name" | "version" | "stage">,
  kind: FailureKind,
  detail?: string,
): PluginOutput {
  const message = `Analysis stage ${entry.stage} (${entry.name}) failed: ${KIND_TEXT[kind]}${detail ? ` (${detail})` : ""}.`;
  return {
    plugin: entry.name,
    version: entry.version,
    findings: [{ code: "pipeline.error", severity: "blocking", message }],
  };
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 4 bytes for 2 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** The input minus its text, as the UTF-8 JSON `analyze` reads (the text goes through `stageText`). */
function restOfInput(input: PluginInput): Uint8Array {
  const { text: _text, ...rest } = input;
  return encoder.encode(JSON.stringify(rest));
}

/**
 * `units` UTF-16 code units at `address` in the instance's exported memory, as a view the host reads or writes.
 * Read after the export that gave the address: an allocation may have grown (and so replaced) the memory's
 * buffer. The host never touches anything outside that memory: an address or length that is not an integer, or
 * a span that is misaligned or leaves the memory, is refused (a `StageFailure`, contract_violation, naming
 * `what`).
 */
function memoryUnits(exports: WebAssembly.Exports, address: unknown, units: unknown, what: string): Uint16Array {
  // Duck-typed like memoryPages: the memory may come from another realm.
  const buffer = (exports.memory as { buffer?: { byteLength?: unknown } } | undefined)?.buffer;
  if (!Number.isInteger(address) || !Number.isInteger(units) || typeof buffer?.byteLength !== "number") {
    throw new StageFailure("contract_violation", `${what} is no span of the plugin's memory`);
  }
  try {
    // Throws a RangeError for a negative, odd or out-of-range address and a negative or out-of-range length
    // (WebAssembly memory is little-endian, as is every platform workerd and Node run on).
    return new Uint16Array(buffer as ArrayBuffer, address as number, units as number);
  } catch {
    throw new StageFailure("contract_violation", `${what} lies outside the plugin's memory`);
  }
}

/**
 * Hands `text` to the plugin's next `analyze` call: the plugin's `textBuffer(units)` export (plugins/sdk)
 * allocates a string of that many UTF-16 code units in its own memory and returns its address, and the
 * host writes the code units there. A plugin reads 20 KB this way in one allocation instead of ~2,500
 * Extism host calls, a UTF-8 decode and a JSON string parse, and offsets stay UTF-16 code units on both
 * sides (lone surrogates included). An address outside the plugin's memory is refused (`memoryUnits`);
 * errors the export itself raises (a trap, running out of memory) propagate unchanged.
 */
export async function stageText(plugin: Plugin, text: string): Promise<void> {
  const { exports } = await plugin.getInstance();
  const textBuffer = exports.textBuffer;
  if (typeof textBuffer !== "function")
    throw new StageFailure("contract_violation", "the module exports no textBuffer");
  const units = memoryUnits(exports, textBuffer(text.length), text.length, "textBuffer's address");
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
}

// "utf-16le" decodes in workerd and Node alike, and in workerd faster than building the string from char codes.
// A lone surrogate becomes U+FFFD (the sdk's JSON writer escapes them, so only a plugin writing raw text of its
// own can meet this), as the UTF-8 round trip it replaces did; `ignoreBOM` keeps a leading U+FEFF.
const utf16 = new TextDecoder("utf-16le", { fatal: false, ignoreBOM: true });

/**
 * Reads what the plugin's last call wrote as its output ("" when nothing): the plugin's `outputUnits()` export
 * (plugins/sdk) gives its length in UTF-16 code units, `outputBuffer()` their address, and the host decodes
 * them from the instance's exported memory. 20 KB of output so costs two export calls and one decode, where the
 * plugin used to UTF-8 encode it and copy it into an Extism block with one host call per 8 bytes. A missing
 * export or a span outside the plugin's memory is refused (`memoryUnits`); errors the exports themselves raise
 * propagate unchanged.
 */
export async function readOutput(plugin: Plugin): Promise<string> {
  const { exports } = await plugin.getInstance();
  const { outputBuffer, outputUnits } = exports;
  if (typeof outputBuffer !== "function" || typeof outputUnits !== "function") {
    throw new StageFailure("contract_violation", "the module exports no outputBuffer and outputUnits");
  }
  const units: unknown = outputUnits();
  const address: unknown = outputBuffer();
  return utf16.decode(memoryUnits(exports, address, units, "the output (outputBuffer, outputUnits)"));
}

/**
 * Runs `analyze` of one plugin on one input. Never throws; the plugin instance is always closed (or, with
 * a pool, handed back only when the call succeeded).
 */
export async function runPlugin(
  entry: RegistryEntry,
  input: PluginInput,
  options: RunOptions = {},
): Promise<PluginResult> {
  const started = performance.now();
  const logger = options.logger ?? silentLogger;
  let inputBytes = 0;
  let outputBytes = 0;
  let pagesAfter: number | undefined;

  const finish = (output: PluginOutput, failure?: StageFailure): PluginResult => ({
    plugin: entry.name,
    version: entry.version,
    sha256: entry.sha256,
    stage: entry.stage,
    ok: failure === undefined,
    output,
    ...(failure
      ? { error: { kind: failure.kind, message: output.findings[0]?.message ?? KIND_TEXT[failure.kind] } }
      : {}),
    durationMs: performance.now() - started,
    inputBytes,
    outputBytes,
    ...(pagesAfter !== undefined ? { memoryPages: pagesAfter } : {}),
  });
  const fail = (failure: StageFailure) => finish(failureOutput(entry, failure.kind, failure.detail), failure);

  let bytes: Uint8Array;
  try {
    bytes = restOfInput(input);
  } catch {
    return fail(new StageFailure("contract_violation", "input is not serialisable"));
  }
  // The cap counts what the input weighs as UTF-8, checked before instantiating: the rest's JSON and the text.
  inputBytes = bytes.byteLength + utf8Length(input.text);
  if (inputBytes > entry.inputCap) {
    return fail(new StageFailure("input_too_large", `${inputBytes} bytes, cap ${entry.inputCap}`));
  }

  let lease: Lease;
  try {
    lease = options.pool ? await options.pool.lease(entry, logger) : await freshLease(entry, logger);
  } catch (err) {
    return fail(new StageFailure("instantiate_failed", engineMessage(err)));
  }

  let healthy = false;
  try {
    let raw: string;
    try {
      await stageText(lease.plugin, input.text);
      await lease.plugin.call("analyze", bytes);
      raw = await readOutput(lease.plugin);
    } catch (err) {
      pagesAfter = await memoryPages(lease.plugin);
      return fail(err instanceof StageFailure ? err : classifyCallError(err, pagesAfter, entry.memoryCapPages));
    }
    pagesAfter = await memoryPages(lease.plugin);
    if (pagesAfter !== undefined && pagesAfter > entry.memoryCapPages) {
      return fail(new StageFailure("memory_cap_exceeded", `${pagesAfter} pages, cap ${entry.memoryCapPages}`));
    }
    if (raw.length === 0) return fail(new StageFailure("no_output"));
    outputBytes = utf8Length(raw);

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return fail(new StageFailure("invalid_json"));
    }
    const parsed = pluginOutputSchema.safeParse(json);
    if (!parsed.success) return fail(new StageFailure("contract_violation", describeIssues(parsed.error)));
    const output = parsed.data as PluginOutput;
    if (output.plugin !== entry.name) {
      return fail(new StageFailure("contract_violation", `output names plugin "${output.plugin.slice(0, 60)}"`));
    }
    // Offsets are UTF-16 code-unit indices into the text (AssemblyScript and JS strings agree on this).
    const length = input.text.length;
    const outOfRange = output.findings.findIndex((f) => (f.start ?? 0) > length || (f.end ?? 0) > length);
    if (outOfRange >= 0) {
      return fail(new StageFailure("contract_violation", `findings.${outOfRange}: offset beyond the text`));
    }
    healthy = true;
    return finish(output);
  } finally {
    try {
      await lease.release(healthy);
    } catch {
      // Closing an Extism foreground plugin only releases host-side handles; nothing to report.
    }
  }
}
