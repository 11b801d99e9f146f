// Vitalis plugin SDK — the contract shared by all analysis plugins.
// See plugins/sdk/README.md for the API. Everything is UTF-16 offsets (JavaScript string
// indices); nothing here does I/O beyond the Extism input and error calls (the text comes in and the
// output goes out through the instance's own memory).

import { alloc, error_set, input_length, store_u8, store_u64 } from "@extism/as-pdk/lib/env";
import { Host } from "@extism/as-pdk";
import { JSONValue, JSONWriter, parseJSON, jsonError } from "./json";
import { newString } from "./text";

export * from "./json";
export * from "./text";
export * from "./phrases";

export const SEVERITY_INFO = "info";
export const SEVERITY_WARNING = "warning";
export const SEVERITY_BLOCKING = "blocking";

// ---------------------------------------------------------------------------
// Host I/O

/**
 * Reports an error to the host (Extism error_set: the host's call throws
 * "Plugin-originated error: <msg>") and returns 1, the value `analyze` should return.
 * The message goes into an Extism block, 8 bytes per host call: errors are short and rare.
 */
export function fail(message: string): i32 {
  const bytes = Uint8Array.wrap(String.UTF8.encode(message));
  const n = bytes.length;
  const off = alloc(<u64>n);
  const words = n >>> 3;
  const base = bytes.dataStart;
  for (let i = 0; i < words; i++) store_u64(off + <u64>(i << 3), load<u64>(base + (<usize>i << 3)));
  for (let i = words << 3; i < n; i++) store_u8(off + <u64>i, bytes[i]);
  error_set(off);
  return 1;
}

// The output of the current call, until the host has read it (a global: a GC root). `textBuffer`, the start
// of every host call, drops the previous one, so a reused instance never answers with an earlier document's.
let finishedOutput: string = "";

/**
 * Sets the plugin's output, kept as the string it is: after the export returns, the host reads its UTF-16
 * code units straight from the instance's memory (`outputBuffer`, `outputUnits`). No UTF-8 encoding, no
 * Extism block, no host call per 8 bytes. A later call replaces it; an empty string is no output.
 */
export function writeOutput(s: string): void {
  finishedOutput = s;
}

/**
 * Export this from every plugin (`export { textBuffer, outputBuffer, outputUnits } from "../sdk/index"`):
 * the address of the output's UTF-16 code units, read by the host after the call (functions/plugin-host/
 * runner.ts `readOutput`).
 */
export function outputBuffer(): usize {
  return changetype<usize>(finishedOutput);
}

/** Export this from every plugin: the output's length in UTF-16 code units (0: no output). */
export function outputUnits(): i32 {
  return finishedOutput.length;
}

// Abort handler for `asc --use abort=plugins/sdk/index/abortHandler`: AssemblyScript
// calls it on assertion failures, out-of-bounds access and out-of-memory. It sets an
// Extism error (so the host sees a clean "Plugin-originated error") and traps. A flag
// guards against re-entry when the abort itself was caused by running out of memory.
let aborting = false;
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  if (!aborting) {
    aborting = true;
    let m = "abort";
    if (message !== null) m += ": " + message;
    if (fileName !== null) m += " (" + fileName + ":" + line.toString() + ":" + column.toString() + ")";
    fail(m);
  }
  unreachable();
}

// ---------------------------------------------------------------------------
// Input

/** The parsed request: {"text", "title"?, "locale", "context"?}. */
export class Input {
  text: string = "";
  title: string | null = null;
  /** Canonical locale: "pt-BR", "en" or "es". */
  locale: string = "pt-BR";
  /** `context` as given (an object), or null when absent. */
  context: JSONValue | null = null;
}

let inputErr = "";

/** Why the last readInput() returned null. */
export function inputError(): string {
  return inputErr;
}

/** Maps "pt", "pt-BR", "pt_br", "en-US", "es-419"... to "pt-BR" | "en" | "es"; "" if unknown. */
export function canonicalLocale(l: string): string {
  const f = l.toLowerCase();
  if (f == "pt" || f.startsWith("pt-") || f.startsWith("pt_")) return "pt-BR";
  if (f == "en" || f.startsWith("en-") || f.startsWith("en_")) return "en";
  if (f == "es" || f.startsWith("es-") || f.startsWith("es_")) return "es";
  return "";
}

// The text of the coming call, handed over by the host through `textBuffer` (a global: a GC root until
// readInput takes it).
let stagedText: string | null = null;

/**
 * Export this from every plugin, with `outputBuffer` and `outputUnits`. The host calls it before `analyze`
 * with the text's length in UTF-16 code units and writes the text's code units at the returned address: one
 * allocation, no UTF-8 round trip, no JSON escaping, and the host's string indices are the plugin's. The
 * string is the plugin's own; readInput takes it.
 */
export function textBuffer(units: i32): usize {
  finishedOutput = "";
  const text = units > 0 ? newString(units) : "";
  stagedText = text;
  return changetype<usize>(text);
}

/**
 * Reads and validates the host input: the text handed over through `textBuffer`, and a JSON object with
 * the rest. Returns null (see inputError()) when no text was handed over, when the text's UTF-8 bytes plus
 * the JSON's exceed `maxBytes` (0 = no cap), when the JSON is invalid, not an object, carries `text`
 * (it belongs in textBuffer), has a non-string `title`, a missing/unknown `locale`, or a non-object `context`.
 */
