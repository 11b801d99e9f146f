#!/usr/bin/env node
// Builds every analysis plugin plugins/<name>/index.ts (except the shared sdk) to
// plugins/build/<name>.wasm with the AssemblyScript compiler from node_modules, and writes
// plugins/build/manifest.json (name, version, stage, caps, SHA-256 of each .wasm).
//
//   node scripts/build-plugins.mjs            build all (skips unchanged plugins)
//   node scripts/build-plugins.mjs lgpd-analyzer medical-claims   build only these
//   node scripts/build-plugins.mjs --force    rebuild even if sources are unchanged
//
// Incremental: a plugin is rebuilt only when the SHA-256 over its sources, the sdk's
// sources, the compiler flags and the compiler/pdk versions differs from the one stored in
// plugins/build/.hashes.json (or the .wasm is missing). The compiler is imported lazily, so
// a no-op run takes a fraction of a second.
//
// Flags, measured on this machine with 1 MB of mixed text (see plugins/sdk/README.md):
//  - runtime `incremental` (a real GC), not `stub`: Extism hosts keep an instance alive and call it
//    many times, and `stub` never frees — medical-claims peaked at ~1.5 GB RSS on one 1 MB call with
//    `stub` versus ~110 MB with the GC. The GC costs ~20 KB of .wasm per plugin.
//  - `--optimize` without `--shrinkLevel`: shrinking saved ~12 KB but made lgpd-analyzer 10–200×
//    slower on large inputs (400 KB: 1.2 s → 229 s with shrinkLevel 1).
//  - `--maximumMemory <memoryCapPages>` from plugin.json caps the linear memory in the module itself,
//    so a runaway input ends in a clean out-of-memory abort, whatever the host does.
//  - `--importMemory`: the host creates each instance's memory and reuses it, zeroed, for the next instance
//    (functions/plugin-host/runner.ts, MemoryPool). The manifest records the memory's declared minimum
//    (`memoryMinPages`), which the JS API cannot read from a compiled module. `--zeroFilledMemory`: the host
//    only ever hands over zeroed memory, so the data segments need not carry their zero bytes (without it each
//    module grew by 6–12 KB).

// Outputs are written to a temporary file and renamed, so concurrent builds (parallel test
// workers) never expose a half-written .wasm.
//
// Phrase automata (plugins/sdk/phrases.ts) are compiled at build time: a plugin that exports `phraseTables`
// imports PHRASE_TABLES from plugins/build/phrases/<name>.ts, which this script writes from what the
// plugin's own automaton compiler produces (the export's JSON). After compiling, the module is called once:
// when a set did not find its table (first build, or a phrase list edited) or its table differs from a
// run-time compile (the compiler changed), the tables are written and the plugin compiled again; a set that still runs without a build-time table, or whose table differs from a
// run-time compile, fails the build. Instantiating such a plugin then builds no automaton.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pluginsDir = join(root, "plugins");
const buildDir = join(pluginsDir, "build");
const sdkDir = join(pluginsDir, "sdk");
const phrasesDir = join(buildDir, "phrases");
const hashesFile = join(buildDir, ".hashes.json");
const manifestFile = join(buildDir, "manifest.json");

// The abort handler lives in the sdk; its internal path is relative to the repo root.
const ABORT = "abort=plugins/sdk/index/abortHandler";
const ASC_FLAGS = ["--optimize", "--runtime", "incremental", "--importMemory", "--zeroFilledMemory", "--use", ABORT];

function fail(msg) {
  console.error(`build-plugins: ${msg}`);
  process.exit(1);
}

function listSources(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...listSources(p));
    else if (ent.name.endsWith(".ts") || ent.name === "plugin.json") out.push(p);
  }
  return out.sort();
}

function pkgVersion(name) {
  try {
    return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "missing";
  }
}

