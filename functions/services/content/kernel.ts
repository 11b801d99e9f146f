/**
 * The content kernel: the view every content answer has, and the reads and checks that the CRUD, revision,
 * workflow, analysis and taxonomy services share.
 */
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import {
  type ContentItem,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type ContentType,
} from "../../../schema";
import { contentTypes } from "../../content-types";
import { COMPLIANCE_LEVELS, CONTENT_LOCALES, CONTENT_TYPES, WORKFLOW_STATES } from "../../contract";
import type { Transaction } from "../../lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "../../lib/errors";
import type { Scope } from "../../scope";
import { adminVisibility, mayEdit, resolveViewer, type Viewer, viewerHas, WRITER_ROLES } from "./access";

/** What every content answer shows of an item (the admin API's `ContentItem`). */
export const contentViewSchema = z.object({
  id: z.uuid(),
  wpId: z.number().int(),
  type: z.enum(CONTENT_TYPES),
  title: z.string(),
  slug: z.string(),
  bodyMarkdown: z.string(),
  bodyHtml: z.string(),
  excerpt: z.string(),
  locale: z.enum(CONTENT_LOCALES),
  translationGroupId: z.uuid(),
  authorId: z.uuid(),
  featuredMediaId: z.uuid().nullable(),
  complianceLevel: z.enum(COMPLIANCE_LEVELS),
  state: z.enum(WORKFLOW_STATES),
  stateReason: z.string().nullable(),
  scheduledAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  lastMedicallyReviewedAt: z.string().nullable(),
  reviewer: z
    .object({ userId: z.uuid(), name: z.string().nullable(), crm: z.string().nullable(), uf: z.string().nullable() })
    .nullable(),
  currentRevisionId: z.uuid().nullable(),
  version: z.number().int(),
  trashedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  categoryIds: z.array(z.uuid()),
  tagIds: z.array(z.uuid()),
  metaTitle: z.string().nullable(),
  metaDescription: z.string().nullable(),
  focusKeyword: z.string().nullable(),
  canonicalUrl: z.string().nullable(),
  noindex: z.boolean(),
});
export type ContentView = z.infer<typeof contentViewSchema>;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toContentView(item: ContentItem, categoryIds: string[], tagIds: string[]): ContentView {
  return {
    id: item.id,
    wpId: item.wpId,
    type: item.type,
    title: item.title,
    slug: item.slug,
    bodyMarkdown: item.bodyMarkdown,
    bodyHtml: item.bodyHtml,
    excerpt: item.excerpt,
    locale: item.locale,
    translationGroupId: item.translationGroupId,
    authorId: item.authorId,
    featuredMediaId: item.featuredMediaId,
    complianceLevel: item.complianceLevel,
    state: item.state,
    stateReason: item.stateReason,
    scheduledAt: iso(item.scheduledAt),
    publishedAt: iso(item.publishedAt),
    lastMedicallyReviewedAt: iso(item.lastMedicallyReviewedAt),
    reviewer: item.reviewedBy
      ? { userId: item.reviewedBy, name: item.reviewerName, crm: item.reviewerCrm, uf: item.reviewerUf }
      : null,
    currentRevisionId: item.currentRevisionId,
    version: item.version,
    trashedAt: iso(item.trashedAt),
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
    categoryIds,
    tagIds,
    metaTitle: item.metaTitle,
    metaDescription: item.metaDescription,
    focusKeyword: item.focusKeyword,
    canonicalUrl: item.canonicalUrl,
    noindex: item.noindex,
  };
}

/** A URL slug from a title: accents folded ("Hipertensão" → "hipertensao"), words joined by hyphens. */
export function slugify(text: string): string {
  const slug = text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120)
    .replace(/-+$/, "");
  return slug || "item";
}

/** The item, if this viewer may see it (an empty result otherwise). */
function visibleItem(tx: Transaction, viewer: Viewer, type: ContentType, id: string) {
  return tx
    .select()
    .from(contentItems)
    .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)));
}

function notFound(type: ContentType): NotFoundError {
  return new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
}

/** Reads an item the viewer may see; 404 otherwise. */
export async function loadVisibleItem(
  tx: Transaction,
  viewer: Viewer,
  type: ContentType,
  id: string,
): Promise<ContentItem> {
  const [item] = await visibleItem(tx, viewer, type, id);
  if (!item) throw notFound(type);
  return item;
}

/** Reads an item the viewer may see, locking it for the rest of the transaction; 404 otherwise. */
export async function loadItemForUpdate(
  tx: Transaction,
  viewer: Viewer,
  type: ContentType,
  id: string,
): Promise<ContentItem> {
  const [item] = await visibleItem(tx, viewer, type, id).for("update");
  if (!item) throw notFound(type);
  return item;
}

/** RFC 9110 §13.1.1: the item's version is its entity tag. Refuses a stale one with the current version. */
export function assertVersion(item: Pick<ContentItem, "version">, expected: number | undefined): void {
  if (expected !== undefined && expected !== item.version) {
    throw new ConflictError(
      "version_conflict",
      "This item was changed by someone else. Reload it and apply your change again.",
      {
        extensions: { currentVersion: item.version, yourVersion: expected },
      },
    );
  }
}

/** The category and tag ids of each item. */
export async function linkedIds(
  tx: Transaction,
  contentIds: string[],
): Promise<{ categories: Map<string, string[]>; tags: Map<string, string[]> }> {
  const byContent = { categories: new Map<string, string[]>(), tags: new Map<string, string[]>() };
  if (contentIds.length === 0) return byContent;
  const [categoryRows, tagRows] = await Promise.all([
    tx
      .select({ contentId: contentItemCategories.contentId, id: contentItemCategories.categoryId })
      .from(contentItemCategories)
      .where(inArray(contentItemCategories.contentId, contentIds)),
    tx
      .select({ contentId: contentItemTags.contentId, id: contentItemTags.tagId })
      .from(contentItemTags)
      .where(inArray(contentItemTags.contentId, contentIds)),
  ]);
  for (const row of categoryRows)
    byContent.categories.set(row.contentId, [...(byContent.categories.get(row.contentId) ?? []), row.id]);
  for (const row of tagRows) byContent.tags.set(row.contentId, [...(byContent.tags.get(row.contentId) ?? []), row.id]);
  return byContent;
}

export async function viewOf(tx: Transaction, item: ContentItem): Promise<ContentView> {
  const links = await linkedIds(tx, [item.id]);
  return toContentView(item, (links.categories.get(item.id) ?? []).sort(), (links.tags.get(item.id) ?? []).sort());
}

/**
 * The item a save will change, locked for update: it must be visible, not trashed, at the version the
 * caller edited, and editable by this viewer (outside draft and in_review it is locked, so an approval
 * always covers the text that is published).
 */
export async function loadEditableItem(
  tx: Transaction,
  scope: Scope,
  type: ContentType,
  id: string,
  expectedVersion: number,
): Promise<ContentItem> {
  const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
  const item = await loadItemForUpdate(tx, viewer, type, id);
  if (item.trashedAt) throw new ConflictError("content_trashed", "Restore this item from the trash before editing it.");
  assertVersion(item, expectedVersion);
  if (!mayEdit(viewer, item)) {
    if (viewerHas(viewer, WRITER_ROLES) && item.state !== "draft" && item.state !== "in_review") {
      throw new ConflictError("content_locked", `A ${item.state} item cannot be edited; move it back to draft first.`);
    }
    throw new ForbiddenError("forbidden", "You may not edit this item.");
  }
  return item;
}
