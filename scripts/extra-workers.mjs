// Workers deployed beside the main one. Each folder of `workers/` holding a `wrangler.toml` is a Worker of its
// own (its `name` is the service the main Worker binds with `[[services]]`), built, size-checked, served by
// `npm run dev` and run in the tests next to the main Worker. Heavy code (a WASM image codec, an SDK) lives
// there so the main Worker, which every request starts, stays small.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** `[[services]]` entries of a wrangler.toml: binding name → service (Worker) name. */
export function serviceBindingsOf(configPath) {
  const text = readFileSync(configPath, "utf8");
  const bindings = {};
  for (const block of text.split(/^\[\[services\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0];
    const binding = /^binding\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    const service = /^service\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    if (binding && service) bindings[binding] = service;
  }
  return bindings;
}

/** The Workers under `<root>/workers/`: folder, Worker name (from its wrangler.toml) and config path. */
export function extraWorkers(root) {
  const base = join(root, "workers");
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, "wrangler.toml")))
    .map((entry) => {
      const config = join(base, entry.name, "wrangler.toml");
      const name = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(config, "utf8"))?.[1];
      if (!name) throw new Error(`${config} has no name`);
      return { folder: entry.name, name, config };
    })
    .sort((a, b) => a.folder.localeCompare(b.folder));
}
