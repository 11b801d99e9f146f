import { Redis } from "ioredis";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceApis, type ReferenceApis } from "../../local-cloud/index.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { mailTo, waitForMail } from "../support/mail.js";
import { startWorker, type TestWorker } from "../support/worker.js";

// Cited identifiers checked for real, in workerd, against the local stand-in for Crossref and NCBI E-utilities
// (local-cloud/reference-apis.ts, fixtures in the registries' formats): found, retracted (blocking, the gate
// refuses), unknown (warning), a registry down (not verified, then the breaker stops asking), the Redis cache,
// and the daily re-check that e-mails the medical reviewer when a cited paper is retracted after publication.

type Finding = { code: string; severity: string; message: string };
type Reference = {
  type: string;
  id: string;
  resolution?: { found: boolean; verified?: boolean; title?: string; journal?: string; year?: number; type?: string };
};
type Analysis = {
  blocking: boolean;
  stages: Array<{ stage: string; blocking: boolean; output: { findings: Finding[]; references?: Reference[] } }>;
};

const WAKEFIELD_DOI = "10.1016/S0140-6736(97)11096-0";
const WAKEFIELD_PMID = "9500320";
const SPRINT_DOI = "10.1056/NEJMoa1511939";
const SPRINT_PMID = "26551272";
const SPRINT_PMCID = "PMC4689591";
const SCIELO_DOI = "10.1590/vitalis-fixture-0001";
const NO_SUCH_DOI = "10.1000/vitalis.no-such-doi";
const unique = () => Math.random().toString(36).slice(2, 10);
const generatedDoi = () => `10.5555/generated-${unique()}`;
/** A PMID no other test cites: an 8-digit number starting with 9 (uncached, unknown to the fixtures). */
const uncachedPmid = () => `9${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

const refsOf = (analysis: Analysis) => analysis.stages.find((stage) => stage.stage === "scientific-refs")!.output;
const codes = (analysis: Analysis) => refsOf(analysis).findings.map((f) => `${f.code}:${f.severity}`);

describe("references resolved against Crossref and NCBI (local stand-in)", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  const tokens: Record<string, string> = {};
  let reviewer: TestUser;
  let tenantName: string;

  const send = (w: TestWorker, who: string, path: string, method: string, body?: unknown) =>
    w.fetch(path, {
      host: site.hostname,
      method,
      headers: { ...bearer(tokens[who]!), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const analyse = async (w: TestWorker, bodyMarkdown: string, locale = "en"): Promise<{ id: string } & Analysis> => {
    const created = await send(w, "author", "/api/posts", "POST", {
      title: `References ${unique()}`,
      locale,
      bodyMarkdown,
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const run = await send(w, "author", `/api/posts/${id}/analysis`, "POST");
    expect(run.status).toBe(200);
    return { id, ...((await run.json()) as Analysis) };
  };

  beforeAll(async () => {
    worker = await startWorker();
    admin = await adminClient();
    site = await seedTenant(admin, "references");
    tenantName = (await admin.query<{ name: string }>("select name from tenants where id = $1", [site.id])).rows[0]!
      .name;
    const roster = {
      author: { roles: ["author"] as const },
      editor: { roles: ["editor"] as const },
      reviewer: {
        roles: ["medical_reviewer"] as const,
        verifiedCredential: { crm: "654321", uf: "RJ" },
        name: "Dr. Paulo Lima",
      },
    };
    for (const [name, options] of Object.entries(roster)) {
      const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
      if (name === "reviewer") reviewer = user;
      tokens[name] = (await signIn(worker, site.hostname, user)).accessToken;
    }
  });
  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("records title, journal, year and type of DOIs, PMIDs, PMCIDs and SciELO DOIs that exist", async () => {
    const analysis = await analyse(
      worker,
      [
        "Intensive blood-pressure control reduced cardiovascular events (SPRINT).",
        "",
        `doi:${SPRINT_DOI} · PMID: ${SPRINT_PMID} · ${SPRINT_PMCID} · doi:${SCIELO_DOI}`,
      ].join("\n"),
    );
    expect(
      codes(analysis).filter((code) => code.startsWith("ref.") && code !== "ref.unsupported_claim:warning"),
    ).toEqual([]);
    const byId = new Map(refsOf(analysis).references!.map((ref) => [ref.id, ref.resolution]));
    expect(byId.get(SPRINT_DOI)).toMatchObject({
      found: true,
      title: "A Randomized Trial of Intensive versus Standard Blood-Pressure Control",
      journal: "New England Journal of Medicine",
      year: 2015,
      type: "journal-article",
    });
    expect(byId.get(SPRINT_PMID)).toMatchObject({
      found: true,
      journal: "The New England journal of medicine",
      year: 2015,
      type: "Journal Article",
    });
    expect(byId.get(SPRINT_PMCID)).toMatchObject({ found: true, year: 2015, retracted: false });
    expect(byId.get(SCIELO_DOI)).toMatchObject({ found: true, journal: "Revista de Saúde Pública", year: 2021 });
  });

  it("blocks a retracted paper (PubMed's publication type, Crossref's retraction) and the gate refuses it", async () => {
    const analysis = await analyse(
      worker,
      `A vaccine was linked to autism (Wakefield et al., 1998; doi:${WAKEFIELD_DOI}; PMID: ${WAKEFIELD_PMID}).`,
      "pt-BR",
    );
    expect(analysis.blocking).toBe(true);
    const retracted = refsOf(analysis).findings.filter((f) => f.code === "ref.retracted");
    expect(retracted.map((f) => f.severity)).toEqual(["blocking", "blocking"]);
    expect(retracted[0]!.message).toContain("Ileal-lymphoid-nodular hyperplasia");

    const move = (who: string, to: string) =>
      send(worker, who, `/api/posts/${analysis.id}/transitions`, "POST", { to });
    expect((await move("author", "in_review")).status).toBe(200);
    expect((await move("editor", "medical_review")).status).toBe(200);
    const approve = await move("reviewer", "approved");
    expect(approve.status).toBe(409);
    const problem = (await approve.json()) as { code: string; findings?: Array<{ code: string }> };
    expect(problem.code).toBe("publish_blocked");
    expect(problem.findings?.map((f) => f.code)).toContain("ref.retracted");
  });

  it("warns about identifiers neither registry knows, without blocking", async () => {
    const analysis = await analyse(worker, `See doi:${NO_SUCH_DOI} and PMID: 99999999.`);
    expect(codes(analysis)).toEqual(expect.arrayContaining(["ref.unresolved:warning", "ref.unresolved:warning"]));
    expect(codes(analysis).filter((code) => code.startsWith("ref.unresolved"))).toHaveLength(2);
    expect(refsOf(analysis).findings.some((f) => f.severity === "blocking")).toBe(false);
  });

  describe("against a stand-in of its own", () => {
    let apis: ReferenceApis;
    let own: TestWorker;

    beforeAll(async () => {
      apis = await startReferenceApis();
      own = await startWorker({ REFERENCE_RESOLVER_URL: apis.url, NCBI_API_KEY: "0123456789abcdef0123" });
    });
    afterAll(async () => {
      await own?.dispose();
      await apis?.close();
    });

    it("names itself to both registries and keeps the API key out of the URL", async () => {
      await analyse(own, `PMID: ${uncachedPmid()} and doi:${generatedDoi()}`);
      expect(apis.lastCrossrefUserAgent).toContain("mailto:references@vitalis.test");
      expect(apis.lastEsummary?.get("tool")).toBe("vitalis");
      expect(apis.lastEsummary?.get("email")).toBe("references@vitalis.test");
      expect(apis.lastEsummary?.get("api_key")).toBe("0123456789abcdef0123");
    });

    it("answers a second analysis of the same identifiers from the Redis cache", async () => {
      const doi = generatedDoi();
      const first = await analyse(own, `See doi:${doi}.`);
      expect(refsOf(first).references![0]!.resolution).toMatchObject({ found: true, type: "journal-article" });
      const asked = apis.requests.crossref;
      const second = await analyse(own, `Again doi:${doi}.`);
      expect(apis.requests.crossref).toBe(asked);
      expect(refsOf(second).references![0]!.resolution).toMatchObject({ found: true, type: "journal-article" });
    });

    it("says 'not verified' while a registry is down, and stops asking it once its breaker opens", async () => {
      apis.setDown(true);
      try {
        for (let attempt = 1; attempt <= 3; attempt++) {
          const before = { ...apis.requests };
          const analysis = await analyse(own, `Cited: doi:${generatedDoi()} and PMID: ${uncachedPmid()}.`);
          expect(apis.requests.crossref).toBe(before.crossref + 1);
          expect(apis.requests.esummary).toBe(before.esummary + 1);
          expect(codes(analysis)).toEqual(["ref.unverified:warning", "ref.unverified:warning"]);
          expect(analysis.blocking).toBe(false);
        }
        // Three failures in a row: both breakers are open, and the next save does not wait on either registry.
        const before = { ...apis.requests };
        const analysis = await analyse(own, `Cited: doi:${generatedDoi()} and PMID: ${uncachedPmid()}.`);
        expect(apis.requests).toEqual(before);
        expect(codes(analysis)).toEqual(["ref.unverified:warning", "ref.unverified:warning"]);
        expect(refsOf(analysis).findings[0]!.message).toMatch(/not verified/);
      } finally {
        apis.setDown(false);
      }
    });

    it("asks again once the breaker's minute is over: one failure reopens it, one answer closes it", async () => {
      // The previous test left both breakers open with three failures remembered. The minute passes:
      const redis = new Redis(own.env.redisUrl);
      const host = new URL(apis.url).host;
      const expire = () => redis.del(`vitalis:ref-breaker:crossref:${host}:open`);
      try {
        await expire();
        apis.setDown(true);
        const before = apis.requests.crossref;
        expect(codes(await analyse(own, `doi:${generatedDoi()}`))).toEqual(["ref.unverified:warning"]);
        expect(apis.requests.crossref).toBe(before + 1);
        // That single failed trial reopened it: the next analysis does not ask.
        expect(codes(await analyse(own, `doi:${generatedDoi()}`))).toEqual(["ref.unverified:warning"]);
        expect(apis.requests.crossref).toBe(before + 1);

        apis.setDown(false);
        await expire();
        const found = await analyse(own, `doi:${generatedDoi()}`);
        expect(codes(found)).toEqual([]);
        expect(refsOf(found).references![0]!.resolution).toMatchObject({ found: true });
        expect(await redis.exists(`vitalis:ref-breaker:crossref:${host}:failures`)).toBe(0);
      } finally {
        apis.setDown(false);
        redis.disconnect();
      }
    });
  });

  describe("the daily re-check of published items", () => {
    let apis: ReferenceApis;
    let own: TestWorker;

    beforeAll(async () => {
      apis = await startReferenceApis();
      own = await startWorker({ REFERENCE_RESOLVER_URL: apis.url });
    });
    afterAll(async () => {
      await own?.dispose();
      await apis?.close();
    });

    it("e-mails the medical reviewer once when a cited paper is retracted after publication, and audits it", async () => {
      const doi = generatedDoi();
      const title = `Controle da pressão ${unique()}`;
      const created = await send(own, "author", "/api/posts", "POST", {
        title,
        locale: "pt-BR",
        bodyMarkdown: `A hipertensão tem tratamento; veja a revisão em doi:${doi}.`,
      });
      const { id } = (await created.json()) as { id: string };
      expect(
        ((await (await send(own, "author", `/api/posts/${id}/analysis`, "POST")).json()) as Analysis).blocking,
      ).toBe(false);
      const move = (who: string, to: string) => send(own, who, `/api/posts/${id}/transitions`, "POST", { to });
      expect((await move("author", "in_review")).status).toBe(200);
      expect((await move("editor", "medical_review")).status).toBe(200);
      expect((await move("reviewer", "approved")).status).toBe(200);
      expect((await send(own, "editor", `/api/posts/${id}/analysis`, "POST")).status).toBe(200);
      expect((await move("editor", "published")).status).toBe(200);

      // Nothing is retracted yet: the re-check finds nothing to report.
      const recheck = async () => (await own.mf.getWorker()).scheduled({ cron: "15 4 * * *" });
      // (The reviewer has other mail by now: the item entering medical review, for one.)
      const notices = async () =>
        (await mailTo(reviewer.email)).filter((m) => m.subject.includes("Referência retratada"));
      await recheck();
      expect(await notices()).toEqual([]);

      apis.retract(doi);
      await recheck();
      const mail = await waitForMail(reviewer.email, (m) => m.subject.includes("Referência retratada"));
      expect(mail.subject).toBe(`Referência retratada em um artigo publicado em ${tenantName}`);
      expect(mail.text).toContain(title);
      expect(mail.text).toContain(doi);
      expect(mail.text).toContain(`https://${site.hostname}/admin/`);

      await recheck();
      expect(await notices()).toHaveLength(1);
      const audit = await admin.query<{ details: { reference: string } }>(
        "select details from audit_events where tenant_id = $1 and action = 'content.reference_retracted'",
        [site.id],
      );
      expect(audit.rows.map((row) => row.details.reference)).toEqual([doi]);
      const queued = await admin.query(
        "select 1 from outbox where tenant_id = $1 and template = 'reference-retracted'",
        [site.id],
      );
      expect(queued.rowCount).toBe(1);
    });
  });
});
