import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectTaggingCommand,
  type S3Client,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { retentionPolicies, type RetentionClass } from "../../schema/retention-policies";

/**
 * Object keys and every S3 call of the Worker: no other module imports the AWS SDK. Keys are built here only,
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

/**
 * Exactly "this key does not exist" (not a missing bucket, which is also a 404): the readiness probe counts it
 * as proof that the bucket exists and the credentials may read there.
 */
export function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error instanceof S3ServiceException && error.name === "NoSuchKey");
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

/** S3's limit of keys per DeleteObjects request. */
export const DELETE_OBJECTS_MAX_KEYS = 1000;

/**
 * Deletes many objects with one DeleteObjects request per 1,000 keys (quiet mode: S3 answers only the failures).
 * A key that is already gone counts as deleted, as S3 itself reports it. Returns the keys S3 refused (a legal
 * hold or retention, access denied), so the caller keeps their records.
 */
export async function deleteObjects(storage: Storage, keys: string[]): Promise<Set<string>> {
  const refused = new Set<string>();
  for (let start = 0; start < keys.length; start += DELETE_OBJECTS_MAX_KEYS) {
    const chunk = keys.slice(start, start + DELETE_OBJECTS_MAX_KEYS);
    const answer = await storage.s3.send(
      new DeleteObjectsCommand({
        Bucket: storage.bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    for (const error of answer.Errors ?? []) {
      if (error.Key && error.Code !== "NoSuchKey") refused.add(error.Key);
    }
  }
  return refused;
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

/**
 * A short presigned GET of a public image's original, for Cloudflare's Image Resizing to read: the only reader of
 * such a URL is the resizing service, within the five minutes.
 */
export async function presignImageGet(storage: Storage, key: string): Promise<string> {
  return getSignedUrl(storage.s3, new GetObjectCommand({ Bucket: storage.bucket, Key: key }), {
    expiresIn: DOWNLOAD_URL_TTL_SECONDS,
  });
}

/**
 * A presigned PUT of the whole file. The content type and the length are signed headers (SigV4), so S3 refuses
 * the object as another type or of another size than declared.
 */
export async function presignPut(storage: Storage, key: string, contentType: string, size: number): Promise<string> {
  return getSignedUrl(
    storage.s3,
    new PutObjectCommand({ Bucket: storage.bucket, Key: key, ContentType: contentType, ContentLength: size }),
    {
      expiresIn: UPLOAD_URL_TTL_SECONDS,
      signableHeaders: new Set(["content-type", "content-length"]),
    },
  );
}

/** Starts an S3 multipart upload and returns its id. */
export async function createMultipart(storage: Storage, key: string, contentType: string): Promise<string> {
  const created = await storage.s3.send(
    new CreateMultipartUploadCommand({ Bucket: storage.bucket, Key: key, ContentType: contentType }),
  );
  if (!created.UploadId) throw new Error("S3 returned no multipart upload id");
  return created.UploadId;
}

/** A presigned PUT of one part (1-based) of a multipart upload; its length is a signed header, like the whole file's. */
export async function presignPart(
  storage: Storage,
  key: string,
  multipartUploadId: string,
  partNumber: number,
  size: number,
): Promise<string> {
  return getSignedUrl(
    storage.s3,
    new UploadPartCommand({
      Bucket: storage.bucket,
      Key: key,
      UploadId: multipartUploadId,
      PartNumber: partNumber,
      ContentLength: size,
    }),
    { expiresIn: UPLOAD_URL_TTL_SECONDS, signableHeaders: new Set(["content-length"]) },
  );
}

/** Assembles a multipart upload from its parts' ETags; S3 refuses a missing part or a wrong ETag. */
export async function completeMultipart(
  storage: Storage,
  key: string,
  multipartUploadId: string,
  parts: ReadonlyArray<{ partNumber: number; etag: string }>,
): Promise<void> {
  await storage.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: storage.bucket,
      Key: key,
      UploadId: multipartUploadId,
      MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
    }),
  );
}

/** Aborts a multipart upload, discarding its parts. */
export async function abortMultipart(storage: Storage, key: string, multipartUploadId: string): Promise<void> {
  await storage.s3.send(
    new AbortMultipartUploadCommand({ Bucket: storage.bucket, Key: key, UploadId: multipartUploadId }),
  );
}

/** An object's size and content type as stored; throws when it is missing (see `isMissingObject`). */
export async function headObject(
  storage: Storage,
  key: string,
): Promise<{ size: number | undefined; contentType: string | undefined }> {
  const head = await storage.s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
  return { size: head.ContentLength, contentType: head.ContentType };
}

/** The whole object as a stream, or null when S3 sends no body. */
export async function readObjectStream(storage: Storage, key: string): Promise<ReadableStream<Uint8Array> | null> {
  const body = (await storage.s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }))).Body;
  return body ? (body.transformToWebStream() as ReadableStream<Uint8Array>) : null;
}

