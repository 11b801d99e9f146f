import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { appRole, currentTenantSql, platformRole } from "./roles";
import { tenants } from "./tenants";

export const OUTBOX_STATUSES = ["pending", "sending", "sent", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const OUTBOX_CHANNELS = ["email", "cdn_purge", "legal_hold", "webhook"] as const;

/**
 * Messages the system owes the world, written in the same transaction as the change that causes them (an
 * invitation, a password reset) and delivered afterwards by a cron job, with retries and a dead-letter state.
 * `data` holds the template's parameters and never PHI; a one-time secret the message carries (an invitation
 * or reset token) is sealed in `secret_sealed` (AES-GCM, bound to the row id) and wiped once the message is
 * sent (a dead message keeps it, so an admin's retry can still send the link while it is valid).
 */
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /**
     * `email`; `cdn_purge` (recipient: the zone; data: `{ tags }`; services/cdn-purge.ts); `legal_hold` (recipient:
     * the bucket; data: `{ mediaIds }`, whose objects' S3 legal holds are set to what the active holds say;
     * services/legal-holds.ts); or `webhook` (recipient: the endpoint id; template: the event; data: the event's
     * payload; services/webhooks/).
     */
    channel: text("channel", { enum: OUTBOX_CHANNELS }).notNull().default("email"),
    template: text("template").notNull(),
    locale: text("locale").notNull(),
    recipient: text("recipient").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    secretSealed: text("secret_sealed"),
    /** A message that must be queued at most once (e.g. one notice per event) names itself here. */
    dedupeKey: text("dedupe_key"),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** A delivery run that claimed the row holds it until then; a crashed run's claim lapses. */
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("outbox_due_idx").on(table.tenantId, table.status, table.nextAttemptAt),
    uniqueIndex("outbox_dedupe_idx").on(table.tenantId, table.dedupeKey),
    // An endpoint's deliveries, newest first (GET /api/webhooks/{id}/deliveries).
    index("outbox_recipient_idx").on(table.tenantId, table.channel, table.recipient, table.createdAt),
    check("outbox_status_check", sql`${table.status} in ('pending', 'sending', 'sent', 'dead')`),
    // The platform operator invites a new tenant's first admin and queues the e-mail, in that tenant only.
    pgPolicy("outbox_platform", {
      for: "all",
      to: platformRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
    pgPolicy("outbox_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type OutboxRow = typeof outbox.$inferSelect;
