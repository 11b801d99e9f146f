import { describe, expect, it } from "vitest";
import { linkHeadings } from "../../functions/site/toc";

describe("linkHeadings", () => {
  it("gives each table-of-contents entry the next heading of its level with the same text", () => {
    const html = [
      "<h2>Dor &amp; febre</h2>",
      "<p>texto</p>",
      "<h3>Dor &amp; febre</h3>",
      "<h2>Dor &amp; febre</h2>",
      '<h2>Veja <a href="https://x.example/">o guia</a></h2>',
    ].join("");
    const { html: linked, toc } = linkHeadings(html, [
      { level: 2, text: "Dor & febre", anchor: "dor-febre" },
      { level: 2, text: "Dor & febre", anchor: "dor-febre-2" },
      { level: 2, text: "Veja [o guia](https://x.example/)", anchor: "veja-o-guia-https-x-example" },
    ]);
    expect(toc.map((entry) => entry.id)).toEqual(["sec-dor-febre", "sec-dor-febre-2", null]);
    expect(linked).toBe(
      [
        '<h2 id="sec-dor-febre">Dor &amp; febre</h2>',
        "<p>texto</p>",
        "<h3>Dor &amp; febre</h3>",
        '<h2 id="sec-dor-febre-2">Dor &amp; febre</h2>',
        '<h2>Veja <a href="https://x.example/">o guia</a></h2>',
      ].join(""),
    );
  });

  it("leaves a body without matching headings as it was", () => {
    const html = "<p>Sem títulos.</p>";
    expect(linkHeadings(html, [{ level: 2, text: "Ausente", anchor: "ausente" }])).toEqual({
      html,
      toc: [{ level: 2, text: "Ausente", anchor: "ausente", id: null }],
    });
  });
});
