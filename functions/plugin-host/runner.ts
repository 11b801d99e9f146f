// Runs one analysis plugin through Extism, in-isolate.
//
// Platform facts this file is built around, each checked in workerd (plugin-host/README.md has the figures):
// - workerd refuses to compile WebAssembly from bytes at run time, so the manifest always carries an
//   already compiled `WebAssembly.Module` (`{ wasm: [{ module }] }`), never `{ data }`.
// - `runInWorker: true` needs crossOriginIsolated and fails in workerd; plugins run on the request's thread.
// - Extism JS 1.0.3 has no memory option. The bundled modules import their linear memory (asc
//   --importMemory); the host creates it with the cap as its maximum (the module declares the same one,
//   asc --maximumMemory) and re-checks the size after each call. `openPlugin` hands the memory over.
// - A fresh instance per call, but not a fresh memory: V8 reserves gigabytes of address space for every
//   WebAssembly memory and runs a full collection whenever the reservations reach its cap, which five new
//   memories per pipeline did every ~20 pipelines (README.md). `MemoryPool` keeps each module's memory once
//   the call is over, zeroed, for the next instance of that module.
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
  /** Where imported memories come from and go back to. Default: the isolate's (`isolateMemories`). */
  memories?: MemoryPool;
  /** Receives plugin log lines; default drops them. */
  logger?: Console;
}

interface Lease {
  plugin: Plugin;
  /** Closes (fresh instance) or hands back (pooled) the instance. `healthy=false` always closes it. */
  release(healthy: boolean): Promise<void>;
}

/** What opening an instance needs to know of a plugin. */
export type PluginModule = Pick<RegistryEntry, "name" | "version" | "module" | "memoryMinPages" | "memoryCapPages">;

/** An open instance: `close()` closes it and hands its memory back to the pool it came from (once, however often called). */
export interface OpenPlugin {
  plugin: Plugin;
  close(): Promise<void>;
}

/**
 * Linear memories for modules that import theirs, kept per compiled module and cap for reuse within an
 * isolate. `take` hands out an idle one or creates one (`initial` the module's declared minimum, `maximum` the
 * cap); `give` zeroes a memory before keeping it, so no document's text, nor anything else an instance left,
 * reaches the next instance, and drops it instead when it has grown past `maxIdlePages` or to half its cap
 * (memory never shrinks), or when `perModule` are already idle. Only the memory is reused: every call still gets a new instance, with its own
 * globals, table and data segments written afresh.
 */
export class MemoryPool {
  readonly #idle = new WeakMap<WebAssembly.Module, Map<number, WebAssembly.Memory[]>>();
  readonly #maxIdlePages: number;
  readonly #perModule: number;

  constructor(options: { maxIdlePages?: number; perModule?: number } = {}) {
    this.#maxIdlePages = options.maxIdlePages ?? 64;
    this.#perModule = options.perModule ?? 1;
  }

  take(module: WebAssembly.Module, minPages: number, capPages: number): WebAssembly.Memory {
    return (
      this.#idle.get(module)?.get(capPages)?.pop() ?? new WebAssembly.Memory({ initial: minPages, maximum: capPages })
    );
  }

