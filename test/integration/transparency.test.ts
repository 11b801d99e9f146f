/**
 * Transparency (LGPD Art. 9, 37 and 41): the record of processing operations for compliance officers, generated
 * from the register table, the retention table and the settings; the public privacy page per locale with the
 * tenant's notice (or one generated from the register) and the DPO's contact, linked from every page's footer;
 * and saving the settings purges the cached pages that show them, here and at the CDN.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RECIPIENTS } from "../../functions/processing-register.js";
import { processingRegisterSchema } from "../../functions/shapes/processing-register.js";
import { retentionPolicies } from "../../schema/retention-policies.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { eventually, type SiteFixture, siteFixture } from "../support/site.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let site: SeededTenant;
let f: SiteFixture;
let adminToken: string;
let officerToken: string;

const dpo = { name: "Carlos Encarregado", email: "dpo@transparencia.example", phone: "+55 11 3333-5555" };
const settings = (change: Record<string, unknown> = {}) => ({
  name: "Clínica Transparência",
  logoMediaId: null,
  primaryHostname: site.hostname,
  defaultLocale: "pt-BR",
  technicalDirector: { name: "Dra. Ana Diretora", crmNumber: "123456", crmUf: "SP" },
  dpo,
  ...change,
});

function put(body: unknown): Promise<Response> {
  return worker.fetch("/api/tenant/settings", {
    host: site.hostname,
    method: "PUT",
    headers: { ...bearer(adminToken), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
const page = (path: string) => f.api(path, { redirect: "manual" });
const register = (token: string, query = "") =>
  worker.fetch(`/api/compliance/processing-register${query}`, { host: site.hostname, headers: bearer(token) });

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  site = await seedTenant(admin, "transparency");
  f = await siteFixture(admin, worker, site);
  adminToken = (await signIn(worker, site.hostname, await createUser(admin, site, { roles: ["admin"] }))).accessToken;
  officerToken = (await signIn(worker, site.hostname, await createUser(admin, site, { roles: ["compliance_officer"] })))
    .accessToken;
  expect((await put(settings())).status).toBe(200);
  await f.publish("posts", { title: "Pressão alta", slug: "pressao-alta", locale: "pt-BR" });
});

afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

describe("processing register", () => {
  it("answers compliance officers with the register, its retention equal to the retention table", async () => {
    const response = await register(officerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = processingRegisterSchema.parse(await response.json());
    expect(body.locale).toBe("pt-BR");
    expect(body.controller).toMatchObject({ name: "Clínica Transparência", primaryHostname: site.hostname, dpo });
    expect(body.controller.technicalDirector?.name).toBe("Dra. Ana Diretora");
    expect(body.activities.length).toBeGreaterThan(5);
    for (const activity of body.activities) {
      expect(activity.legalBases.length).toBeGreaterThan(0);
      for (const rule of activity.retention) {
        const policy = retentionPolicies[rule.retentionClass];
        expect(rule).toEqual({
          retentionClass: policy.retentionClass,
          minAgeDays: policy.minAgeDays,
          maxAgeDays: policy.maxAgeDays,
          measuredFrom: policy.measuredFrom,
          legalBasis: policy.legalBasis,
          action: policy.action,
        });
      }
    }
    const classes = new Set(body.activities.flatMap((activity) => activity.retention.map((r) => r.retentionClass)));
    expect([...classes]).toEqual(
      expect.arrayContaining([
        "medical_record",
        "medical_imaging",
        "access_log",
        "audit_security",
        "marketing_consent",
      ]),
    );
    // Health data is processed on an Art. 11 basis.
    const records = body.activities.find((activity) => activity.id === "patient_records")!;
    expect(records.legalBases.some((basis) => basis.startsWith("LGPD art. 11"))).toBe(true);
  });

  it("names every processor the code calls, with the configuration that points at it", async () => {
    const body = processingRegisterSchema.parse(await (await register(officerToken)).json());
    const ids = body.recipients.map((recipient) => recipient.id);
    expect(ids.sort()).toEqual(Object.keys(RECIPIENTS).sort());
    const names = body.recipients.map((recipient) => recipient.name).join(" | ");
    for (const name of ["Cloudflare", "Neon", "Upstash", "Amazon Web Services", "SMTP", "Crossref", "NCBI"]) {
      expect(names).toContain(name);
    }
    const by = (id: string) => body.recipients.find((recipient) => recipient.id === id)!.configuredBy;
    expect(by("neon")).toContain("DATABASE_URL");
    expect(by("upstash")).toContain("UPSTASH_REDIS_REST_URL");
    expect(by("aws_s3")).toContain("S3_ENDPOINT");
    expect(by("smtp_relay")).toContain("SMTP_HOST");
    expect(by("cloudflare")).toContain("CLOUDFLARE_API_BASE");
    expect(by("crossref")).toContain("REFERENCE_RESOLVER_URL");
    expect(body.internationalTransfers.map((transfer) => transfer.recipient)).toContain("cloudflare");
    expect(body.securityMeasures.length).toBeGreaterThan(3);
  });

  it("speaks the locale asked for, and refuses one it does not know", async () => {
    const english = processingRegisterSchema.parse(await (await register(adminToken, "?locale=en")).json());
    expect(english.activities.find((activity) => activity.id === "access_logs")!.title).toBe("Access logs");
    expect((await register(adminToken, "?locale=fr")).status).toBe(422);
  });

  it("refuses authors and editors, and audits every read", async () => {
    expect((await register(f.tokens.author)).status).toBe(403);
    expect((await register(f.tokens.editor)).status).toBe(403);
    const before = await admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'compliance.register_read'",
      [site.id],
    );
    expect((await register(officerToken)).status).toBe(200);
    const after = await admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'compliance.register_read'",
      [site.id],
    );
    expect(after.rows[0].n).toBe(before.rows[0].n + 1);
  });
});

/** Text as the page's JSX writes it (Hono escapes &, <, >, " and '). */
const asHtmlText = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

