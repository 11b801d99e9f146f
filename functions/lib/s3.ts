import { S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../env";

/**
 * The S3 client for one request. The endpoint and path style come from config so the same code reaches
 * AWS in production and the SigV4-checking local server in dev and tests. Checksums are only sent when an
 * operation requires them: presigned browser uploads cannot compute the SDK's default CRC32 trailer.
 */
export function createS3(config: S3Config): S3Client {
  return withBucketPathWithoutSlash(
    new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 2,
    }),
  );
}

/**
 * Path-style bucket operations (DeleteObjects is `POST /<bucket>/?delete`) go out as `/<bucket>` instead: S3
 * answers both, but the local S3 server (s3rver) signs the path without the slash and refuses the SDK's form.
 * Added before signing, so the signature covers the path as sent; virtual-hosted requests (`/`) are untouched.
 */
export function withBucketPathWithoutSlash(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: unknown };
      if (typeof request.path === "string" && /^\/[^/]+\/$/.test(request.path))
        request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: "build", name: "bucketPathWithoutSlash" },
  );
  return client;
}
