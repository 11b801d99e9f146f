import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { appRole, currentTenantSql } from "./roles";
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
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    index("mfa_recovery_codes_user_idx").on(table.userId),
    pgPolicy("mfa_recovery_codes_member", {
      for: "all",
      to: appRole,
      using: sql.raw(ownerIsMember),
      withCheck: sql.raw(ownerIsMember),
    }),
  ],
).enableRLS();
