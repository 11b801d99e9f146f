// Minimal, allocation-conscious JSON reader/writer for AssemblyScript plugins.
//
// AssemblyScript has no JSON built in and the plugins may not depend on npm JSON
// libraries, so this file implements RFC 8259 directly:
//  - strings: all escapes incl. \uXXXX; surrogate pairs are kept as two UTF-16 code
//    units and *lone* surrogates survive (\uD800 stays one code unit), so every string
//    index the host computes in JavaScript is the same index here;
//  - numbers: validated against the RFC 8259 §6 grammar, then parsed as f64;
//  - nesting is capped (MAX_DEPTH) so hostile input cannot exhaust the stack;
//  - errors never abort: parseJSON returns null and leaves a message in jsonError().

import { newString } from "./text";

export const MAX_DEPTH: i32 = 64;

export enum JSONKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

export class JSONValue {
  kind: JSONKind = JSONKind.Null;
  b: bool = false;
  n: f64 = 0;
  s: string = "";
  // Array items, or object values (paired with `keys`).
  items: Array<JSONValue> = [];
  keys: Array<string> = [];

  static nul(): JSONValue {
    return new JSONValue();
  }
  static bool(b: bool): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Bool;
    v.b = b;
    return v;
  }
  static num(n: f64): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Number;
    v.n = n;
    return v;
  }
  static str(s: string): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.String;
    v.s = s;
    return v;
  }
  static arr(): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Array;
    return v;
  }
  static obj(): JSONValue {
    const v = new JSONValue();
    v.kind = JSONKind.Object;
    return v;
  }

  isNull(): bool { return this.kind == JSONKind.Null; }
  isBool(): bool { return this.kind == JSONKind.Bool; }
  isNumber(): bool { return this.kind == JSONKind.Number; }
  isString(): bool { return this.kind == JSONKind.String; }
  isArray(): bool { return this.kind == JSONKind.Array; }
  isObject(): bool { return this.kind == JSONKind.Object; }

  /** Object member by key (last duplicate wins, as in JavaScript); null if absent or not an object. */
  get(key: string): JSONValue | null {
    if (this.kind != JSONKind.Object) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] == key) return this.items[i];
    }
    return null;
  }

  /** String member, or null when absent / not a string. */
  getString(key: string): string | null {
    const v = this.get(key);
    if (v === null || v.kind != JSONKind.String) return null;
    return v.s;
  }

  /** Boolean member, or `dflt` when absent / not a boolean. */
  getBool(key: string, dflt: bool): bool {
    const v = this.get(key);
    if (v === null || v.kind != JSONKind.Bool) return dflt;
    return v.b;
  }

  /** Number member, or `dflt` when absent / not a number. */
  getNumber(key: string, dflt: f64): f64 {
    const v = this.get(key);
    if (v === null || v.kind != JSONKind.Number) return dflt;
    return v.n;
  }

  set(key: string, value: JSONValue): void {
    this.keys.push(key);
    this.items.push(value);
  }

  push(value: JSONValue): void {
    this.items.push(value);
  }

  toJSON(): string {
    const w = new JSONWriter();
    w.value(this);
    return w.toString();
  }
}

// ---------------------------------------------------------------------------
// Reader

let lastError: string = "";

/** The message of the last failed parseJSON call ("" if it succeeded). */
export function jsonError(): string {
  return lastError;
}

/** Parses a complete JSON document. Returns null on any syntax error (see jsonError()). */
export function parseJSON(src: string): JSONValue | null {
  const p = new Parser(src);
  lastError = "";
  p.ws();
  const v = p.value(0);
  if (v === null) {
    lastError = p.err;
    return null;
  }
  p.ws();
  if (p.pos < src.length) {
    lastError = "unexpected trailing data at " + p.pos.toString();
    return null;
  }
  return v;
}

@inline function isDigitCode(c: i32): bool {
  return c >= 48 && c <= 57;
}