function sourceHash(dir, flags) {
  const h = createHash("sha256");
  h.update(JSON.stringify({ flags, asc: pkgVersion("assemblyscript"), pdk: pkgVersion("@extism/as-pdk") }));
  for (const f of [...listSources(dir), ...listSources(sdkDir)]) {
    h.update(relative(root, f));
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

function readJson(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return fallback;
  }
}

class MetaError extends Error {}
function metaFail(msg) {
  throw new MetaError(msg);
}

function readPluginJson(name) {
  const file = join(pluginsDir, name, "plugin.json");
  if (!existsSync(file))
    metaFail(`plugins/${name}/plugin.json is missing (name, version, stage, inputCap, memoryCapPages)`);
  let meta;
  try {
    meta = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    metaFail(`plugins/${name}/plugin.json is not valid JSON: ${e.message}`);
  }
  for (const [k, t] of [
    ["name", "string"],
    ["version", "string"],
    ["stage", "number"],
    ["inputCap", "number"],
    ["memoryCapPages", "number"],
  ]) {
    if (typeof meta[k] !== t) metaFail(`plugins/${name}/plugin.json: "${k}" must be a ${t}`);
  }
  if (meta.name !== name) metaFail(`plugins/${name}/plugin.json: name "${meta.name}" does not match folder "${name}"`);
  return meta;
}

function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

const args = process.argv.slice(2);
const force = args.includes("--force");
const only = args.filter((a) => !a.startsWith("--"));

const all = readdirSync(pluginsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== "sdk" && e.name !== "build" && e.name !== "node_modules")
  .map((e) => e.name)
  .filter((n) => existsSync(join(pluginsDir, n, "index.ts")))
  .sort();
for (const n of only)
  if (!all.includes(n)) fail(`no plugin "${n}" (expected plugins/${n}/index.ts); known: ${all.join(", ")}`);
const targets = only.length ? only : all;

mkdirSync(phrasesDir, { recursive: true });

/** Compiles plugins/<name>/index.ts to plugins/build/<name>.wasm; returns an error text, or null. */
async function compile(name, meta) {
  asc ??= (await import("assemblyscript/asc")).default;
  const tmpOut = `plugins/build/${name}.${process.pid}.tmp.wasm`;
  const argv = [`plugins/${name}/index.ts`, "--outFile", tmpOut, ...ASC_FLAGS];
  if (meta.memoryCapPages > 0) argv.push("--maximumMemory", String(meta.memoryCapPages));
  let stderr = "";
  let stdout = "";
  const { error } = await asc.main(argv, {
    baseDir: root,
    stdout: {
      write: (s) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s) => {
        stderr += s;
        return true;
      },
    },
  });
  if (error) return `AssemblyScript compilation failed\n${stderr || error.message}${stdout}`;
  renameSync(join(root, tmpOut), join(buildDir, `${name}.wasm`));
  return null;
}

/** A module of the host's own code (functions/plugin-host), loaded through tsx on first use. */
async function host(file) {
  hostModules[file] ??= await (
    await import("tsx/esm/api")
  ).tsImport(`../functions/plugin-host/${file}`, import.meta.url);
  return hostModules[file];
}

/** The memory a built plugin imports; fails unless it imports one capped at `memoryCapPages`. */
async function importedMemory(name, meta, bytes) {
  const { memoryImportOf } = await host("memory-import.ts");
  const memory = memoryImportOf(bytes);
  if (!memory) metaFail(`plugins/build/${name}.wasm defines its own memory instead of importing it`);
  if (memory.maxPages !== meta.memoryCapPages)
    metaFail(`plugins/build/${name}.wasm declares a maximum of ${memory.maxPages} pages, not ${meta.memoryCapPages}`);
  return memory;
}

/** The phrase sets of a built plugin, from its `phraseTables` export (null when it has none). */
async function phraseSets(name, meta) {
  const bytes = readFileSync(join(buildDir, `${name}.wasm`));
  const { openPlugin, readOutput } = await host("runner.ts");
  const { minPages } = await importedMemory(name, meta, bytes);
  const module = new globalThis.WebAssembly.Module(bytes);
  const open = await openPlugin({ ...meta, module, memoryMinPages: minPages });
  try {
    if (!(await open.plugin.functionExists("phraseTables"))) return null;
    await open.plugin.call("phraseTables", new Uint8Array(0));
    return JSON.parse(await readOutput(open.plugin));
  } finally {
    await open.close();
  }
}

