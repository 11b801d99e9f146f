import { and, eq } from "drizzle-orm";
import { mediaItems } from "../../schema";
import { keyedHashHex } from "../lib/crypto";
import { ConflictError, ForbiddenError, UnprocessableError } from "../lib/errors";
import { requireUser, type Scope } from "../scope";
import { inspectDicom } from "./dicom";
import { DicomFormatError, deidentifyDicom, uidFromDigest } from "./dicom-deidentify";
import { loadForRead, mediaView, type MediaView } from "./media";
import { isPhi } from "./media-rules";
import {
  deleteObject,
  objectKeyFor,
  putObjectBytes,
  randomObjectId,
  readObjectBytes,
  tagRetentionClass,
} from "./media-storage";

/**
 * A de-identified copy of an uploaded study for teaching content (DICOM PS3.15 Annex E, Basic Application Level
 * Confidentiality Profile; services/dicom-deidentify.ts does the work): stored as ordinary media under its own
 * class (`deidentified_media`), with no data subject, so an article may use it; the original stays PHI and is
 * never written to. Reading the study is a PHI read (audited before its bytes are read); making the copy a write.
 *
 * A copy whose pixels may carry burned-in text (Burned In Annotation YES, or absent on US, SC, XA …) keeps the PHI
 * tag `BurnedInAnnotation`, which makes it PHI (`isPhi`): it is treated as the study until a medical reviewer has
 * looked at it and cleared the flag (`clearAnnotationReview`).
 *
 * The whole study is read into memory (the Worker has 128 MB), so copies are made of studies up to
 * `DEIDENTIFY_MAX_BYTES`; a larger study is refused (`dicom_too_large`) rather than streamed, because the dataset's
 * header is rewritten and S3 needs the new length before the first byte.
 */

export const DEIDENTIFY_MAX_BYTES = 48 * 1024 * 1024;
/** The PHI tag a copy carries until a person has checked its pixels for burned-in text. */
export const BURNED_IN_REVIEW_TAG = "BurnedInAnnotation";
const UID_KEY_PURPOSE = "vitalis/dicom/deidentified-uid/v1";

/**
 * The UID mapping of the tenant: HMAC-SHA-256 under a key derived (HKDF) from the at-rest key for this purpose and
 * this tenant, so the same original UID becomes the same new UID in every copy the tenant makes, and nobody without
 * the key can go back or match copies across tenants.
 */
function tenantUidMapper(scope: Scope): (uid: string) => Promise<string> {
  const key = scope.section("auth").mfaEncryptionKey;
  const purpose = `${UID_KEY_PURPOSE}/${scope.tenant.id}`;
  const mapped = new Map<string, Promise<string>>();
  return (uid) => {
    let result = mapped.get(uid);
    if (!result) {
      result = keyedHashHex(key, purpose, uid).then(uidFromDigest);
      mapped.set(uid, result);
    }
    return result;
  };
}

