import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant, type DatabaseClients } from "../../functions/lib/db.js";
import { appendAudit } from "../../functions/services/audit.js";
import { verifyCheckpoint } from "../../functions/services/audit-checkpoints.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { signInWithMfa } from "../support/mfa.js";
import { adminClient, appDatabase, type SeededTenant, seedTenant } from "../support/db.js";
import { s3Environment, startWorker, type TestWorker } from "../support/worker.js";

const run = promisify(execFile);
let worker: TestWorker;
let admin: pg.Client;
let app: DatabaseClients;

beforeAll(async () => {
  worker = await startWorker();
  admin = await adminClient();
  app = appDatabase();
});
afterAll(async () => {
  await app?.pool.end();
  await admin?.end();
  await worker?.dispose();
});

/** Audit reads need PHI-level trust: a compliance officer signed in with a second factor. */
async function officerToken(tenant: SeededTenant): Promise<string> {
  const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
  return (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
}

async function events(tenant: SeededTenant, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await withTenant(app.db, tenant.id, (tx) =>
      appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "test.event", details: { i } }),
    );
  }
}

async function cli(slug: string): Promise<{ code: number; out: Record<string, unknown> }> {
  try {
    const { stdout } = await run("npx", ["tsx", "scripts/audit-verify.ts", "--tenant", slug], {
      env: {
        ...process.env,
        ...s3Environment(worker.env),
        DATABASE_URL: worker.env.adminDatabaseUrl,
        AUDIT_SIGNING_ED25519_JWK: worker.env.audit.ed25519Jwk,
        AUDIT_SIGNING_MLDSA_SEED: worker.env.audit.mldsaSeed,
        AUDIT_RETIRED_KEY_FINGERPRINTS: worker.env.audit.retiredFingerprints,
      },
    });
    return { code: 0, out: JSON.parse(stdout) as Record<string, unknown> };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: JSON.parse(failed.stdout) as Record<string, unknown> };
  }
}

describe("the audit API", () => {
  it("lists events with filters and cursor pagination, for compliance officers only", async () => {
    const tenant = await seedTenant(admin, "auditapi");
    await events(tenant, 7);
    const token = await officerToken(tenant);
    const first = await worker.fetch("/api/audit/events?action=test.event&limit=3", {
      host: tenant.hostname,
      headers: bearer(token),
    });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { events: Array<{ seq: number; action: string }>; nextCursor: number };
    expect(page1.events.map((e) => e.seq)).toEqual([7, 6, 5]);
    const second = await worker.fetch(`/api/audit/events?action=test.event&limit=3&cursor=${page1.nextCursor}`, {
      host: tenant.hostname,
      headers: bearer(token),
    });
    const page2 = (await second.json()) as { events: Array<{ seq: number }>; nextCursor: number | null };
    expect(page2.events.map((e) => e.seq)).toEqual([4, 3, 2]);
    expect(
      (await worker.fetch("/api/audit/events?sort=desc", { host: tenant.hostname, headers: bearer(token) })).status,
    ).toBe(422);
    const editor = await createUser(admin, tenant, { roles: ["editor"] });
    const editorToken = (await signIn(worker, tenant.hostname, editor)).accessToken;
    expect(
      (await worker.fetch("/api/audit/events", { host: tenant.hostname, headers: bearer(editorToken) })).status,
    ).toBe(403);
  });

  it("signs checkpoints that verify offline with the public keys, and catches a rewritten chain", async () => {
    const tenant = await seedTenant(admin, "checkpoint");
    await events(tenant, 4);
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    const token = await officerToken(tenant);
    const res = await worker.fetch("/api/audit/checkpoints", { host: tenant.hostname, headers: bearer(token) });
    const { checkpoints } = (await res.json()) as {
      checkpoints: Array<{
        seq: number;
        headHash: string;
        payload: string;
        ed25519: Record<string, string>;
        mlDsa65: Record<string, string>;
      }>;
    };
    expect(checkpoints).toHaveLength(1);
    const cp = checkpoints[0]!;
    const stored = await admin.query("select seq, hash from audit_events where tenant_id = $1 and seq = $2", [
      tenant.id,
      cp.seq,
    ]);
    expect(stored.rows[0].hash).toBe(cp.headHash);
    // Offline: nothing but the exported checkpoint and the fingerprints we trust (from the key ceremony).
    const { createHash } = await import("node:crypto");
    const fingerprint = (b64url: string) => createHash("sha256").update(Buffer.from(b64url, "base64url")).digest("hex");
    const trusted = new Set([fingerprint(cp.ed25519.publicKey!), fingerprint(cp.mlDsa65.publicKey!)]);
    const exported = {
      tenantId: tenant.id,
      seq: cp.seq,
      headHash: cp.headHash,
      payload: cp.payload,
      ed25519Signature: cp.ed25519.signature!,
      ed25519PublicKey: cp.ed25519.publicKey!,
      ed25519KeyFingerprint: cp.ed25519.fingerprint!,
      mldsaSignature: cp.mlDsa65.signature!,
      mldsaPublicKey: cp.mlDsa65.publicKey!,
      mldsaKeyFingerprint: cp.mlDsa65.fingerprint!,
    };
    expect(await verifyCheckpoint(exported, trusted)).toMatchObject({
      ok: true,
      ed25519: true,
      mldsa65: true,
      trustedKeys: true,
    });
    const forged = { ...exported, payload: exported.payload.replace(cp.headHash, "f".repeat(64)) };
    expect(await verifyCheckpoint(forged, trusted)).toMatchObject({ ok: false, ed25519: false, mldsa65: false });
    expect(await verifyCheckpoint(exported, new Set(["0".repeat(64)]))).toMatchObject({
      ok: false,
      trustedKeys: false,
    });
    // Change the signed event's hash behind the triggers' back: the checkpoint names it.
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query("update audit_events set hash = repeat('a', 64) where tenant_id = $1 and seq = $2", [
        tenant.id,
        cp.seq,
      ]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    const verify = await worker.fetch("/api/audit/verify", { host: tenant.hostname, headers: bearer(token) });
    const body = (await verify.json()) as {
      ok: boolean;
      chain: { ok: boolean; brokenAt: number };
      checkpoints: { ok: boolean; failure: { seq: number; reason: string } };
    };
    expect(body.ok).toBe(false);
    expect(body.checkpoints.failure).toMatchObject({ seq: cp.seq, reason: "head_mismatch" });
  });

  it("names the first broken link, through the API and the CLI", async () => {
    const tenant = await seedTenant(admin, "tamper");
    await events(tenant, 5);
    const token = await officerToken(tenant);
    const intact = await worker.fetch("/api/audit/verify", { host: tenant.hostname, headers: bearer(token) });
    expect(await intact.json()).toMatchObject({ ok: true, chain: { ok: true } });
    expect(await cli(tenant.slug)).toMatchObject({ code: 0, out: { ok: true } });

    await admin.query("set session_replication_role = replica");
    try {
      await admin.query(`update audit_events set details = '{"i": 99}' where tenant_id = $1 and seq = 3`, [tenant.id]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    const broken = await worker.fetch("/api/audit/verify", { host: tenant.hostname, headers: bearer(token) });
    expect(await broken.json()).toMatchObject({
      ok: false,
      chain: { ok: false, brokenAt: 3, reason: "hash_mismatch" },
    });
    expect(await cli(tenant.slug)).toMatchObject({
      code: 1,
      out: { ok: false, chain: { brokenAt: 3, reason: "hash_mismatch" } },
    });
  });
});
