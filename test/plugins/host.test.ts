// The plugin host (functions/plugin-host) in Node: the runner and the pipeline with @extism/extism loading
// modules compiled by `new WebAssembly.Module(bytes)`, the same `{ wasm: [{ module }] }` path the Worker
// uses with imported modules. A deliberately broken fixture plugin (test/plugins/fixtures/broken) is built
// here with asc; it can trap, return invalid JSON, run out of memory, … by a flag in its input.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import type * as Extism from "@extism/extism";

// Count every instance the runner creates and closes (the runner imports the default export).
const lifecycle = vi.hoisted(() => ({ created: 0, closed: 0 }));
vi.mock("@extism/extism", async (importOriginal) => {
  const actual = await importOriginal<typeof Extism>();
  const wrapped = async (...args: Parameters<typeof actual.createPlugin>) => {
    const plugin = await actual.createPlugin(...args);
    lifecycle.created++;
    const close = plugin.close.bind(plugin);
    plugin.close = async () => {
      lifecycle.closed++;
      await close();
    };
    return plugin;
  };
  return { ...actual, default: wrapped, createPlugin: wrapped, newPlugin: wrapped };
});

import {
  MemoryPool,
  openPlugin,
  readOutput,
  runPlugin,
  PluginInstancePool,
  stageText,
  utf8Length,
} from "../../functions/plugin-host/runner";
import { memoryImportOf } from "../../functions/plugin-host/memory-import";
import { runAnalysisPipeline, referenceIds } from "../../functions/plugin-host/pipeline";
import { buildRegistry, STAGE_ORDER, type ManifestPlugin } from "../../functions/plugin-host/manifest";
import { pluginOutputSchema } from "../../functions/plugin-host/contract";
import type { PluginInput, RegistryEntry } from "../../functions/plugin-host/types";
import { BROKEN_MAX_PAGES, BROKEN_MIN_PAGES, buildBrokenPlugin } from "../support/broken-plugin";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURE_MAX_PAGES = BROKEN_MAX_PAGES;

let brokenModule: WebAssembly.Module;
let brokenSha = "";

const wasmBytes = (path: string) => new Uint8Array(readFileSync(path));

beforeAll(async () => {
  const bytes = new Uint8Array(await buildBrokenPlugin());
  brokenModule = new WebAssembly.Module(bytes);
  brokenSha = createHash("sha256").update(bytes).digest("hex");
}, 60_000);

afterEach(() => {
  lifecycle.created = 0;
  lifecycle.closed = 0;
});

function entry(name: string, stage: number, overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    name,
    version: "0.0.1",
    sha256: brokenSha,
    stage,
    inputCap: 256 * 1024,
    memoryMinPages: BROKEN_MIN_PAGES,
    memoryCapPages: FIXTURE_MAX_PAGES,
    module: brokenModule,
    ...overrides,
  };
}

function input(mode: string, extra: Partial<PluginInput> = {}): PluginInput {
  return { text: "Texto de teste — ação.", locale: "pt-BR", ...extra, context: { brokenMode: mode, ...(extra.context ?? {}) } };
}

function expectPipelineError(result: Awaited<ReturnType<typeof runPlugin>>, kind: string, stage: number, name: string) {
  expect(result.ok).toBe(false);
  expect(result.error?.kind).toBe(kind);
  expect(pluginOutputSchema.safeParse(result.output).success).toBe(true);
  expect(result.output.findings).toHaveLength(1);
  const finding = result.output.findings[0]!;
  expect(finding.code).toBe("pipeline.error");
  expect(finding.severity).toBe("blocking");
  expect(finding.message).toContain(`stage ${stage} (${name})`);
  // No stack traces or source locations leak into findings.
  expect(finding.message).not.toMatch(/\n|\bat .*:\d+|wasm-function|\.ts:\d+/);
}

