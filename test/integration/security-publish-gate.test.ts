/**
 * The compliance gate: approving, scheduling and publishing need an analysis of the exact current revision
 * with no blocking findings (or a verified reviewer's audited override), the analysis runs by itself when an
 * item enters review and on every save there, and scheduled publishing checks the gate again when it is due.
 * Each attack below was possible before: an approval past blocking findings, a publish of a revision nobody
 * analysed, a scheduled item published whatever its analysis had become.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { publishDueScheduledContent } from "../../functions/services/workflow.js";
import { findingCodes, settledAnalysis } from "../support/analysis.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const CPF = "529.982.247-25";
// The reproduction: a patient's name, a valid CPF and a cure claim.
const BODY = `Relato: a paciente Maria Souza, CPF ${CPF}, procurou a clínica com cefaleia. Garantimos a cura definitiva.`;
const CLEAN = "A cefaleia tem muitas causas. Procure um médico se a dor for intensa ou persistente.";
const JUSTIFICATION = "Relato autorizado por escrito pela paciente; revisado pelo comitê de ética.";

type Item = {
  id: string;
  version: number;
  slug: string;
  state: string;
  stateReason: string | null;
  currentRevisionId: string;
};

let worker: TestWorker;
let admin: pg.Client;
let app: DatabaseClients;
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
const move = (who: string, id: string, to: string, extra: Record<string, unknown> = {}) =>
  send(who, `/api/posts/${id}/transitions`, "POST", { to, ...extra });
const code = async (res: Response) => ((await res.json()) as { code: string }).code;
const create = async (title: string, bodyMarkdown: string): Promise<Item> => {
  const res = await send("author", "/api/posts", "POST", { title, locale: "pt-BR", bodyMarkdown });
  expect(res.status).toBe(201);
  return (await res.json()) as Item;
};
const analysisOf = (id: string) => settledAnalysis(() => send("editor", `/api/posts/${id}/analysis`, "GET"));
const current = async (id: string): Promise<Item> =>
  (await (await send("editor", `/api/posts/${id}`, "GET")).json()) as Item;
/** A clean item taken to `approved` with nothing but the automatic analysis. */
const approvedClean = async (title: string): Promise<Item> => {
  const item = await create(title, CLEAN);
  expect((await move("author", item.id, "in_review")).status).toBe(200);
  expect((await move("editor", item.id, "medical_review")).status).toBe(200);
  expect((await analysisOf(item.id)).blocking).toBe(false);
  const approved = await move("reviewer", item.id, "approved");
  expect(approved.status).toBe(200);
  return (await approved.json()) as Item;
};
const transitions = async (id: string) =>
  (
    await admin.query(
      "select actor_type, details from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.transition' order by seq",
      [site.id, id],
    )
  ).rows as Array<{ actor_type: string; details: Record<string, unknown> }>;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  app = appDatabase();
  site = await seedTenant(admin, "publish-gate");
  const roster = {
    author: { roles: ["author"] as const },
    editor: { roles: ["editor"] as const },
    reviewer: { roles: ["medical_reviewer"] as const, verifiedCredential: { crm: "112233", uf: "MG" } },
  };
  for (const [name, options] of Object.entries(roster)) {
    const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
    tokens[name] = (await signIn(worker, site.hostname, user)).accessToken;
  }
});
afterAll(async () => {
  await worker?.dispose();
  await app?.pool.end();
  await admin?.end();
});