describe("privacy page", () => {
  it("serves a notice generated from the register in each locale, with the DPO and the data subject's rights", async () => {
    for (const [path, lang, heading] of [
      ["/pt-br/privacidade/", "pt-BR", "Seus direitos"],
      ["/en/privacy/", "en", "Your rights"],
      ["/es/privacidad/", "es", "Sus derechos"],
    ] as const) {
      const response = await page(path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).toContain(heading);
      expect(html).toContain(dpo.name);
      expect(html).toContain(`mailto:${dpo.email}`);
      // Generated from the register: its processors and the retention table's bases.
      for (const recipient of Object.values(RECIPIENTS)) expect(html).toContain(asHtmlText(recipient.name));
      expect(html).toContain("Lei 12.965/2014");
      expect(response.headers.get("cache-tag")).toBe(`tenant:${site.id}`);
    }
    const slashless = await page("/en/privacy");
    expect(slashless.status).toBe(301);
    expect(slashless.headers.get("location")).toBe("/en/privacy/");
  });

  it("is linked from the footer of the home page and of articles", async () => {
    for (const path of ["/pt-br/", "/pt-br/posts/pressao-alta/", "/en/"]) {
      const html = await (await page(path)).text();
      const href = path.startsWith("/en/") ? "/en/privacy/" : "/pt-br/privacidade/";
      expect(html, path).toMatch(new RegExp(`<footer[\\s\\S]*href="${href}"[\\s\\S]*</footer>`));
    }
  });

  it("shows the tenant's own notice through the HTML policy: script and handlers never reach the page", async () => {
    const notice = [
      "## Aviso de privacidade",
      "",
      "Tratamos seus dados com cuidado.",
      "",
      "<script>alert('xss')</script>",
      "",
      '<img src="x" onerror="alert(1)">',
      "",
      "[clique](javascript:alert(1)) e ![img](javascript:alert(2))",
    ].join("\n");
    expect((await put(settings({ privacyNotices: { "pt-BR": notice } }))).status).toBe(200);
    await eventually(async () => {
      const html = await (await page("/pt-br/privacidade/")).text();
      expect(html).toContain("Tratamos seus dados com cuidado.");
    });
    const html = await (await page("/pt-br/privacidade/")).text();
    const main = /<main[\s\S]*<\/main>/.exec(html)![0];
    expect(main).not.toMatch(/<script/i);
    expect(main).not.toMatch(/<img[^>]*onerror/i);
    expect(main).not.toMatch(/href="javascript:/i);
    expect(main).not.toMatch(/src="javascript:/i);
    expect(main).toContain("&lt;script&gt;");
    // The DPO and the rights stay, whatever the notice says; the other locales keep the generated notice.
    expect(main).toContain(dpo.name);
    expect(await (await page("/en/privacy/")).text()).toContain("Upstash");
  });

  it("validates the notices: size-limited, per known locale", async () => {
    const tooLong = put(settings({ privacyNotices: { en: "a".repeat(16_001) } }));
    expect((await tooLong).status).toBe(422);
    expect((await put(settings({ privacyNotices: { fr: "Avis" } }))).status).toBe(422);
    expect((await put(settings({ privacyNotices: { en: "a".repeat(16_000) } }))).status).toBe(200);
  });
});

describe("saving the settings purges the pages that show them", () => {
  it("drops the cached home, article and privacy pages here and purges the tenant's tag at the CDN", async () => {
    const api = worker.env.cloudflare.apiBase;
    expect((await put(settings({ privacyNotices: { "pt-BR": "Primeira versão do aviso." } }))).status).toBe(200);
    const paths = ["/pt-br/", "/pt-br/posts/pressao-alta/", "/pt-br/privacidade/"];
    await eventually(async () => {
      for (const path of paths) {
        await (await page(path)).text();
        expect((await page(path)).headers.get("x-vitalis-cache"), path).toBe("hit");
      }
      expect(await (await page("/pt-br/privacidade/")).text()).toContain("Primeira versão do aviso.");
    });

    await fetch(`${api}/__calls`, { method: "DELETE" });
    const changed = settings({
      technicalDirector: { name: "Dr. Novo Diretor", crmNumber: "654321", crmUf: "RJ" },
      privacyNotices: { "pt-BR": "Segunda versão do aviso." },
    });
    expect((await put(changed)).status).toBe(200);

    await eventually(async () => {
      for (const path of ["/pt-br/", "/pt-br/posts/pressao-alta/"]) {
        expect(await (await page(path)).text(), path).toContain("Dr. Novo Diretor");
      }
      expect(await (await page("/pt-br/privacidade/")).text()).toContain("Segunda versão do aviso.");
    });
    await eventually(async () => {
      const calls = (await (await fetch(`${api}/__calls`)).json()) as Array<{ tags: string[] }>;
      expect(calls.flatMap((call) => call.tags)).toContain(`tenant:${site.id}`);
    });
  });
});