export function readInput(maxBytes: i64): Input | null {
  inputErr = "";
  const text = stagedText;
  stagedText = null;
  if (text === null) { inputErr = "no text was handed over (textBuffer)"; return null; }
  const len = <i64>input_length() + <i64>String.UTF8.byteLength(text);
  if (maxBytes > 0 && len > maxBytes) {
    inputErr = "input too large: " + len.toString() + " bytes > cap " + maxBytes.toString();
    return null;
  }
  const root = parseJSON(Host.inputString());
  if (root === null) { inputErr = "invalid JSON: " + jsonError(); return null; }
  if (!root.isObject()) { inputErr = "input must be a JSON object"; return null; }
  if (root.get("text") !== null) { inputErr = "\"text\" is handed over through textBuffer, not in the JSON"; return null; }
  const inp = new Input();
  inp.text = text;
  const title = root.get("title");
  if (title !== null && !title.isNull()) {
    if (!title.isString()) { inputErr = "\"title\" must be a string"; return null; }
    inp.title = title.s;
  }
  const loc = root.get("locale");
  if (loc === null || !loc.isString()) { inputErr = "\"locale\" must be \"pt-BR\", \"en\" or \"es\""; return null; }
  const canon = canonicalLocale(loc.s);
  if (canon.length == 0) { inputErr = "unsupported locale: " + loc.s; return null; }
  inp.locale = canon;
  const ctx = root.get("context");
  if (ctx !== null && !ctx.isNull()) {
    if (!ctx.isObject()) { inputErr = "\"context\" must be an object"; return null; }
    inp.context = ctx;
  }
  return inp;
}

// ---------------------------------------------------------------------------
// Findings and output

export class Finding {
  code: string;
  severity: string;
  message: string;
  /** UTF-16 offsets into `text`; -1 when the finding has no position. */
  start: i32;
  end: i32;
  suggestion: string | null = null;

  constructor(code: string, severity: string, message: string, start: i32 = -1, end: i32 = -1) {
    this.code = code;
    this.severity = severity;
    this.message = message;
    this.start = start;
    this.end = end;
  }

  withSuggestion(s: string): Finding {
    this.suggestion = s;
    return this;
  }

  write(w: JSONWriter): void {
    w.beginObject();
    w.key("code"); w.str(this.code);
    w.key("severity"); w.str(this.severity);
    w.key("message"); w.str(this.message);
    if (this.start >= 0 && this.end >= this.start) {
      w.key("start"); w.int(this.start);
      w.key("end"); w.int(this.end);
    }
    const sug = this.suggestion;
    if (sug !== null) { w.key("suggestion"); w.str(sug); }
    w.endObject();
  }
}

/**
 * Builds the contract's output object:
 *   {"plugin","version","score"?,"findings":[...], <extra fields in insertion order>}
 */
export class Output {
  plugin: string;
  version: string;
  /** 0–100, or -1 to omit. */
  score: i32 = -1;
  findings: Array<Finding> = [];
  extraKeys: Array<string> = [];
  extraRaw: Array<string> = [];

  constructor(plugin: string, version: string) {
    this.plugin = plugin;
    this.version = version;
  }

  add(f: Finding): Finding {
    this.findings.push(f);
    return f;
  }

  /** Adds a field whose value is already serialized JSON (use a JSONWriter to build it). */
  setRaw(key: string, json: string): void {
    this.extraKeys.push(key);
    this.extraRaw.push(json);
  }

  setString(key: string, value: string): void {
    const w = new JSONWriter();
    w.str(value);
    this.setRaw(key, w.toString());
  }

  /** Sorts findings by start offset (positionless findings last), stable. */
  sortFindings(): void {
    this.findings.sort((a: Finding, b: Finding): i32 => {
      const sa = a.start < 0 ? i32.MAX_VALUE : a.start;
      const sb = b.start < 0 ? i32.MAX_VALUE : b.start;
      if (sa != sb) return sa < sb ? -1 : 1;
      return a.end - b.end;
    });
  }

  toJSON(): string {
    const w = new JSONWriter();
    w.beginObject();
    w.key("plugin"); w.str(this.plugin);
    w.key("version"); w.str(this.version);
    if (this.score >= 0) { w.key("score"); w.int(min(100, this.score)); }
    w.key("findings");
    w.beginArray();
    for (let i = 0; i < this.findings.length; i++) this.findings[i].write(w);
    w.endArray();
    for (let i = 0; i < this.extraKeys.length; i++) {
      w.key(this.extraKeys[i]);
      w.raw(this.extraRaw[i]);
    }
    w.endObject();
    return w.toString();
  }

  /** Sets the output the host reads (`writeOutput`) and returns 0 (the value `analyze` returns). */
  emit(): i32 {
    writeOutput(this.toJSON());
    return 0;
  }
}

/**
 * 100 minus a penalty per finding by severity, clamped to 0..100.
 * Plugins pass their own weights (e.g. blocking 40, warning 10, info 2).
 */
export function scoreFromFindings(findings: Array<Finding>, blocking: i32, warning: i32, info: i32): i32 {
  let s: i32 = 100;
  for (let i = 0; i < findings.length && s > 0; i++) {
    const sev = findings[i].severity;
    if (sev == SEVERITY_BLOCKING) s -= blocking;
    else if (sev == SEVERITY_WARNING) s -= warning;
    else s -= info;
  }
  return max(0, s);
}
