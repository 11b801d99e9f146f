/** The write path every save of an item takes: creating, updating and restoring a revision. */
import { and, eq, inArray } from "drizzle-orm";
import {
  categories,
  contentAuthors,
  type ContentItem,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type ContentLocale,
  contentRevisions,
  type ContentType,
  type RevisionSnapshot,
  tags,
  users,
} from "../../../schema";
import { ANALYSED_STATES } from "../../contract";
import type { Transaction } from "../../lib/db";
import { ConflictError, ForbiddenError, ValidationError } from "../../lib/errors";
import type { Scope } from "../../scope";
import { slugify } from "./kernel";
import { plainTextExcerpt, renderMarkdown } from "./markdown";

/** The item's public author id: created on the first item a user writes in a tenant. */
async function ensureContentAuthor(tx: Transaction, tenantId: string, userId: string): Promise<void> {
  const [user] = await tx.select({ displayName: users.displayName }).from(users).where(eq(users.id, userId));
  await tx
    .insert(contentAuthors)
    .values({ tenantId, userId, slug: slugify(user?.displayName ?? "author") })
    .onConflictDoNothing();
}

async function assertTermsExist(tx: Transaction, categoryIds: string[], tagIds: string[]): Promise<void> {
  const problems: { path: string; message: string }[] = [];
  if (categoryIds.length > 0) {
    const found = await tx.select({ id: categories.id }).from(categories).where(inArray(categories.id, categoryIds));
    if (found.length !== new Set(categoryIds).size)
      problems.push({ path: "json.categoryIds", message: "unknown category" });
  }
  if (tagIds.length > 0) {
    const found = await tx.select({ id: tags.id }).from(tags).where(inArray(tags.id, tagIds));
    if (found.length !== new Set(tagIds).size) problems.push({ path: "json.tagIds", message: "unknown tag" });
  }
  if (problems.length > 0) throw new ValidationError(problems);
}

async function assertSlugFree(
  tx: Transaction,
  locale: ContentLocale,
  slug: string,
  exceptId: string | null,
): Promise<void> {
  const [taken] = await tx
    .select({ id: contentItems.id })
    .from(contentItems)
    .where(and(eq(contentItems.locale, locale), eq(contentItems.slug, slug)))
    .limit(1);
  if (taken && taken.id !== exceptId) {
    throw new ConflictError("slug_taken", `The slug "${slug}" is already used in this locale.`);
  }
}

/** A version to save; an excerpt of `null` is generated from the rendered body. */
export type SnapshotInput = Omit<RevisionSnapshot, "excerpt"> & { excerpt: string | null };

/**
 * One save: renders and sanitizes the body, writes the row and its category/tag links, records a revision
 * of the new version, and audits it, all in the caller's transaction.
 */
