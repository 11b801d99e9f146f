import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgPolicy, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { WEBHOOK_EVENTS } from "../functions/contract";
import { outbox } from "./outbox";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export { WEBHOOK_EVENTS };

/**
 * An admin's webhook endpoint: where the tenant's events are delivered (services/webhooks/). The signing secret
 * (`whsec_…`, Standard Webhooks) is needed to sign every delivery, so it is sealed (AES-GCM with the at-rest key,
 * bound to the endpoint id), never hashed, and shown once when it is made or rotated. After a rotation the previous
 * secret, sealed the same way, keeps signing beside the new one until `previous_secret_expires_at`, and is erased then.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    events: text("events", { enum: WEBHOOK_EVENTS }).array().notNull(),
    enabled: boolean("enabled").notNull().default(true),
    secretSealed: text("secret_sealed").notNull(),
    secretRotatedAt: timestamp("secret_rotated_at", { withTimezone: true, mode: "date", precision: 3 })
      .notNull()
      .defaultNow(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", {
      withTimezone: true,
      mode: "date",
      precision: 3,
    }),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index("webhook_endpoints_tenant_idx").on(table.tenantId, table.createdAt),
    check(
      "webhook_endpoints_previous_secret",
      sql`(${table.previousSecretSealed} is null) = (${table.previousSecretExpiresAt} is null)`,
    ),
    pgPolicy("webhook_endpoints_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * The delivery log: one row per attempt of a delivery (an outbox row of channel `webhook`). It keeps what an admin
 * needs to debug an endpoint (status code, duration, the class of error) and at most a short, sanitised excerpt of
 * the answer, never the whole body, which could echo anything back.
 */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => outbox.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    errorClass: text("error_class"),
    excerpt: text("excerpt"),
    /** Seconds until the next attempt; null when the delivery is done (sent or dead). */
    retryInSeconds: integer("retry_in_seconds"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index("webhook_attempts_delivery_idx").on(table.tenantId, table.deliveryId, table.createdAt),
    index("webhook_attempts_endpoint_idx").on(table.endpointId),
    pgPolicy("webhook_attempts_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;