/** The code unit a one-character escape (\" \\ \/ \b \f \n \r \t) stands for, or -1. */
function unescaped(e: i32): i32 {
  if (e == 34 || e == 92 || e == 47) return e;
  if (e == 98) return 8;
  if (e == 102) return 12;
  if (e == 110) return 10;
  if (e == 114) return 13;
  if (e == 116) return 9;
  return -1;
}

function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

class Parser {
  src: string;
  pos: i32 = 0;
  err: string = "";

  constructor(src: string) {
    this.src = src;
  }

  fail(msg: string): JSONValue | null {
    if (this.err.length == 0) this.err = msg + " at " + this.pos.toString();
    return null;
  }

  @inline peek(): i32 {
    return this.pos < this.src.length ? <i32>this.src.charCodeAt(this.pos) : -1;
  }

  ws(): void {
    const s = this.src;
    const n = s.length;
    while (this.pos < n) {
      const c = s.charCodeAt(this.pos);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.pos++;
      else break;
    }
  }

  value(depth: i32): JSONValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than " + MAX_DEPTH.toString());
    const c = this.peek();
    if (c == 123) return this.object(depth + 1); // {
    if (c == 91) return this.array(depth + 1); // [
    if (c == 34) { // "
      const s = this.string();
      if (s === null) return null;
      return JSONValue.str(s);
    }
    if (c == 45 || isDigitCode(c)) return this.number();
    if (this.literal("true")) return JSONValue.bool(true);
    if (this.literal("false")) return JSONValue.bool(false);
    if (this.literal("null")) return JSONValue.nul();
    if (c == -1) return this.fail("unexpected end of input");
    return this.fail("unexpected character");
  }

  literal(word: string): bool {
    const n = word.length;
    if (this.pos + n > this.src.length) return false;
    for (let i = 0; i < n; i++) {
      if (this.src.charCodeAt(this.pos + i) != word.charCodeAt(i)) return false;
    }
    this.pos += n;
    return true;
  }

  object(depth: i32): JSONValue | null {
    const o = JSONValue.obj();
    this.pos++; // {
    this.ws();
    if (this.peek() == 125) { this.pos++; return o; }
    while (true) {
      this.ws();
      if (this.peek() != 34) return this.fail("expected object key");
      const k = this.string();
      if (k === null) return null;
      this.ws();
      if (this.peek() != 58) return this.fail("expected ':'");
      this.pos++;
      this.ws();
      const v = this.value(depth);
      if (v === null) return null;
      o.set(k, v);
      this.ws();
      const c = this.peek();
      if (c == 44) { this.pos++; continue; }
      if (c == 125) { this.pos++; return o; }
      return this.fail("expected ',' or '}'");
    }
  }

  array(depth: i32): JSONValue | null {
    const a = JSONValue.arr();
    this.pos++; // [
    this.ws();
    if (this.peek() == 93) { this.pos++; return a; }
    while (true) {
      this.ws();
      const v = this.value(depth);
      if (v === null) return null;
      a.push(v);
      this.ws();
      const c = this.peek();
      if (c == 44) { this.pos++; continue; }
      if (c == 93) { this.pos++; return a; }
      return this.fail("expected ',' or ']'");
    }
  }

  // Returns the decoded string, or null on error. A first pass finds the closing quote, checks every escape
  // and counts the decoded length; a string without escapes is then one substring, one with escapes is
  // decoded into a string allocated once at that length, so a 1 MB string costs O(n) and two allocations
  // at most.
  string(): string | null {
    const s = this.src;
    const n = s.length;
    this.pos++; // opening quote
    const start = this.pos;
    let length = 0;
    let escaped = false;
    while (true) {
      if (this.pos >= n) { this.fail("unterminated string"); return null; }
      const c = <i32>s.charCodeAt(this.pos);
      if (c == 34) break;
      if (c < 0x20) { this.fail("control character in string"); return null; }
      length++;
      if (c != 92) { this.pos++; continue; }
      // Backslash escape: one code unit once decoded.
      escaped = true;
      if (this.pos + 1 >= n) { this.fail("unterminated escape"); return null; }
      const e = <i32>s.charCodeAt(this.pos + 1);
      this.pos += 2;
      if (e == 117) {
        if (this.pos + 4 > n) { this.fail("short \\u escape"); return null; }
        for (let i = 0; i < 4; i++) {
          if (hexVal(<i32>s.charCodeAt(this.pos + i)) < 0) { this.fail("bad \\u escape"); return null; }
        }
        this.pos += 4;
      } else if (unescaped(e) < 0) { this.fail("bad escape"); return null; }
    }
    const end = this.pos;
    this.pos++; // closing quote
    if (!escaped) return s.substring(start, end);
    const out = newString(length);
    let at = changetype<usize>(out);
    let i = start;
    while (i < end) {
      let c = <i32>s.charCodeAt(i);
      i++;
      if (c == 92) {
        const e = <i32>s.charCodeAt(i);
        i++;
        if (e == 117) {
          // One UTF-16 code unit per \u escape: a pair "\uD83D\uDE00" becomes the same two
          // units JavaScript has, and a lone surrogate stays a lone unit (offsets unchanged).
          c = 0;
          for (let k = 0; k < 4; k++) c = (c << 4) | hexVal(<i32>s.charCodeAt(i + k));
          i += 4;
        } else c = unescaped(e);
      }
      store<u16>(at, <u16>c);
      at += 2;
    }
    return out;
  }

  // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  number(): JSONValue | null {
    const s = this.src;
    const start = this.pos;
    if (this.peek() == 45) this.pos++;
    let c = this.peek();
    if (c == 48) {
      this.pos++;
    } else if (c >= 49 && c <= 57) {
      while (isDigitCode(this.peek())) this.pos++;
    } else return this.fail("bad number");
    if (this.peek() == 46) {
      this.pos++;
      if (!isDigitCode(this.peek())) return this.fail("bad fraction");
      while (isDigitCode(this.peek())) this.pos++;
    }
    c = this.peek();
    if (c == 101 || c == 69) {
      this.pos++;
      c = this.peek();
      if (c == 43 || c == 45) this.pos++;
      if (!isDigitCode(this.peek())) return this.fail("bad exponent");
      while (isDigitCode(this.peek())) this.pos++;
    }
    return JSONValue.num(parseFloat(s.substring(start, this.pos)));
  }
}

