import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import {
  categories,
  type Category,
  contentItemCategories,
  contentItems,
  contentItemTags,
  type Tag,
  tags,
} from "../../../schema";
import type { Scope } from "../../scope";
import { type Transaction } from "../../lib/db";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../lib/errors";
import { appendAudit } from "../audit";
import { EDITOR_ROLES, resolveViewer, viewerHas } from "./access";
import { slugify } from "./kernel";
import { announceContentChange } from "../cdn-purge";

/**
 * The medical specialties every tenant starts with (names as the CFM lists them, Resolução CFM 2.330/2023
 * annex), under one parent so the public menu can show them as a group.
 */
export const DEFAULT_SPECIALTIES: readonly string[] = [
  "Cardiologia",
  "Clínica Médica",
  "Dermatologia",
  "Endocrinologia e Metabologia",
  "Gastroenterologia",
  "Geriatria",
  "Ginecologia e Obstetrícia",
  "Infectologia",
  "Nefrologia",
  "Neurologia",
  "Oftalmologia",
  "Oncologia Clínica",
  "Ortopedia e Traumatologia",
  "Otorrinolaringologia",
  "Pediatria",
  "Pneumologia",
  "Psiquiatria",
  "Reumatologia",
  "Urologia",
];
export const SPECIALTIES_PARENT = { name: "Especialidades médicas", slug: "especialidades-medicas" } as const;

/**
 * Creates the default categories of a tenant if they are missing. Idempotent: call it from the demo seed,
 * tests, and (later) tenant provisioning. Audited only when it adds something.
 */
export async function ensureDefaultCategories(tx: Transaction, tenantId: string): Promise<number> {
  await tx
    .insert(categories)
    .values({ tenantId, name: SPECIALTIES_PARENT.name, slug: SPECIALTIES_PARENT.slug })
    .onConflictDoNothing();
  const [parent] = await tx
    .select({ id: categories.id })
    .from(categories)
    .where(and(eq(categories.tenantId, tenantId), eq(categories.slug, SPECIALTIES_PARENT.slug)));
  const inserted = await tx
    .insert(categories)
    .values(DEFAULT_SPECIALTIES.map((name) => ({ tenantId, name, slug: slugify(name), parentId: parent!.id })))
    .onConflictDoNothing()
    .returning({ id: categories.id });
  if (inserted.length > 0) {
    await appendAudit(tx, {
      tenantId,
      actorType: "system",
      action: "category.defaults_ensured",
      targetType: "category",
      details: { added: inserted.length },
    });
  }
  return inserted.length;
}

