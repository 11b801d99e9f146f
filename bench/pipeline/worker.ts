// The analysis pipeline alone, inside workerd, with the bundled plugins: `/pipeline?kb=20` runs all five stages
// on a Portuguese article of 20 KB (or 100, 200); `/plugin/<name>` calls one plugin on a short text (its call
// overhead).
// Each answer carries the pages of linear memory each stage's instance used.
import { Hono } from "hono";
import { runAnalysisPipeline, runPlugin } from "../../functions/plugin-host";
import { pluginRegistry } from "../../functions/plugin-host/registry";

const PARAGRAPH =
  "A hipertensão arterial é uma doença crônica caracterizada por níveis elevados da pressão sanguínea nas artérias. " +
  "O tratamento inclui mudanças no estilo de vida, como alimentação equilibrada, atividade física regular e redução do consumo de sal, " +
  "além de medicamentos quando indicados pelo médico. Estudos mostram redução de eventos cardiovasculares com o controle adequado [1]. ";

function article(bytes: number): string {
  const parts = ["# Hipertensão: guia para pacientes", ""];
  let size = 0;
  let section = 1;
  while (size < bytes) {
    if (parts.length % 6 === 0) parts.push(`## Seção ${section++}`, "");
    parts.push(PARAGRAPH, "");
    size += PARAGRAPH.length + 2;
  }
  parts.push("## Referências", "", "1. doi:10.1000/vitalis.good");
  return parts.join("\n");
}

/** The article sizes the bench measures, built once per isolate. */
const TEXTS = new Map([20, 100, 200].map((kb) => [kb, article(kb * 1000)]));
const app = new Hono();

app.get("/pipeline", async (c) => {
  const text = TEXTS.get(Number(c.req.query("kb") ?? "20"));
  if (!text) return c.json({ error: "kb must be 20, 100 or 200" }, 400);
  const result = await runAnalysisPipeline({
    text,
    title: "Hipertensão: guia para pacientes",
    locale: "pt-BR",
    context: { keyword: "hipertensão" },
  });
  return c.json({
    bytes: text.length,
    blocking: result.blocking,
    stages: result.stages.map((s) => ({ plugin: s.plugin, ok: s.ok, memoryPages: s.memoryPages })),
  });
});

app.get("/plugin/:name", async (c) => {
  const entry = pluginRegistry().find((p) => p.name === c.req.param("name"));
  if (!entry) return c.json({ error: "unknown plugin" }, 404);
  const result = await runPlugin(entry, { text: "Texto curto de exemplo.", locale: "pt-BR" });
  return c.json({ plugin: result.plugin, ok: result.ok, memoryPages: result.memoryPages });
});

export default app;
