import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { publishDueScheduledContent } from "../../functions/services/workflow.js";
import { settledAnalysis } from "../support/analysis.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant, tenantScope } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

type Item = {
  id: string;
  version: number;
  state: string;
  reviewer: { name: string; crm: string; uf: string } | null;
  lastMedicallyReviewedAt: string | null;
  currentRevisionId: string;
};

describe("the editorial workflow", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let app: DatabaseClients;
  let site: SeededTenant;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const send = (who: string, path: string, method: string, body?: unknown) =>
    worker.fetch(path, {
      host: site.hostname,
      method,
      headers: { ...bearer(tokens[who]!), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const move = (who: string, id: string, body: Record<string, unknown>) =>
    send(who, `/api/posts/${id}/transitions`, "POST", body);
  const draft = async (who = "author"): Promise<Item> =>
    (await (
      await send(who, "/api/posts", "POST", {
        title: `Artigo ${Math.random().toString(36).slice(2)}`,
        locale: "pt-BR",
        bodyMarkdown: "Texto.",
      })
    ).json()) as Item;
  /**
   * Takes a fresh draft up to `approved` through the real API. Approval needs an analysis of the current
   * revision: entering review runs it by itself, and the reviewer waits for it as the editor screen does.
   */
  const approved = async (): Promise<Item> => {
    const item = await draft();
    expect((await move("author", item.id, { to: "in_review" })).status).toBe(200);
    expect((await move("editor", item.id, { to: "medical_review" })).status).toBe(200);
    const analysis = await settledAnalysis(() => send("reviewer", `/api/posts/${item.id}/analysis`, "GET"));
    expect(analysis).toMatchObject({ revisionId: item.currentRevisionId, status: "analysed", blocking: false });
    const res = await move("reviewer", item.id, { to: "approved" });
    expect(res.status).toBe(200);
    return (await res.json()) as Item;
  };
  const code = async (res: Response) => ((await res.json()) as { code: string }).code;

  beforeAll(async () => {
    admin = await adminClient();
    app = appDatabase();
    site = await seedTenant(admin, "workflow");
    worker = await startWorker();
    const roster = {
      author: { roles: ["author"] as const },
      author2: { roles: ["author"] as const },
      editor: { roles: ["editor"] as const },
      reviewer: {
        roles: ["medical_reviewer"] as const,
        verifiedCredential: { crm: "123456", uf: "SP" },
        name: "Dra. Helena Souza",
      },
      unverified: { roles: ["medical_reviewer"] as const },
      reviewerAuthor: {
        roles: ["medical_reviewer", "author"] as const,
        verifiedCredential: { crm: "654321", uf: "RJ" },
      },
    };
    for (const [name, options] of Object.entries(roster)) {
      const user = await createUser(admin, site, { ...options, roles: [...options.roles] });
      ids[name] = user.id;
      tokens[name] = (await signIn(worker, site.hostname, user)).accessToken;
    }
  });
  afterAll(async () => {
    await worker?.dispose();
    await app?.pool.end();
    await admin?.end();
  });

  it("walks draft → in_review → medical_review → approved → published → archived, recording the physician", async () => {
    const item = await approved();
    expect(item.state).toBe("approved");
    expect(item.reviewer).toMatchObject({ name: "Dra. Helena Souza", crm: "123456", uf: "SP" });
    expect(item.lastMedicallyReviewedAt).not.toBeNull();
    const published = await move("editor", item.id, { to: "published" });
    expect(published.status).toBe(200);
    expect(((await published.json()) as Item).state).toBe("published");
    expect((await move("editor", item.id, { to: "archived" })).status).toBe(200);
    const audit = await admin.query(
      "select details->>'from' as from_state, details->>'to' as to_state from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.transition' order by seq",
      [site.id, item.id],
    );
    expect(audit.rows.map((r) => `${r.from_state}>${r.to_state}`)).toEqual([
      "draft>in_review",
      "in_review>medical_review",
      "medical_review>approved",
      "approved>published",
      "published>archived",
    ]);
  });

  it("refuses the wrong role, other authors, skipped steps and a missing reason", async () => {
    const item = await draft();
    expect(await code(await move("author2", item.id, { to: "in_review" }))).toBe("not_found");
    expect(await code(await move("author", item.id, { to: "published" }))).toBe("invalid_transition");
    await move("author", item.id, { to: "in_review" });
    expect(await code(await move("author", item.id, { to: "medical_review" }))).toBe("transition_forbidden");
    const noReason = await move("editor", item.id, { to: "draft" });
    expect(noReason.status).toBe(422);
    const back = await move("editor", item.id, { to: "draft", reason: "Faltam referências." });
    expect(back.status).toBe(200);
    expect(((await back.json()) as { stateReason: string }).stateReason).toBe("Faltam referências.");
  });

  it("refuses approval by an unverified reviewer and by the author (four eyes)", async () => {
    const item = await draft();
    await move("author", item.id, { to: "in_review" });
    await move("editor", item.id, { to: "medical_review" });
    expect(await code(await move("unverified", item.id, { to: "approved" }))).toBe("reviewer_not_verified");
    expect(await code(await move("editor", item.id, { to: "approved" }))).toBe("transition_forbidden");

    const own = await draft("reviewerAuthor");
    await move("reviewerAuthor", own.id, { to: "in_review" });
    await move("editor", own.id, { to: "medical_review" });
    expect(await code(await move("reviewerAuthor", own.id, { to: "approved" }))).toBe("four_eyes_required");
  });

  it("locks content outside draft/in_review and checks If-Match on transitions", async () => {
    const item = await approved();
    const edit = await worker.fetch(`/api/posts/${item.id}`, {
      host: site.hostname,
      method: "PATCH",
      headers: { ...bearer(tokens.editor!), "content-type": "application/json", "if-match": `"${item.version}"` },
      body: JSON.stringify({ title: "Mudança depois da aprovação" }),
    });
    expect(await code(edit)).toBe("content_locked");
    const stale = await worker.fetch(`/api/posts/${item.id}/transitions`, {
      host: site.hostname,
      method: "POST",
      headers: { ...bearer(tokens.editor!), "content-type": "application/json", "if-match": '"1"' },
      body: JSON.stringify({ to: "published" }),
    });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: "version_conflict", currentVersion: item.version });
  });

  it("blocks publishing while the analysis has blocking findings; a medical reviewer may override with a justification", async () => {
    const item = await approved();
    await admin.query(
      `insert into content_analyses (tenant_id, revision_id, stage, output, blocking) values ($1, $2, 'medical-claims', $3, true)`,
      [
        site.id,
        item.currentRevisionId,
        JSON.stringify({
          findings: [{ code: "claim.guaranteed_result", severity: "blocking", message: "Promessa de cura" }],
        }),
      ],
    );
    const blocked = await move("editor", item.id, { to: "published" });
    expect(blocked.status).toBe(409);
    const problem = (await blocked.json()) as { code: string; findings: Array<{ code: string }> };
    expect(problem.code).toBe("publish_blocked");
    expect(problem.findings.map((f) => f.code)).toEqual(["claim.guaranteed_result"]);
    expect(
      await code(
        await move("editor", item.id, { to: "scheduled", scheduledAt: new Date(Date.now() + 3_600_000).toISOString() }),
      ),
    ).toBe("publish_blocked");
    expect((await move("reviewer", item.id, { to: "published", justification: "curto" })).status).toBe(422);
    const overridden = await move("reviewer", item.id, {
      to: "published",
      justification: "Afirmação revisada: o texto cita a meta-análise e não promete cura.",
    });
    expect(overridden.status).toBe(200);
    const audit = await admin.query(
      "select details from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.publish_override'",
      [site.id, item.id],
    );
    expect(audit.rowCount).toBe(1);
    expect(audit.rows[0].details.justification).toContain("meta-análise");
  });

  it("does not let a medical reviewer publish when nothing is blocked (override only)", async () => {
    const item = await approved();
    expect(
      await code(await move("reviewer", item.id, { to: "published", justification: "sem motivo para override aqui" })),
    ).toBe("transition_forbidden");
  });

  it("publishes scheduled items exactly once, even when two runs overlap", async () => {
    const item = await approved();
    const soon = new Date(Date.now() + 1_500).toISOString();
    const scheduled = await move("editor", item.id, { to: "scheduled", scheduledAt: soon });
    expect(scheduled.status).toBe(200);
    expect(await publishDueScheduledContent(tenantScope(app.db, site), new Date())).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const other = appDatabase();
    try {
      const counts = await Promise.all([
        publishDueScheduledContent(tenantScope(app.db, site)),
        publishDueScheduledContent(tenantScope(other.db, site)),
      ]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await other.pool.end();
    }
    const row = await admin.query("select state, published_at from content_items where id = $1", [item.id]);
    expect(row.rows[0].state).toBe("published");
    const audit = await admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and target_id = $2 and actor_type = 'system' and details->>'to' = 'published'",
      [site.id, item.id],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it("runs the publishing job from the Worker's cron trigger", async () => {
    const item = await approved();
    await move("editor", item.id, { to: "scheduled", scheduledAt: new Date(Date.now() + 1_000).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const scheduledWorker = await worker.mf.getWorker();
    await scheduledWorker.scheduled({ cron: "* * * * *" });
    // The job runs in waitUntil; give it a moment to commit.
    for (let i = 0; i < 20; i++) {
      const row = await admin.query("select state from content_items where id = $1", [item.id]);
      if (row.rows[0].state === "published") return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error("the scheduled item was not published by the cron trigger");
  });
});
