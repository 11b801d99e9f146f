// A test Worker for the analysis pipeline in workerd: the real bundled registry, with one stage's module
// swapped for the deliberately broken fixture plugin, so a failing stage can be observed end to end inside
// the runtime the product uses. Test code only; the product's registry has no such switch.
import { Hono } from "hono";
import { runAnalysisPipeline } from "../../../functions/plugin-host";
import { pluginRegistry } from "../../../functions/plugin-host/registry";
import broken from "../../plugins/fixtures/broken/build/test-broken.wasm";

const app = new Hono();

app.post("/run", async (c) => {
  const { stage, mode, text, inputCap } = await c.req.json<{
    stage: string;
    mode: string;
    text: string;
    inputCap?: number;
  }>();
  const plugins = pluginRegistry().map((entry) =>
    // The fixture imports a memory of 1 to 64 pages (test/support/broken-plugin.ts); the entry says so too.
    entry.name === stage
      ? {
          ...entry,
          module: broken,
          sha256: "broken-fixture",
          memoryMinPages: 1,
          memoryCapPages: 64,
          ...(inputCap ? { inputCap } : {}),
        }
      : entry,
  );
  const result = await runAnalysisPipeline(
    { text, locale: "pt-BR", context: { [`${stage}.brokenMode`]: mode } },
    { plugins },
  );
  return c.json({
    blocking: result.blocking,
    stages: result.stages.map((s) => ({
      plugin: s.plugin,
      ok: s.ok,
      error: s.error?.kind ?? null,
      findings: s.output.findings,
    })),
  });
});

export default app;
