/**
 * The audit trail against a database superuser and a stolen password:
 * - a superuser who rewrites an event, recomputes every later hash and re-signs the checkpoint with a key of
 *   their own must not get `ok` from `GET /api/audit/verify` or `npm run audit:verify`: checkpoints verify
 *   only against pinned key fingerprints (the signing keys and the retired ones still pinned);
 * - audit events name data subjects and record PHI reads, and releasing a legal hold lets medical records be
 *   destroyed: a compliance officer's password alone (no second factor) is not enough for either.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
} from "@aws-sdk/client-s3";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseClients } from "../../functions/lib/db.js";
import { sha256Hex } from "../../functions/lib/crypto.js";
import { appendAudit, auditHashInput } from "../../functions/services/audit.js";
import {
  checkpointSigner,
  checkpointTenant,
  type CheckpointSigner,
} from "../../functions/services/audit-checkpoints.js";
import { withTenant } from "../../functions/lib/db.js";
import { anchorKey, anchorMissingCheckpoints } from "../../functions/services/audit-anchors.js";
import { retentionPolicies } from "../../schema/retention-policies.js";
import { auditKeyFingerprints, generateAuditSigningKeys } from "../../scripts/keys.js";
import { bearer, createUser, jsonPost, signIn } from "../support/auth.js";
import { adminClient, appDatabase, platformScope, type SeededTenant, seedTenant } from "../support/db.js";
import { testS3 } from "../support/media.js";
import { signInWithMfa } from "../support/mfa.js";
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

type Verification = {
  ok: boolean;
  chain: { ok: boolean };
  checkpoints: { ok: boolean; checked: number; failure: { seq: number; reason: string } | null };
};

async function signer(keys: { ed25519Jwk: string; mldsaSeed: string }): Promise<CheckpointSigner> {
  return checkpointSigner({
    ed25519PrivateJwk: JSON.parse(keys.ed25519Jwk) as never,
    mldsaSeed: keys.mldsaSeed,
    retiredKeyFingerprints: [],
  });
}

async function appendEvents(tenant: SeededTenant, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await withTenant(app.db, tenant.id, (tx) =>
      appendAudit(tx, { tenantId: tenant.id, actorType: "system", action: "test.event", details: { i } }),
    );
  }
}

/** Signs the tenant's head as the daily job does, with the given keys, and anchors it in the bucket as the job does. */
async function checkpointWith(tenant: SeededTenant, keys: CheckpointSigner): Promise<void> {
  const storage = { s3: testS3(worker.env), bucket: worker.env.s3.bucket };
  const scope = platformScope(app.db, "test", storage).forTenant({
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.slug,
  });
  expect(await checkpointTenant(scope, keys)).not.toBeNull();
  await anchorMissingCheckpoints(scope, new Set([keys.ed25519.fingerprint, keys.mldsa.fingerprint]));
  storage.s3.destroy();
}

/** `GET /api/audit/verify` after the hourly verification job has run: the API answers the job's stored verdict. */
async function verifyApi(tenant: SeededTenant, token: string): Promise<Verification> {
  await (await worker.mf.getWorker()).scheduled({ cron: "45 * * * *" });
  const res = await worker.fetch("/api/audit/verify", { host: tenant.hostname, headers: bearer(token) });
  expect(res.status).toBe(200);
  return (await res.json()) as Verification;
}

/**
 * `npm run audit:verify` as an operator runs it (the signing keys and the retired fingerprints in its
 * environment), or, with `pins`, as an outside auditor who holds no private key and pins only fingerprints.
 */
async function verifyCli(slug: string, pins?: string[]): Promise<{ code: number; out: Verification }> {
  const keys = {
    AUDIT_SIGNING_ED25519_JWK: worker.env.audit.ed25519Jwk,
    AUDIT_SIGNING_MLDSA_SEED: worker.env.audit.mldsaSeed,
    AUDIT_RETIRED_KEY_FINGERPRINTS: worker.env.audit.retiredFingerprints,
  };
  const { AUDIT_SIGNING_ED25519_JWK: _jwk, AUDIT_SIGNING_MLDSA_SEED: _seed, ...inherited } = process.env;
  try {
    const args = ["tsx", "scripts/audit-verify.ts", "--tenant", slug, ...(pins ?? []).flatMap((pin) => ["--pin", pin])];
    const { stdout } = await run("npx", args, {
      env: {
        ...inherited,
        ...s3Environment(worker.env),
        DATABASE_URL: worker.env.adminDatabaseUrl,
        ...(pins ? {} : keys),
      },
    });
    return { code: 0, out: JSON.parse(stdout) as Verification };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, out: JSON.parse(failed.stdout) as Verification };
  }
}

/** What a superuser can do with triggers off: runs `fn` with `session_replication_role = replica`. */
async function behindTriggers(fn: () => Promise<void>): Promise<void> {
  await admin.query("set session_replication_role = replica");
  try {
    await fn();
  } finally {
    await admin.query("set session_replication_role = origin");
  }
}

