import { and, eq, inArray, isNotNull, lt } from "drizzle-orm";
import { dataSubjects, type DicomMetadata, mediaItems, type Upload, type UploadKind, uploads } from "../../schema";
import type { RetentionClass } from "../../schema/retention-policies";
import type { Transaction } from "../lib/db";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import {
  displayedSize,
  formatOfContentType,
  MalformedImageError,
  readImageInfo,
  stripImageMetadata,
} from "../lib/image-metadata";
import { sha256OfStream } from "../lib/stream-digest";
import type { UserActor } from "../lib/actor";
import { requireUser, type Scope } from "../scope";
import { DICOM_HEADER_RANGES, inspectDicom } from "./dicom";
import { announceMediaChange } from "./cdn-purge";
import { holdNewMediaItem } from "./legal-holds";
import { type MediaSensitivity, mediaView, type MediaView, sensitivityOf } from "./media";
import { isPhi } from "./media-rules";
import {
  abortMultipart,
  completeMultipart,
  copyObject,
  createMultipart,
  deleteObject,
  headObject,
  isMissingObject,
  objectKeyFor,
  presignPart,
  presignPut,
  putObjectBytes,
  randomObjectId,
  readObjectBytes,
  readObjectStream,
  readRange,
  type Storage,
  tagRetentionClass,
  UPLOAD_URL_TTL_SECONDS,
} from "./media-storage";
import { queueMediaWebhooks } from "./webhooks/events";

const MiB = 1024 * 1024;

/**
 * What each kind may be. DICOM is bounded by what one Worker invocation can read back while streaming
 * (the completion hashes the whole object to verify its SHA-256); larger studies are uploaded per series.
 */
export const UPLOAD_LIMITS: Readonly<Record<UploadKind, { maxBytes: number; contentTypes: readonly string[] }>> = {
  // PS3.10 / RFC 3240: application/dicom is the media type of a Part 10 file.
  dicom: { maxBytes: 1024 * MiB, contentTypes: ["application/dicom"] },
  image: { maxBytes: 25 * MiB, contentTypes: ["image/png", "image/jpeg", "image/gif", "image/webp"] },
  document: { maxBytes: 100 * MiB, contentTypes: ["application/pdf"] },
};

/** Above this, the browser uploads in parts (S3 multipart); parts are 8 MiB (S3's minimum is 5 MiB). */
export const MULTIPART_THRESHOLD = 16 * MiB;
export const PART_SIZE = 8 * MiB;

/** The size of each part of a file of `size` bytes: PART_SIZE each, the last one the remainder. */
export function partSizes(size: number): number[] {
  return Array.from({ length: Math.ceil(size / PART_SIZE) }, (_, index) =>
    Math.min(PART_SIZE, size - index * PART_SIZE),
  );
}

/** An upload not completed within a day is expired by the cron; the bucket rule is the backstop (2 days). */
export const UPLOAD_TTL_MS = 24 * 3600 * 1000;

export interface CreateUploadInput {
  filename: string;
  size: number;
  contentType: string;
  sha256: string;
  kind: UploadKind;
  subjectId?: string | undefined;
  /** An image of the library whose picture this upload replaces (its id stays; its URLs change). */
  replacesMediaId?: string | undefined;
}

export interface UploadTicket {
  id: string;
  kind: UploadKind;
  retentionClass: RetentionClass;
  method: "single" | "multipart";
  expiresAt: string;
  urlExpiresIn: number;
  /** Single upload: PUT the whole file here with these headers, exactly the declared size (a signed header). */
  url?: string;
  headers?: Record<string, string>;
  /**
   * Multipart: PUT each part (1-based, exactly `partSize` bytes, the last one the remainder; the length is a
   * signed header) and keep its ETag.
   */
  partSize?: number;
  parts?: Array<{ partNumber: number; url: string }>;
}

/** The retention class follows what the object is: imaging and anything of a patient's record are medical records. */
export function retentionClassFor(kind: UploadKind, hasSubject: boolean): RetentionClass {
  if (kind === "dicom") return "medical_imaging";
  return hasSubject ? "medical_record" : "general_media";
}

async function audit(
  scope: Scope,
  tx: Transaction,
  action: string,
  upload: Pick<Upload, "id">,
  details: Record<string, unknown>,
) {
  await scope.audit(tx, action, { type: "upload", id: upload.id }, details);
}

