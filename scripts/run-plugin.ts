// npm run plugin -- <name> [--compact]  <  input.json
// Opens plugins/build/<name>.wasm as the host does (@extism/extism, no WASI, no worker thread, the memory and
// limits of plugins/build/manifest.json),
// calls `analyze` with stdin's JSON input as the host does (the text handed over through the plugin's
// `textBuffer`, the rest as JSON, the output read from the plugin's memory) and prints the output (pretty JSON
// when it parses).
// Exit code 1 with the plugin's error message when the plugin reports an error.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ManifestPlugin } from "../functions/plugin-host/manifest";
import { openPlugin, readOutput, stageText } from "../functions/plugin-host/runner";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith("--"));
  if (!name || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    console.error("usage: npm run plugin -- <name> [--compact] < input.json");
    return 2;
  }
  const wasmPath = join(root, "plugins", "build", `${name}.wasm`);
  if (!existsSync(wasmPath)) {
    console.error(`${wasmPath} not found: run npm run build:plugins`);
    return 2;
  }
  let input: Record<string, unknown>;
  try {
    input = JSON.parse((await readStdin()).toString("utf8")) as Record<string, unknown>;
  } catch {
    console.error("stdin is not JSON");
    return 2;
  }
  const { text: inputText, ...rest } = input;
  if (typeof inputText !== "string") {
    console.error('the input needs a string "text"');
    return 2;
  }
  const { plugins } = JSON.parse(readFileSync(join(root, "plugins", "build", "manifest.json"), "utf8")) as {
    plugins: ManifestPlugin[];
  };
  const meta = plugins.find((p) => p.name === name);
  if (!meta) {
    console.error(`${name} is not in plugins/build/manifest.json: run npm run build:plugins`);
    return 2;
  }
  const open = await openPlugin({ ...meta, module: new WebAssembly.Module(readFileSync(wasmPath)) });
  const { plugin } = open;
  try {
    await stageText(plugin, inputText);
    await plugin.call("analyze", JSON.stringify(rest));
    const text = await readOutput(plugin);
    try {
      const parsed: unknown = JSON.parse(text);
      console.log(args.includes("--compact") ? JSON.stringify(parsed) : JSON.stringify(parsed, null, 2));
    } catch {
      console.log(text);
    }
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await open.close();
  }
}

process.exitCode = await main();