describe("runPlugin", () => {
  it("returns the plugin's validated output and closes the instance", async () => {
    const result = await runPlugin(entry("stage-a", 1), input("ok"));
    expect(result.ok).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ plugin: "stage-a", version: "0.0.1", score: 100 });
    expect(result.output.findings[0]).toMatchObject({ code: "test.ok", severity: "info" });
    expect(result.inputBytes).toBeGreaterThan(0);
    expect(result.sha256).toBe(brokenSha);
    expect(lifecycle).toEqual({ created: 1, closed: 1 });
  });

  it("passes non-ASCII input through as UTF-8 unchanged", async () => {
    const text = "Olá, coração — 😀 ação";
    const result = await runPlugin(entry("stage-a", 1), input("echo", { text }));
    expect(result.ok).toBe(true);
    const echoed = JSON.parse(result.output.echo as string) as PluginInput;
    expect(echoed.text).toBe(text);
  });

  it.each([
    ["trap", "trap"],
    ["invalid-json", "invalid_json"],
    ["bad-contract", "contract_violation"],
    ["bad-offsets", "contract_violation"],
    ["wrong-name", "contract_violation"],
    ["oom", "out_of_memory"],
    ["error", "plugin_error"],
    ["no-output", "no_output"],
  ])("mode %s gives a pipeline.error (%s) and still closes the plugin", async (mode, kind) => {
    const result = await runPlugin(entry("medical-claims", 2), input(mode));
    expectPipelineError(result, kind, 2, "medical-claims");
    expect(lifecycle).toEqual({ created: 1, closed: 1 });
  });

  it("does not repeat a plugin's own error text (it may quote the input)", async () => {
    const result = await runPlugin(entry("stage-a", 1), input("error"));
    expect(JSON.stringify(result)).not.toContain("deliberate failure");
  });

  it("reports out-of-memory with the pages in use, near the module's maximum", async () => {
    const result = await runPlugin(entry("stage-a", 1), input("oom"));
    expect(result.error?.message).toMatch(/ran out of memory \(\d+ of 64 pages in use\)/);
    expect(result.memoryPages).toBeGreaterThanOrEqual(FIXTURE_MAX_PAGES / 2);
    expect(result.memoryPages).toBeLessThanOrEqual(FIXTURE_MAX_PAGES);
  });

  it("refuses input over the cap before instantiating the plugin", async () => {
    const result = await runPlugin(entry("seo-optimizer", 4, { inputCap: 1000 }), input("ok", { text: "x".repeat(2000) }));
    expectPipelineError(result, "input_too_large", 4, "seo-optimizer");
    expect(result.error?.message).toMatch(/\d+ bytes, cap 1000/);
    expect(lifecycle.created).toBe(0);
  });

  it("counts the cap in UTF-8 bytes, not characters", async () => {
    const text = "ç".repeat(600); // 600 UTF-16 units, 1,200 UTF-8 bytes
    const result = await runPlugin(entry("stage-a", 1, { inputCap: 1000 }), input("ok", { text }));
    expect(result.error?.kind).toBe("input_too_large");
  });

  it("measures the text's UTF-8 bytes as TextEncoder writes them, lone surrogates included", () => {
    const encoder = new TextEncoder();
    for (const text of ["", "abc", "ação", "😀", "\uD800", "a\uDC00b", "\uDBFF\uDFFF", "\uD83D\uD83D\uDE00", "€\u07FF\u0800"]) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoder.encode(text).byteLength);
    }
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => utf8Length(text) === encoder.encode(text).byteLength),
      { numRuns: 200 },
    );
  });

  it("hands the text over unchanged, lone surrogates and all, and keeps it out of the JSON", async () => {
    const text = "Olá \uD800 coração — 😀 \uDC00 ação\u0000\"\\";
    const result = await runPlugin(entry("stage-a", 1), input("echo", { text }));
    expect(result.ok).toBe(true);
    // The fixture splices the handed-over text into the raw JSON it received: the JSON itself has no "text".
    // (The fixture's echo leaves lone surrogates unescaped in its raw output, which the host decodes to U+FFFD;
    // the plugins' offsets are checked on the built plugins below.)
    const raw = result.output.echo as string;
    expect(raw.match(/"text":/g)).toHaveLength(1);
    expect((JSON.parse(raw) as PluginInput).text.replace(/\uFFFD+/g, "?")).toBe(text.replace(/\uD800|\uDC00/g, "?"));
    expect(result.inputBytes).toBe(utf8Length(text) + new TextEncoder().encode(JSON.stringify({ locale: "pt-BR", context: { brokenMode: "echo" } })).byteLength);
  });

  it.each([
    ["bad-address", "contract_violation"],
    ["odd-address", "contract_violation"],
    ["trap-in-buffer", "trap"],
  ])("a plugin whose textBuffer misbehaves (%s) gets a pipeline.error (%s), nothing is written outside it", async (name, kind) => {
    const result = await runPlugin(entry(name, 3), input("ok", { text: "Texto de teste com algum tamanho." }));
    expectPipelineError(result, kind, 3, name);
    if (kind === "contract_violation") expect(result.error?.message).toMatch(/textBuffer's address lies outside the plugin's memory/);
    expect(lifecycle).toEqual({ created: 1, closed: 1 });
  });

  it("reads the output, non-ASCII and all, from the plugin's memory and counts its UTF-8 bytes", async () => {
    const text = "Olá, coração — 😀 ação •••";
    const result = await runPlugin(entry("stage-a", 1), input("echo", { text }));
    expect(result.ok).toBe(true);
    expect(JSON.parse(result.output.echo as string).text).toBe(text);
    expect(result.outputBytes).toBe(new TextEncoder().encode(JSON.stringify(result.output)).byteLength);
  });

  it.each(["output-bad-address", "output-odd-address", "output-past-memory", "output-negative-length"])(
    "a plugin whose output span leaves its memory (%s) gets a pipeline.error (contract_violation)",
    async (name) => {
      const result = await runPlugin(entry(name, 4), input("ok"));
      expectPipelineError(result, "contract_violation", 4, name);
      expect(result.error?.message).toMatch(/the output \(outputBuffer, outputUnits\) lies outside the plugin's memory/);
      expect(lifecycle).toEqual({ created: 1, closed: 1 });
    },
  );

  it.each([
    ["exports no outputBuffer or outputUnits", "", /exports no outputBuffer and outputUnits/],
    [
      "answers with 64-bit numbers",
      "export function outputBuffer(): i64 { return 16; }\nexport function outputUnits(): i64 { return 2; }",
      /is no span of the plugin's memory/,
    ],
  ])("a module that %s gets a pipeline.error (contract_violation)", async (_what, exports, message) => {
    const module = await compileModule(
      `export function textBuffer(units: i32): usize { return 1024; }\nexport function analyze(): i32 { return 0; }\n${exports}`,
    );
    const result = await runPlugin(entry("stage-a", 1, { module }), input("ok"));
    expectPipelineError(result, "contract_violation", 1, "stage-a");
    expect(result.error?.message).toMatch(message);
  });

  it("a reused instance never answers with an earlier call's output", async () => {
    const pool = new PluginInstancePool();
    const e = entry("stage-a", 1);
    expect((await runPlugin(e, input("echo", { text: "primeiro documento" }), { pool })).ok).toBe(true);
    const second = await runPlugin(e, input("no-output", { text: "segundo documento" }), { pool });
    expect(lifecycle.created).toBe(1);
    expect(second.error?.kind).toBe("no_output");
    expect(JSON.stringify(second)).not.toContain("primeiro");
    await pool.clear();
  });

  it("holds a module to the registered cap, even when the module itself allows more", async () => {
    // The module allows 64 pages; the registry says 2, the maximum of the memory the host gives it. A
    // 100,000-unit text needs more than two pages.
    const result = await runPlugin(entry("stage-a", 1, { memoryCapPages: 2, inputCap: 1 << 20 }), input("echo", { text: "a".repeat(100_000) }));
    expectPipelineError(result, "out_of_memory", 1, "stage-a");
    expect(result.error?.message).toMatch(/\(\d of 2 pages in use\)/);
    expect(lifecycle).toEqual({ created: 1, closed: 1 });
  });

  it("turns a module that cannot be instantiated into a pipeline.error", async () => {
    // A valid module importing a function Extism does not provide.
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
      0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x6e, 0x6f, 0x70, 0x65, 0x00, 0x00, // import env.nope
    ]);
    const result = await runPlugin(entry("stage-a", 1, { module: new WebAssembly.Module(bytes) }), input("ok"));
    expectPipelineError(result, "instantiate_failed", 1, "stage-a");
  });

  it("never throws, whatever the mode and text", async () => {
    const modes = ["ok", "echo", "trap", "invalid-json", "bad-contract", "bad-offsets", "oom", "error", "wrong-name", "refs", "nonsense"];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...modes), fc.string({ unit: "grapheme", maxLength: 200 }), async (mode, text) => {
        const result = await runPlugin(entry("stage-a", 1), input(mode, { text }));
        expect(pluginOutputSchema.safeParse(result.output).success).toBe(true);
        expect(result.ok).toBe(result.error === undefined);
      }),
      { numRuns: 60 },
    );
    expect(lifecycle.closed).toBe(lifecycle.created);
  });
});

