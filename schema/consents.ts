import { sql } from "drizzle-orm";
import { index, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { dataSubjects } from "./data-subjects";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * A consent a data subject gave (LGPD art. 8: written or another means that shows the will; specific
 * purpose; the controller bears the burden of proof, §2) and its withdrawal (§5, at any time, free).
 * `version` names the text the person agreed to.
 */
export const consents = pgTable(
  "consents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    subjectId: uuid("subject_id")
      .notNull()
      .references(() => dataSubjects.id),
    purpose: text("purpose").notNull(),
    version: text("version").notNull(),
    source: text("source").notNull(),
    grantedAt: instant("granted_at", { precision: 3 }).notNull(),
    withdrawnAt: instant("withdrawn_at", { precision: 3 }),
    createdAt: createdAt({ precision: 3 }),
  },
  (table) => [
    index("consents_subject_idx").on(table.tenantId, table.subjectId),
    index("consents_withdrawn_idx").on(table.tenantId, table.withdrawnAt, table.id),
    pgPolicy("consents_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type Consent = typeof consents.$inferSelect;
