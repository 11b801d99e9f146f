import { jsx } from "hono/jsx";
import { describe, expect, it } from "vitest";
import { htmlDocument } from "../../functions/routes/site/document";
import type { SiteArticle, SiteItemSummary } from "../../functions/services/site";
import { Layout, type LayoutProps } from "../../functions/site/layout";
import { ArticleView, ListView } from "../../functions/site/pages";
import { SITE_CSS_PATH } from "../../functions/site/styles";

/**
 * The public pages' HTML, byte for byte: a change made for speed (what is rendered once per isolate, how the head
 * is written) must not change a single byte a reader, a search engine or a cache sees. The snapshots are the pages
 * as they were rendered before such changes; a deliberate change of the markup updates them (`vitest -u`).
 */

const image = {
  id: "3f1c9a52-8e0b-4c1e-9d5a-0b6f7c2d1e4a",
  contentType: "image/jpeg",
  version: "a1b2c3d4e5f6",
  width: 1600,
  height: 900,
  alt: 'Aferição da pressão: "braçadeira" & <manguito>',
};

const author = { name: "Dra. Ana O'Neil", slug: "ana-oneil" };

function summary(index: number): SiteItemSummary {
  return {
    id: `00000000-0000-4000-8000-00000000000${index}`,
    type: "post",
    title: `Hipertensão <parte ${index}> & "mitos"`,
    slug: `hipertensao-${index}`,
    excerpt: index % 2 ? "Um guia 'prático'." : "",
    locale: "pt-BR",
    complianceLevel: "public",
    publishedAt: new Date(Date.UTC(2026, 10, index, 12)),
    updatedAt: new Date(Date.UTC(2026, 10, index, 13)),
    author: index % 2 ? author : null,
    featuredImage: index === 1 ? image : null,
  };
}

const article: SiteArticle = {
  ...summary(1),
  bodyHtml: '<h2>O que é</h2><p>Texto &amp; mais.</p><h2>Como medir</h2><p>Outro "texto".</p>',
  imageIds: [image.id],
  gated: false,
  reviewer: {
    name: "Dr. Bruno Lima",
    crm: "123456",
    uf: "SP",
    specialist: { specialty: "Cardiologia", rqe: ["4321"] },
  },
  lastMedicallyReviewedAt: new Date(Date.UTC(2026, 10, 20)),
  categories: [{ name: "Cardiologia", slug: "cardiologia" }],
  tags: [{ name: "Pressão & saúde", slug: "pressao" }],
  translations: [{ locale: "en", type: "post", slug: "hypertension", title: "Hypertension <guide>" }],
  jsonLd: { "@context": "https://schema.org", "@type": "MedicalWebPage", name: "</script><script>alert(1)</script>" },
  toc: [
    { level: 2, text: "O que é", anchor: "o-que-e" },
    { level: 2, text: "Como medir", anchor: "como-medir" },
  ],
  summary: "Pressão alta & como medir.",
  metaTitle: null,
  metaDescription: null,
  canonicalUrl: null,
  noindex: false,
};

const frame: Pick<LayoutProps, "siteName" | "technicalDirector"> = {
  siteName: 'Clínica "Coração" & Cia',
  technicalDirector: { name: "Dra. Carla Souza", crmNumber: "98765", crmUf: "RJ", rqe: "111" },
};

/** The page; the stylesheet's content-hashed name is left out, so a change of the CSS alone leaves these alone. */
async function page(props: Omit<LayoutProps, "children">, child: unknown): Promise<string> {
  const html = await htmlDocument(jsx(Layout, props, child as never) as ReturnType<typeof Layout>);
  return html.replaceAll(SITE_CSS_PATH, "/assets/site.css");
}

