/**
 * A tenant's settings (GET/PUT /api/tenant/settings): only its admins read and change them, every field is
 * validated (CRM number and UF, hostnames of its own, a logo that is a non-PHI image of its own), and each change
 * is audited with the names of the fields that changed.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createUser, signIn } from "../support/auth.js";
import { adminClient, type SeededTenant, seedTenant } from "../support/db.js";
import { startWorker, type TestWorker } from "../support/worker.js";

let worker: TestWorker;
let admin: pg.Client;
let clinic: SeededTenant;
let other: SeededTenant;
let adminToken: string;
let editorToken: string;
let otherAdminToken: string;

const valid = () => ({
  name: "Clínica Horizonte",
  logoMediaId: null,
  primaryHostname: clinic.hostname,
  defaultLocale: "en",
  technicalDirector: {
    name: "Dra. Ana Souza",
    crmNumber: "123456",
    crmUf: "SP",
    rqe: "4321",
    phone: "+55 11 3333-4444",
  },
  dpo: { name: "Carlos Lima", email: "dpo@horizonte.example", phone: "+55 11 3333-5555" },
});

async function media(tenant: SeededTenant, values: { kind: string; retentionClass: string }): Promise<string> {
  const upload = crypto.randomUUID();
  const id = crypto.randomUUID();
  await admin.query(
    `insert into uploads (id, tenant_id, created_by, kind, filename, content_type, size, sha256, pending_key,
                          retention_class, expires_at)
     values ($1, $2, $3, $4, 'logo.png', 'image/png', 10, $5, $6, $7, now() + interval '1 hour')`,
    [upload, tenant.id, tenant.userId, values.kind, "0".repeat(64), `pending/${upload}`, values.retentionClass],
  );
  await admin.query(
    `insert into media_items (id, tenant_id, upload_id, created_by, kind, filename, content_type, size, sha256,
                              object_key, retention_class)
     values ($1, $2, $3, $4, $5, 'logo.png', 'image/png', 10, $6, $7, $8)`,
    [id, tenant.id, upload, tenant.userId, values.kind, "0".repeat(64), `media/${id}`, values.retentionClass],
  );
  return id;
}

function put(token: string, body: unknown, host = clinic.hostname): Promise<Response> {
  return worker.fetch("/api/tenant/settings", {
    host,
    method: "PUT",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  clinic = await seedTenant(admin, "settings");
  other = await seedTenant(admin, "settings-other");
  adminToken = (await signIn(worker, clinic.hostname, await createUser(admin, clinic, { roles: ["admin"] })))
    .accessToken;
  editorToken = (await signIn(worker, clinic.hostname, await createUser(admin, clinic, { roles: ["editor"] })))
    .accessToken;
  otherAdminToken = (await signIn(worker, other.hostname, await createUser(admin, other, { roles: ["admin"] })))
    .accessToken;
});

afterAll(async () => {
  await admin?.end();
  await worker?.dispose();
});

describe("tenant settings", () => {
  it("are read and replaced by the tenant's admins, audited with the fields that changed", async () => {
    const initial = await worker.fetch("/api/tenant/settings", { host: clinic.hostname, headers: bearer(adminToken) });
    expect(initial.status).toBe(200);
    expect(await initial.json()).toMatchObject({
      slug: clinic.slug,
      primaryHostname: clinic.hostname,
      defaultLocale: "pt-BR",
      technicalDirector: null,
      dpo: null,
    });

    await admin.query("insert into tenant_hostnames (hostname, tenant_id) values ($1, $2)", [
      `www.${clinic.hostname}`,
      clinic.id,
    ]);
    const logo = await media(clinic, { kind: "image", retentionClass: "general_media" });
    const saved = await put(adminToken, { ...valid(), logoMediaId: logo, primaryHostname: `www.${clinic.hostname}` });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({
      ...valid(),
      logoMediaId: logo,
      primaryHostname: `www.${clinic.hostname}`,
    });
    const again = await worker.fetch("/api/tenant/settings", { host: clinic.hostname, headers: bearer(adminToken) });
    expect(await again.json()).toMatchObject({ name: "Clínica Horizonte", defaultLocale: "en", logoMediaId: logo });
    const hosts = await admin.query(
      "select hostname from tenant_hostnames where tenant_id = $1 and is_primary order by hostname",
      [clinic.id],
    );
    expect(hosts.rows).toEqual([{ hostname: `www.${clinic.hostname}` }]);

    const audit = await admin.query(
      "select actor_type, details from audit_events where tenant_id = $1 and action = 'tenant.settings_changed'",
      [clinic.id],
    );
    expect(audit.rows).toEqual([
      {
        actor_type: "user",
        details: {
          changed: ["name", "logoMediaId", "primaryHostname", "defaultLocale", "technicalDirector", "dpo"],
        },
      },
    ]);
    // The audit names fields, never the DPO's contact or the director's registration.
    expect(JSON.stringify(audit.rows)).not.toContain("dpo@horizonte.example");
  });

  it("are refused to other roles and to unsigned requests", async () => {
    expect((await worker.fetch("/api/tenant/settings", { host: clinic.hostname })).status).toBe(401);
    expect(
      (await worker.fetch("/api/tenant/settings", { host: clinic.hostname, headers: bearer(editorToken) })).status,
    ).toBe(403);
    expect((await put(editorToken, valid())).status).toBe(403);
  });

  it.each([
    ["a CRM number with letters", { crmNumber: "12A45" }, "json.technicalDirector.crmNumber"],
    ["an unknown UF", { crmUf: "XX" }, "json.technicalDirector.crmUf"],
    ["an RQE too long", { rqe: "1234567" }, "json.technicalDirector.rqe"],
  ])("refuse %s with 422 naming the field", async (_what, change, path) => {
    const body = valid();
    const res = await put(adminToken, { ...body, technicalDirector: { ...body.technicalDirector, ...change } });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((error) => error.path)).toEqual([path]);
  });

  it("refuse unknown fields, a bad DPO e-mail and a missing field", async () => {
    const { dpo, ...rest } = valid();
    for (const [body, path] of [
      [{ ...valid(), status: "suspended" }, "json"],
      [{ ...valid(), dpo: { ...dpo, email: "not-an-address" } }, "json.dpo.email"],
      [rest, "json.dpo"],
    ] as const) {
      const res = await put(adminToken, body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual([path]);
    }
  });

  it("stay within the tenant: another tenant's hostname, media or admin are refused", async () => {
    const foreign = await put(adminToken, { ...valid(), primaryHostname: other.hostname });
    expect(foreign.status).toBe(422);
    expect(await foreign.json()).toMatchObject({ code: "unknown_hostname" });

    const otherLogo = await media(other, { kind: "image", retentionClass: "general_media" });
    const foreignLogo = await put(adminToken, { ...valid(), logoMediaId: otherLogo });
    expect(foreignLogo.status).toBe(422);
    expect(await foreignLogo.json()).toMatchObject({ code: "invalid_logo" });

    // Another tenant's admin token on this tenant's host is not a session here.
    expect((await put(otherAdminToken, valid())).status).toBe(401);
    const untouched = await admin.query("select name from tenants where id = $1", [other.id]);
    expect(untouched.rows).toEqual([{ name: "Clinic settings-other" }]);
  });

  it("refuse a logo that is health data", async () => {
    const scan = await media(clinic, { kind: "image", retentionClass: "medical_record" });
    const res = await put(adminToken, { ...valid(), logoMediaId: scan });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: "invalid_logo" });
  });
});