/**
 * Authorises an upload: checks the kind's limits, records it, and hands out presigned URLs for the pending
 * key. Each URL is signed for the declared size (Content-Length is a signed header), so S3 refuses any other
 * body: whoever holds a URL cannot store more than the ticket allowed. The S3 multipart upload is created
 * before the row, and aborted if the row cannot be written, so no half-made upload is left behind.
 */
export async function createUpload(scope: Scope, input: CreateUploadInput): Promise<UploadTicket> {
  const actor = requireUser(scope);
  const limits = UPLOAD_LIMITS[input.kind];
  if (!limits.contentTypes.includes(input.contentType)) {
    throw new UnprocessableError(
      "upload_content_type_refused",
      `A ${input.kind} upload must be one of: ${limits.contentTypes.join(", ")}.`,
    );
  }
  if (input.size > limits.maxBytes) {
    throw new UnprocessableError("upload_too_large", `A ${input.kind} upload may be at most ${limits.maxBytes} bytes.`);
  }
  if (input.replacesMediaId) await assertReplaceable(scope, input);
  if (input.subjectId) {
    const subjectId = input.subjectId;
    const [subject] = await scope.transaction((tx) =>
      tx.select({ id: dataSubjects.id }).from(dataSubjects).where(eq(dataSubjects.id, subjectId)).limit(1),
    );
    if (!subject) throw new UnprocessableError("subject_unknown", "The data subject does not exist.");
  }
  const now = new Date();
  const expiresAt = new Date(now.getTime() + UPLOAD_TTL_MS);
  const retentionClass = retentionClassFor(input.kind, Boolean(input.subjectId));
  const pendingKey = objectKeyFor("upload_incomplete", scope.tenant.id, randomObjectId(), now);
  const multipart = input.size > MULTIPART_THRESHOLD;
  const parts = multipart ? partSizes(input.size) : [];
  const partCount = multipart ? parts.length : null;

  const multipartUploadId = multipart ? await createMultipart(scope.storage, pendingKey, input.contentType) : null;

  let upload: Upload;
  try {
    upload = await scope.transaction(async (tx) => {
      const [row] = await tx
        .insert(uploads)
        .values({
          tenantId: scope.tenant.id,
          createdBy: actor.userId,
          subjectId: input.subjectId ?? null,
          kind: input.kind,
          filename: input.filename,
          contentType: input.contentType,
          size: input.size,
          sha256: input.sha256.toLowerCase(),
          pendingKey,
          retentionClass,
          multipartUploadId,
          replacesMediaId: input.replacesMediaId ?? null,
          partSize: multipart ? PART_SIZE : null,
          partCount,
          expiresAt,
        })
        .returning();
      if (!row) throw new Error("upload insert returned nothing");
      // The filename is not in the audit details: it may name the patient.
      await audit(scope, tx, "upload.created", row, {
        kind: row.kind,
        size: row.size,
        retentionClass,
        multipart,
        subjectId: row.subjectId,
        replacesMediaId: row.replacesMediaId,
      });
      return row;
    });
  } catch (error) {
    if (multipartUploadId) await abortMultipart(scope.storage, pendingKey, multipartUploadId).catch(() => undefined);
    throw error;
  }

  const ticket: UploadTicket = {
    id: upload.id,
    kind: upload.kind,
    retentionClass,
    method: multipart ? "multipart" : "single",
    expiresAt: expiresAt.toISOString(),
    urlExpiresIn: UPLOAD_URL_TTL_SECONDS,
  };
  if (!multipart) {
    ticket.url = await presignPut(scope.storage, pendingKey, input.contentType, input.size);
    ticket.headers = { "content-type": input.contentType };
  } else {
    ticket.partSize = PART_SIZE;
    ticket.parts = await Promise.all(
      parts.map(async (size, index) => ({
        partNumber: index + 1,
        url: await presignPart(scope.storage, pendingKey, multipartUploadId ?? "", index + 1, size),
      })),
    );
  }
  return ticket;
}

/**
 * A replacement is an image for an image of the library that has no data subject and no PHI: the picture changes,
 * the item (its alt text, its public mark, the articles that show it) stays.
 */
