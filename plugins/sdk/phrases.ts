// Phrase lists found in one pass: an Aho–Corasick automaton (Aho & Corasick, CACM 18(6), 1975) compiled to a
// dense transition table, so scanning costs one table read per code unit whatever the number of phrases.
// A plugin that looks for many cues scans its text once instead of once per cue.
//
// Indices are UTF-16 code units, like everything in the sdk. Every occurrence is reported, overlapping ones
// included; `wordStarts` and `greedyStarts` give the same sequences as looping over `findWord` and `indexOf`.
//
// A plugin's fixed phrase lists are compiled at build time: a set made with `tables` (the plugin's generated
// plugins/build/phrases/<plugin>.ts) takes the table whose fingerprint matches its phrases, so instantiating
// the plugin builds no automaton; the table lives in the module's data segment. Without a matching table
// (a list edited since the last build, or a list made at run time) the set compiles itself, with the same result.
// scripts/build-plugins.mjs writes the tables from `phraseTablesJSON()` (this compiler's own output) and
// rebuilds when one is missing or stale.

import { foldCode, fold } from "./text";
import { isBoundedWord } from "./text";

/** One compiled automaton, as flat tables (pointers into static data, or into buffers a PhraseSet keeps). */
export class PhraseTable {
  constructor(
    /** fingerprintOf(phrases, folding): which phrase list this table was compiled from. */
    public fingerprint: u32,
    public classes: i32,
    public states: i32,
    /** 256 × u8: the class of each code unit below 256 (0: in no phrase). */
    public narrow: usize,
    public wideCount: i32,
    /** wideCount × i32, ascending: the code units ≥ 256 that occur in a phrase … */
    public wideCodes: usize,
    /** … and their classes. */
    public wideClasses: usize,
    /** states × classes × u16: delta[state * classes + class] = next state (at most MAX_STATES states). */
    public delta: usize,
    /** (states + 1) × i32: the phrase ids ending in state s are outIds[outStarts[s] .. outStarts[s + 1]]. */
    public outStarts: usize,
    public outIds: usize,
  ) {}
}

/** The states an automaton may have: transitions are stored as u16 (half the data of i32 in every module). */
export const MAX_STATES = 65536;

/** FNV-1a over the folding flag and the phrases as given. */
export function fingerprintOf(phrases: Array<string>, folding: bool): u32 {
  let h: u32 = 2166136261;
  h = (h ^ (folding ? 1 : 0)) * 16777619;
  for (let i = 0; i < phrases.length; i++) {
    const p = phrases[i];
    for (let k = 0; k < p.length; k++) h = (h ^ <u32>p.charCodeAt(k)) * 16777619;
    h = (h ^ 0xffff) * 16777619;
  }
  return h;
}

/** The sets made with `tables`: the ones the build compiles ahead (see phraseTablesJSON). */
// Allocated on first use: a module-level allocation here would run before the sdk's abort handler is set up.
let REGISTERED: Array<PhraseSet> | null = null;

export class PhraseSet {
  /** The phrases as given (their ids are their indexes). */
  phrases: Array<string>;
  /** The phrases as matched: folded when the set folds. */
  private keys: Array<string>;
  /** Built on the first `idOf`. */
  private ids: Map<string, i32> | null = null;
  private folding: bool;
  table!: PhraseTable;
  /** Whether `table` came from the build (static data) rather than from compiling at run time. */
  precompiled: bool = false;
  /** The buffers a table compiled at run time points into (kept alive with the set). */
  private owned: Array<StaticArray<i32>> = [];
  private ownedNarrow: StaticArray<u8> | null = null;
  private ownedDelta: StaticArray<u16> | null = null;

  /** Matches phrases case- and accent-insensitively (pt/es folding, `fold` in text.ts). */
  static folded(phrases: Array<string>, tables: Array<PhraseTable> | null = null): PhraseSet {
    return new PhraseSet(phrases, true, tables);
  }

  /** Matches phrases exactly as written ("RG" but not "rg"). */
  static exact(phrases: Array<string>, tables: Array<PhraseTable> | null = null): PhraseSet {
    return new PhraseSet(phrases, false, tables);
  }