export async function deidentifyMedia(scope: Scope, mediaId: string): Promise<MediaView> {
  const actor = requireUser(scope);

  // ---- 1. the study: may this user read its PHI? The read is audited before a byte is read ------------
  const source = await scope.transaction(async (tx) => {
    const row = await loadForRead(tx, actor, mediaId);
    if (row.kind !== "dicom" || !isPhi(row))
      throw new UnprocessableError("media_not_dicom_study", "Only an uploaded DICOM study can be de-identified.");
    if (row.blockedAt)
      throw new ForbiddenError(
        "media_blocked",
        "This item is blocked: it is retained only to meet a legal obligation.",
      );
    if (row.size > DEIDENTIFY_MAX_BYTES)
      throw new UnprocessableError(
        "dicom_too_large",
        `Studies up to ${DEIDENTIFY_MAX_BYTES / (1024 * 1024)} MiB can be de-identified here.`,
      );
    await scope.audit(
      tx,
      "media.read",
      { type: "media_item", id: row.id },
      { kind: row.kind, retentionClass: row.retentionClass, purpose: "deidentify" },
    );
    return row;
  });

  // ---- 2. the copy, made in memory -------------------------------------------------------------------
  const bytes = await readObjectBytes(scope.storage, source.objectKey, DEIDENTIFY_MAX_BYTES);
  if (!bytes)
    throw new UnprocessableError(
      "dicom_too_large",
      `Studies up to ${DEIDENTIFY_MAX_BYTES / (1024 * 1024)} MiB can be de-identified here.`,
    );
  let copy;
  try {
    copy = await deidentifyDicom(bytes, tenantUidMapper(scope));
  } catch (error) {
    if (error instanceof DicomFormatError) throw new UnprocessableError(error.code, error.message);
    throw error;
  }
  // The copy is read back as an upload would be: its header facts, and any identifying attribute left (none).
  const inspection = inspectDicom(copy.bytes, { complete: true });
  if (!inspection.ok) throw new Error(`the de-identified copy does not parse: ${inspection.detail}`);
  const phiTags = [...inspection.phiTags, ...(copy.burnedInAnnotationReview ? [BURNED_IN_REVIEW_TAG] : [])];
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", copy.bytes));
  const sha256 = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");

  // ---- 3. stored under its own class, recorded and audited in one transaction --------------------------
  const key = objectKeyFor("deidentified_media", scope.tenant.id, randomObjectId(), new Date());
  await putObjectBytes(scope.storage, key, copy.bytes, "application/dicom");
  try {
    await tagRetentionClass(scope.storage, key, "deidentified_media");
    return await scope.transaction(async (tx) => {
      const [row] = await tx
        .insert(mediaItems)
        .values({
          tenantId: scope.tenant.id,
          uploadId: null,
          sourceMediaId: source.id,
          createdBy: actor.userId,
          subjectId: null,
          kind: "dicom",
          // Never the original's filename: clinical filenames often carry the patient's name.
          filename: "deidentified.dcm",
          contentType: "application/dicom",
          size: copy.bytes.length,
          sha256,
          objectKey: key,
          retentionClass: "deidentified_media",
          dicom: inspection.metadata,
          phiTags,
        })
        .returning();
      if (!row) throw new Error("media insert returned nothing");
      await scope.audit(
        tx,
        "media.deidentified",
        { type: "media_item", id: row.id },
        {
          sourceId: source.id,
          profile: "DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile (113100)",
          transferSyntaxUid: copy.transferSyntaxUid,
          modality: copy.modality,
          burnedInAnnotationReview: copy.burnedInAnnotationReview,
          ...copy.counts,
          phiTagsLeft: inspection.phiTags,
        },
      );
      return mediaView(row);
    });
  } catch (error) {
    await deleteObject(scope.storage, key).catch(() => undefined);
    throw error;
  }
}

/**
 * A medical reviewer has looked at a de-identified copy's pixels and found no burned-in identifying text: the
 * `BurnedInAnnotation` flag goes, and with it the copy's PHI status. Audited.
 */
export async function clearAnnotationReview(scope: Scope, mediaId: string): Promise<MediaView> {
  const actor = requireUser(scope);
  return scope.transaction(async (tx) => {
    const row = await loadForRead(tx, actor, mediaId);
    if (row.retentionClass !== "deidentified_media" || !row.phiTags.includes(BURNED_IN_REVIEW_TAG))
      throw new ConflictError(
        "annotation_review_not_pending",
        "Only a de-identified copy waiting for its burned-in annotation review can be cleared.",
      );
    const [updated] = await tx
      .update(mediaItems)
      .set({ phiTags: row.phiTags.filter((tag) => tag !== BURNED_IN_REVIEW_TAG) })
      .where(and(eq(mediaItems.id, row.id), eq(mediaItems.retentionClass, "deidentified_media")))
      .returning();
    if (!updated) throw new ConflictError("annotation_review_not_pending", "The copy changed meanwhile.");
    await scope.audit(
      tx,
      "media.annotation_review_cleared",
      { type: "media_item", id: row.id },
      { sourceId: row.sourceMediaId, modality: row.dicom?.modality ?? null },
    );
    return mediaView(updated);
  });
}
