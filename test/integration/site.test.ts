import { XMLParser, XMLValidator } from "fast-xml-parser";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseClients, withTenant } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { sitemapFileOf } from "../../functions/site/urls.js";
import { bearer } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });

function parseXml(text: string): Record<string, unknown> {
  expect(XMLValidator.validate(text)).toBe(true);
  return xml.parse(text) as Record<string, unknown>;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The JSON-LD blocks of a page, parsed (the raw text must not be able to end its script element). */
function jsonLdOf(html: string): unknown[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((match) => {
    expect(match[1]).not.toMatch(/</);
    return JSON.parse(match[1]!) as unknown;
  });
}

const meta = (html: string, attr: "name" | "property", key: string): string | null =>
  new RegExp(`<meta ${attr}="${key.replace(/[:.]/g, "\\$&")}" content="([^"]*)"`).exec(html)?.[1] ?? null;

describe("the public site", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let app: DatabaseClients;
  let site: SeededTenant;
  let f: SiteFixture;
  const ids: Record<string, { id: string; wpId: number }> = {};
  let cardiology: { id: string; slug: string };

  const get = (path: string, headers: Record<string, string> = {}) => f.api(path, { headers, redirect: "manual" });

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    site = await seedTenant(admin, "site");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    worker = await startWorker();
    f = await siteFixture(admin, worker, site);
    const categories = (await (await f.as("editor", "/api/categories", undefined, "GET")).json()) as {
      items: Array<{ id: string; slug: string }>;
    };
    cardiology = categories.items.find((c) => c.slug === "cardiologia")!;
    const tag = (await (await f.as("editor", "/api/tags", { name: "Pressão alta" })).json()) as {
      id: string;
      slug: string;
    };
    const group = crypto.randomUUID();
    ids.hypertension = await f.publish("posts", {
      title: "Hipertensão arterial: o que é",
      slug: "hipertensao-arterial",
      locale: "pt-BR",
      translationGroupId: group,
      excerpt: "Entenda a pressão alta & como tratá-la.",
      bodyMarkdown: "A **hipertensão** é comum.\n\n![](https://img.example/bp.png)\n\nMeça a pressão.",
      categoryIds: [cardiology.id],
      tagIds: [tag.id],
    });
    ids.hypertensionEn = await f.publish("posts", {
      title: "High blood pressure explained",
      slug: "high-blood-pressure",
      locale: "en",
      translationGroupId: group,
      bodyMarkdown: "Hypertension is common.",
    });
    ids.diabetes = await f.publish("posts", {
      title: "Diabetes e exercício",
      locale: "pt-BR",
      bodyMarkdown: "Atividade física ajuda.",
    });
    ids.professional = await f.publish("posts", {
      title: "Dose de betabloqueador na insuficiência cardíaca",
      slug: "dose-betabloqueador",
      locale: "pt-BR",
      complianceLevel: "professional",
      excerpt: "Titulação para médicos.",
      bodyMarkdown: "Iniciar com SEGREDO-CLINICO-42 mg.",
    });
    ids.restricted = await f.publish("posts", {
      title: "Protocolo interno",
      slug: "protocolo-interno",
      locale: "pt-BR",
      complianceLevel: "restricted",
    });
    ids.phi = await f.publish("posts", {
      title: "Caso clínico de paciente",
      slug: "caso-clinico",
      locale: "pt-BR",
      complianceLevel: "phi",
    });
    ids.page = await f.publish("pages", {
      title: "Sobre a clínica",
      slug: "sobre",
      locale: "pt-BR",
      bodyMarkdown: "Quem somos.",
    });
    // SEO fields, and a body whose headings the content-finalizer lists (its summary and table of contents).
    ids.migraine = await f.publish("posts", {
      title: "Enxaqueca",
      slug: "enxaqueca-guia",
      locale: "pt-BR",
      metaTitle: "Enxaqueca: sintomas, gatilhos & quando procurar um médico",
      metaDescription: "Como reconhecer a enxaqueca, evitar os gatilhos comuns e saber quando a dor pede consulta.",
      focusKeyword: "enxaqueca",
      canonicalUrl: "https://referencia.example/saude/enxaqueca",
      bodyMarkdown: [
        "A enxaqueca é uma dor de cabeça recorrente. Ela costuma durar horas.",
        "## Sintomas comuns",
        "Dor pulsátil, náusea e sensibilidade à luz.",
        "## Quando procurar *ajuda*",
        "Se a dor mudar de padrão, procure um médico.",
      ].join("\n\n"),
    });
    ids.unindexed = await f.publish("posts", {
      title: "Comunicado interno da recepção",
      slug: "comunicado-recepcao",
      locale: "pt-BR",
      noindex: true,
      bodyMarkdown: "Horário de atendimento alterado.",
    });
    // The analysis pipeline's artefact for the current revision, with a hostile name to prove the escaping.
    const [{ current_revision_id: revisionId }] = (
      await admin.query<{ current_revision_id: string }>(
        "select current_revision_id from content_items where id = $1",
        [ids.hypertension.id],
      )
    ).rows as [{ current_revision_id: string }];
    await admin.query(
      "insert into content_analyses (tenant_id, revision_id, stage, output) values ($1, $2, 'content-finalizer', $3)",
      [
        site.id,
        revisionId,
        JSON.stringify({
          plugin: "content-finalizer",
          version: "1.0.0",
          findings: [],
          jsonLd: {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            name: "Hipertensão </script><script>alert(1)</script>",
            inLanguage: "pt-BR",
            lastReviewed: new Date().toISOString().slice(0, 10),
            reviewedBy: {
              "@type": "Physician",
              name: f.reviewerName,
              identifier: { "@type": "PropertyValue", propertyID: "CRM/SP", value: "123456" },
            },
            citation: [
              {
                "@type": "ScholarlyArticle",
                identifier: "10.1161/HYP.0000000000000065",
                name: "2017 Guideline for High Blood Pressure",
                url: "https://doi.org/10.1161/HYP.0000000000000065",
              },
              { "@type": "ScholarlyArticle", identifier: "PMID 1", name: "Bad link", url: "javascript:alert(1)" },
            ],
          },
        }),
      ],
    );
  });

  afterAll(async () => {
    await worker?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  describe("pages", () => {
    it("sends the root to the reader's language, and says the answer varies on it", async () => {
      const cases: Array<[string | undefined, string]> = [
        ["en-GB,en;q=0.9,pt;q=0.5", "/en/"],
        ["es-MX", "/es/"],
        ["fr-FR, de;q=0.8", "/pt-br/"],
        ["pt-PT;q=0.3, en;q=0", "/pt-br/"],
        [undefined, "/pt-br/"],
      ];
      for (const [language, location] of cases) {
        const res = await get("/", language ? { "accept-language": language } : {});
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(location);
        expect(res.headers.get("vary")).toBe("Accept-Language");
      }
    });

    it("renders the home page per locale: lang, skip link, stylesheet, feeds and hreflang", async () => {
      const res = await get("/pt-br/");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toMatch(/^<!doctype html><html lang="pt-BR">/);
      expect(html).toContain('<a class="skip-link" href="#main">Pular para o conteúdo</a>');
      expect(html).toContain('<main id="main"');
      expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/site\.[0-9a-f]{8}\.css"\/?>/);
      expect(html).toContain("Hipertensão arterial: o que é");
      expect(html).toContain("Diabetes e exercício");
      expect(html).not.toContain("High blood pressure explained");
      expect(html).not.toContain("betabloqueador");
      expect(html).not.toContain("Protocolo interno");
      expect(html).not.toContain("Caso clínico");
      expect(html).toContain(`<link rel="alternate" hreflang="en" href="http://${site.hostname}/en/"`);
      expect(html).toContain(`hreflang="x-default" href="http://${site.hostname}/"`);
      expect(html).toContain('type="application/rss+xml"');
      const english = await (await get("/en/")).text();
      expect(english).toMatch(/<html lang="en">/);
      expect(english).toContain("High blood pressure explained");
      expect(english).not.toContain("Diabetes e exercício");
      const spanish = await get("/es/");
      expect(spanish.status).toBe(200);
      expect(await spanish.text()).toContain("Todavía no hay nada publicado aquí.");
    });

    it("serves the stylesheet from the Worker with a year-long immutable lifetime", async () => {
      const html = await (await get("/pt-br/")).text();
      const href = /href="(\/assets\/site\.[0-9a-f]{8}\.css)"/.exec(html)![1]!;
      const css = await get(href);
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toMatch(/^text\/css/);
      expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await css.text()).toContain(":focus-visible");
      expect((await get("/assets/site.00000000.css")).status).toBe(404);
    });

    it("renders a medical article: physician and CRM/UF, review date, references, disclaimer, SEO tags and JSON-LD", async () => {
      const res = await get("/pt-br/posts/hipertensao-arterial/");
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("<title>Hipertensão arterial: o que é — Clinic site</title>");
      expect(meta(html, "name", "description")).toBe("Entenda a pressão alta &amp; como tratá-la.");
      const canonical = `http://${site.hostname}/pt-br/posts/hipertensao-arterial/`;
      expect(html).toContain(`<link rel="canonical" href="${canonical}"`);
      expect(meta(html, "property", "og:url")).toBe(canonical);
      expect(meta(html, "property", "og:type")).toBe("article");
      expect(meta(html, "property", "og:title")).toBe("Hipertensão arterial: o que é");
      expect(meta(html, "property", "og:locale")).toBe("pt_BR");
      expect(meta(html, "name", "twitter:card")).toBe("summary");
      expect(html).toContain(
        `<link rel="alternate" hreflang="en" href="http://${site.hostname}/en/posts/high-blood-pressure/"`,
      );
      expect(html).toContain(`<link rel="alternate" hreflang="pt-BR" href="${canonical}"`);
      // CFM 2.336/2023: the responsible physician with CRM/UF and the last medical review.
      expect(html).toContain(f.reviewerName);
      expect(html).toContain("CRM/SP 123456");
      expect(html).toMatch(/Última revisão médica:<\/strong> <time datetime="\d{4}-\d{2}-\d{2}T/);
      expect(html).toContain("Este conteúdo tem caráter exclusivamente informativo");
      expect(html).toContain(
        '<a href="https://doi.org/10.1161/HYP.0000000000000065">2017 Guideline for High Blood Pressure</a>',
      );
      expect(html).not.toContain('href="javascript:');
      // Only images of the media library show: a picture from another site is not rendered at all.
      expect(html).not.toContain("img.example");
      expect(html).toContain(`href="/pt-br/category/${cardiology.slug}/"`);
      expect(html).toContain('href="/pt-br/tag/pressao-alta/"');
      expect(html).not.toContain("</script><script>alert(1)");
      const [ld] = jsonLdOf(html) as Array<Record<string, unknown>>;
      expect(ld).toMatchObject({
        "@type": "MedicalWebPage",
        name: "Hipertensão </script><script>alert(1)</script>",
        url: canonical,
        reviewedBy: { "@type": "Physician", name: f.reviewerName },
      });
      expect(ld!.lastReviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it("names the primary hostname in absolute URLs whichever of the tenant's hostnames the page was asked on", async () => {
      const alias = `alias-${site.hostname}`;
      await admin.query("insert into tenant_hostnames (hostname, tenant_id, is_primary) values ($1, $2, false)", [
        alias,
        site.id,
      ]);
      const path = "/pt-br/posts/hipertensao-arterial/";
      // Signed in, so each page is rendered for this request (never a copy rendered for another hostname).
      const canonicalOn = async (host: string) => {
        const res = await worker.fetch(path, { host, headers: bearer(f.tokens.professional) });
        expect(res.status).toBe(200);
        return /<link rel="canonical" href="([^"]+)"/.exec(await res.text())?.[1];
      };
      try {
        expect(await canonicalOn(alias)).toBe(`http://${site.hostname}${path}`);
        expect(await canonicalOn(`${alias}:8443`)).toBe(`http://${site.hostname}${path}`);
        expect(await canonicalOn(`${site.hostname}:8443`)).toBe(`http://${site.hostname}:8443${path}`);
      } finally {
        await admin.query("delete from tenant_hostnames where hostname = $1", [alias]);
      }
    });

    it("uses the item's meta title, meta description, canonical URL and noindex", async () => {
      const html = await (await get("/pt-br/posts/enxaqueca-guia/")).text();
      expect(html).toContain("<title>Enxaqueca: sintomas, gatilhos &amp; quando procurar um médico</title>");
      expect(meta(html, "name", "description")).toBe(
        "Como reconhecer a enxaqueca, evitar os gatilhos comuns e saber quando a dor pede consulta.",
      );
      expect(html).toContain('<link rel="canonical" href="https://referencia.example/saude/enxaqueca"/>');
      expect(meta(html, "property", "og:url")).toBe("https://referencia.example/saude/enxaqueca");
      expect(html).not.toContain('name="robots"');
      expect(html).toContain("<h1>Enxaqueca</h1>");

      const hidden = await (await get("/pt-br/posts/comunicado-recepcao/")).text();
      expect(meta(hidden, "name", "robots")).toBe("noindex");
      expect(hidden).toContain(
        `<link rel="canonical" href="http://${site.hostname}/pt-br/posts/comunicado-recepcao/"/>`,
      );
    });

    it("shows the content-finalizer's key points and a table of contents linked to the headings", async () => {
      const html = await (await get("/pt-br/posts/enxaqueca-guia/")).text();
      const summary = /<section class="summary"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
      expect(summary).toContain("Em resumo");
      expect(summary).toContain("A enxaqueca é uma dor de cabeça recorrente. Ela costuma durar horas.");
      const toc = /<nav class="toc"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? "";
      expect(toc).toContain("Neste artigo");
      const links = [...toc.matchAll(/<a href="#([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
      expect(links).toEqual([
        ["sec-sintomas-comuns", "Sintomas comuns"],
        ["sec-quando-procurar-ajuda", "Quando procurar ajuda"],
      ]);
      expect(html).toContain('<h2 id="sec-sintomas-comuns">Sintomas comuns</h2>');
      expect(html).toContain('<h2 id="sec-quando-procurar-ajuda">Quando procurar <em>ajuda</em></h2>');
      // A teaser shows neither: they summarise the body the reader may not read.
      const teaser = await (await get("/pt-br/posts/dose-betabloqueador/")).text();
      expect(teaser).not.toContain('class="summary"');
      expect(teaser).not.toContain('class="toc"');
    });

    it("renders pages, category, tag and author lists", async () => {
      const page = await get("/pt-br/sobre/");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Quem somos.");
      const category = await (await get(`/pt-br/category/${cardiology.slug}/`)).text();
      expect(category).toContain("Hipertensão arterial: o que é");
      expect(category).not.toContain("Diabetes e exercício");
      expect(category).toContain(`/pt-br/category/${cardiology.slug}/feed.xml`);
      const tag = await (await get("/pt-br/tag/pressao-alta/")).text();
      expect(tag).toContain("Hipertensão arterial: o que é");
      const authorSlug = /href="\/pt-br\/author\/([a-z0-9-]+)\/"/.exec(tag)![1]!;
      const author = await (await get(`/pt-br/author/${authorSlug}/`)).text();
      expect(author).toContain(f.authorName);
      expect(author).toContain("Diabetes e exercício");
      expect(author).not.toContain("betabloqueador");
      expect((await get("/pt-br/category/nao-existe/")).status).toBe(404);
      expect((await get("/pt-br/?page=99")).status).toBe(404);
      expect((await get("/pt-br/?page=abc")).status).toBe(404);
    });

    it("searches published content of the locale, privately and without indexing", async () => {
      const res = await get(`/pt-br/search?q=${encodeURIComponent("hipertensao")}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      const html = await res.text();
      expect(html).toContain("Hipertensão arterial: o que é");
      expect(html).toContain('<meta name="robots" content="noindex"');
      expect(html).toContain('value="hipertensao"');
      const hidden = await (await get(`/pt-br/search?q=${encodeURIComponent("protocolo")}`)).text();
      expect(hidden).not.toContain("Protocolo interno");
      expect(hidden).toContain("Nenhum resultado encontrado.");
      const hostile = await (await get(`/pt-br/search?q=${encodeURIComponent('<script>x</script>"')}`)).text();
      expect(hostile).not.toContain("<script>x</script>");
    });

    it("answers unknown paths with an HTML 404 while the API, WordPress API and health routes keep working", async () => {
      const missing = await get("/pt-br/posts/nao-existe/");
      expect(missing.status).toBe(404);
      expect(missing.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await missing.text();
      expect(html).toContain("Página não encontrada");
      expect(html).toContain('<meta name="robots" content="noindex"');
      const english = await get("/nowhere", { "accept-language": "en" });
      expect(english.status).toBe(404);
      expect(await english.text()).toContain("Page not found");
      const api = await get("/api/nowhere");
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toMatch(/problem\+json/);
      expect((await get("/wp-json/wp/v2/posts")).status).toBe(200);
      expect((await get("/healthz")).status).toBe(200);
      expect((await get("/.well-known/jwks.json")).status).toBe(200);
      const slashless = await get("/pt-br/posts/hipertensao-arterial");
      expect(slashless.status).toBe(301);
      expect(slashless.headers.get("location")).toBe("/pt-br/posts/hipertensao-arterial/");
    });
  });

  describe("compliance levels", () => {
    it("shows anonymous readers a teaser of professional content: no body, noindex, never shared", async () => {
      const res = await get("/pt-br/posts/dose-betabloqueador/");
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("cache-tag")).toBeNull();
      const html = await res.text();
      expect(html).toContain('<meta name="robots" content="noindex"');
      expect(html).toContain("Conteúdo para profissionais de saúde");
      expect(html).toContain("Titulação para médicos.");
      expect(html).toContain('href="/pt-br/entrar?next=%2Fpt-br%2Fposts%2Fdose-betabloqueador%2F"');
      expect(html).not.toContain("SEGREDO-CLINICO-42");
      // Asked again: still rendered, never a cache hit.
      expect((await get("/pt-br/posts/dose-betabloqueador/")).headers.get("x-vitalis-cache")).toBe("miss");
    });

    it("shows a verified professional the full text, privately", async () => {
      const res = await get("/pt-br/posts/dose-betabloqueador/", bearer(f.tokens.professional));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      const html = await res.text();
      expect(html).toContain("SEGREDO-CLINICO-42");
      expect(html).not.toContain('content="noindex"');
    });

    it("lists and finds professional content for a verified professional only, whoever asked first", async () => {
      const title = "Dose de betabloqueador";
      const tag = await (await get("/pt-br/tag/pressao-alta/")).text();
      const authorSlug = /href="\/pt-br\/author\/([a-z0-9-]+)\/"/.exec(tag)![1]!;
      const lists = ["/pt-br/", `/pt-br/author/${authorSlug}/`, "/pt-br/search?q=betabloqueador"];
      for (const path of lists) {
        const professional = await get(path, bearer(f.tokens.professional));
        expect(professional.status).toBe(200);
        expect(professional.headers.get("cache-control")).toBe("private, no-store");
        expect(await professional.text()).toContain(title);
        const anonymous = await get(path);
        expect(anonymous.status).toBe(200);
        expect(await anonymous.text()).not.toContain(title);
        expect(await (await get(path, bearer(f.tokens.professional))).text()).toContain(title);
      }
      const feed = await (await get("/pt-br/feed.xml", bearer(f.tokens.professional))).text();
      expect(feed).toContain("Diabetes e exercício");
      expect(feed).not.toContain(title);
    });

    it("never renders restricted or PHI content publicly, not even to staff", async () => {
      for (const slug of ["protocolo-interno", "caso-clinico"]) {
        const anonymous = await get(`/pt-br/posts/${slug}/`);
        expect(anonymous.status).toBe(404);
        expect(await anonymous.text()).not.toMatch(/Protocolo interno|Caso clínico/);
        expect((await get(`/pt-br/posts/${slug}/`, bearer(f.tokens.editor))).status).toBe(404);
      }
    });
  });

  describe("feeds, sitemaps and robots.txt", () => {
    it("publishes RSS 2.0 and Atom per locale and per category", async () => {
      const rss = await get("/pt-br/feed.xml");
      expect(rss.headers.get("content-type")).toMatch(/^application\/rss\+xml/);
      const channel = (parseXml(await rss.text()).rss as { channel: { item: unknown } }).channel as Record<
        string,
        unknown
      >;
      expect(channel.language).toBe("pt-BR");
      const items = asArray(channel.item as Array<{ title: string; link: string; guid: { "#text": string } }>);
      expect(items.map((i) => i.title).sort()).toEqual([
        "Comunicado interno da recepção",
        "Diabetes e exercício",
        "Enxaqueca",
        "Hipertensão arterial: o que é",
      ]);
      expect(items.find((i) => i.title.startsWith("Hiper"))!.link).toBe(
        `http://${site.hostname}/pt-br/posts/hipertensao-arterial/`,
      );
      const atom = await get("/en/atom.xml");
      expect(atom.headers.get("content-type")).toMatch(/^application\/atom\+xml/);
      const feed = parseXml(await atom.text()).feed as { entry: unknown; "@xml:lang": string };
      expect(feed["@xml:lang"]).toBe("en");
      const entries = asArray(feed.entry as Array<{ id: string; title: string }>);
      expect(entries.map((e) => e.title)).toEqual(["High blood pressure explained"]);
      expect(entries[0]!.id).toBe(`urn:uuid:${ids.hypertensionEn!.id}`);
      const byCategory = parseXml(await (await get(`/pt-br/category/${cardiology.slug}/feed.xml`)).text()).rss as {
        channel: { item: unknown };
      };
      expect(asArray(byCategory.channel.item as Array<{ title: string }>).map((i) => i.title)).toEqual([
        "Hipertensão arterial: o que é",
      ]);
      const categoryAtom = parseXml(await (await get(`/pt-br/category/${cardiology.slug}/atom.xml`)).text()).feed as {
        entry: unknown;
      };
      expect(asArray(categoryAtom.entry)).toHaveLength(1);
      expect((await get("/pt-br/category/nao-existe/feed.xml")).status).toBe(404);
    });

    it("publishes a sitemap index with per-locale sitemaps, lastmod and hreflang alternates", async () => {
      const index = parseXml(await (await get("/sitemap.xml")).text()).sitemapindex as { sitemap: unknown };
      const sitemaps = asArray(index.sitemap as Array<{ loc: string; lastmod: string }>);
      // Item files are fixed wp id ranges (sitemapFileOf): this tenant's few items are in one file a locale.
      const files = sitemaps.map((s) => s.loc.replace(`http://${site.hostname}/sitemaps/`, ""));
      expect(files.map((file) => file.replace(/-\d+\.xml$/, "")).sort()).toEqual([
        "en",
        "en-lists",
        "pt-br",
        "pt-br-lists",
      ]);
      for (const entry of sitemaps) expect(Number.isNaN(Date.parse(entry.lastmod))).toBe(false);
      const itemFile = files.find((file) => /^pt-br-\d+\.xml$/.test(file))!;
      expect(files).toContain("pt-br-lists-1.xml");
      const urls: Array<{ loc: string; lastmod: string; "xhtml:link"?: unknown }> = [];
      for (const path of [`/sitemaps/${itemFile}`, "/sitemaps/pt-br-lists-1.xml"]) {
        const urlset = parseXml(await (await get(path)).text()).urlset as { url: unknown };
        urls.push(...asArray(urlset.url as typeof urls));
      }
      const locs = urls.map((u) => u.loc);
      expect(locs).toEqual(
        expect.arrayContaining([
          `http://${site.hostname}/pt-br/`,
          `http://${site.hostname}/pt-br/posts/hipertensao-arterial/`,
          `http://${site.hostname}/pt-br/sobre/`,
          `http://${site.hostname}/pt-br/category/${cardiology.slug}/`,
          `http://${site.hostname}/pt-br/tag/pressao-alta/`,
        ]),
      );
      expect(locs.join()).not.toMatch(/betabloqueador|protocolo|caso-clinico/);
      // Published and public, but marked noindex by its editors: not offered to search engines.
      expect(locs).toContain(`http://${site.hostname}/pt-br/posts/enxaqueca-guia/`);
      expect(locs.join()).not.toContain("comunicado-recepcao");
      const hypertension = urls.find((u) => u.loc.endsWith("/hipertensao-arterial/"))!;
      const alternates = asArray(hypertension["xhtml:link"] as Array<{ "@hreflang": string; "@href": string }>);
      expect(alternates.map((a) => a["@hreflang"]).sort()).toEqual(["en", "pt-BR"]);
      for (const missing of [
        "/sitemaps/fr-1.xml",
        "/sitemaps/pt-br.xml",
        `/sitemaps/pt-br-${Number(/\d+/.exec(itemFile)![0]) + 1}.xml`,
        "/sitemaps/pt-br-0.xml",
      ])
        expect((await get(missing)).status, missing).toBe(404);
    });

    it("serves robots.txt naming the sitemap", async () => {
      const text = await (await get("/robots.txt")).text();
      expect(text).toContain(`Sitemap: http://${site.hostname}/sitemap.xml`);
      expect(text).toContain("Disallow: /api/");
    });
  });

  describe("caching", () => {
    it("keeps rendered pages in the Worker cache with strong ETags, and answers If-None-Match with 304", async () => {
      const path = "/pt-br/posts/hipertensao-arterial/";
      await f.api("/pt-br/").then((r) => r.text());
      const first = await get(path);
      await first.text();
      const second = await get(path);
      const body = await second.text();
      expect(second.headers.get("x-vitalis-cache")).toBe("hit");
      expect(second.headers.get("cache-control")).toBe(
        "public, max-age=0, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400",
      );
      const etag = second.headers.get("etag")!;
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(first.headers.get("etag")).toBe(etag);
      expect(second.headers.get("cache-tag")).toContain(`content:${ids.hypertension!.id}`);
      expect(second.headers.get("cache-tag")).toContain(`tenant:${site.id}`);
      expect(body).toContain("CRM/SP 123456");
      const conditional = await get(path, { "if-none-match": etag });
      expect(conditional.status).toBe(304);
      expect(conditional.headers.get("etag")).toBe(etag);
      expect(await conditional.text()).toBe("");
      expect((await get(path, { "if-none-match": '"other"' })).status).toBe(200);
      // Feeds and sitemaps are cached the same way.
      await (await get("/pt-br/feed.xml")).text();
      expect((await get("/pt-br/feed.xml")).headers.get("x-vitalis-cache")).toBe("hit");
    });

    it("never reads or writes the shared cache for a signed-in reader", async () => {
      const res = await get("/pt-br/posts/hipertensao-arterial/", bearer(f.tokens.professional));
      expect(res.headers.get("x-vitalis-cache")).toBe("bypass");
      expect(res.headers.get("cache-control")).toBe("private, no-store");
    });

    it("purges the lists, feeds and sitemaps when a post is published", async () => {
      // Item files are fixed wp id ranges (sitemapFileOf).
      const ptFile = `/sitemaps/pt-br-${sitemapFileOf(ids.diabetes!.wpId)}.xml`;
      const enFile = `/sitemaps/en-${sitemapFileOf(ids.hypertensionEn!.wpId)}.xml`;
      const otherLocale = ["/en/", "/en/feed.xml", enFile, "/sitemaps/en-lists-1.xml"];
      for (const path of [
        "/pt-br/",
        `/pt-br/category/${cardiology.slug}/`,
        "/pt-br/feed.xml",
        "/pt-br/atom.xml",
        "/sitemap.xml",
        ptFile,
        "/sitemaps/pt-br-lists-1.xml",
        ...otherLocale,
      ]) {
        await (await get(path)).text();
        expect((await get(path)).headers.get("x-vitalis-cache"), path).toBe("hit");
      }
      ids.fresh = await f.publish("posts", {
        title: "Colesterol: novidades",
        slug: "colesterol",
        locale: "pt-BR",
        categoryIds: [cardiology.id],
      });
      await eventually(async () => expect(await (await get("/pt-br/")).text()).toContain("Colesterol: novidades"));
      expect(await (await get(`/pt-br/category/${cardiology.slug}/`)).text()).toContain("Colesterol: novidades");
      expect(await (await get("/pt-br/feed.xml")).text()).toContain("Colesterol: novidades");
      expect(await (await get("/pt-br/atom.xml")).text()).toContain("Colesterol: novidades");
      expect(await (await get(`/pt-br/category/${cardiology.slug}/feed.xml`)).text()).toContain(
        "Colesterol: novidades",
      );
      expect(await (await get(`/sitemaps/pt-br-${sitemapFileOf(ids.fresh.wpId)}.xml`)).text()).toContain(
        "/pt-br/posts/colesterol/",
      );
      // Lists of other locales were not touched: the first request after the purge is still served from the cache.
      for (const path of otherLocale) {
        const res = await get(path);
        expect(res.headers.get("x-vitalis-cache"), path).toBe("hit");
        await res.text();
      }
    });

    it("purges the page and its lists when a post is unpublished (back to draft) or archived", async () => {
      const path = "/pt-br/posts/colesterol/";
      await (await get(path)).text();
      expect((await get(path)).headers.get("x-vitalis-cache")).toBe("hit");
      await (await get("/pt-br/")).text();
      const back = await f.as("editor", `/api/posts/${ids.fresh!.id}/transitions`, {
        to: "draft",
        reason: "Revisar a dose citada.",
      });
      expect(back.status).toBe(200);
      await eventually(async () => expect((await get(path)).status).toBe(404));
      expect(await (await get("/pt-br/")).text()).not.toContain("Colesterol: novidades");
      expect(await (await get("/pt-br/feed.xml")).text()).not.toContain("Colesterol");

      await (await get("/pt-br/posts/diabetes-e-exercicio/")).text();
      expect((await get("/pt-br/posts/diabetes-e-exercicio/")).headers.get("x-vitalis-cache")).toBe("hit");
      const archived = await f.as("editor", `/api/posts/${ids.diabetes!.id}/transitions`, { to: "archived" });
      expect(archived.status).toBe(200);
      await eventually(async () => expect((await get("/pt-br/posts/diabetes-e-exercicio/")).status).toBe(404));
      expect(await (await get("/pt-br/")).text()).not.toContain("Diabetes e exercício");
      expect(await (await get(`/sitemaps/pt-br-${sitemapFileOf(ids.diabetes!.wpId)}.xml`)).text()).not.toContain(
        "diabetes-e-exercicio",
      );
    });

    it("purges a translation's page when its sibling is published (hreflang alternates change)", async () => {
      const path = "/en/posts/high-blood-pressure/";
      await (await get(path)).text();
      expect((await get(path)).headers.get("x-vitalis-cache")).toBe("hit");
      const group = (
        (await (await f.as("editor", `/api/posts/${ids.hypertensionEn!.id}`, undefined, "GET")).json()) as {
          translationGroupId: string;
        }
      ).translationGroupId;
      await f.publish("posts", {
        title: "Hipertensión arterial",
        slug: "hipertension",
        locale: "es",
        translationGroupId: group,
      });
      await eventually(async () => expect(await (await get(path)).text()).toContain('hreflang="es"'));
    });

    it("purges what a trashed post showed in", async () => {
      await (await get("/pt-br/tag/pressao-alta/")).text();
      expect((await get("/pt-br/tag/pressao-alta/")).headers.get("x-vitalis-cache")).toBe("hit");
      const trashed = await f.as("editor", `/api/posts/${ids.hypertension!.id}`, undefined, "DELETE");
      expect(trashed.status).toBe(200);
      await eventually(async () =>
        expect(await (await get("/pt-br/tag/pressao-alta/")).text()).not.toContain("Hipertensão arterial"),
      );
      expect((await get("/pt-br/posts/hipertensao-arterial/")).status).toBe(404);
      const restored = await f.as("editor", `/api/posts/${ids.hypertension!.id}/restore`);
      expect(restored.status).toBe(200);
      await eventually(async () => expect((await get("/pt-br/posts/hipertensao-arterial/")).status).toBe(200));
    });

    it("purges when the cron job publishes a scheduled post", async () => {
      await (await get("/pt-br/")).text();
      expect((await get("/pt-br/")).headers.get("x-vitalis-cache")).toBe("hit");
      const item = await f.publish(
        "posts",
        { title: "Vacinação de adultos", slug: "vacinacao", locale: "pt-BR" },
        { stopAt: "approved" },
      );
      const scheduled = await f.move("posts", item.id, {
        to: "scheduled",
        scheduledAt: new Date(Date.now() + 60_000).toISOString(),
      });
      expect(scheduled.status).toBe(200);
      await admin.query("update content_items set scheduled_at = now() - interval '1 second' where id = $1", [item.id]);
      // Scheduling itself purged; warm the home page again so only the cron job's purge can change it.
      await eventually(async () => {
        await (await get("/pt-br/")).text();
        expect((await get("/pt-br/")).headers.get("x-vitalis-cache")).toBe("hit");
      });
      await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
      await eventually(
        async () => expect(await (await get("/pt-br/")).text()).toContain("Vacinação de adultos"),
        10_000,
      );
      expect((await get("/pt-br/posts/vacinacao/")).status).toBe(200);
    });
  });
});
