import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBrokenPlugin } from "../support/broken-plugin.js";
import { buildWorkerBundle } from "../support/stack.js";
import { createWorker, type TestWorker } from "../support/worker.js";
import { inject } from "vitest";

// The pipeline inside workerd with one stage replaced by the deliberately broken fixture plugin: whatever
// that stage does (trap, invalid JSON, running out of memory, no output, oversized input), the request still answers,
// that stage reports a blocking `pipeline.error`, and the four real plugins around it still run.

type Answer = {
  blocking: boolean;
  stages: Array<{
    plugin: string;
    ok: boolean;
    error: string | null;
    findings: Array<{ code: string; severity: string; message: string }>;
  }>;
};

describe("a broken plugin in the pipeline, in workerd", () => {
  let worker: TestWorker;

  beforeAll(async () => {
    await buildBrokenPlugin();
    const env = inject("testEnvironment");
    const bundleDir = join(env.bundleDir, "..", "pipeline-worker");
    await buildWorkerBundle(bundleDir, new URL("../support/pipeline-worker/wrangler.toml", import.meta.url).pathname);
    worker = await createWorker(env, {}, { bundleDir });
  }, 180_000);
  afterAll(() => worker?.dispose());

  const run = async (body: Record<string, unknown>): Promise<Answer> => {
    const res = await worker.fetch("/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Texto de teste sem dados pessoais.", ...body }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  };

  it.each([
    ["trap", "medical-claims", "trap"],
    ["invalid-json", "scientific-refs", "invalid_json"],
    ["oom", "seo-optimizer", "out_of_memory"],
    ["bad-contract", "lgpd-analyzer", "contract_violation"],
    ["no-output", "content-finalizer", "no_output"],
  ])("turns a %s in %s into a blocking pipeline.error and runs the other stages", async (mode, stage, kind) => {
    const answer = await run({ stage, mode });
    expect(answer.stages.map((s) => s.plugin)).toEqual([
      "lgpd-analyzer",
      "medical-claims",
      "scientific-refs",
      "seo-optimizer",
      "content-finalizer",
    ]);
    const failed = answer.stages.find((s) => s.plugin === stage)!;
    expect(failed.ok).toBe(false);
    expect(failed.error).toBe(kind);
    expect(failed.findings).toEqual([expect.objectContaining({ code: "pipeline.error", severity: "blocking" })]);
    expect(failed.findings[0]!.message).not.toMatch(/at \w+|wasm-function|\.ts:\d+/);
    expect(answer.stages.filter((s) => s.plugin !== stage).every((s) => s.ok)).toBe(true);
    expect(answer.blocking).toBe(true);
  });

  it("refuses an input over the stage's cap before running it", async () => {
    const answer = await run({ stage: "content-finalizer", mode: "ok", inputCap: 64 });
    const capped = answer.stages.find((s) => s.plugin === "content-finalizer")!;
    expect(capped.error).toBe("input_too_large");
    expect(answer.stages.slice(0, 4).every((s) => s.ok)).toBe(true);
  });
});
