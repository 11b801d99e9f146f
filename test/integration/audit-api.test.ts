import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant, type DatabaseClients } from "../../functions/lib/db.js";
import type { Pace } from "../../functions/lib/pace.js";
import { appendAudit } from "../../functions/services/audit.js";
import { pinnedKeyFingerprints, verifyCheckpoint } from "../../functions/services/audit-checkpoints.js";
import { verifyAuditIncrementally } from "../../functions/services/audit-verification.js";
import { requireSection } from "../../functions/env.js";
import { bearer, createUser, signIn } from "../support/auth.js";
import { testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
import { adminClient, appDatabase, platformScope, type SeededTenant, seedTenant } from "../support/db.js";
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

/** The hourly cron trigger of the incremental verification job (at :45, apart from the retention sweep). */
async function runVerificationJob(): Promise<void> {
  await (await worker.mf.getWorker()).scheduled({ cron: "45 * * * *" });
}

async function verifyApi(tenant: SeededTenant, token: string): Promise<Record<string, unknown>> {
  const res = await worker.fetch("/api/audit/verify", { host: tenant.hostname, headers: bearer(token) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
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
    await runVerificationJob();
    expect(await verifyApi(tenant, token)).toMatchObject({
      ok: false,
      checkpoints: { ok: false, failure: { seq: cp.seq, reason: "head_mismatch" } },
    });
  });

  it("names the first broken link, through the API and the CLI", async () => {
    const tenant = await seedTenant(admin, "tamper");
    await events(tenant, 5);
    const token = await officerToken(tenant);
    await runVerificationJob();
    expect(await verifyApi(tenant, token)).toMatchObject({ status: "verified", ok: true, chain: { ok: true } });
    expect(await cli(tenant.slug)).toMatchObject({ code: 0, out: { ok: true } });

    await admin.query("set session_replication_role = replica");
    try {
      await admin.query(`update audit_events set details = '{"i": 99}' where tenant_id = $1 and seq = 3`, [tenant.id]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    // The API answers what the job stored; the job's next run re-checks the part it verified before and finds it.
    expect(await verifyApi(tenant, token)).toMatchObject({ status: "verified", ok: true });
    await runVerificationJob();
    expect(await verifyApi(tenant, token)).toMatchObject({
      status: "broken",
      ok: false,
      chain: { ok: false, brokenAt: 3, reason: "hash_mismatch" },
    });
    expect(await cli(tenant.slug)).toMatchObject({
      code: 1,
      out: { ok: false, chain: { brokenAt: 3, reason: "hash_mismatch" } },
    });
  });

  it("verifies every other tenant when one tenant's checkpoint row is unreadable, and reports that one broken", async () => {
    const garbled = await seedTenant(admin, "garbled");
    await events(garbled, 3);
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query(`update audit_checkpoints set ed25519_public_key = 'not base64 at all!' where tenant_id = $1`, [
        garbled.id,
      ]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    const healthy = await seedTenant(admin, "healthy");
    await events(healthy, 3);
    await runVerificationJob();
    expect(await verifyApi(healthy, await officerToken(healthy))).toMatchObject({ status: "verified", ok: true });
    expect(await verifyApi(garbled, await officerToken(garbled))).toMatchObject({ status: "broken", ok: false });
  });

  it("answers the job's stored verdict with when it was computed, and the job resumes where it stopped", async () => {
    const tenant = await seedTenant(admin, "incremental");
    await events(tenant, 6);
    const token = await officerToken(tenant);
    const before = await verifyApi(tenant, token);
    expect(before).toMatchObject({ status: "pending", ok: false, computedAt: null });

    const platform = platformScope(app.db, "test", { s3: testS3(worker.env), bucket: worker.env.s3.bucket });
    const scope = platform.forTenant({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
    const pinned = await pinnedKeyFingerprints(requireSection(platform.clients.config, "audit"));
    const head = async () =>
      Number(
        (await admin.query("select max(seq) as seq from audit_events where tenant_id = $1", [tenant.id])).rows[0].seq,
      );
    const total = await head();
    // A bounded run stops part-way; the next one recomputes only what follows, then re-checks the rest.
    const first = await verifyAuditIncrementally(scope, pinned, { maxEvents: 4 });
    expect(first).toMatchObject({
      ok: true,
      chain: { ok: true, events: 4 },
      run: { eventsChecked: 4, complete: false },
    });
    const second = await verifyAuditIncrementally(scope, pinned, { maxEvents: 100 });
    expect(second).toMatchObject({
      ok: true,
      chain: { ok: true, events: total },
      run: { eventsChecked: total - 4, eventsRechecked: 4, complete: true, fromGenesis: false },
    });
    await events(tenant, 3);
    const third = await verifyAuditIncrementally(scope, pinned, { maxEvents: 5 });
    expect(third).toMatchObject({ run: { eventsChecked: 3, eventsRechecked: 2 } });
    expect((await head()) - total).toBe(3);

    const stored = await verifyApi(tenant, token);
    expect(stored).toMatchObject({ status: "verified", ok: true, chain: { events: total + 3 } });
    expect(Date.now() - Date.parse(stored.computedAt as string)).toBeLessThan(60_000);

    // An event tampered in place inside the part already verified: the rolling re-check reaches it.
    await admin.query("set session_replication_role = replica");
    try {
      await admin.query(`update audit_events set details = '{"i": 42}' where tenant_id = $1 and seq = 5`, [tenant.id]);
    } finally {
      await admin.query("set session_replication_role = origin");
    }
    const found = await verifyAuditIncrementally(scope, pinned, { maxEvents: 100 });
    expect(found).toMatchObject({ ok: false, chain: { ok: false, brokenAt: 5, reason: "hash_mismatch" } });
    expect(await verifyApi(tenant, token)).toMatchObject({ status: "broken", chain: { brokenAt: 5 } });
    // The break is kept: the next run finds it again rather than moving past it, and it was audited once.
    expect(await verifyAuditIncrementally(scope, pinned, { maxEvents: 100 })).toMatchObject({
      ok: false,
      chain: { brokenAt: 5 },
    });
    const audited = await admin.query(
      "select count(*)::int as n from audit_events where tenant_id = $1 and action = 'audit.verification_failed'",
      [tenant.id],
    );
    expect(audited.rows[0].n).toBe(1);
  });

  it("rests between pages under the job's pace; a spent budget cuts the re-check short, never the new events", async () => {
    const tenant = await seedTenant(admin, "paced");
    await events(tenant, 6);
    const platform = platformScope(app.db, "test", { s3: testS3(worker.env), bucket: worker.env.s3.bucket });
    const scope = platform.forTenant({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
    const pinned = await pinnedKeyFingerprints(requireSection(platform.clients.config, "audit"));
    const verified = (await verifyAuditIncrementally(scope, pinned))!.chain.events;
    await events(tenant, 4);
    // A budget of one page of three: the four new events take two pages and are all verified; the re-check is not begun.
    let pages = 1;
    const charged: number[] = [];
    const pace: Pace = {
      next: async () => pages-- > 0,
      done: (ms) => void charged.push(ms),
      spent: () => pages <= 0,
      rest: async () => {},
    };
    const cut = await verifyAuditIncrementally(scope, pinned, { pace, pageSize: 3 });
    expect(cut).toMatchObject({
      ok: true,
      chain: { ok: true, events: verified + 4 },
      run: { eventsChecked: 4, eventsRechecked: 0, complete: true, fromGenesis: false },
    });
    // Both pages were charged to the pace (each at least its events' hashing), so the next page rests for them.
    expect(charged).toHaveLength(2);
    expect(charged[0]).toBeGreaterThanOrEqual(3 * 0.019);
    // The next run, with time, re-checks from where the re-check stood (the genesis): everything verified before.
    const resumed = await verifyAuditIncrementally(scope, pinned, { pageSize: 3 });
    expect(resumed).toMatchObject({ ok: true, run: { eventsChecked: 0, eventsRechecked: verified + 4 } });
  });
});
