/**
 * The Workers under workers/ are reached only through the main Worker's service bindings: none has a public
 * workers.dev hostname, every binding of the main Worker names one of them (production and staging), and a
 * staging deployment never calls a production Worker.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extraWorkers, serviceBindingsOf } from "../../scripts/extra-workers.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN_CONFIG = `${ROOT}wrangler.toml`;

/** `[[env.staging.services]]` entries: binding → service. */
function stagingBindings(configPath: string): Record<string, string> {
  const text = readFileSync(configPath, "utf8");
  const out: Record<string, string> = {};
  for (const block of text.split(/^\[\[env\.staging\.services\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0]!;
    const binding = /^binding\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    const service = /^service\s*=\s*"([^"]+)"/m.exec(body)?.[1];
    if (binding && service) out[binding] = service;
  }
  return out;
}

function stagingName(configPath: string): string | undefined {
  const text = readFileSync(configPath, "utf8");
  const section = text.split(/^\[env\.staging\]\s*$/m)[1]?.split(/^\[/m)[0] ?? "";
  return /^name\s*=\s*"([^"]+)"/m.exec(section)?.[1];
}

describe("the Workers beside the main one", () => {
  const workers = extraWorkers(ROOT);

  it("are found, and none has a workers.dev hostname", () => {
    expect(workers.length).toBeGreaterThan(0);
    for (const worker of workers) {
      expect(readFileSync(worker.config, "utf8"), worker.folder).toMatch(/^workers_dev\s*=\s*false\s*$/m);
    }
  });

  it("are what the main Worker binds, in production and in staging", () => {
    const production = Object.values(serviceBindingsOf(MAIN_CONFIG)).sort();
    expect(production).toEqual(workers.map((worker) => worker.name).sort());
    const staging = stagingBindings(MAIN_CONFIG);
    expect(Object.keys(staging).sort()).toEqual(Object.keys(serviceBindingsOf(MAIN_CONFIG)).sort());
    const stagingNames = workers.map((worker) => stagingName(worker.config));
    expect(stagingNames.every((name) => name !== undefined)).toBe(true);
    expect(Object.values(staging).sort()).toEqual((stagingNames as string[]).sort());
    for (const name of Object.values(staging)) expect(production).not.toContain(name);
  });
});
