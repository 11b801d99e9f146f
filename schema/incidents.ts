import { sql } from "drizzle-orm";
import { boolean, check, date, index, integer, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const INCIDENT_STATUSES = ["draft", "confirmed", "communicated", "closed", "dismissed"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const INCIDENT_SOURCES = ["manual", "audit_chain", "mass_phi_read"] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];
export const INCIDENT_RISK_LEVELS = ["low", "medium", "high"] as const;
export type IncidentRiskLevel = (typeof INCIDENT_RISK_LEVELS)[number];

/**
 * The security-incident register (LGPD art. 48; Resolução CD/ANPD 15/2024: every incident is registered and the
 * register kept at least five years, retention class `audit_security`). One row per incident: what happened,
 * the data and subjects affected, the risk assessment and the measures, its status, and the three-business-day
 * deadline to communicate the ANPD and the subjects (services/incidents.ts). Never deleted by the Worker.
 */
export const incidents = pgTable(
  "incidents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    source: text("source", { enum: INCIDENT_SOURCES }).notNull(),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull().default("draft"),
    title: text("title").notNull(),
    description: text("description").notNull(),
    /** When the controller learned of it: the deadline counts from here (Res. 15/2024 art. 6). */
    discoveredAt: instant("discovered_at", { precision: 3 }).notNull(),
    occurredAt: instant("occurred_at", { precision: 3 }),
    dataCategories: text("data_categories")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    sensitiveData: boolean("sensitive_data").notNull().default(false),
    subjectCategories: text("subject_categories")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    subjectsAffected: integer("subjects_affected"),
    riskLevel: text("risk_level", { enum: INCIDENT_RISK_LEVELS }),
    riskAssessment: text("risk_assessment"),
    measures: text("measures"),
    /** The last day (Brasília) to communicate: three business days after discovery, national holidays excluded. */
    communicationDue: date("communication_due", { mode: "string" }).notNull(),
    anpdCommunicatedAt: instant("anpd_communicated_at", { precision: 3 }),
    subjectsNotifiedAt: instant("subjects_notified_at", { precision: 3 }),
    /** When the deadline alert was last mailed to the compliance officers (the alert job sends one a day). */
    alertedAt: instant("alerted_at", { precision: 3 }),
    /** An automatic draft names its cause here, so one cause opens one incident. */
    dedupeKey: text("dedupe_key"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt({ precision: 3 }),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
    closedAt: instant("closed_at", { precision: 3 }),
  },
  (table) => [
    index("incidents_tenant_status_idx").on(table.tenantId, table.status, table.communicationDue),
    uniqueIndex("incidents_dedupe_idx").on(table.tenantId, table.dedupeKey),
    check(
      "incidents_status_check",
      sql`${table.status} in ('draft', 'confirmed', 'communicated', 'closed', 'dismissed')`,
    ),
    check("incidents_source_check", sql`${table.source} in ('manual', 'audit_chain', 'mass_phi_read')`),
    check("incidents_risk_check", sql`${table.riskLevel} in ('low', 'medium', 'high')`),
    pgPolicy("incidents_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type IncidentRow = typeof incidents.$inferSelect;
