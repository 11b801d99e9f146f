import { and, desc, eq, gte, inArray, lt, not, or, type SQL, sql } from "drizzle-orm";
import { type DicomMetadata, type MediaItem, mediaItems } from "../../schema";
import type { RetentionClass } from "../../schema/retention-policies";
import type { UploadKind } from "../../schema/uploads";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { Transaction } from "../lib/db";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../lib/errors";
import type { Sensitivity, UserActor } from "../lib/actor";
import { requireUser, type Scope } from "../scope";
import { announceMediaChange } from "./cdn-purge";
import {
  DEIDENTIFIED_CLASS,
  isPhi,
  PHI_RETENTION_CLASSES,
  type PublicRefusal,
  publicRefusal,
  publicRefusalMessage,
} from "./media-rules";
import { deleteObject, DOWNLOAD_URL_TTL_SECONDS, presignDownload, type Storage } from "./media-storage";

export interface MediaView {
  id: string;
  kind: MediaItem["kind"];
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  retentionClass: MediaItem["retentionClass"];
  subjectId: string | null;
  /** The study a de-identified copy was made from (null for anything else, or once the original is gone). */
  sourceMediaId: string | null;
  dicom: DicomMetadata | null;
  phiTags: string[];
  blocked: boolean;
  createdAt: string;
  lastEntryAt: string;
  /** Displayed dimensions of an image (after its orientation); null for other kinds. */
  width: number | null;
  height: number | null;
  altText: string | null;
  /** Marked public by an editor (see `publicRefusal` for what else the public site requires). */
  public: boolean;
  /** What the item lacks to be shown on the public site; null when it is shown there. */
  publicRefusal: PublicRefusal | null;
}

export function mediaView(row: MediaItem): MediaView {
  return {
    id: row.id,
    kind: row.kind,
    filename: row.filename,
    contentType: row.contentType,
    size: row.size,
    sha256: row.sha256,
    retentionClass: row.retentionClass,
    subjectId: row.subjectId,
    sourceMediaId: row.sourceMediaId,
    dicom: row.dicom ?? null,
    phiTags: row.phiTags,
    blocked: row.blockedAt !== null,
    createdAt: row.createdAt.toISOString(),
    lastEntryAt: row.lastEntryAt.toISOString(),
    width: row.width,
    height: row.height,
    altText: row.altText,
    public: row.publicAt !== null,
    publicRefusal: publicRefusal(row, { public: true }),
  };
}

export interface MediaUpdate {
  /** Show (true) or stop showing (false) the image on the public site. */
  public?: boolean | undefined;
  /** One alt text for every locale; null or blank removes it (and so the item's public mark). */
  altText?: string | null | undefined;
}

/**
 * An editor's change to an image's public face. Marking public needs everything `publicRefusal` checks (a
 * subject-linked, PHI or blocked item never qualifies); removing the alt text of a public image is refused
 * rather than silently unpublishing it. Audited; when a shown image stops being shown or its alt text changes,
 * its URLs and the pages showing it are purged.
 */
export async function updateMedia(scope: Scope, mediaId: string, input: MediaUpdate): Promise<MediaView> {
  requireUser(scope);
  return scope.transaction(async (tx) => {
    const [row] = await tx.select().from(mediaItems).where(eq(mediaItems.id, mediaId)).for("update");
    if (!row) throw new NotFoundError("No such media item.");
    const altText = input.altText === undefined ? row.altText : input.altText?.trim() || null;
    const makePublic = input.public ?? row.publicAt !== null;
    if (makePublic) {
      const refusal = publicRefusal({ ...row, altText }, { public: true });
      if (refusal) throw new UnprocessableError(refusal, publicRefusalMessage(refusal));
    }
    const publicAt = makePublic ? (row.publicAt ?? new Date()) : null;
    const [updated] = await tx
      .update(mediaItems)
      .set({ altText, publicAt })
      .where(eq(mediaItems.id, row.id))
      .returning();
    await scope.audit(
      tx,
      row.publicAt === null && publicAt !== null
        ? "media.made_public"
        : row.publicAt !== null && publicAt === null
          ? "media.made_private"
          : "media.updated",
      { type: "media_item", id: row.id },
      { public: publicAt !== null, altTextChanged: altText !== row.altText },
    );
    if (row.publicAt !== null && (publicAt === null || altText !== row.altText)) {
      await announceMediaChange(scope, tx, [row.id]);
    }
    return mediaView(updated!);
  });
}

