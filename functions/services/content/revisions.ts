/** An item's history: every save is a revision; revisions are listed, compared and restored (as a new save). */
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import {
  categories,
  completeSnapshot,
  contentRevisions,
  type ContentType,
  type RevisionSnapshot,
  tags,
} from "../../../schema";
import { COMPLIANCE_LEVELS, CONTENT_LOCALES } from "../../contract";
import type { Transaction } from "../../lib/db";
import { NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import { isOnPublicSite, resolveViewer } from "./access";
import { diffLines, lineDiffSchema } from "./diff";
import { type ContentView, loadEditableItem, loadVisibleItem, viewOf } from "./kernel";
import { mapUniqueViolation, save } from "./save";
import { announceContentChange } from "../cdn-purge";

/** The fields of an item as one save left them. */
export const revisionSnapshotSchema = z.object({
  title: z.string(),
  slug: z.string(),
  bodyMarkdown: z.string(),
  excerpt: z.string(),
  locale: z.enum(CONTENT_LOCALES),
  translationGroupId: z.string(),
  complianceLevel: z.enum(COMPLIANCE_LEVELS),
  featuredMediaId: z.string().nullable(),
  categoryIds: z.array(z.string()),
  tagIds: z.array(z.string()),
  metaTitle: z.string().nullable(),
  metaDescription: z.string().nullable(),
  focusKeyword: z.string().nullable(),
  canonicalUrl: z.string().nullable(),
  noindex: z.boolean(),
}) satisfies z.ZodType<RevisionSnapshot>;

export const revisionViewSchema = z.object({
  id: z.uuid(),
  version: z.number().int(),
  authorId: z.uuid(),
  createdAt: z.string(),
  snapshot: revisionSnapshotSchema,
});
export type RevisionView = z.infer<typeof revisionViewSchema>;

/** Every revision of an item the caller may see, oldest first; 404 if they may not see the item. */
async function historyOf(tx: Transaction, scope: Scope, type: ContentType, id: string) {
  const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
  const item = await loadVisibleItem(tx, viewer, type, id);
  // Every revision holds the item's body: reading them is a read of personal health data, recorded like one.
  if (item.complianceLevel === "phi") await scope.audit(tx, "content.phi_read", { type, id: item.id });
  const rows = await tx
    .select()
    .from(contentRevisions)
    .where(eq(contentRevisions.contentId, id))
    .orderBy(asc(contentRevisions.version));
  return rows.map((row) => ({ ...row, snapshot: completeSnapshot(row.snapshot) }));
}

/** The revisions of an item, newest first. */
export async function listRevisions(scope: Scope, type: ContentType, id: string): Promise<RevisionView[]> {
  return scope.transaction(async (tx) => {
    const rows = await historyOf(tx, scope, type, id);
    return rows.reverse().map((row) => ({
      id: row.id,
      version: row.version,
      authorId: row.authorId,
      createdAt: row.createdAt.toISOString(),
      snapshot: row.snapshot,
    }));
  });
}

export const revisionComparisonViewSchema = z.object({
  from: z.object({ id: z.uuid(), version: z.number().int() }),
  to: z.object({ id: z.uuid(), version: z.number().int() }),
  /** Fields other than the body that differ, with both values. */
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
  title: lineDiffSchema,
  body: lineDiffSchema,
  excerpt: lineDiffSchema,
});
export type RevisionComparison = z.infer<typeof revisionComparisonViewSchema>;

/** Compares two revisions of an item (by default the one before the current and the current). */
export async function compareRevisions(
  scope: Scope,
  type: ContentType,
  id: string,
  fromRevisionId: string | undefined,
  toRevisionId: string | undefined,
): Promise<RevisionComparison> {
  return scope.transaction(async (tx) => {
    const rows = await historyOf(tx, scope, type, id);
    const pick = (revisionId: string | undefined, fallback: (typeof rows)[number] | undefined) => {
      const row = revisionId ? rows.find((candidate) => candidate.id === revisionId) : fallback;
      if (!row) throw new NotFoundError("No such revision of this item.");
      return row;
    };
    const to = pick(toRevisionId, rows.at(-1));
    const from = pick(fromRevisionId, rows.at(-2) ?? rows.at(-1));
    const changes: RevisionComparison["changes"] = [];
    for (const field of [
      "slug",
      "locale",
      "complianceLevel",
      "featuredMediaId",
      "translationGroupId",
      "categoryIds",
      "tagIds",
      "metaTitle",
      "metaDescription",
      "focusKeyword",
      "canonicalUrl",
      "noindex",
    ] as const) {
      const before = from.snapshot[field];
      const after = to.snapshot[field];
      if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({ field, from: before, to: after });
    }
    return {
      from: { id: from.id, version: from.version },
      to: { id: to.id, version: to.version },
      changes,
      title: diffLines(from.snapshot.title, to.snapshot.title),
      body: diffLines(from.snapshot.bodyMarkdown, to.snapshot.bodyMarkdown),
      excerpt: diffLines(from.snapshot.excerpt, to.snapshot.excerpt),
    };
  });
}

/** Restoring a revision is a new save of its snapshot: history only grows. */
export async function restoreRevision(
  scope: Scope,
  type: ContentType,
  id: string,
  revisionId: string,
  expectedVersion: number,
): Promise<ContentView> {
  requireUser(scope);
  return scope
    .transaction(async (tx) => {
      const item = await loadEditableItem(tx, scope, type, id, expectedVersion);
      const [revision] = await tx
        .select()
        .from(contentRevisions)
        .where(and(eq(contentRevisions.id, revisionId), eq(contentRevisions.contentId, id)));
      if (!revision) throw new NotFoundError("No such revision of this item.");
      // Terms deleted since the revision was saved are dropped rather than failing the restore.
      const [liveCategories, liveTags] = await Promise.all([
        revision.snapshot.categoryIds.length
          ? tx
              .select({ id: categories.id })
              .from(categories)
              .where(inArray(categories.id, revision.snapshot.categoryIds))
          : Promise.resolve([]),
        revision.snapshot.tagIds.length
          ? tx.select({ id: tags.id }).from(tags).where(inArray(tags.id, revision.snapshot.tagIds))
          : Promise.resolve([]),
      ]);
      const snapshot: RevisionSnapshot = {
        ...completeSnapshot(revision.snapshot),
        categoryIds: liveCategories.map((row) => row.id),
        tagIds: liveTags.map((row) => row.id),
      };
      const saved = await save(tx, scope, item.authorId, item, snapshot, type, "content.revision_restored", {
        restoredRevisionId: revision.id,
        restoredVersion: revision.version,
      });
      await announceContentChange(scope, tx, [{ id: item.id, wasPublic: isOnPublicSite(item) }]);
      return viewOf(tx, saved);
    })
    .catch(mapUniqueViolation);
}