async function assertReplaceable(scope: Scope, input: CreateUploadInput): Promise<void> {
  // A public picture changes on published pages without a review: the roles that mark images public only.
  if (!requireUser(scope).roles.some((role) => role === "admin" || role === "editor")) {
    throw new ForbiddenError("forbidden_role", "Only editors and admins may replace an image.");
  }
  const replacesMediaId = input.replacesMediaId ?? "";
  const [target] = await scope.transaction((tx) =>
    tx.select().from(mediaItems).where(eq(mediaItems.id, replacesMediaId)).limit(1),
  );
  if (!target) throw new UnprocessableError("media_unknown", "The media item to replace does not exist.");
  if (input.kind !== "image" || target.kind !== "image" || input.subjectId || target.subjectId || isPhi(target)) {
    throw new UnprocessableError(
      "media_not_replaceable",
      "Only an image without a data subject can replace an image without a data subject.",
    );
  }
  if (target.blockedAt) throw new ForbiddenError("media_blocked", "This item is blocked.");
}

/**
 * The sensitivity of an upload, for choosing the route's trust level before the handler runs: decided
 * from the stored row, so an upload for a data subject (a medical record) is PHI like a DICOM study.
 * Null when there is no such upload (the caller fails closed).
 */
export async function uploadSensitivity(scope: Scope, uploadId: string): Promise<MediaSensitivity | null> {
  const [row] = await scope.transaction((tx) =>
    tx
      .select({ kind: uploads.kind, retentionClass: uploads.retentionClass })
      .from(uploads)
      .where(eq(uploads.id, uploadId))
      .limit(1),
  );
  return row ? sensitivityOf({ ...row, phiTags: [] }) : null;
}

/** The sensitivity of an upload about to be created: what its row will say (a subject makes it a medical record). */
export function requestedUploadSensitivity(kind: UploadKind, hasSubject: boolean): MediaSensitivity {
  return sensitivityOf({ kind, retentionClass: retentionClassFor(kind, hasSubject), phiTags: [] });
}

async function loadOwnPendingUpload(scope: Scope, actor: UserActor, uploadId: string): Promise<Upload> {
  const [upload] = await scope.transaction((tx) => tx.select().from(uploads).where(eq(uploads.id, uploadId)).limit(1));
  if (!upload) throw new NotFoundError("No such upload.");
  if (upload.createdBy !== actor.userId && !actor.roles.includes("admin")) {
    throw new ForbiddenError(
      "upload_not_yours",
      "Only the person who started an upload (or an admin) may finish or cancel it.",
    );
  }
  if (upload.status !== "pending")
    throw new ConflictError("upload_not_pending", `This upload is already ${upload.status}.`);
  if (upload.expiresAt.getTime() < Date.now())
    throw new ConflictError("upload_expired", "This upload has expired. Start a new one.");
  return upload;
}

/** Why a finished upload was refused: each reason is a stable problem code. */
type RejectionCode =
  | "upload_parts_invalid"
  | "upload_size_mismatch"
  | "upload_checksum_mismatch"
  | "upload_type_mismatch"
  | "upload_not_dicom"
  | "upload_dicom_invalid"
  | "upload_image_invalid";

const REJECTION_MESSAGES: Record<RejectionCode, string> = {
  upload_parts_invalid: "The uploaded parts do not make up the file (missing part or wrong ETag).",
  upload_size_mismatch: "The uploaded file does not have the declared size.",
  upload_checksum_mismatch: "The uploaded file does not match the declared SHA-256.",
  upload_type_mismatch: "The uploaded file is not of the declared content type.",
  upload_not_dicom: "The uploaded file is not a DICOM Part 10 file (no DICM prefix at offset 128).",
  upload_dicom_invalid: "The uploaded file's DICOM header cannot be read.",
  upload_image_invalid: "The uploaded image's structure cannot be read.",
};

/** Deletes what was uploaded, records the refusal (audited) and answers 422 with the reason's code. */
async function reject(scope: Scope, upload: Upload, code: RejectionCode): Promise<never> {
  if (upload.multipartUploadId) {
    await abortMultipart(scope.storage, upload.pendingKey, upload.multipartUploadId).catch(() => undefined);
  }
  await deleteObject(scope.storage, upload.pendingKey);
  await scope.transaction(async (tx) => {
    await tx
      .update(uploads)
      .set({ status: "rejected", rejectedReason: code, finishedAt: new Date() })
      .where(and(eq(uploads.id, upload.id), eq(uploads.status, "pending")));
    await audit(scope, tx, "upload.rejected", upload, { reason: code, kind: upload.kind });
  });
  throw new UnprocessableError(code, REJECTION_MESSAGES[code]);
}