/** `isPhi` as a SQL condition on `media_items`, for lists: the same three tests, so a list and a read agree. */
function phiSql(): SQL {
  return or(
    and(eq(mediaItems.kind, "dicom"), not(eq(mediaItems.retentionClass, DEIDENTIFIED_CLASS))),
    inArray(mediaItems.retentionClass, [...PHI_RETENTION_CLASSES]),
    sql`cardinality(${mediaItems.phiTags}) > 0`,
  )!;
}

/** The trust level a route needs to touch an item: PHI-level for PHI, restricted for anything else. */
export type MediaSensitivity = Extract<Sensitivity, "phi" | "restricted">;

export function sensitivityOf(row: Pick<MediaItem, "kind" | "retentionClass" | "phiTags">): MediaSensitivity {
  return isPhi(row) ? "phi" : "restricted";
}

/**
 * The sensitivity of a stored media item, for choosing the route's trust level before the handler runs:
 * decided from the row (kind, retention class, PHI tags), so an image of a patient is PHI like a DICOM
 * study. Null when there is no such item (the caller fails closed).
 */
export async function mediaSensitivity(scope: Scope, mediaId: string): Promise<MediaSensitivity | null> {
  const [row] = await scope.transaction((tx) =>
    tx
      .select({ kind: mediaItems.kind, retentionClass: mediaItems.retentionClass, phiTags: mediaItems.phiTags })
      .from(mediaItems)
      .where(eq(mediaItems.id, mediaId))
      .limit(1),
  );
  return row ? sensitivityOf(row) : null;
}

/**
 * An item the public site renders (`public` or `professional`) may not feature PHI media: a patient's record or
 * study, or a de-identified copy whose pixels no reviewer has yet checked for burned-in text. Checked by the publish
 * gate (services/workflow.ts) on approving, scheduling and publishing.
 */
export async function assertPublishableMedia(
  tx: Transaction,
  item: { featuredMediaId: string | null; complianceLevel: string },
): Promise<void> {
  if (!item.featuredMediaId || (item.complianceLevel !== "public" && item.complianceLevel !== "professional")) return;
  const [row] = await tx
    .select({ kind: mediaItems.kind, retentionClass: mediaItems.retentionClass, phiTags: mediaItems.phiTags })
    .from(mediaItems)
    .where(eq(mediaItems.id, item.featuredMediaId))
    .limit(1);
  if (row && isPhi(row))
    throw new ConflictError(
      "featured_media_phi",
      "The featured media is PHI (a patient's record or study, or a de-identified copy waiting for its burned-in annotation review); a public item cannot show it.",
    );
}

/** HIPAA 164.502(b) minimum necessary: PHI media is for clinical and compliance roles, and for whoever uploaded it. */
const PHI_ROLES = new Set(["admin", "medical_reviewer", "compliance_officer"]);

function hasPhiRole(actor: UserActor): boolean {
  return actor.roles.some((role) => PHI_ROLES.has(role));
}

function assertMayRead(actor: UserActor, row: MediaItem): void {
  if (isPhi(row) && row.createdBy !== actor.userId && !hasPhiRole(actor)) {
    throw new ForbiddenError("forbidden_role", "Your role does not allow access to patient images or records.");
  }
}

export async function loadForRead(tx: Transaction, actor: UserActor, mediaId: string): Promise<MediaItem> {
  const [row] = await tx.select().from(mediaItems).where(eq(mediaItems.id, mediaId)).limit(1);
  if (!row) throw new NotFoundError("No such media item.");
  assertMayRead(actor, row);
  return row;
}

/** Metadata of a media item; reading PHI metadata is audited in the same transaction (HIPAA 164.312(b)). */
export async function getMedia(scope: Scope, mediaId: string): Promise<MediaView> {
  const actor = requireUser(scope);
  return scope.transaction(async (tx) => {
    const row = await loadForRead(tx, actor, mediaId);
    if (isPhi(row)) {
      await scope.audit(
        tx,
        "media.read",
        { type: "media_item", id: row.id },
        { kind: row.kind, retentionClass: row.retentionClass },
      );
    }
    return mediaView(row);
  });
}

export interface MediaListFilters {
  kind?: UploadKind | undefined;
  retentionClass?: RetentionClass | undefined;
  subjectId?: string | undefined;
  /** Created at or after this instant. */
  from?: Date | undefined;
  /** Created before this instant. */
  to?: Date | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
  /** Whether the session qualifies for PHI (a trust evaluation at `phi`); without it, PHI items are left out. */
  includePhi: boolean;
}

