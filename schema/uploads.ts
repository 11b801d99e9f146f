import { sql } from "drizzle-orm";
import { bigint, index, integer, pgPolicy, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { dataSubjects } from "./data-subjects";
import { retentionClasses } from "./retention-policies";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

export const uploadKinds = ["dicom", "image", "document"] as const;
export type UploadKind = (typeof uploadKinds)[number];

export const uploadStatuses = ["pending", "completed", "rejected", "aborted", "expired"] as const;
export type UploadStatus = (typeof uploadStatuses)[number];

/**
 * An upload the Worker authorised: the browser PUTs the bytes straight to S3 through presigned URLs under
 * `pending_key` (class upload_incomplete), and `POST /api/uploads/:id/complete` verifies them before they
 * become a media item. The declared size and SHA-256 are what the object must match.
 */
export const uploads = pgTable(
  "uploads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    subjectId: uuid("subject_id").references(() => dataSubjects.id),
    kind: text("kind", { enum: uploadKinds }).notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    /** Where the browser uploads: `upload-pending/<tenant>/<yyyy>/<mm>/<id>`. */
    pendingKey: text("pending_key").notNull(),
    /** The retention class the object gets once verified. */
    retentionClass: text("retention_class", { enum: retentionClasses }).notNull(),
    multipartUploadId: text("multipart_upload_id"),
    /** An image upload that replaces this media item's picture (same id, new object and version) on completion. */
    replacesMediaId: uuid("replaces_media_id"),
    partSize: integer("part_size"),
    partCount: integer("part_count"),
    status: text("status", { enum: uploadStatuses }).notNull().default("pending"),
    rejectedReason: text("rejected_reason"),
    expiresAt: instant("expires_at", { precision: 3 }).notNull(),
    createdAt: createdAt({ precision: 3 }),
    finishedAt: instant("finished_at", { precision: 3 }),
  },
  (table) => [
    index("uploads_tenant_status_expires_idx").on(table.tenantId, table.status, table.expiresAt),
    pgPolicy("uploads_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type Upload = typeof uploads.$inferSelect;