describe("public pages' HTML", () => {
  it("renders an article page with every head tag, byte for byte", async () => {
    const origin = "https://clinica.example";
    const html = await page(
      {
        locale: "pt-BR",
        ...frame,
        meta: {
          title: article.title,
          description: "Pressão alta: o que é & como medir <sempre>.",
          canonical: `${origin}/pt-br/posts/hipertensao-1/`,
          alternates: [
            { hreflang: "pt-BR", href: `${origin}/pt-br/posts/hipertensao-1/` },
            { hreflang: "en", href: `${origin}/en/posts/hypertension/` },
          ],
          ogType: "article",
          publishedTime: article.publishedAt,
          modifiedTime: article.updatedAt,
          noindex: false,
          jsonLd: article.jsonLd,
          image: {
            url: `${origin}/media/${image.id}/1280.jpg?v=${image.version}`,
            width: 1280,
            height: 720,
            alt: image.alt,
          },
        },
      },
      jsx(ArticleView, { article, signInHref: "/pt-br/entrar/?next=%2Fpt-br%2Fposts%2Fhipertensao-1%2F" }),
    );
    await expect(html).toMatchFileSnapshot("__snapshots__/site-article.html");
  });

  it("renders a gated teaser and a signed-in reader's frame, byte for byte", async () => {
    const html = await page(
      {
        locale: "en",
        siteName: "Clinic",
        technicalDirector: null,
        signedIn: { csrf: "csrf-token-value" },
        searchQuery: 'pressão "alta"',
        meta: {
          title: "Professional article",
          documentTitle: "A meta title",
          description: "Teaser.",
          canonical: null,
          alternates: [],
          ogType: "article",
          noindex: true,
        },
      },
      jsx(ArticleView, {
        article: {
          ...article,
          locale: "en",
          gated: true,
          bodyHtml: "",
          toc: [],
          summary: null,
          complianceLevel: "professional",
        },
        signInHref: "/en/sign-in/",
      }),
    );
    await expect(html).toMatchFileSnapshot("__snapshots__/site-teaser.html");
  });

  it("renders an article's references, a listed heading the body lacks and a page without byline, byte for byte", async () => {
    const withReferences: SiteArticle = {
      ...article,
      featuredImage: null,
      reviewer: { name: "Dr. <Bruno>", crm: "123456", uf: null, specialist: null },
      lastMedicallyReviewedAt: null,
      summary: null,
      categories: [],
      jsonLd: {
        "@type": "MedicalWebPage",
        citation: [
          {
            "@type": "ScholarlyArticle",
            name: "Diretriz & <2025>",
            url: "https://doi.org/10.1/x?a=1&b=2",
            identifier: "doi:10.1/x",
          },
          { "@type": "ScholarlyArticle", identifier: "pmid:123" },
          { "@type": "ScholarlyArticle", name: "Só o nome", identifier: "pmid:5" },
          { "@type": "ScholarlyArticle", url: "https://referencia.example/", identifier: "pmid:6" },
        ],
      },
      toc: [...article.toc, { level: 3, text: "Não está no <corpo>", anchor: "nao-esta" }],
    };
    const aboutPage: SiteArticle = { ...article, type: "page", reviewer: null, translations: [], tags: [] };
    const meta = { title: "Artigo", description: "D", canonical: null, alternates: [], ogType: "article" as const };
    const html = [
      await page({ locale: "pt-BR", ...frame, meta }, jsx(ArticleView, { article: withReferences, signInHref: "/x" })),
      await page(
        { locale: "es", ...frame, meta },
        jsx(ArticleView, { article: { ...aboutPage, locale: "es" }, signInHref: "/x" }),
      ),
    ].join("\n");
    await expect(html).toMatchFileSnapshot("__snapshots__/site-article-variants.html");
  });

  it("renders a list page with feeds and a pager, byte for byte", async () => {
    const html = await page(
      {
        locale: "es",
        ...frame,
        meta: {
          title: "Categoría: Cardiología",
          description: "Artículos.",
          canonical: "https://clinica.example/es/categoria/cardiologia/?page=2",
          alternates: [],
          ogType: "website",
          feeds: {
            rss: "/es/category/cardiologia/feed.xml",
            atom: "/es/category/cardiologia/atom.xml",
            title: "Cardio & co",
          },
        },
      },
      jsx(ListView, {
        locale: "es",
        heading: "Cardiología",
        intro: "Sobre el <corazón>.",
        items: [summary(1), summary(2), summary(3)],
        path: "/es/category/cardiologia/",
        page: 2,
        totalPages: 3,
        empty: "Nada.",
      }),
    );
    await expect(html).toMatchFileSnapshot("__snapshots__/site-list.html");
  });
});
