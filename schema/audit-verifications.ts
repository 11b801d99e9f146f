import { sql } from "drizzle-orm";
import { bigint, boolean, integer, jsonb, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * Where the audit-verification job (jobs/audit-verify.ts) got to in a tenant's chain, and what it found last.
 * The job recomputes only the events after `verified_seq` (whose hash it remembers as `verified_hash`), and
 * verifies only the checkpoints it has not verified before (`checkpoints_verified` rows, whose fingerprint
 * `checkpoints_digest` tells it the earlier ones are still the ones it checked); `GET /api/audit/verify` answers
 * `result` from here instead of recomputing the chain in the request.
 */
export const auditVerifications = pgTable(
  "audit_verifications",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The last event whose hash and link were recomputed and found intact (0: none yet). */
    verifiedSeq: bigint("verified_seq", { mode: "number" }).notNull().default(0),
    verifiedHash: text("verified_hash").notNull(),
    /**
     * The rolling re-verification of the part verified before (an event edited in place, its hash left as it was,
     * shows only when recomputed): the last event it re-verified, and its hash. It restarts from the genesis
     * once it reaches `verified_seq`, so every event is recomputed again within a bounded number of runs.
     */
    recheckSeq: bigint("recheck_seq", { mode: "number" }).notNull().default(0),
    recheckHash: text("recheck_hash").notNull(),
    /** How many checkpoints (in signed_at, id order) have verified signatures by pinned keys. */
    checkpointsVerified: integer("checkpoints_verified").notNull().default(0),
    /** md5 over those checkpoints' ids and signatures, so a checkpoint removed or slipped in among them is noticed. */
    checkpointsDigest: text("checkpoints_digest"),
    ok: boolean("ok").notNull(),
    /** The last run's verdict as the API shows it (chain, checkpoints, work done). */
    result: jsonb("result").$type<Record<string, unknown>>().notNull(),
    computedAt: instant("computed_at", { precision: 3 }).notNull(),
  },
  () => [
    pgPolicy("audit_verifications_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type AuditVerificationState = typeof auditVerifications.$inferSelect;
