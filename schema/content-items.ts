import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, pgPolicy, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, instant } from "./columns";
import { appRole, currentTenantSql } from "./roles";
import { tenants } from "./tenants";
import { users } from "./users";
import { COMPLIANCE_LEVELS, CONTENT_LOCALES, CONTENT_TYPES, WORKFLOW_STATES } from "../functions/contract";

export {
  CONTENT_TYPES as contentTypes,
  CONTENT_LOCALES as contentLocales,
  COMPLIANCE_LEVELS as complianceLevels,
  WORKFLOW_STATES as workflowStates,
} from "../functions/contract";
export type { ContentType, ContentLocale, ComplianceLevel, WorkflowState } from "../functions/contract";

/**
 * Posts and pages, one table (`type`), shaped like WordPress's so the WordPress-compatible API is a view.
 *
 * - `wp_id`: the stable integer id WordPress clients expect; a global sequence, so unique in every tenant.
 * - `version`: optimistic concurrency (If-Match); every save and every workflow step increments it.
 * - `body_html`: rendered from `body_markdown` and sanitized on save (never at read time).
 * - `reviewer_*`: the responsible physician at approval time, copied (not joined) so the published record
 *   keeps naming who reviewed it even if the credential later changes (CFM 2.336/2023: name + CRM/UF).
 * - `meta_title`, `meta_description`, `focus_keyword`, `canonical_url`, `noindex`: what search engines are
 *   told about the item (null: the title, the excerpt, no keyword, the item's own URL); kept per revision too.
 * - `search_vector`: a generated tsvector (per-locale dictionary, unaccented) added by the migration
 *   `content-rls-search`, not declared here because it calls a function that migration creates.
 */
export const contentItems = pgTable(
  "content_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id),
    wpId: bigserial("wp_id", { mode: "number" }).notNull().unique(),
    type: text("type", { enum: CONTENT_TYPES }).notNull(),
    title: text("title").notNull(),
    slug: text("slug").notNull(),
    bodyMarkdown: text("body_markdown").notNull().default(""),
    bodyHtml: text("body_html").notNull().default(""),
    excerpt: text("excerpt").notNull().default(""),
    locale: text("locale", { enum: CONTENT_LOCALES }).notNull(),
    translationGroupId: uuid("translation_group_id").notNull().defaultRandom(),
    authorId: uuid("author_id")
      .notNull()
      .references(() => users.id),
    featuredMediaId: uuid("featured_media_id"),
    complianceLevel: text("compliance_level", { enum: COMPLIANCE_LEVELS }).notNull().default("public"),
    state: text("state", { enum: WORKFLOW_STATES }).notNull().default("draft"),
    /** Why the item last went back to draft (required by the workflow). */
    stateReason: text("state_reason"),
    currentRevisionId: uuid("current_revision_id"),
    scheduledAt: instant("scheduled_at", { precision: 3 }),
    publishedAt: instant("published_at", { precision: 3 }),
    lastMedicallyReviewedAt: instant("last_medically_reviewed_at", { precision: 3 }),
    reviewedBy: uuid("reviewed_by").references(() => users.id),
    reviewerName: text("reviewer_name"),
    reviewerCrm: text("reviewer_crm"),
    reviewerUf: text("reviewer_uf"),
    metaTitle: text("meta_title"),
    metaDescription: text("meta_description"),
    focusKeyword: text("focus_keyword"),
    /** An absolute https URL that replaces the item's own as its canonical link. */
    canonicalUrl: text("canonical_url"),
    noindex: boolean("noindex").notNull().default(false),
    version: integer("version").notNull().default(1),
    trashedAt: instant("trashed_at", { precision: 3 }),
    createdAt: createdAt({ precision: 3 }),
    updatedAt: instant("updated_at", { precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("content_items_tenant_locale_slug").on(table.tenantId, table.locale, table.slug),
    index("content_items_tenant_updated_idx").on(table.tenantId, table.updatedAt.desc(), table.id.desc()),
    index("content_items_tenant_published_idx").on(table.tenantId, table.type, table.state, table.publishedAt.desc()),
    index("content_items_scheduled_idx").on(table.state, table.scheduledAt),
    index("content_items_translation_idx").on(table.tenantId, table.translationGroupId),
    // An author's items: the admin's and WordPress's author filter, an author's own drafts, and the sitemap count an
    // author slug change moves (0028's sitemap_count_term), which otherwise scans every item of the tenant.
    index("content_items_tenant_author_idx").on(table.tenantId, table.authorId),
    // What the public reads page through, newest first: WordPress collections (by type) and the site's lists
    // (by locale). Only published, untrashed rows: the public view never reads the others.
    index("content_items_public_type_idx")
      .on(table.tenantId, table.type, table.publishedAt.desc(), table.wpId.desc())
      .where(sql`state = 'published' and trashed_at is null`),
    index("content_items_public_locale_idx")
      .on(table.tenantId, table.locale, table.publishedAt.desc(), table.id.desc())
      .where(sql`state = 'published' and trashed_at is null`),
    // The sitemap's items in the order its files split them: by `wp_id`, which never changes, so an item keeps
    // its file and a new one goes to the last. `updated_at` is each file's lastmod, read from the index alone.
    index("content_items_sitemap_idx")
      .on(table.tenantId, table.locale, table.wpId, table.updatedAt)
      .where(sql`state = 'published' and trashed_at is null and compliance_level = 'public' and not noindex`),
    pgPolicy("content_items_tenant_isolation", {
      for: "all",
      to: appRole,
      using: sql.raw(`tenant_id = ${currentTenantSql}`),
      withCheck: sql.raw(`tenant_id = ${currentTenantSql}`),
    }),
  ],
).enableRLS();

export type ContentItem = typeof contentItems.$inferSelect;
