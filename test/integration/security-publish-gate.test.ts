/**
 * The publish gate reads the analysis of the revision being approved or published, never an earlier one:
 * analysing (a CPF in the body blocks), then editing one character of the title, must not let the post be
 * approved and published with the CPF on the public page.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const CPF = "529.982.247-25";
const BODY = `Relato: a paciente Maria Souza, CPF ${CPF}, procurou a clínica com cefaleia.`;

type Item = { id: string; version: number; slug: string; state: string; currentRevisionId: string };

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
const move = (who: string, id: string, to: string) => send(who, `/api/posts/${id}/transitions`, "POST", { to });
const code = async (res: Response) => ((await res.json()) as { code: string }).code;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
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
  await admin?.end();
});

describe("the publish gate", () => {
  it("refuses to approve or publish a revision edited after its analysis, so the CPF never reaches the site", async () => {
    const created = await send("author", "/api/posts", "POST", {
      title: "Relato de caso",
      locale: "pt-BR",
      bodyMarkdown: BODY,
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as Item;
    const analysis = await send("author", `/api/posts/${item.id}/analysis`, "POST");
    expect(((await analysis.json()) as { blocking: boolean }).blocking).toBe(true);

    // One character of the title: a new revision that was never analysed.
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
    expect(((await edited.json()) as Item).currentRevisionId).not.toBe(item.currentRevisionId);

    expect((await move("author", item.id, "in_review")).status).toBe(200);
    expect((await move("editor", item.id, "medical_review")).status).toBe(200);
    const approval = await move("reviewer", item.id, "approved");
    expect(approval.status).toBe(409);
    expect(await code(approval)).toBe("analysis_required");

    // Analysed again, the current revision blocks on the CPF as the first one did.
    await send("editor", `/api/posts/${item.id}/analysis`, "POST");
    expect((await move("reviewer", item.id, "approved")).status).toBe(200);
    const publish = await move("editor", item.id, "published");
    expect(publish.status).toBe(409);
    const problem = (await publish.json()) as { code: string; findings: Array<{ code: string }> };
    expect(problem.code).toBe("publish_blocked");
    expect(problem.findings.map((f) => f.code)).toContain("pii.cpf");

    const row = await admin.query("select state from content_items where id = $1", [item.id]);
    expect(row.rows[0].state).toBe("approved");
    const page = await worker.fetch(`/pt-br/posts/${item.slug}/`, { host: site.hostname });
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(CPF);
  });

  it("refuses to publish an approved revision whose analysis is missing", async () => {
    // An item approved before the gate required an analysis (or whose analyses were lost) is not published blind.
    const created = (await (
      await send("author", "/api/posts", "POST", { title: "Sem análise", locale: "pt-BR", bodyMarkdown: BODY })
    ).json()) as Item;
    await send("author", `/api/posts/${created.id}/analysis`, "POST");
    expect((await move("author", created.id, "in_review")).status).toBe(200);
    expect((await move("editor", created.id, "medical_review")).status).toBe(200);
    expect((await move("reviewer", created.id, "approved")).status).toBe(200);
    await admin.query("delete from content_analyses where revision_id = $1", [created.currentRevisionId]);
    const publish = await move("editor", created.id, "published");
    expect(publish.status).toBe(409);
    expect(await code(publish)).toBe("analysis_required");
  });
});