describe("the compliance gate", () => {
  it("analyses an edited revision again by itself and refuses to approve it, so the CPF never reaches the site", async () => {
    const item = await create("Relato de caso", BODY);
    const first = await send("author", `/api/posts/${item.id}/analysis`, "POST");
    expect(((await first.json()) as { blocking: boolean }).blocking).toBe(true);

    // One character of the title: a new revision, never analysed.
    const edited = await send(
      "author",
      `/api/posts/${item.id}`,
      "PATCH",
      { title: "Relato de caso." },
      {
        "if-match": `"${item.version}"`,
      },
    );
    expect(edited.status).toBe(200);
    const revisionId = ((await edited.json()) as Item).currentRevisionId;
    expect(revisionId).not.toBe(item.currentRevisionId);

    expect((await move("author", item.id, "in_review")).status).toBe(200);
    expect((await move("editor", item.id, "medical_review")).status).toBe(200);
    // Whether or not the automatic analysis has finished, the approval is refused.
    const early = await move("reviewer", item.id, "approved");
    expect(early.status).toBe(409);
    expect(["analysis_required", "publish_blocked"]).toContain(await code(early));

    const analysis = await analysisOf(item.id);
    expect(analysis).toMatchObject({ revisionId, status: "analysed", blocking: true });
    expect(findingCodes(analysis, "blocking")).toContain("pii.cpf");
    expect(findingCodes(analysis).some((c) => c.startsWith("claim."))).toBe(true);

    const approval = await move("reviewer", item.id, "approved");
    expect(approval.status).toBe(409);
    const problem = (await approval.json()) as { code: string; findings: Array<{ code: string }> };
    expect(problem.code).toBe("publish_blocked");
    expect(problem.findings.map((f) => f.code)).toContain("pii.cpf");
    expect(await code(await move("editor", item.id, "published"))).toBe("invalid_transition");

    const row = await admin.query("select state from content_items where id = $1", [item.id]);
    expect(row.rows[0].state).toBe("medical_review");
    const page = await worker.fetch(`/pt-br/posts/${item.slug}/`, { host: site.hostname });
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(CPF);
  });

  it("analyses every save made in review: a CPF added after a clean analysis blocks the approval", async () => {
    const item = await create("Cefaleia: quando procurar ajuda", CLEAN);
    expect((await move("author", item.id, "in_review")).status).toBe(200);
    const clean = await analysisOf(item.id);
    expect(clean).toMatchObject({ revisionId: item.currentRevisionId, status: "analysed", blocking: false });

    const latest = await current(item.id);
    const edited = await send(
      "editor",
      `/api/posts/${item.id}`,
      "PATCH",
      { bodyMarkdown: BODY },
      {
        "if-match": `"${latest.version}"`,
      },
    );
    expect(edited.status).toBe(200);
    const revisionId = ((await edited.json()) as Item).currentRevisionId;
    const reanalysed = await analysisOf(item.id);
    expect(reanalysed).toMatchObject({ revisionId, status: "analysed", blocking: true });

    expect((await move("editor", item.id, "medical_review")).status).toBe(200);
    expect(await code(await move("reviewer", item.id, "approved"))).toBe("publish_blocked");
    const audit = await admin.query(
      "select actor_type, details from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.analysed' order by seq",
      [site.id, item.id],
    );
    expect(audit.rows.map((r) => [r.actor_type, r.details.revisionId, r.details.automatic])).toEqual([
      ["system", item.currentRevisionId, true],
      ["system", revisionId, true],
    ]);
  });

  it("lets a verified reviewer approve past blocking findings only with a justification, audited", async () => {
    const item = await create("Relato autorizado", BODY);
    await move("author", item.id, "in_review");
    await move("editor", item.id, "medical_review");
    expect((await analysisOf(item.id)).blocking).toBe(true);
    expect((await move("reviewer", item.id, "approved", { justification: "curto" })).status).toBe(422);
    const approved = await move("reviewer", item.id, "approved", { justification: JUSTIFICATION });
    expect(approved.status).toBe(200);
    const overrides = await admin.query(
      "select details from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.publish_override'",
      [site.id, item.id],
    );
    expect(overrides.rows.map((r) => r.details.to)).toEqual(["approved"]);
    expect(overrides.rows[0].details.revisionId).toBe(item.currentRevisionId);
    // Publishing is a step of its own: the editor cannot publish past the same findings.
    expect(await code(await move("editor", item.id, "published"))).toBe("publish_blocked");
  });

  it("refuses to publish or schedule an approved revision whose analysis is missing (409 analysis_required)", async () => {
    const item = await approvedClean("Sem análise no momento de publicar");
    await admin.query("delete from content_analyses where revision_id = $1", [item.currentRevisionId]);
    const publish = await move("editor", item.id, "published");
    expect(publish.status).toBe(409);
    expect(await publish.json()).toMatchObject({ code: "analysis_required", revisionId: item.currentRevisionId });
    const schedule = await move("editor", item.id, "scheduled", {
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(await code(schedule)).toBe("analysis_required");
    expect((await admin.query("select state from content_items where id = $1", [item.id])).rows[0].state).toBe(
      "approved",
    );
  });

  it("checks the gate again when a scheduled item is due, and sends it back to review with the reason", async () => {
    const soon = () => new Date(Date.now() + 1_200).toISOString();
    // Scheduled cleanly, then edited underneath: a new current revision nobody analysed.
    const edited = await approvedClean("Agendado e depois alterado");
    expect((await move("editor", edited.id, "scheduled", { scheduledAt: soon() })).status).toBe(200);
    const patch = await send(
      "editor",
      `/api/posts/${edited.id}`,
      "PATCH",
      { bodyMarkdown: BODY },
      {
        "if-match": `"${edited.version + 1}"`,
      },
    );
    expect(await code(patch)).toBe("content_locked");
    await admin.query(
      `with r as (insert into content_revisions (tenant_id, content_id, version, author_id, snapshot)
         select tenant_id, id, version + 1, author_id, jsonb_build_object('title', title, 'bodyMarkdown', $2::text)
         from content_items where id = $1 returning id, content_id)
       update content_items c set current_revision_id = r.id, body_markdown = $2 from r where c.id = r.content_id`,
      [edited.id, BODY],
    );
    // Scheduled cleanly, then analysed again with a blocking finding (a cited paper retracted meanwhile).
    const reanalysed = await approvedClean("Agendado e depois reanalisado");
    expect((await move("editor", reanalysed.id, "scheduled", { scheduledAt: soon() })).status).toBe(200);
    await admin.query(
      `insert into content_analyses (tenant_id, revision_id, stage, output, blocking) values ($1, $2, 'scientific-refs', $3, true)`,
      [
        site.id,
        reanalysed.currentRevisionId,
        JSON.stringify({ findings: [{ code: "ref.retracted", severity: "blocking", message: "Retratado" }] }),
      ],
    );
    // Scheduled past a blocking finding by the reviewer's override: that override still covers it.
    const overridden = await create("Agendado com autorização", BODY);
    await move("author", overridden.id, "in_review");
    await move("editor", overridden.id, "medical_review");
    expect((await analysisOf(overridden.id)).blocking).toBe(true);
    expect((await move("reviewer", overridden.id, "approved", { justification: JUSTIFICATION })).status).toBe(200);
    const scheduled = await move("reviewer", overridden.id, "scheduled", {
      scheduledAt: soon(),
      justification: JUSTIFICATION,
    });
    expect(scheduled.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await publishDueScheduledContent(tenantScope(app.db, site));

    const states = await admin.query("select id, state, state_reason from content_items where id = any($1)", [
      [edited.id, reanalysed.id, overridden.id],
    ]);
    const byId = Object.fromEntries(states.rows.map((r) => [r.id, r]));
    expect(byId[edited.id]).toMatchObject({ state: "in_review" });
    expect(byId[edited.id].state_reason).toContain("no analysis");
    expect(byId[reanalysed.id]).toMatchObject({ state: "in_review" });
    expect(byId[reanalysed.id].state_reason).toContain("blocking findings");
    expect(byId[overridden.id]).toMatchObject({ state: "published" });

    const sentBack = (await transitions(reanalysed.id)).at(-1)!;
    expect(sentBack.actor_type).toBe("system");
    expect(sentBack.details).toMatchObject({
      from: "scheduled",
      to: "in_review",
      gate: "publish_blocked",
      findings: [{ stage: "scientific-refs", code: "ref.retracted" }],
    });
    expect((await transitions(edited.id)).at(-1)!.details).toMatchObject({
      to: "in_review",
      gate: "analysis_required",
    });
    for (const id of [edited.id, reanalysed.id]) {
      const page = await worker.fetch(`/pt-br/posts/${(await current(id)).slug}/`, { host: site.hostname });
      expect(page.status).toBe(404);
    }
  });

  it("sends a due item with no analysis back from the Worker's cron trigger, and analyses it again there", async () => {
    const item = await approvedClean("Agendado sem análise");
    expect(
      (await move("editor", item.id, "scheduled", { scheduledAt: new Date(Date.now() + 1_000).toISOString() })).status,
    ).toBe(200);
    await admin.query("delete from content_analyses where revision_id = $1", [item.currentRevisionId]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
    for (let i = 0; i < 40; i++) {
      const row = await admin.query("select state from content_items where id = $1", [item.id]);
      if (row.rows[0].state !== "scheduled") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await current(item.id)).state).toBe("in_review");
    // Back in review, the job's after-commit effect analysed the revision again.
    expect(await analysisOf(item.id)).toMatchObject({ revisionId: item.currentRevisionId, status: "analysed" });
  });
});
