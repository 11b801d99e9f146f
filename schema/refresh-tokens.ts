import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql, platformRole } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * Opaque refresh tokens, stored only as SHA-256 hashes. Each use rotates the token within its family;
 * presenting a token that was already rotated means it was stolen or replayed, and the whole family is
 * revoked (RFC 9700 §4.14.2, refresh token rotation with reuse detection).
 */
export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    familyId: uuid("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Authentication methods and time of the sign-in this family descends from, carried into new access tokens. */
    amr: text("amr").array().notNull(),
    authTime: instant("auth_time").notNull(),
    createdAt: createdAt(),
    expiresAt: instant("expires_at").notNull(),
    rotatedAt: instant("rotated_at"),
    revokedAt: instant("revoked_at"),
    revokedReason: text("revoked_reason"),
  },
  (table) => [
    uniqueIndex("refresh_tokens_hash_idx").on(table.tokenHash),
    index("refresh_tokens_family_idx").on(table.familyId),
    index("refresh_tokens_user_idx").on(table.tenantId, table.userId),
    pgPolicy("refresh_tokens_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    // A global disable revokes the person's sessions in every tenant (column grants: the revocation only).
    pgPolicy("refresh_tokens_platform_revoke", {
      for: "update",
      to: platformRole,
      using: sql`true`,
      withCheck: sql`true`,
    }),
    pgPolicy("refresh_tokens_platform_read", { for: "select", to: platformRole, using: sql`true` }),
  ],
).enableRLS();
