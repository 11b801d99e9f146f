// Phrase lists found in one pass: an Aho–Corasick automaton (Aho & Corasick, CACM 18(6), 1975) compiled to a
// dense transition table, so scanning costs one table read per code unit whatever the number of phrases.
// A plugin that looks for many cues scans its text once instead of once per cue.
//
// Indices are UTF-16 code units, like everything in the sdk. Every occurrence is reported, overlapping ones
// included; `wordStarts` and `greedyStarts` give the same sequences as looping over `findWord` and `indexOf`.

import { foldCode, isBoundedWord, fold } from "./text";

export class PhraseSet {
  /** The phrases as given (their ids are their indexes). */
  phrases: Array<string>;
  /** The phrases as matched: folded when the set folds. */
  private keys: Array<string>;
  private ids: Map<string, i32> = new Map<string, i32>();
  private folding: bool;
  /** Class of each code unit below 256 (0: in no phrase); wider code units through `wide`. */
  private narrow: Uint8Array = new Uint8Array(256);
  private wide: Map<i32, i32> = new Map<i32, i32>();
  private classes: i32 = 1;
  /** delta[state * classes + class] = next state. */
  private delta: Int32Array = new Int32Array(0);
  /** Phrase ids that end in each state (its own and those of its suffixes). */
  private outputs: Array<Array<i32>> = [];

  /** Matches phrases case- and accent-insensitively (pt/es folding, `fold` in text.ts). */
  static folded(phrases: Array<string>): PhraseSet {
    return new PhraseSet(phrases, true);
  }

  /** Matches phrases exactly as written ("RG" but not "rg"). */
  static exact(phrases: Array<string>): PhraseSet {
    return new PhraseSet(phrases, false);
  }

  private constructor(phrases: Array<string>, folding: bool) {
    this.phrases = phrases;
    this.folding = folding;
    this.keys = new Array<string>(phrases.length);
    for (let i = 0; i < phrases.length; i++) {
      const key = folding ? fold(phrases[i]) : phrases[i];
      this.keys[i] = key;
      if (!this.ids.has(phrases[i])) this.ids.set(phrases[i], i);
      for (let k = 0; k < key.length; k++) this.classify(<i32>key.charCodeAt(k));
    }
    this.compile();
  }

  private classify(c: i32): void {
    if (this.classOf(c) != 0) return;
    const cls = this.classes++;
    if (c < 256) this.narrow[c] = <u8>cls;
    else this.wide.set(c, cls);
  }

  @inline private classOf(c: i32): i32 {
    if (c < 256) return <i32>unchecked(this.narrow[c]);
    return this.wide.size > 0 && this.wide.has(c) ? this.wide.get(c) : 0;
  }

  private compile(): void {
    const k = this.classes;
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
        const cls = this.classOf(<i32>key.charCodeAt(i));
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
    const delta = new Int32Array(states * k);
    const fail = new Int32Array(states);
    const outputs = new Array<Array<i32>>(states);
    outputs[0] = own[0];
    const queue = new Array<i32>();
    queue.push(0);
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q];
      if (u != 0) delta.copyWithin(u * k, fail[u] * k, fail[u] * k + k);
      const children = childClasses[u];
      for (let c = 0; c < children.length; c++) {
        const a = children[c];
        const v = edges.get(u * k + a);
        const f = u == 0 ? 0 : delta[fail[u] * k + a];
        fail[v] = f;
        delta[u * k + a] = v;
        const out = own[v].slice(0);
        const inherited = outputs[f];
        for (let i = 0; i < inherited.length; i++) out.push(inherited[i]);
        outputs[v] = out;
        queue.push(v);
      }
    }
    this.delta = delta;
    this.outputs = outputs;
  }

  /** Every occurrence of every phrase in `text`. */
  scan(text: string): PhraseScan {
    const starts = new Array<Array<i32>>(this.keys.length);
    for (let i = 0; i < starts.length; i++) starts[i] = new Array<i32>();
    const k = this.classes;
    const delta = this.delta;
    const n = text.length;
    let state = 0;
    for (let i = 0; i < n; i++) {
      let c = <i32>text.charCodeAt(i);
      if (this.folding) c = foldCode(c);
      state = unchecked(delta[state * k + this.classOf(c)]);
      const out = unchecked(this.outputs[state]);
      for (let j = 0; j < out.length; j++) {
        const id = unchecked(out[j]);
        starts[id].push(i + 1 - this.keys[id].length);
      }
    }
    return new PhraseScan(this, text, starts);
  }

  /** The id of a phrase as given, or -1. */
  idOf(phrase: string): i32 {
    return this.ids.has(phrase) ? this.ids.get(phrase) : -1;
  }
}

/** Where each phrase of a set occurs in one text. */
export class PhraseScan {
  constructor(
    public set: PhraseSet,
    public text: string,
    /** starts[id]: every start of phrase `id`, ascending, overlapping ones included. */
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
