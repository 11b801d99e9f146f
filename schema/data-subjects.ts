import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * A data subject (LGPD art. 5 V: the natural person the data is about): a patient whose images or records
 * are stored, or a reader who consented to marketing. Not a user account. Only what a request needs is
 * kept (LGPD art. 6 III, necessity): the e-mail to answer at, and the CPF as a salted SHA-256 so a request
 * made by CPF can be matched without storing the number itself (pseudonymisation, art. 13 §4).
 */
export const dataSubjects = pgTable(
  "data_subjects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    email: text("email"),
    cpfHash: text("cpf_hash"),
    displayName: text("display_name"),
    /** Set when the subject's data was anonymised (LGPD art. 18 IV); identifiers are then null. */
    anonymisedAt: instant("anonymised_at", { precision: 3 }),
    /** Set when data the law keeps was blocked for any other use (LGPD art. 18 IV, "bloqueio"). */
    blockedAt: instant("blocked_at", { precision: 3 }),
    createdAt: createdAt({ precision: 3 }),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("data_subjects_tenant_email").on(table.tenantId, table.email),
    uniqueIndex("data_subjects_tenant_cpf").on(table.tenantId, table.cpfHash),
    index("data_subjects_tenant_idx").on(table.tenantId),
    pgPolicy("data_subjects_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type DataSubject = typeof dataSubjects.$inferSelect;