/** A whole object of at most `maxBytes` bytes, or null when it is larger (checked before anything is read). */
export async function readObjectBytes(storage: Storage, key: string, maxBytes: number): Promise<Uint8Array | null> {
  const response = await storage.s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
  if (response.ContentLength === undefined || response.ContentLength > maxBytes) {
    await response.Body?.transformToWebStream().cancel();
    return null;
  }
  return response.Body ? response.Body.transformToByteArray() : new Uint8Array();
}

/** Writes an object the Worker made itself (a derived copy), with its content type. */
export async function putObjectBytes(
  storage: Storage,
  key: string,
  body: Uint8Array,
  contentType: string,
): Promise<void> {
  await storage.s3.send(
    new PutObjectCommand({
      Bucket: storage.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ContentLength: body.length,
    }),
  );
}

/** The first `length` bytes of an object (a ranged GET, RFC 9110 §14.1.2). */
export async function readRange(storage: Storage, key: string, length: number): Promise<Uint8Array> {
  const response = await storage.s3.send(
    new GetObjectCommand({ Bucket: storage.bucket, Key: key, Range: `bytes=0-${length - 1}` }),
  );
  if (!response.Body) return new Uint8Array();
  return response.Body.transformToByteArray();
}

/** Copies an object to another key of the bucket, keeping its metadata (content type). */
export async function copyObject(storage: Storage, from: string, to: string): Promise<void> {
  await storage.s3.send(
    new CopyObjectCommand({
      Bucket: storage.bucket,
      Key: to,
      CopySource: `${storage.bucket}/${from}`,
      MetadataDirective: "COPY",
    }),
  );
}

/** Tags an object with its retention class, so bucket policies and Object Lock tooling see it without the database. */
export async function tagRetentionClass(storage: Storage, key: string, retentionClass: RetentionClass): Promise<void> {
  await storage.s3.send(
    new PutObjectTaggingCommand({
      Bucket: storage.bucket,
      Key: key,
      Tagging: { TagSet: [{ Key: "retention-class", Value: retentionClass }] },
    }),
  );
}

/** S3's answer to a write the bucket's Object Lock refuses (a locked version, or a legal hold). */
export function isAccessDenied(error: unknown): boolean {
  return (
    error instanceof S3ServiceException && (error.name === "AccessDenied" || error.$metadata.httpStatusCode === 403)
  );
}

/**
 * Writes a small object under S3 Object Lock in compliance mode: until `retainUntil` nobody, the account's root
 * included, can overwrite or delete this version, nor shorten the date. S3 accepts lock parameters only with a
 * body checksum (Content-MD5 or an `x-amz-checksum-*` header with `x-amz-sdk-checksum-algorithm`); SHA-256 is
 * computed here, since WebCrypto (Workers and Node alike) has no MD5.
 */
export async function putLockedObject(
  storage: Storage,
  key: string,
  body: string,
  options: { contentType: string; retainUntil: Date },
): Promise<void> {
  const bytes = new TextEncoder().encode(body);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  await storage.s3.send(
    new PutObjectCommand({
      Bucket: storage.bucket,
      Key: key,
      Body: bytes,
      ContentType: options.contentType,
      ChecksumAlgorithm: "SHA256",
      ChecksumSHA256: btoa(String.fromCharCode(...digest)),
      ObjectLockMode: "COMPLIANCE",
      ObjectLockRetainUntilDate: options.retainUntil,
    }),
  );
}

/** A small object's text, or null when there is no such key. */
export async function readObjectText(storage: Storage, key: string): Promise<string | null> {
  try {
    const response = await storage.s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }));
    return response.Body ? await response.Body.transformToString() : "";
  } catch (error) {
    if (isMissingObject(error)) return null;
    throw error;
  }
}

/** Every key under `prefix` after `startAfter` (S3 lists keys in UTF-8 binary order), page by page. */
export async function listKeys(storage: Storage, prefix: string, startAfter?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await storage.s3.send(
      new ListObjectsV2Command({
        Bucket: storage.bucket,
        Prefix: prefix,
        ...(startAfter && !token ? { StartAfter: startAfter } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/**
 * Sets or clears an object's S3 legal hold. While it is ON neither a lifecycle rule nor anyone's DELETE removes
 * the object (version), whatever its retention; it needs a bucket created with Object Lock.
 */
export async function setObjectLegalHold(storage: Storage, key: string, on: boolean): Promise<void> {
  await storage.s3.send(
    new PutObjectLegalHoldCommand({
      Bucket: storage.bucket,
      Key: key,
      LegalHold: { Status: on ? "ON" : "OFF" },
      ChecksumAlgorithm: "SHA256",
    }),
  );
}