  give(module: WebAssembly.Module, capPages: number, memory: WebAssembly.Memory): void {
    // Below half the cap too: a trap with the memory at half its cap or more is reported as running out of
    // memory (classifyCallError), which a memory that started the call there would fake.
    const pages = memory.buffer.byteLength / PAGE_BYTES;
    if (pages > this.#maxIdlePages || pages >= capPages / 2) return;
    let byCap = this.#idle.get(module);
    if (!byCap) this.#idle.set(module, (byCap = new Map()));
    const idle = byCap.get(capPages) ?? [];
    if (idle.length >= this.#perModule) return;
    new Uint8Array(memory.buffer).fill(0);
    idle.push(memory);
    byCap.set(capPages, idle);
  }

  /** How many memories are idle for this module and cap. */
  idle(module: WebAssembly.Module, capPages: number): number {
    return this.#idle.get(module)?.get(capPages)?.length ?? 0;
  }
}

/** The memories shared by every call this isolate makes (take and give are synchronous, so interleaved requests are safe). */
export const isolateMemories = new MemoryPool();

const memoryImports = new WeakMap<WebAssembly.Module, WebAssembly.ModuleImportDescriptor | null>();

/** The module's memory import, if it imports its memory rather than defining one. */
function memoryImport(module: WebAssembly.Module): WebAssembly.ModuleImportDescriptor | null {
  let found = memoryImports.get(module);
  if (found === undefined) {
    found = WebAssembly.Module.imports(module).find((i) => i.kind === "memory") ?? null;
    memoryImports.set(module, found);
  }
  return found;
}

/**
 * Extism JS 1.0.3 hands each entry of `functions` to the module as `entry.bind(null, callContext)` and has no
 * option for any other import; a function whose own `bind` answers the memory hands the memory over as it is.
 * `openPlugin` then checks the instance exports that very memory, so an Extism that stops doing this fails
 * every call (instantiate_failed) instead of running on a memory the host does not control.
 */
function importAsIs(memory: WebAssembly.Memory): (...args: unknown[]) => unknown {
  const carrier = () => {
    throw new Error("a memory import, not a function");
  };
  Object.defineProperty(carrier, "bind", { value: () => memory });
  return carrier;
}

/**
 * Instantiates `entry.module` through Extism, no WASI, on this thread. A module that imports its memory gets
 * one from `memories` (the cap as its maximum); one that defines its own keeps doing so.
 */
export async function openPlugin(
  entry: PluginModule,
  options: { logger?: Console; memories?: MemoryPool } = {},
): Promise<OpenPlugin> {
  const memories = options.memories ?? isolateMemories;
  const wanted = memoryImport(entry.module);
  const memory = wanted ? memories.take(entry.module, entry.memoryMinPages, entry.memoryCapPages) : undefined;
  const giveBack = () => {
    if (memory) memories.give(entry.module, entry.memoryCapPages, memory);
  };
  let plugin: Plugin;
  try {
    plugin = await createPlugin(
      { wasm: [{ module: entry.module }] },
      {
        useWasi: false,
        runInWorker: false,
        logger: options.logger ?? silentLogger,
        // The module learns its registered identity; the bundled plugins hardcode theirs, test fixtures use it.
        config: { plugin: entry.name, version: entry.version },
        ...(wanted && memory ? { functions: { [wanted.module]: { [wanted.name]: importAsIs(memory) } } } : {}),
      },
    );
  } catch (err) {
    giveBack();
    throw err;
  }
  if (memory && (await plugin.getInstance()).exports.memory !== memory) {
    await plugin.close();
    giveBack();
    throw new Error("the instance does not use the memory the host gave it");
  }
  let closed = false;
  return {
    plugin,
    async close() {
      // Once only: a memory handed back twice could be taken by two instances at once.
      if (closed) return;
      closed = true;
      await plugin.close();
      giveBack();
    },
  };
}

async function freshLease(entry: RegistryEntry, logger: Console, memories: MemoryPool | undefined): Promise<Lease> {
  const open = await openPlugin(entry, { logger, memories });
  return { plugin: open.plugin, release: () => open.close() };
}

/**
 * Keeps one idle instance per plugin (name + sha256) for reuse within an isolate. An instance is handed
 * out to one call at a time; a concurrent call gets a fresh instance. After a call the Extism call context
 * is reset (it otherwise keeps every input/output block); an instance that failed, or whose linear memory
 * grew past `maxIdlePages`, is closed instead of kept.
 */
export class PluginInstancePool {
  readonly #idle = new Map<string, OpenPlugin>();
  readonly #maxIdlePages: number;

  constructor(options: { maxIdlePages?: number } = {}) {
    this.#maxIdlePages = options.maxIdlePages ?? 64;
  }

  async lease(entry: RegistryEntry, logger: Console, memories: MemoryPool | undefined): Promise<Lease> {
    const key = `${entry.name}@${entry.sha256}`;
    let open = this.#idle.get(key);
    if (open) this.#idle.delete(key);
    else open = await openPlugin(entry, { logger, memories });
    const leased = open;
    return {
      plugin: leased.plugin,
      release: async (healthy: boolean) => {
        const pages = healthy ? await memoryPages(leased.plugin) : undefined;
        const keep = healthy && pages !== undefined && pages <= this.#maxIdlePages && (await leased.plugin.reset());
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
    const open = [...this.#idle.values()];
    this.#idle.clear();
    await Promise.all(open.map((o) => o.close()));
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
    lease = options.pool
      ? await options.pool.lease(entry, logger, options.memories)
      : await freshLease(entry, logger, options.memories);
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
