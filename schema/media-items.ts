import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { dataSubjects } from "./data-subjects";
import { retentionClasses } from "./retention-policies";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { uploadKinds, uploads } from "./uploads";
import { users } from "./users";

/** DICOM header facts read on completion (PS3.10 File Meta Information and the dataset's identifying attributes). */
export interface DicomMetadata {
  transferSyntaxUid: string | null;
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  modality: string | null;
  studyDate: string | null;
}

/**
 * A verified object in the bucket. `object_key` is under the retention class's prefix; `last_entry_at`
 * is the retention clock of medical records (Lei 13.787/2018 art. 6: 20 years from the record's last
 * entry), moved forward for every item of the same subject's record when a new entry arrives.
 *
 * Public images: `public_at` is an editor's explicit mark that the item may appear on the public site, which
 * needs one `alt_text` for every locale (an image shows the same thing in every language; a translation that
 * needs other words uses the Markdown alt). `width`/`height` are the displayed dimensions read from the image's
 * header on completion (after its EXIF orientation). `wp_id` is the integer id the WordPress API shows.
 */
export const mediaItems = pgTable(
  "media_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** The upload it came from; null for a copy the system derived (a de-identified study, `sourceMediaId`). */
    uploadId: uuid("upload_id").references(() => uploads.id),
    /**
     * The item a derived copy was made from (a de-identified study's original). The original may be deleted by the
     * retention sweep long before the copy, which then keeps no link.
     */
    sourceMediaId: uuid("source_media_id").references((): AnyPgColumn => mediaItems.id, { onDelete: "set null" }),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id),
    subjectId: uuid("subject_id").references(() => dataSubjects.id),
    kind: text("kind", { enum: uploadKinds }).notNull(),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    objectKey: text("object_key").notNull(),
    retentionClass: text("retention_class", { enum: retentionClasses }).notNull(),
    dicom: jsonb("dicom").$type<DicomMetadata>(),
    /** Keywords of PHI-bearing DICOM attributes present in the header (PS3.15 Annex E); never their values. */
    phiTags: text("phi_tags")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    width: integer("width"),
    height: integer("height"),
    altText: text("alt_text"),
    publicAt: instant("public_at", { precision: 3 }),
    wpId: bigserial("wp_id", { mode: "number" }).notNull().unique(),
    lastEntryAt: instant("last_entry_at", { precision: 3 }).notNull().defaultNow(),
    /** Blocked (LGPD art. 18 IV): kept because the law requires it, but not used or handed out any more. */
    blockedAt: instant("blocked_at", { precision: 3 }),
    createdAt: createdAt({ precision: 3 }),
  },
  (table) => [
    uniqueIndex("media_items_upload_idx").on(table.uploadId),
    index("media_items_tenant_class_entry_idx").on(table.tenantId, table.retentionClass, table.lastEntryAt, table.id),
    index("media_items_subject_idx").on(table.tenantId, table.subjectId),
    index("media_items_source_idx").on(table.tenantId, table.sourceMediaId),
    pgPolicy("media_items_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type MediaItem = typeof mediaItems.$inferSelect;
