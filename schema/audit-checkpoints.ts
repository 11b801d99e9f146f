import { sql } from "drizzle-orm";
import { bigint, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * A signed statement of a tenant's audit-chain head: "event `seq` has hash `head_hash`". Signed twice, with
 * Ed25519 (RFC 8032) and ML-DSA-65 (FIPS 204), over the canonical JSON in `payload`, so the log can be
 * checked offline, today and after classical signatures stop being enough. The public keys are kept with
 * their SHA-256 fingerprints; a verifier compares the fingerprints with the ones it trusts.
 */
export const auditCheckpoints = pgTable(
  "audit_checkpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    headHash: text("head_hash").notNull(),
    payload: text("payload").notNull(),
    ed25519Signature: text("ed25519_signature").notNull(),
    ed25519PublicKey: text("ed25519_public_key").notNull(),
    ed25519KeyFingerprint: text("ed25519_key_fingerprint").notNull(),
    mldsaSignature: text("mldsa_signature").notNull(),
    mldsaPublicKey: text("mldsa_public_key").notNull(),
    mldsaKeyFingerprint: text("mldsa_key_fingerprint").notNull(),
    signedAt: instant("signed_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("audit_checkpoints_tenant_seq").on(table.tenantId, table.seq),
    pgPolicy("audit_checkpoints_read", {
      for: "select",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    pgPolicy("audit_checkpoints_append", {
      for: "insert",
      to: appRole,
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type AuditCheckpoint = typeof auditCheckpoints.$inferSelect;
