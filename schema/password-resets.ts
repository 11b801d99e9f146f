import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/**
 * A password-reset link asked for through one tenant's site. The token is single use, lives 30 minutes and is
 * stored only as its SHA-256 hash; the e-mail carries it in the link's fragment, so it never reaches a server
 * log. A newer request, or a completed reset, spends every earlier open one of the same account.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: instant("expires_at").notNull(),
    usedAt: instant("used_at"),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("password_resets_token_idx").on(table.tokenHash),
    index("password_resets_user_idx").on(table.tenantId, table.userId),
    pgPolicy("password_resets_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type PasswordReset = typeof passwordResets.$inferSelect;