/** First bytes of the formats we accept as images and documents (their specifications' signatures). */
function looksLike(contentType: string, head: Uint8Array): boolean {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => head[i] === byte);
  switch (contentType) {
    case "image/png":
      return starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a); // PNG §5.2 signature
    case "image/jpeg":
      return starts(0xff, 0xd8, 0xff); // JPEG SOI marker
    case "image/gif":
      return starts(0x47, 0x49, 0x46, 0x38); // "GIF8"
    case "image/webp":
      return (
        starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50
      ); // RIFF....WEBP
    case "application/pdf":
      return starts(0x25, 0x50, 0x44, 0x46, 0x2d); // "%PDF-"
    default:
      return false;
  }
}

async function inspectDicomObject(storage: Storage, upload: Upload) {
  let inspection: ReturnType<typeof inspectDicom> | null = null;
  for (const range of DICOM_HEADER_RANGES) {
    const length = Math.min(range, upload.size);
    inspection = inspectDicom(await readRange(storage, upload.pendingKey, length), { complete: length >= upload.size });
    if (inspection.ok || !inspection.needMore) break;
  }
  return inspection;
}

export interface CompleteUploadInput {
  parts?: Array<{ partNumber: number; etag: string }> | undefined;
}

/**
 * Verifies what the browser uploaded and turns it into a media item:
 *   1. multipart: CompleteMultipartUpload with the parts' ETags;
 *   2. size (HeadObject) and SHA-256 (the object streamed back through workerd's native DigestStream);
 *   3. the content: DICOM preamble and header (ranged GETs), or the file signature of images and PDFs;
 *   4. copy to a new key under the retention class's prefix, tag it with its class (PutObjectTagging),
 *      record the media item and audit it in one transaction; if that transaction fails the copy is deleted
 *      again. The key is new for every attempt, so a completion that loses a race to another one deletes
 *      only its own copy, never the object the winner recorded.
 * A file that is not what it claims is deleted and refused with a stable 422 code.
 */
