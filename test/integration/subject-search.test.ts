/**
 * `GET /api/privacy/subjects?name=…|cpf=…`: finding a data subject instead of pasting their id. A CPF is matched
 * by the salted hash registration stores (never kept, logged or audited as typed); the search is for the privacy
 * roles at PHI-level trust, audited as `data_subject.searched`, and sees only this tenant's people.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpfHash } from "../../functions/services/privacy/subjects.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { type SeededTenant, seedTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startSuite, stopSuite, type Suite } from "../support/suite.js";

// Valid CPFs (check digits right), used only in tests.
const CPF = "529.982.247-25";
const CPF_DIGITS = "52998224725";
const OTHER_CPF = "111.444.777-35";

interface Match {
  id: string;
  displayName: string | null;
  email: string | null;
  blocked: boolean;
  anonymised: boolean;
}

let suite: Suite;
let other: SeededTenant;
const tokens: Record<string, string> = {};
let joaoId: string;

async function search(
  who: string,
  query: string,
): Promise<{ status: number; body: { subjects: Match[]; code?: string } }> {
  const res = await suite.worker.fetch(`/api/privacy/subjects?${query}`, {
    host: suite.tenant.hostname,
    headers: bearer(tokens[who]!),
  });
  return { status: res.status, body: (await res.json()) as { subjects: Match[]; code?: string } };
}

async function auditText(tenantId: string): Promise<string> {
  const rows = await suite.admin.query("select * from audit_events where tenant_id = $1", [tenantId]);
  return JSON.stringify(rows.rows);
}

beforeAll(async () => {
  suite = await startSuite("subject-search");
  const { admin, tenant, worker } = suite;
  other = await seedTenant(admin, "subject-search-other");
  for (const role of ["compliance_officer", "medical_reviewer", "editor"] as const) {
    const user = await createUser(admin, tenant, { roles: [role] });
    tokens[role] = (await signInWithMfa(worker, tenant.hostname, user)).accessToken;
  }
  tokens.passwordOnlyOfficer = (
    await signIn(worker, tenant.hostname, await createUser(admin, tenant, { roles: ["compliance_officer"] }))
  ).accessToken;
  // Registered the way the product does it: the CPF goes in once and only its hash is stored.
  const registered = await worker.fetch("/api/privacy/subjects", {
    host: tenant.hostname,
    ...jsonPost(
      { cpf: CPF, email: "joao@example.test", displayName: "João da Silva" },
      bearer(tokens.compliance_officer!),
    ),
  });
  expect(registered.status).toBe(200);
  joaoId = ((await registered.json()) as { id: string }).id;
  await admin.query("insert into data_subjects (tenant_id, email, display_name) values ($1, $2, $3), ($1, $4, $5)", [
    tenant.id,
    "maria@example.test",
    "Maria Joana Prado",
    "percent@example.test",
    "100% Saúde",
  ]);
  // Another clinic's patient, with the same CPF and the same name.
  await admin.query("insert into data_subjects (tenant_id, email, cpf_hash, display_name) values ($1, $2, $3, $4)", [
    other.id,
    "joao@other.test",
    await cpfHash(other.id, CPF),
    "João da Silva",
  ]);
});
afterAll(async () => {
  await stopSuite(suite ?? {});
});

describe("finding a data subject", () => {
  it("finds a subject by CPF, however it is punctuated, through the hash registration stored", async () => {
    const stored = await suite.admin.query<{ cpf_hash: string }>("select cpf_hash from data_subjects where id = $1", [
      joaoId,
    ]);
    expect(stored.rows[0]!.cpf_hash).toBe(await cpfHash(suite.tenant.id, CPF_DIGITS));
    for (const typed of [CPF, CPF_DIGITS]) {
      const { status, body } = await search("compliance_officer", `cpf=${encodeURIComponent(typed)}`);
      expect(status).toBe(200);
      expect(body.subjects.map((subject) => subject.id)).toEqual([joaoId]);
      expect(body.subjects[0]).toMatchObject({ displayName: "João da Silva", email: "joao@example.test" });
      expect(JSON.stringify(body)).not.toContain(CPF_DIGITS);
    }
    expect((await search("compliance_officer", `cpf=${encodeURIComponent(OTHER_CPF)}`)).body.subjects).toEqual([]);
  });

  it("finds subjects by part of the name, ignoring case and accents, with % and _ as plain characters", async () => {
    const joao = await search("medical_reviewer", "name=joao");
    expect(joao.status).toBe(200);
    expect(joao.body.subjects.map((subject) => subject.displayName)).toEqual(["João da Silva"]);
    expect((await search("medical_reviewer", "name=JOA")).body.subjects.map((s) => s.displayName)).toEqual([
      "João da Silva",
      "Maria Joana Prado",
    ]);
    expect((await search("medical_reviewer", `name=${encodeURIComponent("0%")}`)).body.subjects).toHaveLength(1);
    expect((await search("medical_reviewer", `name=${encodeURIComponent("%%")}`)).body.subjects).toEqual([]);
    expect((await search("medical_reviewer", "name=__")).body.subjects).toEqual([]);
  });

  it("sees only this tenant's subjects", async () => {
    const byName = await search("compliance_officer", "name=silva");
    expect(byName.body.subjects.map((subject) => subject.id)).toEqual([joaoId]);
    const byCpf = await search("compliance_officer", `cpf=${CPF_DIGITS}`);
    expect(byCpf.body.subjects.map((subject) => subject.id)).toEqual([joaoId]);
  });

  it("refuses an invalid CPF, both or neither parameter, and unknown ones, naming no value", async () => {
    const invalid = await search("compliance_officer", "cpf=52998224724");
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe("cpf_invalid");
    for (const query of ["", `name=joao&cpf=${CPF_DIGITS}`, "email=joao@example.test", "name=j", "cpf=123"]) {
      const refused = await search("compliance_officer", query);
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).not.toContain("joao");
    }
  });

  it("is for compliance officers, admins and medical reviewers, at PHI-level trust", async () => {
    const editor = await search("editor", "name=joao");
    expect(editor.status).toBe(403);
    expect(editor.body.code).toBe("forbidden_role");
    const stolenPassword = await search("passwordOnlyOfficer", "name=joao");
    expect(stolenPassword.status).toBe(401);
    expect(stolenPassword.body.code).toBe("step_up_required");
  });

  it("audits each search with how it searched and whom it found, never the CPF or name typed", async () => {
    const before = await suite.admin.query<{ n: string }>(
      "select count(*) as n from audit_events where tenant_id = $1 and action = 'data_subject.searched'",
      [suite.tenant.id],
    );
    await search("compliance_officer", `cpf=${encodeURIComponent(CPF)}`);
    await search("compliance_officer", "name=Joana");
    const events = await suite.admin.query<{ details: Record<string, unknown>; actor_id: string | null }>(
      "select details, actor_id from audit_events where tenant_id = $1 and action = 'data_subject.searched' order by seq",
      [suite.tenant.id],
    );
    const added = events.rows.slice(Number(before.rows[0]!.n));
    expect(added.map((row) => row.details)).toEqual([
      { by: "cpf", subjectIds: [joaoId] },
      { by: "name", subjectIds: [expect.any(String)] },
    ]);
    const audit = await auditText(suite.tenant.id);
    expect(audit).not.toContain(CPF_DIGITS);
    expect(audit).not.toContain(CPF);
    expect(audit).not.toContain("Joana");
  });
});