/** Edits event `seq`'s details and recomputes every hash from there on, so every link checks out again. */
async function rewriteChain(tenant: SeededTenant, seq: number, details: Record<string, unknown>): Promise<void> {
  await behindTriggers(async () => {
    await admin.query("update audit_events set details = $3 where tenant_id = $1 and seq = $2", [
      tenant.id,
      seq,
      JSON.stringify(details),
    ]);
    const rows = await admin.query(
      `select seq::int as seq, occurred_at, actor_type, actor_id, action, target_type, target_id, request_id, details, prev_hash, hash
         from audit_events where tenant_id = $1 order by seq`,
      [tenant.id],
    );
    let prevHash: string | null = null;
    for (const row of rows.rows) {
      if (row.seq < seq) {
        prevHash = row.hash as string;
        continue;
      }
      const unsigned = {
        tenantId: tenant.id,
        seq: row.seq as number,
        occurredAt: (row.occurred_at as Date).toISOString(),
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        requestId: row.request_id,
        details: row.details,
        prevHash: prevHash!,
      };
      const hash = await sha256Hex(auditHashInput(unsigned));
      await admin.query("update audit_events set prev_hash = $3, hash = $4 where tenant_id = $1 and seq = $2", [
        tenant.id,
        row.seq,
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
  });
}

describe("signed audit checkpoints against a database superuser", () => {
  it("refuses a rewritten chain re-signed with a fresh key, through the API and the CLI", async () => {
    const tenant = await seedTenant(admin, "resign");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const token = (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
    await appendEvents(tenant, 4);
    await checkpointWith(tenant, await signer(worker.env.audit));
    expect(await verifyApi(tenant, token)).toMatchObject({ ok: true, checkpoints: { checked: 1, ok: true } });

    // The superuser rewrites event 2, recomputes the chain, drops the honest checkpoint and signs the new head
    // with keys of their own (the checkpoint carries its public keys, so its signatures are valid).
    await rewriteChain(tenant, 2, { i: 99 });
    await behindTriggers(async () => {
      await admin.query("delete from audit_checkpoints where tenant_id = $1", [tenant.id]);
    });
    await checkpointWith(tenant, await signer(await generateAuditSigningKeys()));

    const api = await verifyApi(tenant, token);
    expect(api.chain.ok).toBe(true);
    expect(api.ok).toBe(false);
    expect(api.checkpoints).toMatchObject({ ok: false, failure: { reason: "key_not_pinned" } });
    const cli = await verifyCli(tenant.slug);
    expect(cli.code).toBe(1);
    expect(cli.out).toMatchObject({ ok: false, checkpoints: { ok: false, failure: { reason: "key_not_pinned" } } });
  });

  it("still verifies checkpoints signed by a retired key that is pinned (rotation)", async () => {
    const tenant = await seedTenant(admin, "rotation");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const token = (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
    await appendEvents(tenant, 3);
    await checkpointWith(tenant, await signer(worker.env.audit.retired));
    await appendEvents(tenant, 2);
    await checkpointWith(tenant, await signer(worker.env.audit));
    expect(await verifyApi(tenant, token)).toMatchObject({ ok: true, checkpoints: { checked: 2, ok: true } });
    expect(await verifyCli(tenant.slug)).toMatchObject({ code: 0, out: { ok: true, checkpoints: { checked: 2 } } });
    // An auditor with only the published fingerprints; and with none pinned, nothing signed can verify.
    const published = [...auditKeyFingerprints(worker.env.audit), ...worker.env.audit.retiredFingerprints.split(",")];
    expect(await verifyCli(tenant.slug, published)).toMatchObject({ code: 0, out: { ok: true } });
    expect(await verifyCli(tenant.slug, [])).toMatchObject({
      code: 1,
      out: { ok: false, checkpoints: { failure: { reason: "key_not_pinned" } } },
    });
  });
});

describe("checkpoints anchored in the bucket under Object Lock", () => {
  type Anchored = Verification & {
    anchors: { checked: number; ok: boolean; missing: number[]; differs: number[]; unrecorded: number[] };
  };

  it("reports a checkpoint rewritten and re-signed with the stolen signing keys against its anchored copy", async () => {
    const tenant = await seedTenant(admin, "anchor");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const token = (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
    await appendEvents(tenant, 4);
    // The daily job signs the head (its own event follows it) and anchors the checkpoint.
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    const s3 = testS3(worker.env);
    const Bucket = worker.env.s3.bucket;
    const [signed] = (
      await admin.query("select seq::int as seq, signed_at from audit_checkpoints where tenant_id = $1", [tenant.id])
    ).rows as Array<{ seq: number; signed_at: Date }>;
    const seq = signed!.seq;
    const Key = anchorKey(tenant.id, seq);
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ObjectLockMode).toBe("COMPLIANCE");
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBe(
      signed!.signed_at.getTime() + retentionPolicies.audit_security.minAgeDays * 86_400_000,
    );
    expect(await verifyApi(tenant, token)).toMatchObject({
      ok: true,
      anchors: { checked: 1, ok: true, missing: [], differs: [], unrecorded: [] },
    });

    // With the Worker's own credentials the anchored copy can be neither replaced, deleted nor released early.
    const refused = async (command: Promise<unknown>) =>
      expect(
        await command.then(
          () => "accepted",
          (error: { name: string }) => error.name,
        ),
      ).toBe("AccessDenied");
    await refused(s3.send(new PutObjectCommand({ Bucket, Key, Body: "{}" })));
    await refused(s3.send(new DeleteObjectCommand({ Bucket, Key })));
    await refused(
      s3.send(
        new PutObjectRetentionCommand({
          Bucket,
          Key,
          Retention: { Mode: "COMPLIANCE", RetainUntilDate: new Date(Date.now() + 86_400_000) },
        }),
      ),
    );

    // A superuser who also holds the signing keys rewrites event 2, drops the checkpoint and its event, and signs
    // the rewritten head again: chain and signatures check out; only the anchored copy tells.
    await rewriteChain(tenant, 2, { i: 99 });
    await behindTriggers(async () => {
      await admin.query("delete from audit_checkpoints where tenant_id = $1", [tenant.id]);
      await admin.query("delete from audit_events where tenant_id = $1 and seq > $2", [tenant.id, seq]);
    });
    const scope = platformScope(app.db).forTenant({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
    expect(await checkpointTenant(scope, await signer(worker.env.audit))).toMatchObject({ seq });

    const api = (await verifyApi(tenant, token)) as Anchored;
    expect(api).toMatchObject({ ok: false, chain: { ok: true }, checkpoints: { ok: true } });
    expect(api.anchors).toEqual({ checked: 1, ok: false, missing: [], differs: [seq], unrecorded: [] });
    const cli = await verifyCli(tenant.slug);
    expect(cli.code).toBe(1);
    expect((cli.out as Anchored).anchors).toMatchObject({ ok: false, differs: [seq] });

    // Deleting the rewritten checkpoint leaves the anchored one without a row.
    await behindTriggers(async () => {
      await admin.query("delete from audit_checkpoints where tenant_id = $1", [tenant.id]);
    });
    expect(((await verifyApi(tenant, token)) as Anchored).anchors).toMatchObject({ unrecorded: [seq], differs: [] });
    s3.destroy();
  });

  it("names a checkpoint whose anchoring failed, and the next daily run anchors it", async () => {
    const tenant = await seedTenant(admin, "anchor-late");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    const token = (await signInWithMfa(worker, tenant.hostname, officer)).accessToken;
    await appendEvents(tenant, 3);
    // Signed and committed, but the bucket was never reached (this scope has no S3).
    const scope = platformScope(app.db).forTenant({ id: tenant.id, slug: tenant.slug, name: tenant.slug });
    const unanchored = await checkpointTenant(scope, await signer(worker.env.audit));
    expect(((await verifyApi(tenant, token)) as Anchored).anchors).toMatchObject({
      ok: false,
      missing: [unanchored!.seq],
    });
    await (await worker.mf.getWorker()).scheduled({ cron: "30 3 * * *" });
    expect(((await verifyApi(tenant, token)) as Anchored).anchors).toMatchObject({ ok: true, checked: 2, missing: [] });
  });
});

describe("trust for the audit log and legal holds", () => {
  let tenant: SeededTenant;
  let passwordOnly: string;
  let withMfa: string;

  beforeAll(async () => {
    tenant = await seedTenant(admin, "audit-trust");
    const officer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    passwordOnly = (await signIn(worker, tenant.hostname, officer)).accessToken;
    const mfaOfficer = await createUser(admin, tenant, { roles: ["compliance_officer"] });
    withMfa = (await signInWithMfa(worker, tenant.hostname, mfaOfficer)).accessToken;
  });

  async function expectStepUp(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_user_authentication"/);
    expect(((await res.json()) as { code: string }).code).toBe("step_up_required");
  }

  it("refuses audit reads to a compliance officer's password-only session (step-up)", async () => {
    for (const path of ["/api/audit/events", "/api/audit/verify", "/api/audit/checkpoints"]) {
      await expectStepUp(await worker.fetch(path, { host: tenant.hostname, headers: bearer(passwordOnly) }));
      const res = await worker.fetch(path, { host: tenant.hostname, headers: bearer(withMfa) });
      expect(res.status).toBe(200);
    }
  });

  it("refuses a legal-hold release to a password-only session; with a second factor it is released", async () => {
    const placed = await worker.fetch("/api/compliance/legal-holds", {
      host: tenant.hostname,
      ...jsonPost({ scope: "tenant", reason: "Processo judicial em andamento" }, bearer(passwordOnly)),
    });
    expect(placed.status).toBe(201);
    const hold = (await placed.json()) as { id: string };
    const release = (token: string) =>
      worker.fetch(`/api/compliance/legal-holds/${hold.id}/release`, {
        host: tenant.hostname,
        ...jsonPost({}, bearer(token)),
      });
    await expectStepUp(await release(passwordOnly));
    const row = await admin.query("select released_at from legal_holds where id = $1", [hold.id]);
    expect(row.rows[0].released_at).toBeNull();
    expect((await release(withMfa)).status).toBe(200);
  });
});