export async function completeUpload(scope: Scope, uploadId: string, input: CompleteUploadInput): Promise<MediaView> {
  const upload = await loadOwnPendingUpload(scope, requireUser(scope), uploadId);

  // ---- 1. assemble the parts -----------------------------------------------------------------------
  if (upload.multipartUploadId) {
    const parts = [...(input.parts ?? [])].sort((a, b) => a.partNumber - b.partNumber);
    if (parts.length !== upload.partCount || parts.some((part, index) => part.partNumber !== index + 1)) {
      throw new UnprocessableError(
        "upload_parts_required",
        `Send the ETag of each of the ${upload.partCount} parts, numbered from 1.`,
      );
    }
    try {
      await completeMultipart(scope.storage, upload.pendingKey, upload.multipartUploadId, parts);
    } catch {
      return reject(scope, upload, "upload_parts_invalid");
    }
  }

  // ---- 2. size and checksum ------------------------------------------------------------------------
  let head;
  try {
    head = await headObject(scope.storage, upload.pendingKey);
  } catch (error) {
    if (isMissingObject(error))
      throw new ConflictError("upload_missing", "Nothing was uploaded yet. Upload the file, then complete.");
    throw error;
  }
  if (head.size !== upload.size) return reject(scope, upload, "upload_size_mismatch");
  const body = await readObjectStream(scope.storage, upload.pendingKey);
  if (!body) return reject(scope, upload, "upload_size_mismatch");
  const digest = await sha256OfStream(body);
  if (digest.bytes !== upload.size) return reject(scope, upload, "upload_size_mismatch");
  if (digest.sha256 !== upload.sha256) return reject(scope, upload, "upload_checksum_mismatch");
  if ((head.contentType ?? "") !== upload.contentType) return reject(scope, upload, "upload_type_mismatch");

  // ---- 3. content ----------------------------------------------------------------------------------
  let dicom: DicomMetadata | null = null;
  let phiTags: string[] = [];
  if (upload.kind === "dicom") {
    const inspection = await inspectDicomObject(scope.storage, upload);
    if (!inspection?.ok)
      return reject(scope, upload, inspection?.reason === "not_dicom" ? "upload_not_dicom" : "upload_dicom_invalid");
    dicom = inspection.metadata;
    phiTags = inspection.phiTags;
  } else if (
    !looksLike(upload.contentType, await readRange(scope.storage, upload.pendingKey, Math.min(16, upload.size)))
  ) {
    return reject(scope, upload, "upload_type_mismatch");
  }

  // ---- 4. images: strip metadata (GPS, camera, author: personal data) and read the dimensions -------
  let image: { bytes: Uint8Array; sha256: string; width: number; height: number } | null = null;
  if (upload.kind === "image") {
    try {
      const original = await readObjectBytes(scope.storage, upload.pendingKey, UPLOAD_LIMITS.image.maxBytes);
      if (!original) return reject(scope, upload, "upload_size_mismatch");
      const info = readImageInfo(original);
      if (formatOfContentType(upload.contentType) !== info.format) return reject(scope, upload, "upload_type_mismatch");
      const bytes = stripImageMetadata(original);
      image = { bytes, sha256: await sha256Hex(bytes), ...displayedSize(info) };
    } catch (error) {
      if (error instanceof MalformedImageError) return reject(scope, upload, "upload_image_invalid");
      throw error;
    }
  }

  // ---- 5. store under the class's prefix, tag, record ----------------------------------------------
  const finalKey = objectKeyFor(upload.retentionClass, scope.tenant.id, randomObjectId(), new Date());
  if (image) await putObjectBytes(scope.storage, finalKey, image.bytes, upload.contentType);
  else await copyObject(scope.storage, upload.pendingKey, finalKey);
  const stored = image
    ? { size: image.bytes.length, sha256: image.sha256 }
    : { size: upload.size, sha256: upload.sha256 };
  let replacedKey: string | null = null;
  let media: MediaView;
  try {
    // The tag lets bucket policies and Object Lock tooling see the class without reading the database.
    await tagRetentionClass(scope.storage, finalKey, upload.retentionClass);
    media = await scope.transaction(async (tx) => {
      const finished = await tx
        .update(uploads)
        .set({ status: "completed", finishedAt: new Date() })
        .where(and(eq(uploads.id, upload.id), eq(uploads.status, "pending")))
        .returning({ id: uploads.id });
      if (finished.length === 0)
        throw new ConflictError("upload_not_pending", "This upload was finished by another request.");
      if (upload.replacesMediaId) {
        const replaced = await replacePicture(scope, tx, upload, { objectKey: finalKey, ...stored, image });
        replacedKey = replaced.previousKey;
        return mediaView(replaced.row);
      }
      const now = new Date();
      const [row] = await tx
        .insert(mediaItems)
        .values({
          tenantId: scope.tenant.id,
          uploadId: upload.id,
          createdBy: upload.createdBy,
          subjectId: upload.subjectId,
          kind: upload.kind,
          filename: upload.filename,
          contentType: upload.contentType,
          size: stored.size,
          sha256: stored.sha256,
          width: image?.width ?? null,
          height: image?.height ?? null,
          objectKey: finalKey,
          retentionClass: upload.retentionClass,
          dicom,
          phiTags,
          lastEntryAt: now,
        })
        .returning();
      if (!row) throw new Error("media insert returned nothing");
      // Lei 13.787/2018 art. 6 counts 20 years from the record's LAST entry: a new entry of a patient's
      // record moves the clock of every earlier item of the same record.
      if (
        upload.subjectId &&
        (upload.retentionClass === "medical_record" || upload.retentionClass === "medical_imaging")
      ) {
        await tx
          .update(mediaItems)
          .set({ lastEntryAt: now })
          .where(
            and(
              eq(mediaItems.subjectId, upload.subjectId),
              inArray(mediaItems.retentionClass, ["medical_record", "medical_imaging"]),
              lt(mediaItems.lastEntryAt, now),
            ),
          );
      }
      await holdNewMediaItem(scope, tx, row);
      await scope.audit(
        tx,
        "media.created",
        { type: "media_item", id: row.id },
        {
          uploadId: upload.id,
          kind: row.kind,
          size: row.size,
          sha256: row.sha256,
          // The browser's file and the stored one differ when metadata was stripped.
          uploadedSha256: upload.sha256,
          retentionClass: row.retentionClass,
          phiTags,
          modality: dicom?.modality ?? null,
        },
      );
      await queueMediaWebhooks(scope, tx, row);
      return mediaView(row);
    });
  } catch (error) {
    await deleteObject(scope.storage, finalKey).catch(() => undefined);
    throw error;
  }
  // The pending copy is no longer needed; if this fails, the upload_incomplete lifecycle rule removes it.
  await deleteObject(scope.storage, upload.pendingKey).catch(() => undefined);
  if (replacedKey) await deleteObject(scope.storage, replacedKey).catch(() => undefined);
  return media;
}

