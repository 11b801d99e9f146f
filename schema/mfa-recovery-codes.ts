import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql, currentUserSql } from "./roles";
import { users } from "./users";

const ownerIsMember = `exists (select 1 from memberships m where m.user_id = mfa_recovery_codes.user_id and m.tenant_id = ${currentTenantSql})`;

/** One-time MFA recovery codes; only their SHA-256 is stored. */
export const mfaRecoveryCodes = pgTable(
  "mfa_recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: instant("used_at"),
    createdAt: createdAt(),
  },
  (table) => [
    index("mfa_recovery_codes_user_idx").on(table.userId),
    pgPolicy("mfa_recovery_codes_member", {
      for: "all",
      to: appRole,
      using: sql.raw(ownerIsMember),
      withCheck: sql.raw(ownerIsMember),
    }),
    // Issuing or discarding recovery codes changes the account's second factor: the owner's own session only
    // (restrictive, AND-ed with the membership check). Spending one (an UPDATE) happens at sign-in, before
    // there is a session.
    pgPolicy("mfa_recovery_codes_owner_insert", {
      as: "restrictive",
      for: "insert",
      to: appRole,
      withCheck: sql.raw(`user_id = ${currentUserSql}`),
    }),
    pgPolicy("mfa_recovery_codes_owner_delete", {
      as: "restrictive",
      for: "delete",
      to: appRole,
      using: sql.raw(`user_id = ${currentUserSql}`),
    }),
  ],
).enableRLS();
