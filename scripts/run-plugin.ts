// npm run plugin -- <name> [--compact]  <  input.json
// Loads plugins/build/<name>.wasm with @extism/extism (Node, no WASI, no worker thread),
// calls `analyze` with stdin as input and prints the output (pretty JSON when it parses).
// Exit code 1 with the plugin's error message when the plugin reports an error.
import createPlugin from "@extism/extism";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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
  const input = await readStdin();
  const plugin = await createPlugin(
    { wasm: [{ data: readFileSync(wasmPath) }] },
    { useWasi: false, runInWorker: false },
  );
  try {
    // Copy into an exact-size buffer: @extism/extism 1.0.3 stores `input.buffer` whole when
    // given a Uint8Array, ignoring byteOffset/length, and stdin Buffers are pool slices.
    const out = await plugin.call("analyze", new Uint8Array(input));
    const text = out ? out.text() : "";
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
    await plugin.close();
  }
}

process.exitCode = await main();