// ---------------------------------------------------------------------------
// Writer

const HEX = "0123456789abcdef";

/**
 * Escapes a string as a JSON string literal (with quotes). Control characters and
 * lone surrogates are written as \uXXXX: a lone surrogate cannot be encoded as UTF-8,
 * so escaping it keeps the output valid UTF-8 *and* keeps JavaScript offsets intact
 * after JSON.parse on the host.
 */
export function quote(s: string): string {
  // Two passes over the same widths: the literal's length, then the literal written into one string.
  const n = s.length;
  let length = 2;
  for (let i = 0; i < n; i++) {
    const width = escapeAt(s, i, n);
    if (width == PAIR) { length += 2; i++; } else length += width;
  }
  const out = newString(length);
  let at = changetype<usize>(out);
  store<u16>(at, 34);
  at += 2;
  for (let i = 0; i < n; i++) {
    const c = <i32>s.charCodeAt(i);
    const width = escapeAt(s, i, n);
    if (width == 1) {
      store<u16>(at, <u16>c);
      at += 2;
    } else if (width == 2) {
      store<u16>(at, 92);
      store<u16>(at + 2, <u16>(c == 10 ? 110 : c == 13 ? 114 : c == 9 ? 116 : c));
      at += 4;
    } else if (width == PAIR) {
      store<u16>(at, <u16>c);
      store<u16>(at + 2, <u16>s.charCodeAt(i + 1));
      i++;
      at += 4;
    } else {
      store<u16>(at, 92);
      store<u16>(at + 2, 117);
      for (let k = 0; k < 4; k++) store<u16>(at + 4 + (<usize>k << 1), <u16>HEX.charCodeAt((c >> (12 - 4 * k)) & 15));
      at += 12;
    }
  }
  store<u16>(at, 34);
  return out;
}

