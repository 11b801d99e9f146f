/** Creating, reading, listing, changing and trashing content items. */
import { and, eq, exists, isNotNull, isNull, ne, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import {
  type ComplianceLevel,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type ContentLocale,
  type ContentType,
  type WorkflowState,
  SEO_DEFAULTS,
} from "../../../schema";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { ForbiddenError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import {
  adminVisibility,
  isOnPublicSite,
  mayTrash,
  resolveViewer,
  type Viewer,
  viewerHas,
  WRITER_ROLES,
} from "./access";
import type { Transaction } from "../../lib/db";
import {
  assertVersion,
  type ContentView,
  contentViewSchema,
  linkedIds,
  loadEditableItem,
  loadItemForUpdate,
  loadVisibleItem,
  slugify,
  toContentView,
  viewOf,
} from "./kernel";
import { plainTextExcerpt } from "./markdown";
import { mapUniqueViolation, save, type SnapshotInput, snapshotOf } from "./save";
import { searchMatchSql } from "./search";
import { announceContentChange } from "../cdn-purge";

export interface ContentFields {
  title: string;
  slug?: string;
  bodyMarkdown?: string;
  excerpt?: string;
  locale: ContentLocale;
  translationGroupId?: string;
  complianceLevel?: ComplianceLevel;
  featuredMediaId?: string | null;
  categoryIds?: string[];
  tagIds?: string[];
  metaTitle?: string | null;
  metaDescription?: string | null;
  focusKeyword?: string | null;
  canonicalUrl?: string | null;
  noindex?: boolean;
}

export type ContentPatch = Partial<ContentFields>;

export async function createContent(scope: Scope, type: ContentType, input: ContentFields): Promise<ContentView> {
  const { userId } = requireUser(scope);
  return scope
    .transaction(async (tx) => {
      const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
      if (!viewerHas(viewer, WRITER_ROLES))
        throw new ForbiddenError("forbidden_role", "Your role cannot write content.");
      const bodyMarkdown = input.bodyMarkdown ?? "";
      const snapshot: SnapshotInput = {
        title: input.title,
        slug: input.slug ?? slugify(input.title),
        bodyMarkdown,
        excerpt: input.excerpt ?? null,
        locale: input.locale,
        translationGroupId: input.translationGroupId ?? crypto.randomUUID(),
        complianceLevel: input.complianceLevel ?? "public",
        featuredMediaId: input.featuredMediaId ?? null,
        categoryIds: input.categoryIds ?? [],
        tagIds: input.tagIds ?? [],
        metaTitle: input.metaTitle ?? SEO_DEFAULTS.metaTitle,
        metaDescription: input.metaDescription ?? SEO_DEFAULTS.metaDescription,
        focusKeyword: input.focusKeyword ?? SEO_DEFAULTS.focusKeyword,
        canonicalUrl: input.canonicalUrl ?? SEO_DEFAULTS.canonicalUrl,
        noindex: input.noindex ?? SEO_DEFAULTS.noindex,
      };
      const item = await save(tx, scope, userId, null, snapshot, type, "content.created");
      return viewOf(tx, item);
    })
    .catch(mapUniqueViolation);
}

export async function getContent(scope: Scope, type: ContentType, id: string): Promise<ContentView> {
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const item = await loadVisibleItem(tx, viewer, type, id);
    if (item.complianceLevel === "phi") {
      // Every read of personal health data is recorded (HIPAA 45 CFR 164.312(b); LGPD Art. 37).
      await scope.audit(tx, "content.phi_read", { type, id: item.id });
    }
    return viewOf(tx, item);
  });
}

/** The compliance level of an item the caller may see, or null when they may not see it (the read then 404s). */
export async function contentComplianceLevel(
  scope: Scope,
  type: ContentType,
  id: string,
): Promise<ComplianceLevel | null> {
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const [row] = await tx
      .select({ complianceLevel: contentItems.complianceLevel })
      .from(contentItems)
      .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)));
    return row?.complianceLevel ?? null;
  });
}

export interface ContentListFilters {
  state?: WorkflowState;
  locale?: ContentLocale;
  categoryId?: string;
  tagId?: string;
  authorId?: string;
  complianceLevel?: ComplianceLevel;
  q?: string;
  trashed?: boolean;
  cursor?: string;
  limit?: number;
  /** Whether the session qualifies for PHI (a trust evaluation at `phi`); without it, `phi` items are left out. */
  includePhi?: boolean;
}

export const contentPageViewSchema = z.object({ items: z.array(contentViewSchema), nextCursor: z.string().nullable() });
export type ContentPage = z.infer<typeof contentPageViewSchema>;

/**
 * The admin index's page query: the items of `type` the viewer may see that match the filters, newest change first,
 * from the cursor on, `limit` rows. A statement to await in the caller's transaction (its plan is tested on a large
 * tenant: it must read `content_items_tenant_updated_idx` in order, never sort the tenant).
 */
