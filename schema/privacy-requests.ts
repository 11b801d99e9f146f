import { sql } from "drizzle-orm";
import { index, jsonb, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { dataSubjects } from "./data-subjects";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";
import { PRIVACY_REQUEST_STATUSES, PRIVACY_REQUEST_TYPES } from "../functions/contract";

export {
  PRIVACY_REQUEST_TYPES as privacyRequestTypes,
  PRIVACY_REQUEST_STATUSES as privacyRequestStatuses,
} from "../functions/contract";
export type { PrivacyRequestType } from "../functions/contract";

/**
 * A data subject's request (LGPD art. 18), with its deadline (art. 19 II: a full statement within 15
 * days) and the answer given. The answer (`outcome`) names what was done and, for data the law keeps,
 * the legal basis for keeping it.
 */
export const privacyRequests = pgTable(
  "privacy_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    subjectId: uuid("subject_id")
      .notNull()
      .references(() => dataSubjects.id),
    type: text("type", { enum: PRIVACY_REQUEST_TYPES }).notNull(),
    status: text("status", { enum: PRIVACY_REQUEST_STATUSES }).notNull().default("open"),
    /** For corrections: the fields to correct (art. 18 III). */
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    receivedAt: instant("received_at", { precision: 3 }).notNull().defaultNow(),
    dueAt: instant("due_at", { precision: 3 }).notNull(),
    fulfilledAt: instant("fulfilled_at", { precision: 3 }),
    outcome: jsonb("outcome").$type<Record<string, unknown>>(),
    createdBy: uuid("created_by").references(() => users.id),
    fulfilledBy: uuid("fulfilled_by").references(() => users.id),
  },
  (table) => [
    index("privacy_requests_tenant_due_idx").on(table.tenantId, table.status, table.dueAt),
    pgPolicy("privacy_requests_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type PrivacyRequest = typeof privacyRequests.$inferSelect;
