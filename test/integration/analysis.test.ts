import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

// The analysis pipeline end to end in workerd: the five bundled WASM plugins run in-isolate through Extism,
// references are resolved by the host against the local Crossref/NCBI stand-in (references.test.ts covers the
// resolver itself), every stage's
// output is stored with the revision, and the publish gate reads it.

type Finding = { code: string; severity: string; start?: number; end?: number };
type Analysis = {
  revisionId: string;
  blocking: boolean;
  stages: Array<{
    stage: string;
    blocking: boolean;
    ok: boolean;
    output: { findings: Finding[]; redacted?: string; jsonLd?: Record<string, unknown> };
  }>;
};

const CPF = "529.982.247-25";
const BODY = [
  "# Hipertensão: o que saber",
  "",
  `O paciente João Silva, CPF ${CPF}, procurou a clínica. Garantimos a cura em 100% dos casos, sem riscos.`,
  "",
  "Estudos mostram redução de 30% na pressão arterial (doi:10.1056/NEJMoa1511939).",
  "",
  "Um estudo retratado também foi citado: doi:10.1016/S0140-6736(97)11096-0.",
].join("\n");
const CLEAN = [
  "# Hipertensão: o que saber",
  "",
  "A hipertensão é comum e tem tratamento. Não prometemos cura: cada caso é avaliado em consulta.",
  "",
  "Estudos mostram redução de 30% na pressão arterial com mudanças de hábitos [1] (doi:10.1056/NEJMoa1511939).",
].join("\n");