export interface MediaListItem extends MediaView {
  phi: boolean;
  /** Images only: a presigned GET (five minutes) the library shows as a thumbnail; null for blocked items. */
  thumbnailUrl: string | null;
}

export interface MediaPage {
  items: MediaListItem[];
  nextCursor: string | null;
}

/**
 * The media library, newest first, a keyset page at a time. PHI items are listed only for a session that passed
 * the trust evaluation at `phi`, and then only to the roles that may read them (or to whoever uploaded them), as
 * for a single read; each PHI item listed is audited as a read (HIPAA 164.312(b)), since the page shows its
 * metadata and, for an image, the picture itself.
 */
export async function listMedia(scope: Scope, filters: MediaListFilters): Promise<MediaPage> {
  const actor = requireUser(scope);
  const limit = Math.min(100, Math.max(1, filters.limit ?? 24));
  const after = filters.cursor ? decodeCursor(filters.cursor) : null;
  const conditions: SQL[] = [];
  if (!filters.includePhi) conditions.push(not(phiSql()));
  else if (!hasPhiRole(actor)) conditions.push(or(not(phiSql()), eq(mediaItems.createdBy, actor.userId))!);
  if (filters.kind) conditions.push(eq(mediaItems.kind, filters.kind));
  if (filters.retentionClass) conditions.push(eq(mediaItems.retentionClass, filters.retentionClass));
  if (filters.subjectId) conditions.push(eq(mediaItems.subjectId, filters.subjectId));
  if (filters.from) conditions.push(gte(mediaItems.createdAt, filters.from));
  if (filters.to) conditions.push(lt(mediaItems.createdAt, filters.to));
  if (after) {
    conditions.push(
      or(lt(mediaItems.createdAt, after.at), and(eq(mediaItems.createdAt, after.at), lt(mediaItems.id, after.id)))!,
    );
  }
  const rows = await scope.transaction(async (tx) => {
    const found = await tx
      .select()
      .from(mediaItems)
      .where(and(...conditions))
      .orderBy(desc(mediaItems.createdAt), desc(mediaItems.id))
      .limit(limit + 1);
    for (const row of found.slice(0, limit)) {
      if (isPhi(row)) {
        await scope.audit(
          tx,
          "media.read",
          { type: "media_item", id: row.id },
          { kind: row.kind, retentionClass: row.retentionClass, listed: true },
        );
      }
    }
    return found;
  });
  const page = rows.slice(0, limit);
  const items = await Promise.all(
    page.map(async (row): Promise<MediaListItem> => ({
      ...mediaView(row),
      phi: isPhi(row),
      thumbnailUrl:
        row.kind === "image" && !row.blockedAt
          ? await presignDownload(scope.storage, row.objectKey, row.id, row.contentType)
          : null,
    })),
  );
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

/**
 * A presigned GET valid for five minutes. Every download is audited, and the event commits before the
 * link is handed out. Blocked items (LGPD art. 18 IV: kept only because the law requires it) are not
 * handed out any more.
 */
export async function downloadMedia(scope: Scope, mediaId: string): Promise<{ url: string; expiresIn: number }> {
  const actor = requireUser(scope);
  const row = await scope.transaction(async (tx) => {
    const item = await loadForRead(tx, actor, mediaId);
    if (item.blockedAt)
      throw new ForbiddenError(
        "media_blocked",
        "This item is blocked: it is retained only to meet a legal obligation.",
      );
    await scope.audit(
      tx,
      "media.download",
      { type: "media_item", id: item.id },
      { kind: item.kind, retentionClass: item.retentionClass, phi: isPhi(item), expiresIn: DOWNLOAD_URL_TTL_SECONDS },
    );
    return item;
  });
  return {
    url: await presignDownload(scope.storage, row.objectKey, row.id, row.contentType),
    expiresIn: DOWNLOAD_URL_TTL_SECONDS,
  };
}

/**
 * Deletes a media item for good: its object first, then the row, in the caller's transaction (which also
 * holds the audit event). If the transaction then fails, the row still points at a deleted object and the
 * next attempt deletes it again (deleting a missing object succeeds), so nothing is left orphaned.
 */
export async function deleteMediaItem(
  tx: Transaction,
  storage: Storage,
  row: Pick<MediaItem, "id" | "objectKey">,
): Promise<void> {
  await deleteObject(storage, row.objectKey);
  await tx.delete(mediaItems).where(eq(mediaItems.id, row.id));
}