export async function save(
  tx: Transaction,
  scope: Scope,
  authorId: string,
  existing: ContentItem | null,
  input: SnapshotInput,
  type: ContentType,
  action: string,
  details: Record<string, unknown> = {},
): Promise<ContentItem> {
  // An API token never writes personal health data, nor changes an item that holds it (middleware/protect.ts
  // keeps it from reading any).
  if (
    scope.actor.kind === "user" &&
    scope.actor.apiToken &&
    (input.complianceLevel === "phi" || existing?.complianceLevel === "phi")
  ) {
    throw new ForbiddenError("token_phi_refused", "An API token never reaches personal health data.");
  }
  await assertTermsExist(tx, input.categoryIds, input.tagIds);
  await assertSlugFree(tx, input.locale, input.slug, existing?.id ?? null);
  // Rendered once per save: the stored HTML and, when the author wrote none, the excerpt both come from it.
  const bodyHtml = renderMarkdown(input.bodyMarkdown);
  const snapshot: RevisionSnapshot = { ...input, excerpt: input.excerpt ?? plainTextExcerpt(bodyHtml) };
  const values = {
    title: snapshot.title,
    slug: snapshot.slug,
    bodyMarkdown: snapshot.bodyMarkdown,
    bodyHtml,
    excerpt: snapshot.excerpt,
    locale: snapshot.locale,
    translationGroupId: snapshot.translationGroupId,
    complianceLevel: snapshot.complianceLevel,
    featuredMediaId: snapshot.featuredMediaId,
    metaTitle: snapshot.metaTitle,
    metaDescription: snapshot.metaDescription,
    focusKeyword: snapshot.focusKeyword,
    canonicalUrl: snapshot.canonicalUrl,
    noindex: snapshot.noindex,
  };
  let item: ContentItem;
  if (existing) {
    const [updated] = await tx
      .update(contentItems)
      .set({ ...values, version: existing.version + 1, updatedAt: new Date() })
      .where(eq(contentItems.id, existing.id))
      .returning();
    item = updated!;
    await tx.delete(contentItemCategories).where(eq(contentItemCategories.contentId, item.id));
    await tx.delete(contentItemTags).where(eq(contentItemTags.contentId, item.id));
  } else {
    const [inserted] = await tx
      .insert(contentItems)
      .values({ ...values, tenantId: scope.tenant.id, type, authorId, state: "draft", version: 1 })
      .returning();
    item = inserted!;
    await ensureContentAuthor(tx, scope.tenant.id, authorId);
  }
  if (snapshot.categoryIds.length > 0) {
    await tx.insert(contentItemCategories).values(
      [...new Set(snapshot.categoryIds)].map((categoryId) => ({
        tenantId: scope.tenant.id,
        contentId: item.id,
        categoryId,
      })),
    );
  }
  if (snapshot.tagIds.length > 0) {
    await tx
      .insert(contentItemTags)
      .values([...new Set(snapshot.tagIds)].map((tagId) => ({ tenantId: scope.tenant.id, contentId: item.id, tagId })));
  }
  const [revision] = await tx
    .insert(contentRevisions)
    .values({
      tenantId: scope.tenant.id,
      contentId: item.id,
      version: item.version,
      authorId: scope.actor.kind === "user" ? scope.actor.userId : authorId,
      snapshot: {
        ...snapshot,
        categoryIds: [...new Set(snapshot.categoryIds)].sort(),
        tagIds: [...new Set(snapshot.tagIds)].sort(),
      },
    })
    .returning({ id: contentRevisions.id });
  const [withRevision] = await tx
    .update(contentItems)
    .set({ currentRevisionId: revision!.id })
    .where(eq(contentItems.id, item.id))
    .returning();
  await scope.audit(
    tx,
    action,
    { type, id: item.id },
    { version: item.version, revisionId: revision!.id, complianceLevel: item.complianceLevel, ...details },
  );
  // In review, every save is analysed again by itself: the gate reads only the revision it is asked about.
  if (existing && ANALYSED_STATES.includes(existing.state)) {
    scope.afterCommit(tx, {
      type: "content.analysis_due",
      contentType: type,
      contentId: item.id,
      revisionId: revision!.id,
    });
  }
  return withRevision!;
}

export function snapshotOf(item: ContentItem, categoryIds: string[], tagIds: string[]): RevisionSnapshot {
  return {
    title: item.title,
    slug: item.slug,
    bodyMarkdown: item.bodyMarkdown,
    excerpt: item.excerpt,
    locale: item.locale,
    translationGroupId: item.translationGroupId,
    complianceLevel: item.complianceLevel,
    featuredMediaId: item.featuredMediaId,
    categoryIds,
    tagIds,
    metaTitle: item.metaTitle,
    metaDescription: item.metaDescription,
    focusKeyword: item.focusKeyword,
    canonicalUrl: item.canonicalUrl,
    noindex: item.noindex,
  };
}

/** Maps PostgreSQL's unique violation on the slug index (a race the pre-check lost) to a 409. */
export function mapUniqueViolation(error: unknown): never {
  const cause = (error as { cause?: { code?: string; constraint?: string } }).cause ?? (error as { code?: string });
  if ((cause as { code?: string }).code === "23505") {
    throw new ConflictError("slug_taken", "The slug is already used in this locale.");
  }
  throw error;
}
