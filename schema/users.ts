import { sql } from "drizzle-orm";
import { pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql, currentUserSql, writtenInThisTransactionSql, platformRole } from "./roles";

const memberOfCurrentTenant = `exists (select 1 from memberships m where m.user_id = users.id and m.tenant_id = ${currentTenantSql})`;
/**
 * The person an invitation of this tenant names, once this very transaction has accepted it: accepting attaches
 * an account that already exists (a physician who writes for another clinic), which the tenant cannot see before.
 */
const claimedByInvitation = `exists (select 1 from invitations i where i.tenant_id = ${currentTenantSql} and i.email = users.email and i.accepted_at is not null and ${writtenInThisTransactionSql("i")})`;
/** A former member who wrote for the tenant: removing a membership leaves their content attributed to them. */
const authorOfCurrentTenant = `exists (select 1 from content_authors a where a.user_id = users.id and a.tenant_id = ${currentTenantSql})`;
/** The account owner's own session, in a tenant they belong to. */
const ownerInCurrentTenant = `users.id = ${currentUserSql} and ${memberOfCurrentTenant}`;

/**
 * A person who signs in. People may belong to several tenants (a physician who writes for two clinics), so
 * users are global and a tenant sees only the users that hold a membership in it.
 */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lower-cased; compared lower-cased.
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash"),
    /**
     * `person`: someone who signs in. `service`: a tenant's integration (a service account): no password, an address
     * under `.invalid` (RFC 2606) that no mail reaches and no sign-in accepts, no second factor; it belongs to the one
     * tenant that made it, holds only the `author` role (a trigger refuses any other, migration 0027) and acts only
     * through its API tokens, so an integration outlives the person who set it up.
     */
    kind: text("kind", { enum: ["person", "service"] })
      .notNull()
      .default("person"),
    /** Global: set only by platform operators. A tenant disables its membership instead (memberships.status). */
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    /** TOTP secret (RFC 6238), AES-GCM encrypted with MFA_ENCRYPTION_KEY; set at enrolment, live once verified. */
    mfaSecretEncrypted: text("mfa_secret_encrypted"),
    mfaEnabledAt: instant("mfa_enabled_at"),
    /** Tokens issued before this instant are void: set by logout-all and by enabling or replacing a second factor. */
    tokensValidAfter: instant("tokens_valid_after"),
    createdAt: createdAt(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("users_email_idx").on(table.email),
    // A tenant sees only the people who hold a membership in it, those who wrote for it, a transaction the person
    // it just created (so memberships_attach can tell that it did) and the person whose invitation it accepted.
    pgPolicy("users_read", {
      for: "select",
      to: appRole,
      using: sql.raw(
        `${memberOfCurrentTenant} or ${authorOfCurrentTenant} or ${writtenInThisTransactionSql("users")} or ${claimedByInvitation}`,
      ),
    }),
    // Users are global: a tenant's code must not rewrite the password, second factor or status of a person
    // other tenants rely on. Only the account owner's own session changes the row; a global disable is a
    // platform operation (the owner role, outside these policies).
    pgPolicy("users_update", {
      for: "update",
      to: appRole,
      using: sql.raw(ownerInCurrentTenant),
      withCheck: sql.raw(ownerInCurrentTenant),
    }),
    // A new person has no membership yet: the insert is allowed, and they stay invisible to every other
    // transaction until a membership row (tenant-checked, memberships_attach) is added in the same one.
    pgPolicy("users_insert", { for: "insert", to: appRole, withCheck: sql`true` }),
    // A global disable (a compromised account) is the platform operator's: it finds the person by e-mail and
    // sets `status` and `tokens_valid_after` (the column grants of migration 0013), in every tenant at once.
    pgPolicy("users_platform_read", { for: "select", to: platformRole, using: sql`true` }),
    pgPolicy("users_platform_update", { for: "update", to: platformRole, using: sql`true`, withCheck: sql`true` }),
  ],
).enableRLS();

export type User = typeof users.$inferSelect;
