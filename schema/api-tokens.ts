import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { API_TOKEN_SCOPES } from "../functions/contract";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * Personal API tokens: a member's credential for an integration, acting as that member with at most their
 * roles, narrowed further by the token's scopes. The secret is shown once and stored only as its SHA-256 hash
 * (it is 32 random bytes, so a fast hash is enough); the row is found by its id, which the token carries in
 * clear. Every token expires; revoking sets `revoked_at`, and both are checked on each request.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scopes: text("scopes", { enum: API_TOKEN_SCOPES }).array().notNull(),
    secretHash: text("secret_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: instant("expires_at").notNull(),
    /** Updated with the access log, at most once a minute. */
    lastUsedAt: instant("last_used_at"),
    revokedAt: instant("revoked_at"),
    revokedBy: uuid("revoked_by"),
  },
  (table) => [
    index("api_tokens_user_idx").on(table.tenantId, table.userId),
    check(
      "api_tokens_scopes_check",
      sql.raw(
        `scopes <@ array[${API_TOKEN_SCOPES.map((s) => `'${s}'`).join(", ")}]::text[] and cardinality(scopes) > 0`,
      ),
    ),
    pgPolicy("api_tokens_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ApiToken = typeof apiTokens.$inferSelect;