/** escapeAt's answer for a high surrogate whose low one follows: the pair is written as it is. */
const PAIR: i32 = 0;

/**
 * How code unit i of s is written in a JSON string literal: 1 as it is, 2 as a two-character escape
 * (\" \\ \n \r \t), 6 as \uXXXX (other controls, lone surrogates), PAIR for a high surrogate whose low one
 * follows.
 */
function escapeAt(s: string, i: i32, n: i32): i32 {
  const c = <i32>s.charCodeAt(i);
  if (c == 34 || c == 92 || c == 10 || c == 13 || c == 9) return 2;
  if (c < 0x20) return 6;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = i + 1 < n ? <i32>s.charCodeAt(i + 1) : 0;
    return d >= 0xdc00 && d <= 0xdfff ? PAIR : 6;
  }
  if (c >= 0xdc00 && c <= 0xdfff) return 6;
  return 1;
}

/** Formats a number as JSON: integers without ".0", non-finite as null. */
export function formatNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992.0) return (<i64>n).toString();
  return n.toString();
}

/**
 * Streaming JSON writer. Commas are inserted automatically; parts are collected in an
 * array and joined once, so writing is linear in the output size.
 *
 *   const w = new JSONWriter();
 *   w.beginObject(); w.key("a"); w.int(1); w.key("b"); w.beginArray(); w.str("x"); w.endArray(); w.endObject();
 *   w.toString(); // {"a":1,"b":["x"]}
 */
export class JSONWriter {
  parts: Array<string> = [];
  // One entry per open container: true once it has at least one member.
  hasItems: Array<bool> = [];
  afterKey: bool = false;

  private sep(): void {
    if (this.afterKey) { this.afterKey = false; return; }
    const d = this.hasItems.length;
    if (d == 0) return;
    if (this.hasItems[d - 1]) this.parts.push(",");
    else this.hasItems[d - 1] = true;
  }

  beginObject(): void { this.sep(); this.parts.push("{"); this.hasItems.push(false); }
  endObject(): void { this.hasItems.pop(); this.parts.push("}"); }
  beginArray(): void { this.sep(); this.parts.push("["); this.hasItems.push(false); }
  endArray(): void { this.hasItems.pop(); this.parts.push("]"); }

  key(k: string): void {
    this.sep();
    this.parts.push(quote(k));
    this.parts.push(":");
    this.afterKey = true;
  }

  str(v: string): void { this.sep(); this.parts.push(quote(v)); }
  int(v: i64): void { this.sep(); this.parts.push(v.toString()); }
  num(v: f64): void { this.sep(); this.parts.push(formatNumber(v)); }
  bool(v: bool): void { this.sep(); this.parts.push(v ? "true" : "false"); }
  nul(): void { this.sep(); this.parts.push("null"); }
  /** Inserts an already-serialized JSON value verbatim. */
  raw(json: string): void { this.sep(); this.parts.push(json); }

  value(v: JSONValue): void {
    switch (v.kind) {
      case JSONKind.Null: this.nul(); break;
      case JSONKind.Bool: this.bool(v.b); break;
      case JSONKind.Number: this.num(v.n); break;
      case JSONKind.String: this.str(v.s); break;
      case JSONKind.Array: {
        this.beginArray();
        for (let i = 0; i < v.items.length; i++) this.value(v.items[i]);
        this.endArray();
        break;
      }
      default: {
        this.beginObject();
        for (let i = 0; i < v.items.length; i++) { this.key(v.keys[i]); this.value(v.items[i]); }
        this.endObject();
      }
    }
  }

  toString(): string {
    return this.parts.join("");
  }
}
