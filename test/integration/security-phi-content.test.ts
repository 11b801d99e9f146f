import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { signInWithMfa } from "../support/mfa.js";
import { startWorker, type TestWorker } from "../support/worker.js";

describe("PHI posts through the side doors", () => {
  let worker: TestWorker;
  let admin: pg.Client;
  let site: SeededTenant;
  const tokens: Record<string, string> = {};
  // The device cookie each session's browser holds (the MFA session's device is known to the trust policy).
  const devices: Record<string, string> = {};
  let phiId = "";
  let publicId = "";

  const call = async (who: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", bearer(tokens[who]!).authorization!);
    if (devices[who]) headers.set("cookie", devices[who]);
    if (init.body) headers.set("content-type", "application/json");
    return worker.fetch(path, { host: site.hostname, ...init, headers });
  };
  const phiReads = async () =>
    Number(
      (
        await admin.query<{ n: string }>(
          "select count(*) as n from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.phi_read'",
          [site.id, phiId],
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    admin = await adminClient();
    site = await seedTenant(admin, "security-phi-content");
    worker = await startWorker();
    const editor = await createUser(admin, site, { roles: ["editor"] });
    tokens.editor = (await signIn(worker, site.hostname, editor)).accessToken;
    const adminUser = await createUser(admin, site, { roles: ["admin"] });
    tokens.admin = (await signIn(worker, site.hostname, adminUser)).accessToken;
    const mfaEditor = await createUser(admin, site, { roles: ["editor"] });
    const mfaSession = await signInWithMfa(worker, site.hostname, mfaEditor);
    tokens.mfa = mfaSession.accessToken;
    devices.mfa = mfaSession.deviceCookie;
    const create = async (title: string, complianceLevel: string) => {
      const res = await call("mfa", "/api/posts", {
        method: "POST",
        body: JSON.stringify({ title, bodyMarkdown: `${title} corpo clínico`, locale: "pt-BR", complianceLevel }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    phiId = await create("Prontuario zyxquorum paciente", "phi");
    publicId = await create("Artigo zyxquorum publico", "public");
  });
  afterAll(async () => {
    await worker?.dispose();
    await admin?.end();
  });

  // What the trust policy answers at `phi` without a second factor: an admin may step up; an editor's role
  // carries credential risk at `phi`, so a password alone is refused outright.
  const refusal: Record<string, [number, string]> = {
    admin: [401, "step_up_required"],
    editor: [403, "trust_denied"],
  };
  for (const who of ["editor", "admin"]) {
    it(`a password-only ${who} finds no PHI title in search`, async () => {
      const res = await call(who, "/api/search?q=zyxquorum");
      expect(res.status).toBe(200);
      const { hits } = (await res.json()) as { hits: Array<{ id: string; title: string }> };
      expect(hits.map((hit) => hit.id)).toEqual([publicId]);
      expect(JSON.stringify(hits)).not.toContain("Prontuario");
    });

    it(`a password-only ${who} lists no PHI post`, async () => {
      for (const path of ["/api/posts", "/api/posts?q=zyxquorum", "/api/posts?complianceLevel=phi"]) {
        const res = await call(who, path);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(body).not.toContain(phiId);
        expect(body).not.toContain("Prontuario");
      }
    });

    it(`a password-only ${who} is refused a PHI post, its revisions, comparison and analysis`, async () => {
      for (const [path, method] of [
        [`/api/posts/${phiId}`, "GET"],
        [`/api/posts/${phiId}/revisions`, "GET"],
        [`/api/posts/${phiId}/revisions/compare`, "GET"],
        [`/api/posts/${phiId}/analysis`, "GET"],
        [`/api/posts/${phiId}/analysis`, "POST"],
      ] as const) {
        const res = await call(who, path, { method });
        const problem = (await res.json()) as { code: string };
        expect([res.status, problem.code], `${method} ${path}`).toEqual(refusal[who]);
        if (res.status === 401) {
          expect(res.headers.get("www-authenticate")).toContain("insufficient_user_authentication");
        }
      }
      // The public post's history stays readable with a password.
      expect((await call(who, `/api/posts/${publicId}/revisions`)).status).toBe(200);
    });
  }

  it("an MFA session finds, lists and reads the PHI post, and each read is recorded", async () => {
    const search = await call("mfa", "/api/search?q=zyxquorum");
    const { hits } = (await search.json()) as { hits: Array<{ id: string }> };
    expect(hits.map((hit) => hit.id).sort()).toEqual([phiId, publicId].sort());

    let before = await phiReads();
    const list = await call("mfa", "/api/posts?complianceLevel=phi");
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([phiId]);
    expect(await phiReads()).toBe(before + 1);

    for (const [path, method] of [
      [`/api/posts/${phiId}`, "GET"],
      [`/api/posts/${phiId}/revisions`, "GET"],
      [`/api/posts/${phiId}/revisions/compare`, "GET"],
      [`/api/posts/${phiId}/analysis`, "POST"],
      [`/api/posts/${phiId}/analysis`, "GET"],
    ] as const) {
      before = await phiReads();
      const res = await call("mfa", path, { method });
      expect(res.status, `${method} ${path}`).toBe(200);
      expect(await phiReads(), `${method} ${path}`).toBe(before + 1);
    }
    const details = await admin.query<{ details: unknown; target_type: string }>(
      "select details, target_type from audit_events where tenant_id = $1 and target_id = $2 and action = 'content.phi_read'",
      [site.id, phiId],
    );
    expect(new Set(details.rows.map((row) => JSON.stringify([row.target_type, row.details])))).toHaveProperty(
      "size",
      1,
    );
  });
});
