import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  NotFound,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { retentionPolicies, type RetentionClass } from "../../schema/retention-policies";

/**
 * Object keys and the S3 calls uploads, media, retention and privacy share. Keys are built here only,
 * never from a filename: `<retention prefix><tenant id>/<yyyy>/<mm>/<random id>` (schema/retention-policies.ts),
 * so the bucket's lifecycle rule of the class applies, and a key reveals nothing about the file or patient.
 */

export interface Storage {
  s3: S3Client;
  bucket: string;
}

export function objectKeyFor(retentionClass: RetentionClass, tenantId: string, objectId: string, at: Date): string {
  const prefix = retentionPolicies[retentionClass].s3Prefix;
  if (!prefix) throw new Error(`retention class ${retentionClass} is not stored in S3`);
  const yyyy = String(at.getUTCFullYear());
  const mm = String(at.getUTCMonth() + 1).padStart(2, "0");
  return `${prefix}${tenantId}/${yyyy}/${mm}/${objectId}`;
}

/** The key of the same object under another class: only the prefix differs. */
export function moveKeyToClass(key: string, from: RetentionClass, to: RetentionClass): string {
  const fromPrefix = retentionPolicies[from].s3Prefix;
  const toPrefix = retentionPolicies[to].s3Prefix;
  if (!fromPrefix || !toPrefix || !key.startsWith(fromPrefix))
    throw new Error("object key is not under the expected prefix");
  return toPrefix + key.slice(fromPrefix.length);
}

/** A random object id: 128 bits, hex. */
export function randomObjectId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function isMissingObject(error: unknown): boolean {
  return (
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error instanceof S3ServiceException &&
      (error.$metadata.httpStatusCode === 404 || error.name === "NoSuchKey" || error.name === "NotFound"))
  );
}

/** Deletes an object; one that is already gone counts as deleted (so retries are idempotent). */
export async function deleteObject(storage: Storage, key: string): Promise<void> {
  try {
    await storage.s3.send(new DeleteObjectCommand({ Bucket: storage.bucket, Key: key }));
  } catch (error) {
    if (!isMissingObject(error)) throw error;
  }
}

/** Presigned URLs are short-lived (minutes): a leaked URL is worth little (HIPAA 164.312(e)(1) transmission security). */
export const UPLOAD_URL_TTL_SECONDS = 600;
/** A download link lives at most five minutes. */
export const DOWNLOAD_URL_TTL_SECONDS = 300;

const EXTENSIONS: Record<string, string> = {
  "application/dicom": "dcm",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
};

/**
 * A presigned GET for one object. The saved file is named after the media id, not the uploaded filename:
 * filenames of clinical files often carry the patient's name, and a URL travels through logs and proxies.
 * RFC 6266 §4.1: a token filename needs no quoting.
 */
export async function presignDownload(
  storage: Storage,
  key: string,
  mediaId: string,
  contentType: string,
): Promise<string> {
  const disposition = `attachment; filename=${mediaId}.${EXTENSIONS[contentType] ?? "bin"}`;
  return getSignedUrl(
    storage.s3,
    new GetObjectCommand({
      Bucket: storage.bucket,
      Key: key,
      ResponseContentDisposition: disposition,
      ResponseContentType: contentType,
    }),
    { expiresIn: DOWNLOAD_URL_TTL_SECONDS },
  );
}