describe("imported memories (MemoryPool)", () => {
  /** A pool that records every memory it hands out. */
  class RecordingPool extends MemoryPool {
    handed: WebAssembly.Memory[] = [];
    override take(module: WebAssembly.Module, minPages: number, capPages: number): WebAssembly.Memory {
      const memory = super.take(module, minPages, capPages);
      this.handed.push(memory);
      return memory;
    }
  }
  const zeroed = (memory: WebAssembly.Memory) => new Uint8Array(memory.buffer).every((b) => b === 0);

  it("runs each new instance on the memory the host gives it", async () => {
    const memories = new RecordingPool();
    const open = await openPlugin(entry("stage-a", 1), { memories });
    try {
      expect(memories.handed).toHaveLength(1);
      expect((await open.plugin.getInstance()).exports.memory).toBe(memories.handed[0]);
    } finally {
      await open.close();
    }
  });

  it("zeroes a call's memory before the next instance gets it: no document's text survives the call", async () => {
    const memories = new RecordingPool();
    const e = entry("stage-a", 1);
    const secret = "Maria da Silva, CPF 529.982.247-25, HIV positivo";
    const first = await runPlugin(e, input("echo", { text: secret }), { memories });
    expect(first.ok).toBe(true);
    const memory = memories.handed[0]!;
    // The text was in that memory during the call (the echo came from it); it is not there now.
    expect(memory.buffer.byteLength).toBeGreaterThan(0);
    expect(zeroed(memory)).toBe(true);
    expect(memories.idle(e.module, e.memoryCapPages)).toBe(1);

    const second = await runPlugin(e, input("echo", { text: "segundo documento" }), { memories });
    expect(memories.handed).toEqual([memory, memory]);
    expect(JSON.parse(second.output.echo as string).text).toBe("segundo documento");
    expect(JSON.stringify(second)).not.toContain("Maria");
    expect(zeroed(memory)).toBe(true);
    expect(lifecycle).toEqual({ created: 2, closed: 2 });
  });

  it("zeroes the memory of a call that trapped, and drops one that grew past the idle bound or to half its cap", async () => {
    const memories = new RecordingPool({ maxIdlePages: 16 });
    const e = entry("stage-a", 1);
    expect((await runPlugin(e, input("trap", { text: "texto antes da falha" }), { memories })).error?.kind).toBe("trap");
    expect(memories.idle(e.module, e.memoryCapPages)).toBe(1);
    expect(zeroed(memories.handed[0]!)).toBe(true);

    // The same memory, grown to its cap (64 pages, over the bound of 16): not kept.
    expect((await runPlugin(e, input("oom"), { memories })).error?.kind).toBe("out_of_memory");
    expect(memories.handed[1]).toBe(memories.handed[0]);
    expect(memories.idle(e.module, e.memoryCapPages)).toBe(0);
    expect((await runPlugin(e, input("ok"), { memories })).ok).toBe(true);
    expect(memories.handed[2]).not.toBe(memories.handed[0]);
  });

  it("gives concurrent calls their own memories and keeps at most perModule of them", async () => {
    const memories = new RecordingPool({ perModule: 2 });
    const e = entry("stage-a", 1);
    const results = await Promise.all([1, 2, 3].map((n) => runPlugin(e, input("echo", { text: `doc ${n}` }), { memories })));
    results.forEach((r, i) => expect(JSON.parse(r.output.echo as string).text).toBe(`doc ${i + 1}`));
    expect(new Set(memories.handed).size).toBe(3);
    expect(memories.idle(e.module, e.memoryCapPages)).toBe(2);
  });

  it("hands a memory back once, however often its instance is closed", async () => {
    const memories = new RecordingPool({ perModule: 2 });
    const e = entry("stage-a", 1);
    const open = await openPlugin(e, { memories });
    await open.close();
    await open.close();
    expect(memories.idle(e.module, e.memoryCapPages)).toBe(1);
    const [a, b] = [memories.take(e.module, 1, 64), memories.take(e.module, 1, 64)];
    expect(a).not.toBe(b);
  });

  it("keeps memories apart by module and cap", async () => {
    const memories = new RecordingPool();
    await runPlugin(entry("stage-a", 1), input("ok"), { memories });
    await runPlugin(entry("stage-a", 1, { memoryCapPages: 32 }), input("ok"), { memories });
    expect(memories.handed[1]).not.toBe(memories.handed[0]);
    expect(memories.idle(brokenModule, 64)).toBe(1);
    expect(memories.idle(brokenModule, 32)).toBe(1);
  });

  it("reads a binary's memory import, and nothing for a module that defines its memory", async () => {
    expect(memoryImportOf(new Uint8Array(await buildBrokenPlugin()))).toEqual({
      module: "env",
      name: "memory",
      minPages: BROKEN_MIN_PAGES,
      maxPages: BROKEN_MAX_PAGES,
    });
    const own = await ascBinary("export function f(): i32 { return 1; }");
    expect(memoryImportOf(own)).toBeNull();
    expect(() => memoryImportOf(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a WebAssembly 1.0 module/);
    expect(() => memoryImportOf(own.subarray(0, 12))).toThrow(/unexpected end/);
  });
});

describe("PluginInstancePool", () => {
  it("reuses a healthy instance and discards one that failed", async () => {
    const pool = new PluginInstancePool();
    const e = entry("stage-a", 1);
    expect((await runPlugin(e, input("ok"), { pool })).ok).toBe(true);
    expect((await runPlugin(e, input("ok"), { pool })).ok).toBe(true);
    expect(lifecycle).toEqual({ created: 1, closed: 0 });
    expect(pool.size).toBe(1);

    expect((await runPlugin(e, input("trap"), { pool })).ok).toBe(false);
    expect(lifecycle).toEqual({ created: 1, closed: 1 });
    expect(pool.size).toBe(0);

    expect((await runPlugin(e, input("ok"), { pool })).ok).toBe(true);
    expect(lifecycle.created).toBe(2);
    await pool.clear();
    expect(lifecycle).toEqual({ created: 2, closed: 2 });
  });

  it("gives concurrent calls their own instances", async () => {
    const pool = new PluginInstancePool();
    const e = entry("stage-a", 1);
    const results = await Promise.all([1, 2, 3].map((n) => runPlugin(e, input("echo", { text: `doc ${n}` }), { pool })));
    results.forEach((r, i) => expect(JSON.parse(r.output.echo as string).text).toBe(`doc ${i + 1}`));
    await pool.clear();
    expect(lifecycle.closed).toBe(lifecycle.created);
  });
});

describe("runAnalysisPipeline", () => {
  const names = [...STAGE_ORDER];

  it("runs all stages in stage order and passes earlier results and the caller's context on", async () => {
    // Registered out of order on purpose: the pipeline sorts by stage.
    const plugins = names.map((n, i) => entry(n, i + 1)).reverse();
    const reviewer = { name: "Dra. Ana Souza", crm: "123456", uf: "SP" };
    const result = await runAnalysisPipeline(input("echo", { title: "Título", context: { reviewer, lastReviewed: "2025-01-10" } }), { plugins });

    expect(result.stages.map((s) => s.plugin)).toEqual(names);
    expect(result.stages.map((s) => s.stage)).toEqual([1, 2, 3, 4, 5]);
    expect(result.blocking).toBe(false);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    const seen = result.stages.map((s) => JSON.parse(s.output.echo as string) as PluginInput);
    for (const [i, got] of seen.entries()) {
      expect(got.title).toBe("Título");
      expect(got.context).toMatchObject({ reviewer, lastReviewed: "2025-01-10" });
      expect(Object.keys(got.context!.stages as object)).toEqual(names.slice(0, i));
    }
    expect(seen[4]!.context!.stages).toMatchObject({ "lgpd-analyzer": { ok: true, blocking: false, findings: 0 } });
    expect(seen[4]!.context).toHaveProperty("personalData");
    expect(lifecycle.closed).toBe(lifecycle.created);
  });

  it.each(["trap", "invalid-json", "oom", "oversized"])("a %s stage gives pipeline.error while the others still run", async (failure) => {
    const plugins = names.map((n, i) => entry(n, i + 1, n === "scientific-refs" && failure === "oversized" ? { inputCap: 10 } : {}));
    const context = failure === "oversized" ? {} : { "scientific-refs.brokenMode": failure };
    const result = await runAnalysisPipeline(input("ok", { context }), { plugins });
    expect(result.stages.map((s) => s.plugin)).toEqual(names);
    const [lgpd, claims, refs, seo, finalizer] = result.stages;
    for (const s of [lgpd, claims, seo, finalizer]) expect(s!.ok).toBe(true);
    expect(refs!.ok).toBe(false);
    expect(refs!.output.findings).toEqual([expect.objectContaining({ code: "pipeline.error", severity: "blocking" })]);
    expect(refs!.output.findings[0]!.message).toContain("stage 3 (scientific-refs)");
    expect(result.blocking).toBe(true);
    expect(lifecycle.closed).toBe(lifecycle.created);
  });

  it("resolves references through the caller and hands them to later stages", async () => {
    const plugins = names.map((n, i) => entry(n, i + 1));
    const asked: string[][] = [];
    const result = await runAnalysisPipeline(input("echo", { context: { "scientific-refs.brokenMode": "refs" } }), {
      plugins,
      resolveReferences: async (ids) => {
        asked.push(ids);
        return { "10.1000/xyz": { found: true, title: "A trial" }, "PMID:123": { found: true, retracted: true } };
      },
    });
    expect(asked).toEqual([["10.1000/xyz", "PMID:123"]]);
    const refsStage = result.stages[2]!;
    // The second scientific-refs run saw the resolutions.
    expect(JSON.parse(refsStage.output.echo as string).context.resolved).toMatchObject({ "PMID:123": { retracted: true } });
    const finalizerSaw = JSON.parse(result.stages[4]!.output.echo as string).context;
    expect(finalizerSaw.references).toEqual([
      { id: "10.1000/xyz", resolution: { found: true, title: "A trial" } },
      { id: "PMID:123", resolution: { found: true, retracted: true } },
    ]);
    expect(referenceIds(refsStage.output)).toEqual(["10.1000/xyz", "PMID:123"]);
  });

  it("keeps going when the reference resolver fails", async () => {
    const plugins = names.map((n, i) => entry(n, i + 1));
    const result = await runAnalysisPipeline(input("echo", { context: { "scientific-refs.brokenMode": "refs" } }), {
      plugins,
      resolveReferences: async () => {
        throw new Error("crossref down");
      },
    });
    expect(result.stages.every((s) => s.ok)).toBe(true);
    expect(JSON.parse(result.stages[4]!.output.echo as string).context.references).toEqual([{ id: "10.1000/xyz" }, { id: "PMID:123" }]);
  });

  it("rejects input that breaks the input contract", async () => {
    await expect(runAnalysisPipeline({ text: "x", locale: "fr" } as unknown as PluginInput, { plugins: [] })).rejects.toThrow(TypeError);
  });
});

describe("buildRegistry", () => {
  const sha = "a".repeat(64);
  const meta = (name: string, stage: number): ManifestPlugin => ({ name, version: "1.0.0", stage, inputCap: 1024, memoryMinPages: 1, memoryCapPages: 16, sha256: sha });
  const modules = () => Object.fromEntries(STAGE_ORDER.map((n) => [n, brokenModule]));

  it("pairs manifest entries with modules in stage order", () => {
    const entries = buildRegistry(STAGE_ORDER.map((n, i) => meta(n, i + 1)).reverse(), modules());
    expect(entries.map((e) => [e.name, e.stage])).toEqual(STAGE_ORDER.map((n, i) => [n, i + 1]));
  });

  it("refuses a missing plugin, a wrong stage or a missing hash", () => {
    expect(() => buildRegistry(STAGE_ORDER.slice(1).map((n, i) => meta(n, i + 2)), modules())).toThrow(/lgpd-analyzer is not in/);
    expect(() => buildRegistry(STAGE_ORDER.map((n, i) => meta(n, i === 0 ? 9 : i + 1)), modules())).toThrow(/stage 9, expected 1/);
    expect(() => buildRegistry(STAGE_ORDER.map((n, i) => ({ ...meta(n, i + 1), sha256: "" })), modules())).toThrow(/SHA-256/);
  });
});

// The bundled plugins, when built: each imports a memory with the minimum the manifest records and the maximum its
// plugin.json promises (the runner creates it: Extism JS has no memory option), and the pipeline runs over
// whatever is built.
describe("built plugins (plugins/build)", () => {
  const manifestPath = join(root, "plugins/build/manifest.json");
  const manifest = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as { plugins: (ManifestPlugin & { file: string })[] }) : { plugins: [] };

  it.runIf(manifest.plugins.length > 0)("each .wasm matches its manifest hash and imports its memory: min = memoryMinPages, max = memoryCapPages", () => {
    for (const p of manifest.plugins) {
      const bytes = readFileSync(join(root, "plugins/build", p.file));
      expect(createHash("sha256").update(bytes).digest("hex"), p.name).toBe(p.sha256);
      expect(memoryImportOf(bytes), p.name).toEqual({ module: "env", name: "memory", minPages: p.memoryMinPages, maxPages: p.memoryCapPages });
    }
  });

  it.runIf(manifest.plugins.length > 0)("the pipeline runs every built plugin without a pipeline.error", async () => {
    const plugins = manifest.plugins.map((p) => ({ ...p, module: new WebAssembly.Module(wasmBytes(join(root, "plugins/build", p.file))) }));
    for (const locale of ["pt-BR", "en", "es"] as const) {
      const result = await runAnalysisPipeline(
        { text: "# Hipertensão\n\nA pressão alta é comum. Consulte seu médico.", title: "Hipertensão arterial: o que saber", locale },
        { plugins },
      );
      for (const s of result.stages) expect(s.error, `${s.plugin} ${locale}: ${s.error?.message}`).toBeUndefined();
    }
    expect(lifecycle.closed).toBe(lifecycle.created);
  });

  it.runIf(manifest.plugins.length > 0)("offsets are UTF-16 code units of the handed-over text, after emoji and lone surrogates", async () => {
    const meta = manifest.plugins.find((p) => p.name === "lgpd-analyzer")!;
    const plugin = { ...meta, module: new WebAssembly.Module(wasmBytes(join(root, "plugins/build", meta.file))) };
    const cpf = "529.982.247-25";
    for (const lead of ["", "Ação 😀 ", "\uD800 solto \uDFFF ", "👩🏽‍⚕️ \uDBFF"]) {
      const text = `${lead}A paciente informou o CPF ${cpf} na consulta.`;
      const result = await runPlugin(plugin, { text, locale: "pt-BR" });
      expect(result.error).toBeUndefined();
      const spans = result.output.findings.filter((f) => f.start !== undefined).map((f) => text.slice(f.start, f.end));
      expect(spans, JSON.stringify(lead)).toContain(cpf);
    }
  });

  it.runIf(manifest.plugins.length > 0)("every built plugin drops its output when the next text is handed over", async () => {
    for (const p of manifest.plugins) {
      const { plugin, close } = await openBuilt(p);
      try {
        await stageText(plugin, "A paciente Maria, CPF 529.982.247-25, garante a cura.");
        await plugin.call("analyze", JSON.stringify({ locale: "pt-BR" }));
        expect(JSON.parse(await readOutput(plugin)).plugin, p.name).toBe(p.name);
        await stageText(plugin, "outro texto");
        expect(await readOutput(plugin), p.name).toBe("");
      } finally {
        await close();
      }
    }
  });

  it.runIf(manifest.plugins.length > 0)("every built plugin refuses the text inside the JSON, or no text at all", async () => {
    for (const p of manifest.plugins) {
      const { plugin, close } = await openBuilt(p);
      try {
        await expect(plugin.call("analyze", JSON.stringify({ text: "ok", locale: "en" })), p.name).rejects.toThrow(/Plugin-originated error/);
      } finally {
        await close();
      }
    }
  });
});

/** A minimal module compiled from AssemblyScript source (no runtime, no Extism imports). */
async function compileModule(source: string): Promise<WebAssembly.Module> {
  const asc = (await import("assemblyscript/asc")).default;
  const { binary, error, stderr } = await asc.compileString(source, { runtime: "stub", initialMemory: 1 });
  if (error || !binary) throw new Error(`asc failed: ${stderr.toString()}${error?.message ?? ""}`);
  return new WebAssembly.Module(new Uint8Array(binary));
}

/** A built plugin opened as the host opens it. */
function openBuilt(p: ManifestPlugin & { file: string }) {
  return openPlugin({ ...p, module: new WebAssembly.Module(wasmBytes(join(root, "plugins/build", p.file))) });
}

/** A module compiled from AssemblyScript source with asc's defaults (it defines its own memory). */
async function ascBinary(source: string): Promise<Uint8Array> {
  const asc = (await import("assemblyscript/asc")).default;
  const { binary, error, stderr } = await asc.compileString(source, { runtime: "stub" });
  if (error || !binary) throw new Error(`asc failed: ${stderr.toString()}${error?.message ?? ""}`);
  return new Uint8Array(binary);
}