export function contentPageQuery(
  tx: Transaction,
  viewer: Viewer,
  type: ContentType,
  filters: ContentListFilters,
  limit: number,
) {
  const after = filters.cursor ? decodeCursor(filters.cursor) : null;
  const conditions: SQL[] = [eq(contentItems.type, type), adminVisibility(viewer)];
  if (!filters.includePhi) conditions.push(ne(contentItems.complianceLevel, "phi"));
  conditions.push(filters.trashed ? isNotNull(contentItems.trashedAt) : isNull(contentItems.trashedAt));
  if (filters.state) conditions.push(eq(contentItems.state, filters.state));
  if (filters.locale) conditions.push(eq(contentItems.locale, filters.locale));
  if (filters.authorId) conditions.push(eq(contentItems.authorId, filters.authorId));
  if (filters.complianceLevel) conditions.push(eq(contentItems.complianceLevel, filters.complianceLevel));
  if (filters.categoryId) {
    conditions.push(
      exists(
        tx
          .select({ one: sql`1` })
          .from(contentItemCategories)
          .where(
            and(
              eq(contentItemCategories.contentId, contentItems.id),
              eq(contentItemCategories.categoryId, filters.categoryId),
            ),
          ),
      ),
    );
  }
  if (filters.tagId) {
    conditions.push(
      exists(
        tx
          .select({ one: sql`1` })
          .from(contentItemTags)
          .where(and(eq(contentItemTags.contentId, contentItems.id), eq(contentItemTags.tagId, filters.tagId))),
      ),
    );
  }
  if (filters.q) conditions.push(searchMatchSql(filters.q, filters.locale));
  // A row comparison, in the order of the index `content_items_tenant_updated_idx` (DESC NULLS LAST): the
  // page is read from the index from the cursor on, instead of sorting every item of the tenant.
  if (after)
    conditions.push(
      sql`(${contentItems.updatedAt}, ${contentItems.id}) < (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`,
    );
  return tx
    .select()
    .from(contentItems)
    .where(and(...conditions))
    .orderBy(sql`${contentItems.updatedAt} desc nulls last`, sql`${contentItems.id} desc nulls last`)
    .limit(limit);
}

export async function listContent(scope: Scope, type: ContentType, filters: ContentListFilters): Promise<ContentPage> {
  const limit = Math.min(100, Math.max(1, filters.limit ?? 20));
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const rows = await contentPageQuery(tx, viewer, type, filters, limit + 1);
    const page = rows.slice(0, limit);
    const links = await linkedIds(
      tx,
      page.map((row) => row.id),
    );
    for (const row of page) {
      if (row.complianceLevel === "phi") await scope.audit(tx, "content.phi_read", { type, id: row.id });
    }
    const last = page.at(-1);
    return {
      items: page.map((row) =>
        toContentView(row, (links.categories.get(row.id) ?? []).sort(), (links.tags.get(row.id) ?? []).sort()),
      ),
      nextCursor: rows.length > limit && last ? encodeCursor(last.updatedAt, last.id) : null,
    };
  });
}

export async function updateContent(
  scope: Scope,
  type: ContentType,
  id: string,
  expectedVersion: number,
  patch: ContentPatch,
): Promise<ContentView> {
  requireUser(scope);
  return scope
    .transaction(async (tx) => {
      const item = await loadEditableItem(tx, scope, type, id, expectedVersion);
      const links = await linkedIds(tx, [item.id]);
      const current = snapshotOf(item, links.categories.get(item.id) ?? [], links.tags.get(item.id) ?? []);
      const next: SnapshotInput = {
        ...current,
        ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
      } as SnapshotInput;
      if (
        patch.bodyMarkdown !== undefined &&
        patch.excerpt === undefined &&
        current.excerpt === plainTextExcerpt(item.bodyHtml)
      ) {
        // The excerpt was generated, not written: keep it in step with the body.
        next.excerpt = null;
      }
      const saved = await save(tx, scope, item.authorId, item, next, type, "content.updated", {
        fields: Object.keys(patch).sort(),
      });
      // Only drafts and items in review are editable today, so this purge usually finds nothing public; it
      // keeps the site right if an editable state ever becomes public.
      await announceContentChange(scope, tx, [{ id: item.id, wasPublic: isOnPublicSite(item) }]);
      return viewOf(tx, saved);
    })
    .catch(mapUniqueViolation);
}

/**
 * Moves an item to the trash or back. Either way its public footprint may change (a trashed item leaves the
 * site; a restored published one returns), so the change raises `content.changed` for the cache purge.
 */
export async function setTrashed(
  scope: Scope,
  type: ContentType,
  id: string,
  options: { trashed: "trash" | "restore"; expectedVersion?: number | undefined },
): Promise<ContentView> {
  requireUser(scope);
  const toTrash = options.trashed === "trash";
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const item = await loadItemForUpdate(tx, viewer, type, id);
    assertVersion(item, options.expectedVersion);
    if (!mayTrash(viewer, item)) {
      throw new ForbiddenError(
        "forbidden",
        toTrash ? "You may not move this item to the trash." : "You may not restore this item.",
      );
    }
    if (Boolean(item.trashedAt) === toTrash) return viewOf(tx, item);
    const [changed] = await tx
      .update(contentItems)
      .set({ trashedAt: toTrash ? new Date() : null, version: item.version + 1, updatedAt: new Date() })
      .where(eq(contentItems.id, item.id))
      .returning();
    await scope.audit(
      tx,
      toTrash ? "content.trashed" : "content.restored",
      { type, id: item.id },
      toTrash ? { version: changed!.version, state: item.state } : { version: changed!.version },
    );
    await announceContentChange(scope, tx, [{ id: item.id, wasPublic: isOnPublicSite(item) }]);
    return viewOf(tx, changed!);
  });
}
