import { sql } from "drizzle-orm";
import { check, index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { COUNCILS } from "./professional-credentials";

/**
 * A health professional's self-registration on a tenant's site, waiting for its e-mail to be confirmed. Nothing
 * else exists until then: no account, no membership, no credential, so an address nobody confirmed holds no
 * account and blocks nobody. The token lives 24 hours, is single use and is stored only as its SHA-256 hash; the
 * password only as its hash. Confirming creates the account, a `reader_professional` membership and a `pending`
 * credential, which a reviewer verifies in the credential queue.
 */
export const professionalRegistrations = pgTable(
  "professional_registrations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    council: text("council", { enum: COUNCILS }).notNull(),
    councilNumber: text("council_number").notNull(),
    councilUf: text("council_uf").notNull(),
    /** The version of the consent text the person accepted (LGPD Art. 8: consent must be provable). */
    consentVersion: text("consent_version").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: instant("expires_at").notNull(),
    confirmedAt: instant("confirmed_at"),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("professional_registrations_token_idx").on(table.tokenHash),
    index("professional_registrations_email_idx").on(table.tenantId, table.email),
    check(
      "professional_registrations_council_check",
      sql.raw(`council in (${COUNCILS.map((council) => `'${council}'`).join(", ")})`),
    ),
    pgPolicy("professional_registrations_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ProfessionalRegistration = typeof professionalRegistrations.$inferSelect;
