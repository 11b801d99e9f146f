import { and, asc, desc, eq, exists, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import {
  categories,
  type ComplianceLevel,
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
  type WorkflowState,
} from "../../schema";
import { contentTypes } from "../content-types";
import { requireUser, type Scope } from "../scope";
import { type Transaction } from "../lib/db";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../lib/errors";
import {
  adminVisibility,
  mayEdit,
  mayTrash,
  resolveViewer,
  type Viewer,
  viewerHas,
  WRITER_ROLES,
} from "./content-access";
import { diffLines, type LineDiff } from "./content-diff";
import { plainTextExcerpt, renderMarkdown } from "./content-markdown";
import { searchMatchSql } from "./content-search";

// ---------------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------------

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
}

export type ContentPatch = Partial<ContentFields>;

export interface ContentView {
  id: string;
  wpId: number;
  type: ContentType;
  title: string;
  slug: string;
  bodyMarkdown: string;
  bodyHtml: string;
  excerpt: string;
  locale: ContentLocale;
  translationGroupId: string;
  authorId: string;
  featuredMediaId: string | null;
  complianceLevel: ComplianceLevel;
  state: WorkflowState;
  stateReason: string | null;
  scheduledAt: string | null;
  publishedAt: string | null;
  lastMedicallyReviewedAt: string | null;
  reviewer: { userId: string; name: string | null; crm: string | null; uf: string | null } | null;
  currentRevisionId: string | null;
  version: number;
  trashedAt: string | null;
  createdAt: string;
  updatedAt: string;
  categoryIds: string[];
  tagIds: string[];
}

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
  };
}

// ---------------------------------------------------------------------------------------------------
// Helpers shared with the workflow
// ---------------------------------------------------------------------------------------------------

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

/** Reads an item the viewer may see, locking it for the rest of the transaction; 404 otherwise. */
export async function loadItemForUpdate(
  tx: Transaction,
  viewer: Viewer,
  type: ContentType,
  id: string,
): Promise<ContentItem> {
  const [item] = await tx
    .select()
    .from(contentItems)
    .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)))
    .for("update");
  if (!item) throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
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

async function linkedIds(
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

/**
 * One save: renders and sanitizes the body, writes the row and its category/tag links, records a revision
 * of the new version, and audits it, all in the caller's transaction.
 */
async function save(
  tx: Transaction,
  ctx: Scope,
  authorId: string,
  existing: ContentItem | null,
  snapshot: RevisionSnapshot,
  type: ContentType,
  action: string,
  details: Record<string, unknown> = {},
): Promise<ContentItem> {
  await assertTermsExist(tx, snapshot.categoryIds, snapshot.tagIds);
  await assertSlugFree(tx, snapshot.locale, snapshot.slug, existing?.id ?? null);
  const bodyHtml = renderMarkdown(snapshot.bodyMarkdown);
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
      .values({ ...values, tenantId: ctx.tenant.id, type, authorId, state: "draft", version: 1 })
      .returning();
    item = inserted!;
    await ensureContentAuthor(tx, ctx.tenant.id, authorId);
  }
  if (snapshot.categoryIds.length > 0) {
    await tx.insert(contentItemCategories).values(
      [...new Set(snapshot.categoryIds)].map((categoryId) => ({
        tenantId: ctx.tenant.id,
        contentId: item.id,
        categoryId,
      })),
    );
  }
  if (snapshot.tagIds.length > 0) {
    await tx
      .insert(contentItemTags)
      .values([...new Set(snapshot.tagIds)].map((tagId) => ({ tenantId: ctx.tenant.id, contentId: item.id, tagId })));
  }
  const [revision] = await tx
    .insert(contentRevisions)
    .values({
      tenantId: ctx.tenant.id,
      contentId: item.id,
      version: item.version,
      authorId: ctx.actor.kind === "user" ? ctx.actor.userId : authorId,
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
  await ctx.audit(
    tx,
    action,
    { type, id: item.id },
    { version: item.version, revisionId: revision!.id, complianceLevel: item.complianceLevel, ...details },
  );
  return withRevision!;
}

function snapshotOf(item: ContentItem, categoryIds: string[], tagIds: string[]): RevisionSnapshot {
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
  };
}

/** Maps PostgreSQL's unique violation on the slug index (a race the pre-check lost) to a 409. */
function mapUniqueViolation(error: unknown): never {
  const cause = (error as { cause?: { code?: string; constraint?: string } }).cause ?? (error as { code?: string });
  if ((cause as { code?: string }).code === "23505") {
    throw new ConflictError("slug_taken", "The slug is already used in this locale.");
  }
  throw error;
}

// ---------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------

export async function createContent(ctx: Scope, type: ContentType, input: ContentFields): Promise<ContentView> {
  const { userId } = requireUser(ctx);
  return ctx
    .transaction(async (tx) => {
      const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
      if (!viewerHas(viewer, WRITER_ROLES))
        throw new ForbiddenError("forbidden_role", "Your role cannot write content.");
      const bodyMarkdown = input.bodyMarkdown ?? "";
      const snapshot: RevisionSnapshot = {
        title: input.title,
        slug: input.slug ?? slugify(input.title),
        bodyMarkdown,
        excerpt: input.excerpt ?? plainTextExcerpt(renderMarkdown(bodyMarkdown)),
        locale: input.locale,
        translationGroupId: input.translationGroupId ?? crypto.randomUUID(),
        complianceLevel: input.complianceLevel ?? "public",
        featuredMediaId: input.featuredMediaId ?? null,
        categoryIds: input.categoryIds ?? [],
        tagIds: input.tagIds ?? [],
      };
      const item = await save(tx, ctx, userId, null, snapshot, type, "content.created");
      return viewOf(tx, item);
    })
    .catch(mapUniqueViolation);
}

export async function getContent(ctx: Scope, type: ContentType, id: string): Promise<ContentView> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const [item] = await tx
      .select()
      .from(contentItems)
      .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)));
    if (!item) throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
    if (item.complianceLevel === "phi") {
      // Every read of personal health data is recorded (HIPAA 45 CFR 164.312(b); LGPD Art. 37).
      await ctx.audit(tx, "content.phi_read", { type, id: item.id });
    }
    return viewOf(tx, item);
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
}

