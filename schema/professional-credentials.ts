import { sql } from "drizzle-orm";
import { check, pgPolicy, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const credentialStatuses = ["pending", "verified", "rejected"] as const;
export type CredentialStatus = (typeof credentialStatuses)[number];

/**
 * The professional councils a credential may be registered with: medicine (CRM), dentistry (CRO), pharmacy (CRF),
 * nursing (COREN), psychology (CRP), nutrition (CRN) and physiotherapy (CREFITO). Each numbers its members per
 * state (UF). Only a CRM makes a physician: medical review and the CFM's publicity rules need one.
 */
export const COUNCILS = ["CRM", "CRO", "CRF", "COREN", "CRP", "CRN", "CREFITO"] as const;
export type Council = (typeof COUNCILS)[number];

/**
 * A physician's council registration: CRM number + UF (a CRM number alone is not a credential: each state
 * council numbers its own), and RQE numbers for specialist claims (CFM 2.336/2023). An admin of the tenant
 * verifies it with a note; only a verified medical reviewer may approve medical content.
 */
export const professionalCredentials = pgTable(
  "professional_credentials",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The council; `crm_number` and `crm_uf` hold its number and state whatever the council (CRM when not said). */
    council: text("council", { enum: COUNCILS }).notNull().default("CRM"),
    crmNumber: text("crm_number").notNull(),
    crmUf: text("crm_uf").notNull(),
    rqe: text("rqe")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    specialty: text("specialty"),
    status: text("status", { enum: credentialStatuses }).notNull().default("pending"),
    note: text("note"),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    reviewedAt: instant("reviewed_at"),
    updatedAt: instant("updated_at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId] }),
    check(
      "professional_credentials_council_check",
      sql.raw(`council in (${COUNCILS.map((council) => `'${council}'`).join(", ")})`),
    ),
    pgPolicy("professional_credentials_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ProfessionalCredential = typeof professionalCredentials.$inferSelect;
