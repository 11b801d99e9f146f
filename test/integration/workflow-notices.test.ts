/**
 * The editorial workflow's notices, read from the mail catcher: the tenant's medical reviewers when an item enters
 * `medical_review`, the author when it is sent back (with the reason) or published, the compliance officers when an
 * override publishes past a blocking finding; a member who chose the daily digest gets them in one e-mail from the
 * daily job instead. No e-mail carries the analysed text or a `phi` item's title.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settledAnalysis } from "../support/analysis.js";
import { bearer, createUser, signIn, type TestUser } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { type CaughtMail, mailTo, waitForMail } from "../support/mail.js";
import { startWorker, type TestWorker } from "../support/worker.js";

const CPF = "529.982.247-25";
const BLOCKED = `Relato: a paciente Maria Souza, CPF ${CPF}, procurou a clínica com cefaleia.`;
const CLEAN = "A cefaleia tem muitas causas. Procure um médico se a dor for intensa ou persistente.";
const JUSTIFICATION = "Relato autorizado por escrito pela paciente; revisado pelo comitê de ética.";

type Who = "author" | "editor" | "reviewer" | "digestReviewer" | "compliance";

let worker: TestWorker;
let admin: pg.Client;
let site: SeededTenant;
const people = {} as Record<Who, TestUser>;
const tokens = {} as Record<Who, string>;

const send = (who: Who, path: string, method: string, body?: unknown) =>
  worker.fetch(path, {
    host: site.hostname,
    method,
    headers: { ...bearer(tokens[who]), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const move = async (who: Who, id: string, to: string, extra: Record<string, unknown> = {}) => {
  const res = await send(who, `/api/posts/${id}/transitions`, "POST", { to, ...extra });
  expect(res.status, `${to}: ${res.status}`).toBe(200);
};
const create = async (title: string, bodyMarkdown: string, complianceLevel = "public"): Promise<string> => {
  const res = await send("author", "/api/posts", "POST", { title, locale: "pt-BR", bodyMarkdown, complianceLevel });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};
const analysed = (id: string) => settledAnalysis(() => send("editor", `/api/posts/${id}/analysis`, "GET"));
const about = (title: string) => (mail: CaughtMail) => (mail.text ?? "").includes(title);
/** Everything a message shows a reader: subject, plain text and HTML. */
const whole = (mail: CaughtMail) => `${mail.subject}\n${mail.text ?? ""}\n${mail.html ?? ""}`;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  site = await seedTenant(admin, "notices");
  const roster: Record<Who, Parameters<typeof createUser>[2]> = {
    author: { roles: ["author"] },
    editor: { roles: ["editor"] },
    reviewer: { roles: ["medical_reviewer"], verifiedCredential: { crm: "445566", uf: "BA" } },
    digestReviewer: { roles: ["medical_reviewer"], verifiedCredential: { crm: "778899", uf: "PE" } },
    compliance: { roles: ["compliance_officer"] },
  };
  for (const [who, options] of Object.entries(roster) as Array<[Who, Parameters<typeof createUser>[2]]>) {
    people[who] = await createUser(admin, site, options);
    tokens[who] = (await signIn(worker, site.hostname, people[who])).accessToken;
  }
  // One reviewer gathers the notices in a daily digest, in English.
  const chosen = await send("digestReviewer", "/api/me/notifications", "PUT", { delivery: "digest", locale: "en" });
  expect(chosen.status).toBe(200);
});

afterAll(async () => {
  await worker?.dispose();
  await admin?.end();
});