export interface ContentPage {
  items: ContentView[];
  nextCursor: string | null;
}

/** An opaque cursor: base64url of the last row's (updated_at, id), the list's sort key. */
export function encodeCursor(updatedAt: Date, id: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify([updatedAt.toISOString(), id]));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (Array.isArray(parsed) && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      const updatedAt = new Date(parsed[0]);
      if (!Number.isNaN(updatedAt.getTime()) && /^[0-9a-f-]{36}$/i.test(parsed[1])) return { updatedAt, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError("invalid_cursor", "The cursor is not one this API returned.");
}

export async function listContent(ctx: Scope, type: ContentType, filters: ContentListFilters): Promise<ContentPage> {
  const limit = Math.min(100, Math.max(1, filters.limit ?? 20));
  const after = filters.cursor ? decodeCursor(filters.cursor) : null;
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    const conditions: SQL[] = [eq(contentItems.type, type), adminVisibility(viewer)];
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
    if (after) {
      conditions.push(
        or(
          lt(contentItems.updatedAt, after.updatedAt),
          and(eq(contentItems.updatedAt, after.updatedAt), lt(contentItems.id, after.id)),
        )!,
      );
    }
    const rows = await tx
      .select()
      .from(contentItems)
      .where(and(...conditions))
      .orderBy(desc(contentItems.updatedAt), desc(contentItems.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const links = await linkedIds(
      tx,
      page.map((row) => row.id),
    );
    const last = page.at(-1);
    return {
      items: page.map((row) =>
        toContentView(row, (links.categories.get(row.id) ?? []).sort(), (links.tags.get(row.id) ?? []).sort()),
      ),
      nextCursor: rows.length > limit && last ? encodeCursor(last.updatedAt, last.id) : null,
    };
  });
}

/**
 * The item a save will change, locked for update: it must be visible, not trashed, at the version the
 * caller edited, and editable by this viewer (outside draft and in_review it is locked, so an approval
 * always covers the text that is published).
 */
async function loadEditableItem(
  tx: Transaction,
  ctx: Scope,
  type: ContentType,
  id: string,
  expectedVersion: number,
): Promise<ContentItem> {
  const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
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

export async function updateContent(
  ctx: Scope,
  type: ContentType,
  id: string,
  expectedVersion: number,
  patch: ContentPatch,
): Promise<ContentView> {
  requireUser(ctx);
  return ctx
    .transaction(async (tx) => {
      const item = await loadEditableItem(tx, ctx, type, id, expectedVersion);
      const links = await linkedIds(tx, [item.id]);
      const current = snapshotOf(item, links.categories.get(item.id) ?? [], links.tags.get(item.id) ?? []);
      const next: RevisionSnapshot = {
        ...current,
        ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)),
      } as RevisionSnapshot;
      if (
        patch.bodyMarkdown !== undefined &&
        patch.excerpt === undefined &&
        current.excerpt === plainTextExcerpt(item.bodyHtml)
      ) {
        // The excerpt was generated, not written: keep it in step with the body.
        next.excerpt = plainTextExcerpt(renderMarkdown(next.bodyMarkdown));
      }
      const saved = await save(tx, ctx, item.authorId, item, next, type, "content.updated", {
        fields: Object.keys(patch).sort(),
      });
      // Only drafts and items in review are editable today, so this purge usually finds nothing public; it
      // keeps the site right if an editable state ever becomes public.
      ctx.afterCommit(tx, { type: "content.changed", contentIds: [item.id] });
      return viewOf(tx, saved);
    })
    .catch(mapUniqueViolation);
}

