import { S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../env";

/**
 * The S3 client for one request. The endpoint and path style come from config so the same code reaches
 * AWS in production and the SigV4-checking local server in dev and tests. Checksums are only sent when an
 * operation requires them: presigned browser uploads cannot compute the SDK's default CRC32 trailer.
 */
export function createS3(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 2,
  });
}