describe("workflow notices", () => {
  it("tells the reviewers of an item awaiting review and the author when it is sent back with the reason", async () => {
    const title = `Cefaleia tensional ${crypto.randomUUID().slice(0, 8)}`;
    const id = await create(title, CLEAN);
    await move("author", id, "in_review");
    await move("editor", id, "medical_review");

    const asked = await waitForMail(people.reviewer.email, about(title));
    expect(asked.subject).toBe("Conteúdo aguardando revisão médica em Clinic notices");
    expect(asked.subject).not.toContain(title);
    expect(asked.text).toContain(`“${title}” aguarda revisão médica.`);
    expect(asked.text).toContain(`/admin/posts/${id}`);
    expect(asked.html).toContain(`href="http://${site.hostname}/admin/posts/${id}"`);

    const reason = "Faltam referências para a dose citada no segundo parágrafo.";
    await move("reviewer", id, "draft", { reason });
    const back = await waitForMail(people.author.email, about(title));
    expect(back.subject).toBe("Conteúdo devolvido para rascunho em Clinic notices");
    expect(back.text).toContain(`Motivo: ${reason}`);

    // The digest reader got nothing yet; the reviewer who acted is not told of their own act; nor is the author asked.
    expect((await mailTo(people.digestReviewer.email)).filter(about(title))).toEqual([]);
    expect((await mailTo(people.reviewer.email)).filter(about(title))).toHaveLength(1);
    expect((await mailTo(people.author.email)).filter(about(title))).toHaveLength(1);
  });

  it("tells the author when the item is published", async () => {
    const title = `Enxaqueca e sono ${crypto.randomUUID().slice(0, 8)}`;
    const id = await create(title, CLEAN);
    await move("author", id, "in_review");
    await move("editor", id, "medical_review");
    expect((await analysed(id)).blocking).toBe(false);
    await move("reviewer", id, "approved");
    await move("editor", id, "published");
    const published = await waitForMail(
      people.author.email,
      (mail) => about(title)(mail) && /publicado/.test(mail.subject),
    );
    expect(published.subject).toBe("Conteúdo publicado em Clinic notices");
    expect(published.text).toContain(`“${title}” foi publicado.`);
  });

  it("tells the compliance officers when an override publishes past a blocking finding, without the text", async () => {
    const title = `Relato de caso ${crypto.randomUUID().slice(0, 8)}`;
    const id = await create(title, BLOCKED);
    await move("author", id, "in_review");
    await move("editor", id, "medical_review");
    expect((await analysed(id)).blocking).toBe(true);
    await move("reviewer", id, "approved", { justification: JUSTIFICATION });
    // Approving past the finding publishes nothing yet: the compliance officers hear of the publishing step.
    await move("reviewer", id, "published", { justification: JUSTIFICATION });
    const notice = await waitForMail(people.compliance.email, about(title));
    expect(notice.subject).toBe("Publicação apesar de achados bloqueantes em Clinic notices");
    expect(notice.text).toMatch(/Achados: [^\n]*pii\.cpf/);
    expect(whole(notice)).not.toContain(CPF);
    expect(whole(notice)).not.toContain("Maria Souza");
    expect(whole(notice)).not.toContain(JUSTIFICATION);
    expect((await mailTo(people.compliance.email)).filter(about(title))).toHaveLength(1);
  });

  it("tells the author when the scheduled publisher publishes their item, and nobody of a refused step", async () => {
    const title = `Vacinação do adulto ${crypto.randomUUID().slice(0, 8)}`;
    const id = await create(title, CLEAN);
    await move("author", id, "in_review");
    // A refused step changes nothing and tells nobody: the notice is written by the step's own transaction.
    const refused = await send("editor", `/api/posts/${id}/transitions`, "POST", { to: "approved" });
    expect(refused.status).toBe(409);
    await move("editor", id, "medical_review");
    expect((await analysed(id)).blocking).toBe(false);
    await move("reviewer", id, "approved");
    await move("editor", id, "scheduled", { scheduledAt: new Date(Date.now() + 60 * 60_000).toISOString() });
    await admin.query("update content_items set scheduled_at = now() - interval '1 minute' where id = $1", [id]);
    await (await worker.mf.getWorker()).scheduled({ cron: "* * * * *" });
    const published = await waitForMail(
      people.author.email,
      (mail) => about(title)(mail) && /publicado/.test(mail.subject),
    );
    expect(published.text).toContain(`“${title}” foi publicado.`);
    expect((await mailTo(people.author.email)).filter(about(title))).toHaveLength(1);
  });

  it("never names a PHI item", async () => {
    const title = `Paciente João Pereira ${crypto.randomUUID().slice(0, 8)}`;
    const id = await create(title, CLEAN, "phi");
    await move("author", id, "in_review");
    await move("editor", id, "medical_review");
    const notice = await waitForMail(people.reviewer.email, (mail) => (mail.text ?? "").includes(`/admin/posts/${id}`));
    expect(notice.text).toContain("Um conteúdo restrito aguarda revisão médica.");
    expect(whole(notice)).not.toContain("João Pereira");
  });

  it("sends the digest reader one daily e-mail with everything that waited, in their language", async () => {
    const before = (await mailTo(people.digestReviewer.email)).length;
    expect(before).toBe(0);
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    const digest = await waitForMail(people.digestReviewer.email);
    expect(digest.subject).toBe("Daily editorial workflow digest at Clinic notices");
    expect(digest.text).toMatch(/\d+ notices since the last digest:/);
    expect(digest.text).toContain("is awaiting medical review.");
    expect(digest.text).toContain("A restricted item is awaiting medical review.");
    expect(whole(digest)).not.toContain("João Pereira");
    expect(whole(digest)).not.toContain(CPF);
    // Each notice is in one digest only: the next run has nothing to send.
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await mailTo(people.digestReviewer.email)).toHaveLength(1);
  });
});