  private constructor(phrases: Array<string>, folding: bool, tables: Array<PhraseTable> | null) {
    this.phrases = phrases;
    this.folding = folding;
    let keys = phrases;
    if (folding) {
      keys = new Array<string>(phrases.length);
      for (let i = 0; i < phrases.length; i++) keys[i] = fold(phrases[i]);
    }
    this.keys = keys;
    let found: PhraseTable | null = null;
    if (tables !== null) {
      if (REGISTERED === null) REGISTERED = new Array<PhraseSet>();
      (REGISTERED as Array<PhraseSet>).push(this);
      const fp = fingerprintOf(phrases, folding);
      for (let i = 0; i < tables.length; i++) if (tables[i].fingerprint == fp) found = tables[i];
    }
    if (found !== null) {
      this.table = found;
      this.precompiled = true;
    } else {
      this.table = this.compile();
    }
  }

  private compile(): PhraseTable {
    // Classes: each code unit that occurs in a phrase gets one, in order of first occurrence.
    const narrow = new StaticArray<u8>(256);
    const wide = new Map<i32, i32>();
    let classes = 1;
    for (let id = 0; id < this.keys.length; id++) {
      const key = this.keys[id];
      for (let i = 0; i < key.length; i++) {
        const c = <i32>key.charCodeAt(i);
        if (c < 256 ? narrow[c] != 0 : wide.has(c)) continue;
        if (c < 256) narrow[c] = <u8>classes;
        else wide.set(c, classes);
        classes++;
      }
    }
    const k = classes;
    const wideCodes = wide.keys();
    wideCodes.sort((a: i32, b: i32): i32 => a - b);
    const wideCount = wideCodes.length;
    const codes = new StaticArray<i32>(max(1, wideCount));
    const codeClasses = new StaticArray<i32>(max(1, wideCount));
    for (let i = 0; i < wideCount; i++) {
      codes[i] = wideCodes[i];
      codeClasses[i] = wide.get(wideCodes[i]);
    }

    // The trie: each state's children as (class, state) pairs, found through `edges` (keyed state * k + class).
    const edges = new Map<i32, i32>();
    const childClasses = new Array<Array<i32>>();
    const own = new Array<Array<i32>>();
    own.push(new Array<i32>());
    childClasses.push(new Array<i32>());
    for (let id = 0; id < this.keys.length; id++) {
      const key = this.keys[id];
      if (key.length == 0) continue;
      let state = 0;
      for (let i = 0; i < key.length; i++) {
        const c = <i32>key.charCodeAt(i);
        const cls = c < 256 ? <i32>narrow[c] : wide.get(c);
        const edge = state * k + cls;
        if (edges.has(edge)) state = edges.get(edge);
        else {
          const next = own.length;
          own.push(new Array<i32>());
          childClasses.push(new Array<i32>());
          edges.set(edge, next);
          childClasses[state].push(cls);
          state = next;
        }
      }
      own[state].push(id);
    }
    // Breadth first, so a state's failure (a shorter suffix) is complete before the state itself. A state's row
    // starts as its failure's row; its own children then replace their entries.
    const states = own.length;
    if (states > MAX_STATES) throw new Error("PhraseSet: more than 65536 states; split the phrase list");
    const delta = new StaticArray<u16>(states * k);
    const fail = new Int32Array(states);
    const outputs = new Array<Array<i32>>(states);
    outputs[0] = own[0];
    const queue = new Array<i32>();
    queue.push(0);
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q];
      if (u != 0) for (let c = 0; c < k; c++) delta[u * k + c] = delta[fail[u] * k + c];
      const children = childClasses[u];
      for (let c = 0; c < children.length; c++) {
        const a = children[c];
        const v = edges.get(u * k + a);
        const f = u == 0 ? 0 : <i32>delta[fail[u] * k + a];
        fail[v] = f;
        delta[u * k + a] = <u16>v;
        const out = own[v].slice(0);
        const inherited = outputs[f];
        for (let i = 0; i < inherited.length; i++) out.push(inherited[i]);
        outputs[v] = out;
        queue.push(v);
      }
    }
    // The outputs, flattened: state s's ids are outIds[outStarts[s] .. outStarts[s + 1]].
    const outStarts = new StaticArray<i32>(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      outStarts[s] = total;
      total += outputs[s].length;
    }
    outStarts[states] = total;
    const outIds = new StaticArray<i32>(max(1, total));
    for (let s = 0; s < states; s++) {
      const out = outputs[s];
      for (let i = 0; i < out.length; i++) outIds[outStarts[s] + i] = out[i];
    }
    this.ownedNarrow = narrow;
    this.ownedDelta = delta;
    this.owned = [codes, codeClasses, outStarts, outIds];
    return new PhraseTable(
      fingerprintOf(this.phrases, this.folding),
      k,
      states,
      changetype<usize>(narrow),
      wideCount,
      changetype<usize>(codes),
      changetype<usize>(codeClasses),
      changetype<usize>(delta),
      changetype<usize>(outStarts),
      changetype<usize>(outIds),
    );
  }

  /** Every occurrence of every phrase in `text`. */
  scan(text: string): PhraseScan {
    // Phrases that do not occur share one empty list (read-only for callers); a list of its own is made at
    // a phrase's first occurrence, so a short text does not allocate one list per phrase.
    const none = new Array<i32>();
    const starts = new Array<Array<i32>>(this.keys.length);
    for (let i = 0; i < starts.length; i++) starts[i] = none;
    const t = this.table;
    const k = t.classes;
    const narrow = t.narrow;
    const delta = t.delta;
    const outStarts = t.outStarts;
    const outIds = t.outIds;
    const folding = this.folding;
    const n = text.length;
    let state = 0;
    for (let i = 0; i < n; i++) {
      let c = <i32>text.charCodeAt(i);
      if (folding) c = foldCode(c);
      const cls = c < 256 ? <i32>load<u8>(narrow + <usize>c) : wideClass(t, c);
      state = <i32>load<u16>(delta + ((<usize>(state * k + cls)) << 1));
      const from = load<i32>(outStarts + (<usize>state << 2));
      const to = load<i32>(outStarts + (<usize>(state + 1) << 2));
      for (let j = from; j < to; j++) {
        const id = load<i32>(outIds + (<usize>j << 2));
        let list = unchecked(starts[id]);
        if (list === none) {
          list = new Array<i32>();
          starts[id] = list;
        }
        list.push(i + 1 - unchecked(this.keys[id]).length);
      }
    }
    return new PhraseScan(this, text, starts);
  }

  /** The id of a phrase as given, or -1. */
  idOf(phrase: string): i32 {
    let ids = this.ids;
    if (ids === null) {
      ids = new Map<string, i32>();
      for (let i = 0; i < this.phrases.length; i++) if (!ids.has(this.phrases[i])) ids.set(this.phrases[i], i);
      this.ids = ids;
    }
    return ids.has(phrase) ? ids.get(phrase) : -1;
  }

  /** The same phrases compiled now (its table points into buffers the returned set keeps alive). */
  compiledNow(): PhraseSet {
    return new PhraseSet(this.phrases, this.folding, null);
  }

  /** Whether this set's table equals, entry for entry, the one compiling its phrases now gives. */
  matchesCompile(): bool {
    const fresh = this.compiledNow();
    const a = this.table;
    const b = fresh.table;
    if (a.fingerprint != b.fingerprint || a.classes != b.classes || a.states != b.states) return false;
    if (a.wideCount != b.wideCount) return false;
    const outs = load<i32>(a.outStarts + (<usize>a.states << 2));
    if (outs != load<i32>(b.outStarts + (<usize>b.states << 2))) return false;
    return (
      memory.compare(a.narrow, b.narrow, 256) == 0 &&
      memory.compare(a.wideCodes, b.wideCodes, <usize>a.wideCount << 2) == 0 &&
      memory.compare(a.wideClasses, b.wideClasses, <usize>a.wideCount << 2) == 0 &&
      memory.compare(a.delta, b.delta, <usize>(a.states * a.classes) << 1) == 0 &&
      memory.compare(a.outStarts, b.outStarts, <usize>(a.states + 1) << 2) == 0 &&
      memory.compare(a.outIds, b.outIds, <usize>outs << 2) == 0
    );
  }
}