/** A category or tag as the API shows it (only categories have `parentId`). */
export const termViewSchema = z.object({
  id: z.uuid(),
  wpId: z.number().int(),
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  parentId: z.uuid().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TermView = z.infer<typeof termViewSchema>;

export type Taxonomy = "category" | "tag";

function termView(row: Category | Tag): TermView {
  return {
    id: row.id,
    wpId: row.wpId,
    name: row.name,
    slug: row.slug,
    description: row.description,
    ...("parentId" in row ? { parentId: row.parentId } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface TermInput {
  name: string;
  slug?: string;
  description?: string;
  parentId?: string | null;
}

async function requireEditor(tx: Transaction, scope: Scope): Promise<void> {
  const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
  if (!viewerHas(viewer, EDITOR_ROLES))
    throw new ForbiddenError("forbidden_role", "Only editors and admins manage categories and tags.");
}

function tableOf(taxonomy: Taxonomy) {
  return taxonomy === "category" ? categories : tags;
}

async function assertParent(
  tx: Transaction,
  parentId: string | null | undefined,
  selfId: string | null,
): Promise<void> {
  if (!parentId) return;
  if (parentId === selfId)
    throw new ValidationError([{ path: "json.parentId", message: "a category cannot be its own parent" }]);
  // Walk up from the proposed parent: meeting the category itself would make a cycle.
  let cursor: string | null = parentId;
  for (let depth = 0; cursor && depth < 32; depth++) {
    const [row]: Array<{ parentId: string | null }> = await tx
      .select({ parentId: categories.parentId })
      .from(categories)
      .where(eq(categories.id, cursor));
    if (!row) {
      if (depth === 0) throw new ValidationError([{ path: "json.parentId", message: "unknown category" }]);
      return;
    }
    if (row.parentId === selfId && selfId !== null) {
      throw new ValidationError([{ path: "json.parentId", message: "this parent would make a cycle" }]);
    }
    cursor = row.parentId;
  }
}

async function assertSlugFree(
  tx: Transaction,
  taxonomy: Taxonomy,
  slug: string,
  exceptId: string | null,
): Promise<void> {
  const table = tableOf(taxonomy);
  const [taken] = await tx.select({ id: table.id }).from(table).where(eq(table.slug, slug)).limit(1);
  if (taken && taken.id !== exceptId)
    throw new ConflictError("slug_taken", `The slug "${slug}" is already used by another ${taxonomy}.`);
}

/**
 * The published items filed under a term: renaming or deleting the term changes their pages (the term's
 * name and link) and the term's lists, so the change raises `content.changed` for them.
 */
async function publishedItemsWithTerm(tx: Transaction, taxonomy: Taxonomy, id: string): Promise<string[]> {
  const link =
    taxonomy === "category"
      ? {
          table: contentItemCategories,
          contentId: contentItemCategories.contentId,
          termId: contentItemCategories.categoryId,
        }
      : { table: contentItemTags, contentId: contentItemTags.contentId, termId: contentItemTags.tagId };
  const rows = await tx
    .select({ id: contentItems.id })
    .from(link.table)
    .innerJoin(contentItems, eq(contentItems.id, link.contentId))
    .where(and(eq(link.termId, id), eq(contentItems.state, "published"), isNull(contentItems.trashedAt)));
  return rows.map((row) => row.id);
}

export async function listTerms(scope: Scope, taxonomy: Taxonomy): Promise<TermView[]> {
  return scope.transaction(async (tx) => {
    const table = tableOf(taxonomy);
    const rows: Array<Category | Tag> = await tx.select().from(table).orderBy(asc(table.name));
    return rows.map(termView);
  });
}

export async function getTerm(scope: Scope, taxonomy: Taxonomy, id: string): Promise<TermView> {
  return scope.transaction(async (tx) => {
    const table = tableOf(taxonomy);
    const [row]: Array<Category | Tag> = await tx.select().from(table).where(eq(table.id, id));
    if (!row) throw new NotFoundError(`No ${taxonomy} was found with this id.`);
    return termView(row);
  });
}

export async function createTerm(scope: Scope, taxonomy: Taxonomy, input: TermInput): Promise<TermView> {
  return scope.transaction(async (tx) => {
    await requireEditor(tx, scope);
    const slug = input.slug ?? slugify(input.name);
    await assertSlugFree(tx, taxonomy, slug, null);
    const base = { tenantId: scope.tenant.id, name: input.name, slug, description: input.description ?? "" };
    let row: Category | Tag;
    if (taxonomy === "category") {
      await assertParent(tx, input.parentId, null);
      [row] = (await tx
        .insert(categories)
        .values({ ...base, parentId: input.parentId ?? null })
        .returning()) as [Category];
    } else {
      [row] = (await tx.insert(tags).values(base).returning()) as [Tag];
    }
    await scope.audit(tx, `${taxonomy}.created`, { type: taxonomy, id: row.id }, { slug });
    return termView(row);
  });
}

export async function updateTerm(
  scope: Scope,
  taxonomy: Taxonomy,
  id: string,
  input: Partial<TermInput>,
): Promise<TermView> {
  return scope.transaction(async (tx) => {
    await requireEditor(tx, scope);
    const table = tableOf(taxonomy);
    const [existing]: Array<Category | Tag> = await tx.select().from(table).where(eq(table.id, id)).for("update");
    if (!existing) throw new NotFoundError(`No ${taxonomy} was found with this id.`);
    if (input.slug !== undefined) await assertSlugFree(tx, taxonomy, input.slug, id);
    const changes = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.slug !== undefined ? { slug: input.slug } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      updatedAt: new Date(),
    };
    let row: Category | Tag;
    if (taxonomy === "category") {
      if (input.parentId !== undefined) await assertParent(tx, input.parentId, id);
      [row] = (await tx
        .update(categories)
        .set({ ...changes, ...(input.parentId !== undefined ? { parentId: input.parentId } : {}) })
        .where(eq(categories.id, id))
        .returning()) as [Category];
    } else {
      [row] = (await tx.update(tags).set(changes).where(eq(tags.id, id)).returning()) as [Tag];
    }
    await scope.audit(tx, `${taxonomy}.updated`, { type: taxonomy, id }, { fields: Object.keys(input).sort() });
    const shownOn = await publishedItemsWithTerm(tx, taxonomy, id);
    // A new slug ends the old address: its list pages and feeds are purged with the items' (which name the new).
    await announceContentChange(
      scope,
      tx,
      shownOn.map((id) => ({ id })),
      { retiredLists: row.slug !== existing.slug ? [`${taxonomy}:${existing.slug}`] : [] },
    );
    return termView(row);
  });
}

/** Deletes a term; content filed under it simply loses it (as in WordPress), and the count is audited. */
export async function deleteTerm(
  scope: Scope,
  taxonomy: Taxonomy,
  id: string,
): Promise<{ deleted: true; detachedFrom: number }> {
  return scope.transaction(async (tx) => {
    await requireEditor(tx, scope);
    const table = tableOf(taxonomy);
    const [existing] = await tx
      .select({ id: table.id, slug: table.slug })
      .from(table)
      .where(eq(table.id, id))
      .for("update");
    if (!existing) throw new NotFoundError(`No ${taxonomy} was found with this id.`);
    const shownOn = await publishedItemsWithTerm(tx, taxonomy, id);
    const detached =
      taxonomy === "category"
        ? await tx
            .delete(contentItemCategories)
            .where(eq(contentItemCategories.categoryId, id))
            .returning({ id: contentItemCategories.contentId })
        : await tx
            .delete(contentItemTags)
            .where(eq(contentItemTags.tagId, id))
            .returning({ id: contentItemTags.contentId });
    if (taxonomy === "category") {
      // Children move up to the deleted category's parent rather than becoming orphans at the root.
      await tx
        .update(categories)
        .set({ parentId: sql`(select c.parent_id from categories c where c.id = ${id})` })
        .where(eq(categories.parentId, id));
      await tx.delete(categories).where(eq(categories.id, id));
    } else {
      await tx.delete(tags).where(eq(tags.id, id));
    }
    await scope.audit(
      tx,
      `${taxonomy}.deleted`,
      { type: taxonomy, id },
      { slug: existing.slug, detachedFrom: detached.length },
    );
    await announceContentChange(
      scope,
      tx,
      shownOn.map((id) => ({ id })),
      { retiredLists: [`${taxonomy}:${existing.slug}`] },
    );
    return { deleted: true as const, detachedFrom: detached.length };
  });
}