/**
 * Moves an item to the trash or back. Either way its public footprint may change (a trashed item leaves the
 * site; a restored published one returns), so the change raises `content.changed` for the cache purge.
 */
export async function setTrashed(
  ctx: Scope,
  type: ContentType,
  id: string,
  options: { trashed: "trash" | "restore"; expectedVersion?: number | undefined },
): Promise<ContentView> {
  requireUser(ctx);
  const toTrash = options.trashed === "trash";
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
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
    await ctx.audit(
      tx,
      toTrash ? "content.trashed" : "content.restored",
      { type, id: item.id },
      toTrash ? { version: changed!.version, state: item.state } : { version: changed!.version },
    );
    ctx.afterCommit(tx, { type: "content.changed", contentIds: [item.id] });
    return viewOf(tx, changed!);
  });
}

// ---------------------------------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------------------------------

export interface RevisionView {
  id: string;
  version: number;
  authorId: string;
  createdAt: string;
  snapshot: RevisionSnapshot;
}

async function loadVisibleItem(tx: Transaction, viewer: Viewer, type: ContentType, id: string): Promise<ContentItem> {
  const [item] = await tx
    .select()
    .from(contentItems)
    .where(and(eq(contentItems.id, id), eq(contentItems.type, type), adminVisibility(viewer)));
  if (!item) throw new NotFoundError(`No ${contentTypes[type].noun} was found with this id.`);
  return item;
}

export async function listRevisions(ctx: Scope, type: ContentType, id: string): Promise<RevisionView[]> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    await loadVisibleItem(tx, viewer, type, id);
    const rows = await tx
      .select()
      .from(contentRevisions)
      .where(eq(contentRevisions.contentId, id))
      .orderBy(desc(contentRevisions.version));
    return rows.map((row) => ({
      id: row.id,
      version: row.version,
      authorId: row.authorId,
      createdAt: row.createdAt.toISOString(),
      snapshot: row.snapshot,
    }));
  });
}

export interface RevisionComparison {
  from: { id: string; version: number };
  to: { id: string; version: number };
  /** Fields other than the body that differ, with both values. */
  changes: Array<{ field: string; from: unknown; to: unknown }>;
  title: LineDiff;
  body: LineDiff;
  excerpt: LineDiff;
}

/** Compares two revisions of an item (by default the one before the current and the current). */
export async function compareRevisions(
  ctx: Scope,
  type: ContentType,
  id: string,
  fromRevisionId: string | undefined,
  toRevisionId: string | undefined,
): Promise<RevisionComparison> {
  return ctx.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, ctx.tenant.id, ctx.actor);
    await loadVisibleItem(tx, viewer, type, id);
    const rows = await tx
      .select()
      .from(contentRevisions)
      .where(eq(contentRevisions.contentId, id))
      .orderBy(asc(contentRevisions.version));
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
  ctx: Scope,
  type: ContentType,
  id: string,
  revisionId: string,
  expectedVersion: number,
): Promise<ContentView> {
  requireUser(ctx);
  return ctx
    .transaction(async (tx) => {
      const item = await loadEditableItem(tx, ctx, type, id, expectedVersion);
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
        ...revision.snapshot,
        categoryIds: liveCategories.map((row) => row.id),
        tagIds: liveTags.map((row) => row.id),
      };
      const saved = await save(tx, ctx, item.authorId, item, snapshot, type, "content.revision_restored", {
        restoredRevisionId: revision.id,
        restoredVersion: revision.version,
      });
      ctx.afterCommit(tx, { type: "content.changed", contentIds: [item.id] });
      return viewOf(tx, saved);
    })
    .catch(mapUniqueViolation);
}
