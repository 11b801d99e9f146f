/**
 * CFM Resolução 2.336/2023 on the rendered site: an article names its responsible physician (the approving
 * medical reviewer) with CRM/UF, and with the RQE and specialty when the article's category is their specialty;
 * every public page's footer names the clinic's technical director (name, CRM/UF, RQE) from the tenant settings,
 * in each language. The JSON-LD's `reviewedBy` is the approving reviewer.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant, type DatabaseClients } from "../../functions/lib/db.js";
import { ensureDefaultCategories } from "../../functions/services/content/taxonomy.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const DIRECTOR = { name: "Dr. Paulo Diretor", crmNumber: "998877", crmUf: "MG", rqe: "5566" } as const;
const DIRECTOR_LINE = "Dr. Paulo Diretor — CRM/MG 998877 — RQE 5566";

/** The JSON-LD of a page, parsed. */
function jsonLdOf(html: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return JSON.parse(match![1]!) as Record<string, unknown>;
}

const footerOf = (html: string): string => /<footer class="site">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? "";
const reviewOf = (html: string): string => /<aside class="review"[^>]*>([\s\S]*?)<\/aside>/.exec(html)?.[1] ?? "";

describe("CFM 2.336/2023 details on the public site", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let app: DatabaseClients;
  let site: SeededTenant;
  let f: SiteFixture;
  let categories: Array<{ id: string; slug: string }>;
  const category = (slug: string) => categories.find((entry) => entry.slug === slug)!.id;

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    site = await seedTenant(admin, "cfm");
    await withTenant(app.db, site.id, (tx) => ensureDefaultCategories(tx, site.id));
    worker = await startWorker();
    // The reviewer's credential names their specialty as the default category does, but written differently.
    f = await siteFixture(admin, worker, site, {
      reviewerCredential: { crm: "123456", uf: "SP", rqe: ["18342"], specialty: "cardiologia " },
    });
    const adminUser = await createUser(admin, site, { roles: ["admin"] });
    const adminToken = (await signIn(worker, site.hostname, adminUser)).accessToken;
    const saved = await f.api("/api/tenant/settings", {
      method: "PUT",
      headers: { ...bearer(adminToken), "content-type": "application/json" },
      body: JSON.stringify({
        name: "Clínica Coração",
        logoMediaId: null,
        primaryHostname: site.hostname,
        defaultLocale: "pt-BR",
        technicalDirector: DIRECTOR,
        dpo: null,
      }),
    });
    expect(saved.status).toBe(200);
    categories = (
      (await (await f.as("editor", "/api/categories?per_page=100", undefined, "GET")).json()) as {
        items: Array<{ id: string; slug: string }>;
      }
    ).items;
    await f.publish("posts", {
      title: "Arritmias: quando se preocupar",
      slug: "arritmias",
      locale: "pt-BR",
      bodyMarkdown: "## O que são\n\nAlterações do ritmo do coração.\n\n## Quando procurar ajuda\n\nSe houver desmaio.",
      categoryIds: [category("cardiologia")],
    });
    await f.publish("posts", {
      title: "Protetor solar no dia a dia",
      slug: "protetor-solar",
      locale: "pt-BR",
      bodyMarkdown: "Use protetor solar todos os dias.",
      categoryIds: [category("dermatologia")],
    });
    await f.publish("posts", {
      title: "Palpitations: when to worry",
      slug: "palpitations",
      locale: "en",
      bodyMarkdown: "Palpitations are common.",
      categoryIds: [category("cardiologia")],
    });
  });

  afterAll(async () => {
    await worker?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  it("names the physician with CRM/UF, RQE and specialty on an article in their specialty", async () => {
    const res = await f.api("/pt-br/posts/arritmias/");
    expect(res.status).toBe(200);
    const html = await res.text();
    const review = reviewOf(html);
    expect(review).toContain(
      "Médico responsável:</strong> Dra. Helena Prado — CRM/SP 123456 — RQE 18342 — cardiologia",
    );
    const ld = jsonLdOf(html);
    expect(ld.reviewedBy).toEqual({
      "@type": "Physician",
      name: "Dra. Helena Prado",
      identifier: [
        { "@type": "PropertyValue", propertyID: "CRM/SP", value: "123456", name: "CRM/SP 123456" },
        { "@type": "PropertyValue", propertyID: "RQE", value: "18342", name: "RQE 18342" },
      ],
      medicalSpecialty: "cardiologia",
    });
    expect(ld.lastReviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("names CRM/UF but no RQE or specialty on an article outside their specialty", async () => {
    const html = await (await f.api("/pt-br/posts/protetor-solar/")).text();
    const review = reviewOf(html);
    expect(review).toContain("Dra. Helena Prado — CRM/SP 123456");
    expect(review).not.toContain("RQE");
    expect(review).not.toMatch(/cardiologia/i);
    // The analysis ran before the approval, so its JSON-LD had no reviewer: the page's comes from the approval.
    expect(jsonLdOf(html).reviewedBy).toEqual({
      "@type": "Physician",
      name: "Dra. Helena Prado",
      identifier: { "@type": "PropertyValue", propertyID: "CRM/SP", value: "123456", name: "CRM/SP 123456" },
    });
  });

  it("drops the RQE once the reviewer's credential is no longer verified", async () => {
    await admin.query(
      "update professional_credentials set status = 'rejected' where tenant_id = $1 and crm_number = '123456'",
      [site.id],
    );
    try {
      // A fresh page (the others are cached): the English article in the same specialty.
      const html = await (await f.api("/en/posts/palpitations/")).text();
      const review = reviewOf(html);
      expect(review).toContain("Responsible physician:</strong> Dra. Helena Prado — CRM/SP 123456");
      expect(review).not.toContain("RQE");
    } finally {
      await admin.query(
        "update professional_credentials set status = 'verified' where tenant_id = $1 and crm_number = '123456'",
        [site.id],
      );
    }
  });

  it("names the technical director in the footer of every public page, in each language", async () => {
    const labels = {
      "pt-br": "Diretor técnico médico",
      en: "Medical technical director",
      es: "Director técnico médico",
    } as const;
    for (const [segment, label] of Object.entries(labels)) {
      for (const path of [`/${segment}/`, `/${segment}/search?q=ritmo`, `/${segment}/no-such-page/`]) {
        const res = await f.api(path);
        expect([200, 404]).toContain(res.status);
        expect(footerOf(await res.text()), path).toContain(`${label}:</strong> ${DIRECTOR_LINE}`);
      }
    }
    for (const path of ["/pt-br/posts/arritmias/", "/pt-br/category/cardiologia/", "/es/category/cardiologia/"]) {
      const res = await f.api(path);
      expect(res.status, path).toBeLessThan(500);
      expect(footerOf(await res.text()), path).toContain(DIRECTOR_LINE);
    }
  });
});