/** plugins/build/phrases/<name>.ts: each set's tables as static data (memory.data) the module carries. */
function phraseTablesSource(sets) {
  const ints = (type, values) => `memory.data<${type}>([${values.length ? values.join(",") : "0"}])`;
  const tables = sets.map(
    (t) =>
      `  // ${t.phrases} phrases, ${t.states} states, ${t.classes} classes\n` +
      `  new PhraseTable(<u32>${t.fingerprint}, ${t.classes}, ${t.states}, ${ints("u8", t.narrow)}, ${t.wideCodes.length}, ` +
      `${ints("i32", t.wideCodes)}, ${ints("i32", t.wideClasses)}, ${ints("u16", t.delta)}, ` +
      `${ints("i32", t.outStarts)}, ${ints("i32", t.outIds)}),`,
  );
  return (
    "// Generated by scripts/build-plugins.mjs from the plugin's own phrase automaton compiler: do not edit.\n" +
    'import { PhraseTable } from "../../sdk/phrases";\n\n' +
    `export const PHRASE_TABLES: Array<PhraseTable> = [${tables.length ? `\n${tables.join("\n")}\n` : ""}];\n`
  );
}
const hashes = readJson(hashesFile, {});
let asc = null;
const hostModules = {};
const failures = [];
const t0 = Date.now();

for (const name of targets) {
  let meta;
  try {
    meta = readPluginJson(name);
  } catch (e) {
    failures.push(name);
    console.error(`\n✖ ${name}: ${e.message}`);
    continue;
  }
  const dir = join(pluginsDir, name);
  const outFile = join(buildDir, `${name}.wasm`);
  const hash = sourceHash(dir, ASC_FLAGS);
  if (!force && hashes[name] === hash && existsSync(outFile)) {
    console.log(`  ${name}: up to date`);
    continue;
  }
  const started = Date.now();
  const tablesFile = join(phrasesDir, `${name}.ts`);
  if (!existsSync(tablesFile)) writeAtomic(tablesFile, phraseTablesSource([]));
  let failure = await compile(name, meta);
  let sets = failure ? null : await phraseSets(name, meta);
  if (sets?.some((set) => !set.precompiled || !set.matchesCompile)) {
    writeAtomic(tablesFile, phraseTablesSource(sets));
    failure = await compile(name, meta);
    sets = failure ? null : await phraseSets(name, meta);
  }
  if (!failure && sets?.some((set) => !set.precompiled || !set.matchesCompile)) {
    failure = `a phrase set runs without its build-time table, or the table differs from a run-time compile (${tablesFile})`;
  }
  if (failure) {
    failures.push(name);
    console.error(`\n✖ ${name}: ${failure}`);
    continue;
  }
  hashes[name] = hash;
  console.log(`  ${name}: built ${statSync(outFile).size} bytes in ${Date.now() - started} ms`);
}

// Re-read before writing: a concurrent build may have recorded other plugins meanwhile.
writeAtomic(
  hashesFile,
  JSON.stringify(
    {
      ...readJson(hashesFile, {}),
      ...Object.fromEntries(targets.filter((n) => !failures.includes(n) && hashes[n]).map((n) => [n, hashes[n]])),
    },
    null,
    2,
  ) + "\n",
);

// The manifest lists every plugin that has a built .wasm, in stage order.
const plugins = [];
for (const name of all) {
  const wasm = join(buildDir, `${name}.wasm`);
  if (!existsSync(wasm)) continue;
  let meta;
  try {
    meta = readPluginJson(name);
  } catch {
    continue; // reported above when it was a target
  }
  const bytes = readFileSync(wasm);
  let memory;
  try {
    memory = await importedMemory(name, meta, bytes);
  } catch (e) {
    if (!failures.includes(name)) failures.push(name);
    console.error(`\n✖ ${name}: ${e.message}`);
    continue;
  }
  plugins.push({
    name,
    version: meta.version,
    stage: meta.stage,
    inputCap: meta.inputCap,
    memoryCapPages: meta.memoryCapPages,
    memoryMinPages: memory.minPages,
    file: `${name}.wasm`,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  });
}
plugins.sort((a, b) => a.stage - b.stage || a.name.localeCompare(b.name));
const manifest = JSON.stringify({ plugins }, null, 2) + "\n";
if (readJson(manifestFile, null) === null || readFileSync(manifestFile, "utf8") !== manifest)
  writeAtomic(manifestFile, manifest);

if (failures.length) fail(`${failures.length} plugin(s) failed: ${failures.join(", ")}`);
console.log(`build-plugins: ${targets.length} plugin(s) ok in ${Date.now() - t0} ms`);
