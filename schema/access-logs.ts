import { sql } from "drizzle-orm";
import { check, index, integer, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";

export const ACCESS_LOG_KINDS = ["request", "sign_in"] as const;
export type AccessLogKind = (typeof ACCESS_LOG_KINDS)[number];

/**
 * Application access logs (Lei 12.965/2014, Marco Civil da Internet, art. 15: "registros de acesso a aplicações"
 * — who, from which IP, when, kept six months under secrecy). One row per authenticated API request and per
 * sign-in attempt: the user, or for a sign-in the attempted e-mail as a keyed hash (never the address), the
 * client address and port as the platform gives them, the method, the route template (never the path's ids or
 * the query string) and the answer's status, at a UTC instant. Retention class `access_log`
 * (schema/retention-policies.ts), deleted by the retention sweep; the Worker inserts, reads (compliance
 * officers only) and deletes (the sweep), and never updates a row.
 */
export const accessLogs = pgTable(
  "access_logs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    at: instant("at", { precision: 3 }).notNull(),
    kind: text("kind", { enum: ACCESS_LOG_KINDS }).notNull(),
    /** The signed-in user; for a sign-in attempt, the user it signed in when it succeeded. No foreign key: the log outlives accounts. */
    userId: uuid("user_id"),
    /** HMAC-SHA256 of the attempted e-mail (lower-cased) under a key derived from the at-rest key; sign-ins only. */
    emailHash: text("email_hash"),
    /** The client address as the edge gave it (`CF-Connecting-IP`), or `unknown` where no trusted one exists. */
    ip: text("ip").notNull(),
    port: integer("port"),
    method: text("method").notNull(),
    /** The matched route template (`/api/posts/:id`), never the requested path or its query. */
    route: text("route").notNull(),
    status: integer("status").notNull(),
    requestId: text("request_id"),
    /** The API token the request was made with (never its secret); null for a session's requests. */
    tokenId: uuid("token_id"),
  },
  (table) => [
    index("access_logs_tenant_at_idx").on(table.tenantId, table.at, table.id),
    index("access_logs_tenant_user_at_idx").on(table.tenantId, table.userId, table.at),
    check("access_logs_kind_check", sql`${table.kind} in ('request', 'sign_in')`),
    pgPolicy("access_logs_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type AccessLogRow = typeof accessLogs.$inferSelect;
