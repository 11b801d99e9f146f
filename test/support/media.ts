/** Media rows and their S3 objects made directly (as if uploaded long ago), for retention and privacy tests. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type pg from "pg";
import type { RetentionClass } from "../../schema/retention-policies.js";
import { objectKeyFor } from "../../functions/services/media-storage.js";
import type { TestEnvironment } from "./environment.js";

export function testS3(env: TestEnvironment): S3Client {
  return new S3Client({
    region: env.s3.region,
    endpoint: env.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
}

export interface InsertedMedia {
  id: string;
  objectKey: string;
}

export async function insertMedia(
  admin: pg.Client,
  s3: S3Client,
  env: TestEnvironment,
  options: {
    tenantId: string;
    userId: string;
    retentionClass: RetentionClass;
    lastEntryAt: Date;
    subjectId?: string | null;
    kind?: "dicom" | "image" | "document";
    dicom?: Record<string, string>;
    /** The object's bytes (random bytes by default); size and SHA-256 are recorded from them. */
    body?: Uint8Array;
  },
): Promise<InsertedMedia> {
  const body = options.body ?? randomBytes(64);
  const sha256 = createHash("sha256").update(body).digest("hex");
  const kind = options.kind ?? (options.retentionClass === "medical_imaging" ? "dicom" : "document");
  const contentType = kind === "dicom" ? "application/dicom" : kind === "image" ? "image/png" : "application/pdf";
  const objectKey = objectKeyFor(
    options.retentionClass,
    options.tenantId,
    randomBytes(16).toString("hex"),
    options.lastEntryAt,
  );
  await s3.send(new PutObjectCommand({ Bucket: env.s3.bucket, Key: objectKey, Body: body, ContentType: contentType }));
  const uploadId = randomUUID();
  await admin.query(
    `insert into uploads (id, tenant_id, created_by, subject_id, kind, filename, content_type, size, sha256, pending_key, retention_class, status, expires_at, created_at)
     values ($1, $2, $3, $4, $5, 'old.bin', $6, $11, $7, $8, $9, 'completed', $10, $10)`,
    [
      uploadId,
      options.tenantId,
      options.userId,
      options.subjectId ?? null,
      kind,
      contentType,
      sha256,
      `upload-pending/${options.tenantId}/x/${uploadId}`,
      options.retentionClass,
      options.lastEntryAt,
      body.length,
    ],
  );
  const row = await admin.query<{ id: string }>(
    `insert into media_items (tenant_id, upload_id, created_by, subject_id, kind, filename, content_type, size, sha256, object_key, retention_class, dicom, last_entry_at, created_at)
     values ($1, $2, $3, $4, $5, 'old.bin', $6, $12, $7, $8, $9, $10, $11, $11) returning id`,
    [
      options.tenantId,
      uploadId,
      options.userId,
      options.subjectId ?? null,
      kind,
      contentType,
      sha256,
      objectKey,
      options.retentionClass,
      options.dicom ? JSON.stringify(options.dicom) : null,
      options.lastEntryAt,
      body.length,
    ],
  );
  return { id: row.rows[0]!.id, objectKey };
}

export const yearsAgo = (years: number): Date => new Date(Date.now() - years * 365.25 * 86_400_000);

/** A data subject (a patient) of the tenant, for media uploaded about someone. */
export async function insertSubject(
  admin: pg.Client,
  tenantId: string,
  email = "paciente@example.test",
): Promise<string> {
  const row = await admin.query<{ id: string }>(
    "insert into data_subjects (tenant_id, email) values ($1, $2) returning id",
    [tenantId, email],
  );
  return row.rows[0]!.id;
}
