import { sql } from "drizzle-orm";
import { date, jsonb, pgPolicy, pgTable, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

/**
 * The daily compliance report of a tenant (LGPD art. 37 records of processing; art. 50 governance): what
 * was deleted, anonymised and held in the day, and what falls due next. One per tenant and day; a second
 * run of the same day replaces nothing (idempotent).
 */
export const complianceReports = pgTable(
  "compliance_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    reportDate: date("report_date", { mode: "string" }).notNull(),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    generatedAt: instant("generated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("compliance_reports_tenant_date").on(table.tenantId, table.reportDate),
    pgPolicy("compliance_reports_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();
