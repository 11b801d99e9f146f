import { sql } from "drizzle-orm";
import { integer, jsonb, pgPolicy, pgTable, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";
import { contentItems, type ComplianceLevel, type ContentLocale } from "./content-items";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";

/** What a revision keeps: every field an author can change, so restoring one is just another save. */
export interface RevisionSnapshot {
  title: string;
  slug: string;
  bodyMarkdown: string;
  excerpt: string;
  locale: ContentLocale;
  translationGroupId: string;
  complianceLevel: ComplianceLevel;
  featuredMediaId: string | null;
  categoryIds: string[];
  tagIds: string[];
  metaTitle: string | null;
  metaDescription: string | null;
  focusKeyword: string | null;
  canonicalUrl: string | null;
  noindex: boolean;
}

/** What search engines are told about an item; revisions saved before these fields existed had these values. */
export const SEO_DEFAULTS = {
  metaTitle: null,
  metaDescription: null,
  focusKeyword: null,
  canonicalUrl: null,
  noindex: false,
} as const satisfies Pick<
  RevisionSnapshot,
  "metaTitle" | "metaDescription" | "focusKeyword" | "canonicalUrl" | "noindex"
>;

/** A stored snapshot as today's shape: fields added since it was saved take their defaults. */
export function completeSnapshot(stored: RevisionSnapshot): RevisionSnapshot {
  return { ...SEO_DEFAULTS, ...stored };
}

/** One row per save of a content item (append-only for the Worker: it may insert and read, never change). */
export const contentRevisions = pgTable(
  "content_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    contentId: uuid("content_id")
      .notNull()
      .references(() => contentItems.id),
    /** The item's version this save produced. */
    version: integer("version").notNull(),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    snapshot: jsonb("snapshot").$type<RevisionSnapshot>().notNull(),
    createdAt: createdAt({ precision: 3 }),
  },
  (table) => [
    unique("content_revisions_content_version").on(table.contentId, table.version),
    pgPolicy("content_revisions_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ContentRevision = typeof contentRevisions.$inferSelect;
