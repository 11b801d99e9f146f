/**
 * Verifies a tenant's audit log offline, straight from the database: recomputes the hash chain (naming the
 * first broken link) and checks every signed checkpoint (Ed25519 + ML-DSA-65) against the chain.
 *
 *   DATABASE_URL=postgres://… S3_…=… npm run audit:verify -- --tenant <slug> [--pin <fingerprint>]…
 *
 * A checkpoint verifies only when both of its keys are pinned, as in the Worker: the fingerprints of the
 * signing keys in AUDIT_SIGNING_ED25519_JWK / AUDIT_SIGNING_MLDSA_SEED when both are set, those in
 * AUDIT_RETIRED_KEY_FINGERPRINTS, and each `--pin` (an auditor who holds no private key pins the published
 * fingerprints). A checkpoint signed by any other key fails with `key_not_pinned`.
 *
 * The checkpoints are also compared with their copies anchored in the bucket under S3 Object Lock (the Worker's
 * `S3_*` variables; a read-only identity will do): a checkpoint rewritten, deleted or never anchored is named in
 * `anchors`, even when it was re-signed with a stolen key.
 *
 * Exit status: 0 intact, 1 broken, 2 usage or connection error. Prints one JSON document.
 * With a login that is granted `vitalis_app`, the check runs as that role (row-level security applies);
 * a superuser or auditor role reads directly.
 */
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { getConfig, keyFingerprintList } from "../functions/env";
import type { Transaction } from "../functions/lib/db";
import { createS3 } from "../functions/lib/s3";
import { type AnchorComparison, checkTenantAnchors } from "../functions/services/audit-anchors";
import { pinnedKeyFingerprints } from "../functions/services/audit-checkpoints";
import type { Storage } from "../functions/services/media-storage";
import { verifyTenantAudit } from "../functions/services/audit-query";
import * as schema from "../schema";

export interface AuditVerifyResult {
  tenant: string;
  ok: boolean;
  chain: unknown;
  checkpoints: unknown;
  anchors: AnchorComparison;
}

/**
 * The fingerprints this verifier pins: the configured signing keys' (when the audit configuration is complete),
 * the retired ones, and any given on the command line. Throws when a fingerprint is malformed.
 */
export async function pinnedFromEnvironment(
  env: Record<string, string | undefined>,
  pins: string[] = [],
): Promise<ReadonlySet<string>> {
  const pinned = new Set(keyFingerprintList.parse([env.AUDIT_RETIRED_KEY_FINGERPRINTS ?? "", ...pins].join(",")));
  if (env.AUDIT_SIGNING_ED25519_JWK && env.AUDIT_SIGNING_MLDSA_SEED) {
    const audit = getConfig(env).audit;
    if (!audit.ok) throw new Error(`audit configuration: ${audit.problems.join("; ")}`);
    for (const fingerprint of await pinnedKeyFingerprints(audit.value)) pinned.add(fingerprint);
  }
  return pinned;
}

/** The bucket the Worker anchors checkpoints in, from the same `S3_*` variables. */
export function storageFromEnvironment(env: Record<string, string | undefined>): Storage {
  const s3 = getConfig(env).s3;
  if (!s3.ok) throw new Error(`S3 configuration (for the anchored checkpoints): ${s3.problems.join("; ")}`);
  return { s3: createS3(s3.value), bucket: s3.value.bucket };
}

export async function auditVerify(
  databaseUrl: string,
  slug: string,
  pinned: ReadonlySet<string>,
  storage: Storage,
): Promise<AuditVerifyResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const db = drizzle({ client, schema });
    return await db.transaction(async (tx) => {
      const [role] = (
        await tx.execute<{ member: boolean }>(
          sql`select pg_has_role(current_user, 'vitalis_app', 'MEMBER') and not (select rolsuper from pg_roles where rolname = current_user) as member`,
        )
      ).rows;
      if (role?.member) await tx.execute(sql`set local role vitalis_app`);
      const [tenant] = (await tx.execute<{ id: string }>(sql`select id from tenants where slug = ${slug}`)).rows;
      if (!tenant) throw new Error(`no tenant with slug ${slug}`);
      await tx.execute(sql`select set_config('app.tenant_id', ${tenant.id}, true)`);
      // The services are written against drizzle's Neon driver; the node-postgres driver has the same query
      // builder, so the same verification code runs here (one implementation of the check).
      const result = await verifyTenantAudit(tx as unknown as Transaction, tenant.id, pinned);
      const anchors = await checkTenantAnchors(tx as unknown as Transaction, storage, tenant.id);
      return {
        tenant: slug,
        ok: result.ok && anchors.ok,
        chain: result.chain,
        checkpoints: result.checkpoints,
        anchors,
      };
    });
  } finally {
    await client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const slug = args[args.indexOf("--tenant") + 1];
  const pins = args.flatMap((arg, index) => (arg === "--pin" ? [args[index + 1] ?? ""] : []));
  const url = process.env.DATABASE_URL;
  if (!args.includes("--tenant") || !slug || !url) {
    console.error(
      "usage: DATABASE_URL=postgres://… S3_REGION=… S3_BUCKET=… S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… npm run audit:verify -- --tenant <slug> [--pin <fingerprint>]…",
    );
    process.exit(2);
  }
  try {
    const pinned = await pinnedFromEnvironment(process.env, pins);
    if (pinned.size === 0) console.error("audit:verify: no key is pinned, so no signed checkpoint can verify");
    const storage = storageFromEnvironment(process.env);
    const result = await auditVerify(url, slug, pinned, storage);
    storage.s3.destroy();
    console.log(JSON.stringify(result, null, 2));
    process.exit(result.ok ? 0 : 1);
  } catch (error) {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