/** The class of a code unit ≥ 256: bisection over the table's wide code units (0 when in no phrase). */
function wideClass(t: PhraseTable, c: i32): i32 {
  let lo = 0;
  let hi = t.wideCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = load<i32>(t.wideCodes + (<usize>mid << 2));
    if (v == c) return load<i32>(t.wideClasses + (<usize>mid << 2));
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

function appendInts(out: Array<string>, name: string, at: usize, count: i32, bytes: i32): void {
  out.push(',"' + name + '":[');
  for (let i = 0; i < count; i++) {
    if (i > 0) out.push(",");
    const v = bytes == 1 ? <i32>load<u8>(at + <usize>i) : bytes == 2 ? <i32>load<u16>(at + (<usize>i << 1)) : load<i32>(at + (<usize>i << 2));
    out.push(v.toString());
  }
  out.push("]");
}

/**
 * The build's view of the sets this instance made with `tables` (scripts/build-plugins.mjs): for each, whether
 * it runs on a build-time table and whether that table equals compiling its phrases now, and the compiled
 * tables themselves, from which the build writes plugins/build/phrases/<plugin>.ts.
 */
export function phraseTablesJSON(): string {
  const out = new Array<string>();
  out.push("[");
  const registered = REGISTERED !== null ? (REGISTERED as Array<PhraseSet>) : new Array<PhraseSet>();
  for (let s = 0; s < registered.length; s++) {
    const set = registered[s];
    // Held in a global while its tables are read: the strings built below may run the collector.
    dumping = set.compiledNow();
    const t = (dumping as PhraseSet).table;
    if (s > 0) out.push(",");
    out.push('{"fingerprint":' + t.fingerprint.toString());
    out.push(',"phrases":' + set.phrases.length.toString());
    out.push(',"precompiled":' + (set.precompiled ? "true" : "false"));
    out.push(',"matchesCompile":' + (set.matchesCompile() ? "true" : "false"));
    out.push(',"classes":' + t.classes.toString() + ',"states":' + t.states.toString());
    appendInts(out, "narrow", t.narrow, 256, 1);
    appendInts(out, "wideCodes", t.wideCodes, t.wideCount, 4);
    appendInts(out, "wideClasses", t.wideClasses, t.wideCount, 4);
    appendInts(out, "delta", t.delta, t.states * t.classes, 2);
    appendInts(out, "outStarts", t.outStarts, t.states + 1, 4);
    appendInts(out, "outIds", t.outIds, load<i32>(t.outStarts + (<usize>t.states << 2)), 4);
    out.push("}");
  }
  out.push("]");
  dumping = null;
  return out.join("");
}
let dumping: PhraseSet | null = null;

/** Where each phrase of a set occurs in one text. */
export class PhraseScan {
  constructor(
    public set: PhraseSet,
    public text: string,
    /** starts[id]: every start of phrase `id`, ascending, overlapping ones included (read-only: lists of
     *  phrases that do not occur are one shared empty list). */
    public all: Array<Array<i32>>,
  ) {}

  /** Every start of `phrase`, ascending, overlapping ones included; empty for a phrase not in the set. */
  starts(phrase: string): Array<i32> {
    const id = this.set.idOf(phrase);
    return id < 0 ? new Array<i32>() : this.all[id];
  }

  /** The starts `indexOf` would visit: from 0, then from the end of each occurrence. */
  greedyStarts(phrase: string): Array<i32> {
    const out = new Array<i32>();
    const all = this.starts(phrase);
    let next = 0;
    for (let i = 0; i < all.length; i++) {
      if (all[i] < next) continue;
      out.push(all[i]);
      next = all[i] + phrase.length;
    }
    return out;
  }

  /** The starts `findWord` would visit: occurrences bounded by non-word characters, each after the last one's end. */
  wordStarts(phrase: string): Array<i32> {
    const out = new Array<i32>();
    const all = this.starts(phrase);
    let next = 0;
    for (let i = 0; i < all.length; i++) {
      const p = all[i];
      if (p < next || !isBoundedWord(this.text, p, p + phrase.length)) continue;
      out.push(p);
      next = p + phrase.length;
    }
    return out;
  }
}
