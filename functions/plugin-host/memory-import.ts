// What linear memory a WebAssembly binary imports, read from its import section. The JS API cannot tell
// (`WebAssembly.Module.imports` gives names and kinds, not limits), and the host must create an imported
// memory of at least the declared minimum: scripts/build-plugins.mjs records it in plugins/build/manifest.json,
// and the tests and scripts that compile a module from bytes read it here. Node only (the Worker holds compiled
// modules, never bytes).

export interface MemoryImport {
  module: string;
  name: string;
  /** Declared minimum, in 64 KiB pages. */
  minPages: number;
  /** Declared maximum, in 64 KiB pages (absent: none declared). */
  maxPages?: number;
}

const IMPORT_SECTION = 2;
const KIND_FUNCTION = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;
const KIND_TAG = 4;

class Reader {
  #at = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#at >= this.bytes.length;
  }

  byte(): number {
    const b = this.bytes[this.#at++];
    if (b === undefined) throw new Error("wasm binary: unexpected end");
    return b;
  }

  /** An unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error("wasm binary: LEB128 too long");
  }

  skip(n: number): void {
    this.#at += n;
    if (this.#at > this.bytes.length) throw new Error("wasm binary: unexpected end");
  }

  name(): string {
    const n = this.u32();
    const start = this.#at;
    this.skip(n);
    return new TextDecoder().decode(this.bytes.subarray(start, start + n));
  }

  limits(): { min: number; max?: number } {
    const flags = this.byte();
    if (flags & 0x04) throw new Error("wasm binary: 64-bit memories are not supported");
    const min = this.u32();
    return flags & 0x01 ? { min, max: this.u32() } : { min };
  }
}

/** The binary's imported memory, or null when it defines its own (or has none). Throws on a malformed binary. */
export function memoryImportOf(bytes: Uint8Array): MemoryImport | null {
  const magic = bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic || bytes[4] !== 0x01) throw new Error("wasm binary: not a WebAssembly 1.0 module");
  const sections = new Reader(bytes.subarray(8));
  while (!sections.done) {
    const id = sections.byte();
    const size = sections.u32();
    if (id !== IMPORT_SECTION) {
      sections.skip(size);
      continue;
    }
    const count = sections.u32();
    for (let i = 0; i < count; i++) {
      const module = sections.name();
      const name = sections.name();
      const kind = sections.byte();
      if (kind === KIND_FUNCTION) sections.u32();
      else if (kind === KIND_TABLE) {
        sections.byte();
        sections.limits();
      } else if (kind === KIND_MEMORY) {
        const { min, max } = sections.limits();
        return { module, name, minPages: min, ...(max !== undefined ? { maxPages: max } : {}) };
      } else if (kind === KIND_GLOBAL) sections.skip(2);
      else if (kind === KIND_TAG) {
        sections.byte();
        sections.u32();
      } else throw new Error(`wasm binary: unknown import kind ${kind}`);
    }
    return null;
  }
  return null;
}