/**
 * Puts a new picture under an existing media item, in the completion's transaction: the object, size, hash and
 * dimensions change, the alt text and public mark stay. Its public URLs carry the hash, so they change too, and
 * every page and image URL tagged with the item is purged. Returns the old object's key, deleted after commit.
 */
async function replacePicture(
  scope: Scope,
  tx: Transaction,
  upload: Upload,
  next: { objectKey: string; size: number; sha256: string; image: { width: number; height: number } | null },
): Promise<{ row: typeof mediaItems.$inferSelect; previousKey: string }> {
  const [previous] = await tx
    .select()
    .from(mediaItems)
    .where(eq(mediaItems.id, upload.replacesMediaId ?? ""))
    .for("update");
  if (!previous || previous.kind !== "image" || previous.subjectId || isPhi(previous) || previous.blockedAt) {
    throw new ConflictError("media_not_replaceable", "The media item can no longer be replaced.");
  }
  const [row] = await tx
    .update(mediaItems)
    .set({
      uploadId: upload.id,
      filename: upload.filename,
      contentType: upload.contentType,
      objectKey: next.objectKey,
      size: next.size,
      sha256: next.sha256,
      width: next.image?.width ?? null,
      height: next.image?.height ?? null,
    })
    .where(eq(mediaItems.id, previous.id))
    .returning();
  await scope.audit(
    tx,
    "media.replaced",
    { type: "media_item", id: previous.id },
    { uploadId: upload.id, size: next.size, sha256: next.sha256, previousSha256: previous.sha256 },
  );
  await announceMediaChange(scope, tx, [previous.id]);
  return { row: row!, previousKey: previous.objectKey };
}

/** Cancels an upload: aborts the multipart upload or deletes the object, and records it. */
export async function abortUpload(scope: Scope, uploadId: string): Promise<void> {
  const upload = await loadOwnPendingUpload(scope, requireUser(scope), uploadId);
  await discardPendingObject(scope.storage, upload);
  await scope.transaction(async (tx) => {
    await tx
      .update(uploads)
      .set({ status: "aborted", finishedAt: new Date() })
      .where(and(eq(uploads.id, upload.id), eq(uploads.status, "pending")));
    await audit(scope, tx, "upload.aborted", upload, { kind: upload.kind });
  });
}

async function discardPendingObject(
  storage: Storage,
  upload: Pick<Upload, "pendingKey" | "multipartUploadId">,
): Promise<void> {
  if (upload.multipartUploadId) {
    try {
      await abortMultipart(storage, upload.pendingKey, upload.multipartUploadId);
    } catch (error) {
      if (!isMissingObject(error)) throw error;
    }
  }
  await deleteObject(storage, upload.pendingKey);
}

/**
 * Cron: uploads never completed before their expiry are discarded (LGPD art. 6 III: unverified, possibly
 * PHI-bearing files have no purpose). Batches in the scope's tenant; rows are claimed with FOR UPDATE SKIP LOCKED so
 * overlapping runs never process the same upload twice.
 */
export async function expireUploads(scope: Scope, options: { now?: Date; batchSize?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 100;
  let expired = 0;
  for (;;) {
    const count = await scope.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(uploads)
        .where(and(eq(uploads.status, "pending"), lt(uploads.expiresAt, now), isNotNull(uploads.pendingKey)))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      for (const upload of due) {
        await discardPendingObject(scope.storage, upload);
        await tx.update(uploads).set({ status: "expired", finishedAt: now }).where(eq(uploads.id, upload.id));
        await audit(scope, tx, "upload.expired", upload, {
          kind: upload.kind,
          createdAt: upload.createdAt.toISOString(),
          legalBasis: "LGPD art. 6 III; art. 16",
        });
      }
      return due.length;
    });
    expired += count;
    if (count < batchSize) return expired;
  }
}