describe("the analysis pipeline in workerd", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  const tokens: Record<string, string> = {};

  const send = (who: string, path: string, method: string, body?: unknown, headers: Record<string, string> = {}) =>
    worker.fetch(path, {
      host: site.hostname,
      method,
      headers: {
        ...bearer(tokens[who]!),
        ...headers,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    worker = await startWorker();
    admin = await adminClient();
    site = await seedTenant(admin, "analysis");
    const roster = {
      author: { roles: ["author"] as const },
      editor: { roles: ["editor"] as const },
      reviewer: {
        roles: ["medical_reviewer"] as const,
        verifiedCredential: { crm: "123456", uf: "SP" },
        name: "Dra. Helena Souza",
      },
      dermatologist: {
        roles: ["author"] as const,
        verifiedCredential: { crm: "654321", uf: "RJ", rqe: ["12345"], specialty: "Dermatologia" },
        name: "Dr. Paulo Lima",
      },
    };
    for (const [name, options] of Object.entries(roster)) {
      const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
      tokens[name] = (await signIn(worker, site.hostname, user)).accessToken;
    }
  });
  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  it("runs the five stages in order, points offsets at the text, blocks publication, and stores the results", async () => {
    const created = await send("author", "/api/posts", "POST", {
      title: "Hipertensão: o que saber",
      locale: "pt-BR",
      bodyMarkdown: BODY,
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as { id: string; version: number };

    const run = await send("author", `/api/posts/${item.id}/analysis`, "POST");
    expect(run.status).toBe(200);
    const analysis = (await run.json()) as Analysis;
    expect(analysis.stages.map((s) => s.stage)).toEqual([
      "lgpd-analyzer",
      "medical-claims",
      "scientific-refs",
      "seo-optimizer",
      "content-finalizer",
      "lgpd-analyzer:title-excerpt",
    ]);
    expect(analysis.stages.filter((s) => !s.ok).map((s) => [s.stage, s.output.findings])).toEqual([]);
    expect(analysis.blocking).toBe(true);

    const lgpd = analysis.stages[0]!.output;
    const cpf = lgpd.findings.find((f) => f.code === "pii.cpf");
    expect(cpf?.severity).toBe("blocking");
    expect(BODY.slice(cpf!.start, cpf!.end).replace(/\D/g, "")).toBe(CPF.replace(/\D/g, ""));
    expect(lgpd.redacted).not.toContain(CPF);
    expect(lgpd.findings.map((f) => f.code)).toContain("phi.patient_name");

    const claims = analysis.stages[1]!.output.findings.map((f) => f.code);
    expect(claims).toEqual(expect.arrayContaining(["claim.guarantee", "claim.no_risk"]));
    const refs = analysis.stages[2]!.output.findings;
    expect(refs.map((f) => `${f.code}:${f.severity}`)).toContain("ref.retracted:blocking");

    const stored = (await (await send("editor", `/api/posts/${item.id}/analysis`, "GET")).json()) as Analysis;
    expect(stored.revisionId).toBe(analysis.revisionId);
    expect(stored.stages).toHaveLength(6);
    const audit = await admin.query(
      "select details from audit_events where tenant_id = $1 and action = 'content.analysed'",
      [site.id],
    );
    expect(audit.rowCount).toBe(1);
    expect(JSON.stringify(audit.rows[0].details)).not.toContain(CPF);
  });

  it("lets a clean revision through the gate, with the reviewer in the published JSON-LD", async () => {
    const created = (await (
      await send("author", "/api/posts", "POST", {
        title: "Hipertensão: cuidados diários",
        locale: "pt-BR",
        bodyMarkdown: BODY,
      })
    ).json()) as { id: string };
    expect(
      ((await (await send("author", `/api/posts/${created.id}/analysis`, "POST")).json()) as Analysis).blocking,
    ).toBe(true);
    const current = (await (await send("author", `/api/posts/${created.id}`, "GET")).json()) as { version: number };
    const fixed = await send(
      "author",
      `/api/posts/${created.id}`,
      "PATCH",
      { bodyMarkdown: CLEAN },
      { "if-match": `"${current.version}"` },
    );
    expect(fixed.status).toBe(200);
    const clean = (await (await send("author", `/api/posts/${created.id}/analysis`, "POST")).json()) as Analysis;
    expect(clean.stages.filter((s) => s.blocking).map((s) => s.stage)).toEqual([]);

    const move = (who: string, to: string) => send(who, `/api/posts/${created.id}/transitions`, "POST", { to });
    expect((await move("author", "in_review")).status).toBe(200);
    expect((await move("editor", "medical_review")).status).toBe(200);
    expect((await move("reviewer", "approved")).status).toBe(200);
    const final = (await (await send("editor", `/api/posts/${created.id}/analysis`, "POST")).json()) as Analysis;
    const jsonLd = final.stages.find((s) => s.stage === "content-finalizer")!.output.jsonLd!;
    expect(jsonLd).toMatchObject({ "@type": "MedicalWebPage", reviewedBy: { name: "Dra. Helena Souza" } });
    expect((await move("editor", "published")).status).toBe(200);
  });

  it("blocks personal data in the title or summary too, which are published with the body", async () => {
    const created = await send("author", "/api/posts", "POST", {
      title: "Relato de caso",
      locale: "pt-BR",
      bodyMarkdown: CLEAN,
      excerpt: `Caso da paciente Maria Souza, CPF ${CPF}.`,
    });
    const item = (await created.json()) as { id: string };
    const analysis = (await (await send("author", `/api/posts/${item.id}/analysis`, "POST")).json()) as Analysis;
    expect(analysis.stages.find((s) => s.stage === "lgpd-analyzer")!.blocking).toBe(false);
    const metadata = analysis.stages.find((s) => s.stage === "lgpd-analyzer:title-excerpt")!;
    expect(metadata.blocking).toBe(true);
    const cpf = metadata.output.findings.find((f) => f.code === "pii.cpf")!;
    expect(cpf.start).toBeUndefined();
    expect((cpf as { message?: string }).message).toMatch(/^No título ou resumo: /);
    expect(analysis.blocking).toBe(true);
  });

  it("refuses to approve while the stored analysis blocks", async () => {
    const created = (await (
      await send("author", "/api/posts", "POST", { title: "Cura garantida", locale: "pt-BR", bodyMarkdown: BODY })
    ).json()) as { id: string };
    await send("author", `/api/posts/${created.id}/analysis`, "POST");
    const move = (who: string, to: string) => send(who, `/api/posts/${created.id}/transitions`, "POST", { to });
    await move("author", "in_review");
    await move("editor", "medical_review");
    const approval = await move("reviewer", "approved");
    expect(approval.status).toBe(409);
    expect(((await approval.json()) as { code: string }).code).toBe("publish_blocked");
  });

  it("feeds the meta title, meta description and focus keyword to seo-optimizer, and scans what is published", async () => {
    const created = await send("author", "/api/posts", "POST", {
      title: "Asma",
      locale: "pt-BR",
      metaTitle: "Asma em crianças: sinais de alerta e tratamento",
      metaDescription:
        "Saiba reconhecer os sinais de alerta da asma em crianças, como tratar as crises e quando procurar um pediatra.",
      focusKeyword: "bronquite",
      bodyMarkdown: "A asma é uma doença inflamatória das vias aéreas.\n\nO tratamento controla as crises.",
    });
    const item = (await created.json()) as { id: string; version: number };
    const before = (await (await send("editor", `/api/posts/${item.id}/analysis`, "GET")).json()) as {
      status: string;
    };
    expect(before.status).toBe("missing"); // a draft is analysed on request only
    const seoOf = async () => {
      const run = (await (await send("author", `/api/posts/${item.id}/analysis`, "POST")).json()) as Analysis & {
        status: string;
      };
      expect(run.status).toBe("analysed");
      return run.stages.find((s) => s.stage === "seo-optimizer")!.output.findings.map((f) => f.code);
    };
    const first = await seoOf();
    // The keyword is in neither the meta title nor the first paragraph; the meta title (not the four-letter
    // title) and the meta description are the ones judged, and both are of a good length.
    expect(first.filter((c) => c === "seo.keyword_missing")).toHaveLength(2);
    expect(first).not.toContain("seo.title_length");
    expect(first).not.toContain("seo.meta_description");

    const fixed = await send(
      "author",
      `/api/posts/${item.id}`,
      "PATCH",
      { focusKeyword: "asma" },
      { "if-match": `"${item.version}"` },
    );
    expect(fixed.status).toBe(200);
    expect(await seoOf()).not.toContain("seo.keyword_missing");

    // The meta description is published (the page's description): personal data there blocks too.
    const leaked = await send(
      "author",
      `/api/posts/${item.id}`,
      "PATCH",
      { metaDescription: `Relato da paciente Maria Souza, CPF ${CPF}, sobre a asma do filho.` },
      { "if-match": `"${item.version + 1}"` },
    );
    expect(leaked.status).toBe(200);
    const run = (await (await send("author", `/api/posts/${item.id}/analysis`, "POST")).json()) as Analysis;
    const metadata = run.stages.find((s) => s.stage === "lgpd-analyzer:title-excerpt")!;
    expect(metadata.blocking).toBe(true);
    expect(metadata.output.findings.map((f) => f.code)).toContain("pii.cpf");
  });

  it("warns when the text claims a specialty its author holds no RQE for (CFM 2.336/2023)", async () => {
    const text = "Sou especialista em dermatologia. Também sou especialista em cirurgia plástica.";
    const specialtyClaims = async (who: string) => {
      const created = await send(who, "/api/posts", "POST", {
        title: `Cuidados com a pele (${who})`,
        locale: "pt-BR",
        bodyMarkdown: text,
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const analysis = (await (await send(who, `/api/posts/${id}/analysis`, "POST")).json()) as Analysis;
      const claims = analysis.stages.find((s) => s.stage === "medical-claims")!.output.findings;
      return claims.filter((f) => f.code === "claim.specialty").map((f) => [text.slice(f.start, f.end), f.severity]);
    };
    // The dermatologist's verified credential lists an RQE for Dermatologia: only the other specialty is flagged.
    expect(await specialtyClaims("dermatologist")).toEqual([["especialista em cirurgia plástica", "warning"]]);
    // An author without a credential holds no RQE at all.
    expect(await specialtyClaims("author")).toEqual([
      ["especialista em dermatologia", "warning"],
      ["especialista em cirurgia plástica", "warning"],
    ]);
  });

  it("answers another tenant's item as not found", async () => {
    const other = await seedTenant(admin, "analysis-other");
    const stranger = await createUser(admin, other, { roles: ["editor"] });
    const token = (await signIn(worker, other.hostname, stranger)).accessToken;
    const mine = (await (
      await send("author", "/api/posts", "POST", { title: "Privado", locale: "pt-BR", bodyMarkdown: "Texto." })
    ).json()) as { id: string };
    const res = await worker.fetch(`/api/posts/${mine.id}/analysis`, {
      host: other.hostname,
      method: "POST",
      headers: bearer(token),
    });
    expect(res.status).toBe(404);
  });
});
