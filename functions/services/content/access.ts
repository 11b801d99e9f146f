import { and, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { contentItems, type ComplianceLevel, type ContentItem, professionalCredentials } from "../../../schema";
import type { Role } from "../../../schema/memberships";
import type { Transaction } from "../../lib/db";
import type { Actor } from "../../lib/actor";
import type { Scope } from "../../scope";

/** The people who run the publication; content at `restricted` and `phi` is shown to them only. */
export const STAFF_ROLES: readonly Role[] = ["admin", "editor", "author", "medical_reviewer", "compliance_officer"];
/** Staff who see every item of the tenant, whoever wrote it. */
const SEE_ALL_ROLES: readonly Role[] = ["admin", "editor", "medical_reviewer", "compliance_officer"];
/** Staff who manage any item and the taxonomy. */
export const EDITOR_ROLES: readonly Role[] = ["admin", "editor"];
/** Roles that may create content. */
export const WRITER_ROLES: readonly Role[] = ["admin", "editor", "author"];

/** Who is reading or writing, as far as content is concerned. */
export interface Viewer {
  userId: string | null;
  roles: Role[];
  /** Holds a verified professional credential (CRM) in this tenant. */
  verifiedProfessional: boolean;
}

export const ANONYMOUS_VIEWER: Viewer = { userId: null, roles: [], verifiedProfessional: false };

export function viewerHas(viewer: Viewer, roles: readonly Role[]): boolean {
  return viewer.roles.some((role) => roles.includes(role));
}

/**
 * The verified medical credential (a CRM) of a user in a tenant, or null: what makes a physician, who may review
 * and approve medical content. A CRM is per state council, so it is always number + UF (CFM 2.336/2023 requires
 * both on medical publicity). Other councils' verified credentials make a health professional reader only.
 */
export async function verifiedCredential(
  tx: Transaction,
  tenantId: string,
  userId: string,
): Promise<{ crmNumber: string; crmUf: string } | null> {
  const [row] = await tx
    .select({ crmNumber: professionalCredentials.crmNumber, crmUf: professionalCredentials.crmUf })
    .from(professionalCredentials)
    .where(and(verifiedCredentialOf(tenantId, userId), eq(professionalCredentials.council, "CRM")))
    .limit(1);
  return row ?? null;
}

function verifiedCredentialOf(tenantId: string, userId: string): SQL {
  return and(
    eq(professionalCredentials.tenantId, tenantId),
    eq(professionalCredentials.userId, userId),
    eq(professionalCredentials.status, "verified"),
  )!;
}

/** Whether the principal's roles let them be a verified professional at all (only then is a credential looked up). */
function mayBeProfessional(roles: readonly Role[]): boolean {
  return roles.some((role) => role === "reader_professional" || STAFF_ROLES.includes(role));
}

/**
 * Turns the request's principal into a viewer of this tenant. A token issued for another tenant counts as
 * anonymous here (its roles mean nothing in this tenant).
 */
export async function resolveViewer(tx: Transaction, tenantId: string, principal: Actor | undefined): Promise<Viewer> {
  if (!principal || principal.kind !== "user" || principal.tenantId !== tenantId) return ANONYMOUS_VIEWER;
  const roles = principal.roles;
  const verifiedProfessional = mayBeProfessional(roles)
    ? (await verifiedCredential(tx, tenantId, principal.userId)) !== null
    : false;
  return { userId: principal.userId, roles, verifiedProfessional };
}

/**
 * `resolveViewer` for the read path (`scope.read`): an anonymous reader costs no query, a signed-in one whose
 * roles may carry a credential one HTTP round trip.
 */
export async function readViewer(scope: Scope): Promise<Viewer> {
  const principal = scope.actor;
  if (principal.kind !== "user" || principal.tenantId !== scope.tenant.id) return ANONYMOUS_VIEWER;
  const roles = principal.roles;
  if (!mayBeProfessional(roles)) return { userId: principal.userId, roles, verifiedProfessional: false };
  const [rows] = await scope.read((db) => [
    db
      .select({ one: sql<number>`1` })
      .from(professionalCredentials)
      .where(verifiedCredentialOf(scope.tenant.id, principal.userId))
      .limit(1),
  ]);
  return { userId: principal.userId, roles, verifiedProfessional: rows.length > 0 };
}

/** Compliance levels the public site and the WordPress API may show this viewer; `restricted`/`phi` never. */
export function publicComplianceLevels(viewer: Viewer): ComplianceLevel[] {
  return viewer.verifiedProfessional ? ["public", "professional"] : ["public"];
}

/**
 * Whether anyone may see that the item exists on the public site: published, not in the trash, and `public` or
 * `professional` (whose page shows every reader a teaser: title and excerpt). What webhooks announce.
 */
export function isOnPublicSite(item: Pick<ContentItem, "state" | "trashedAt" | "complianceLevel">): boolean {
  return (
    item.state === "published" &&
    item.trashedAt === null &&
    (item.complianceLevel === "public" || item.complianceLevel === "professional")
  );
}

/** The public view: published, not in the trash, and at a level the viewer may read. */
export function publicVisibility(viewer: Viewer): SQL {
  return and(
    eq(contentItems.state, "published"),
    isNull(contentItems.trashedAt),
    inArray(contentItems.complianceLevel, publicComplianceLevels(viewer)),
  )!;
}

/**
 * What search engines are offered (the sitemaps): the anonymous view, less the items editors marked `noindex`, as a
 * condition on the `content_items` row named `alias` of a hand-written statement. It is the predicate of the partial
 * index `content_items_sitemap_idx`, so the sitemaps page through that index.
 */
export function indexableSql(alias: string): SQL {
  const row = sql.identifier(alias);
  const levels = publicComplianceLevels(ANONYMOUS_VIEWER).map((level) => `'${level}'`);
  return sql`(${row}.state = 'published' and ${row}.trashed_at is null and ${row}.compliance_level in (${sql.raw(levels.join(", "))}) and not ${row}.noindex)`;
}

/**
 * The admin view. Admins, editors, medical reviewers and compliance officers see every item; authors see
 * their own and what is published (except PHI, which only its author and the see-all roles read);
 * anyone else sees the public view.
 */
export function adminVisibility(viewer: Viewer): SQL {
  if (viewerHas(viewer, SEE_ALL_ROLES)) return sql`true`;
  if (viewer.userId && viewer.roles.includes("author")) {
    return or(
      eq(contentItems.authorId, viewer.userId),
      and(eq(contentItems.state, "published"), sql`${contentItems.complianceLevel} <> 'phi'`),
    )!;
  }
  return publicVisibility(viewer);
}

/** Whether the viewer may change this item's content (object-level authorization). */
export function mayEdit(viewer: Viewer, item: Pick<ContentItem, "authorId" | "state">): boolean {
  if (viewerHas(viewer, EDITOR_ROLES)) return item.state === "draft" || item.state === "in_review";
  // Authors edit only their own drafts; once submitted, the text is the reviewers' to judge.
  return viewer.roles.includes("author") && item.authorId === viewer.userId && item.state === "draft";
}

/** Whether the viewer may move the item to the trash or back. */
export function mayTrash(viewer: Viewer, item: Pick<ContentItem, "authorId" | "state">): boolean {
  if (viewerHas(viewer, EDITOR_ROLES)) return true;
  return viewer.roles.includes("author") && item.authorId === viewer.userId && item.state === "draft";
}
