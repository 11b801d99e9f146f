import type { Redis } from "@upstash/redis/cloudflare";
import { canonicalJson, sha256Hex } from "../../lib/crypto";
import { BadRequestError, ConflictError, UnprocessableError } from "../../lib/errors";

/** The answer kept for a key: replayed byte-for-byte (as JSON) to a retry. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

interface IdempotencyRecord {
  state: "pending" | "done";
  fingerprint: string;
  response?: StoredResponse;
}

export interface IdempotencyScope {
  tenantId: string;
  userId: string;
  /** The client's Idempotency-Key header. */
  key: string;
  /** What the request asks for: method, path and canonical body. */
  request: { method: string; path: string; body: unknown };
}

/** Keys and answers are kept for 24 hours: long enough for any client's retries, short enough to forget. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** While the first request runs, a concurrent duplicate is told to wait; a crashed run frees the key after this. */
const PENDING_TTL_SECONDS = 60;
const KEY_SYNTAX = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a POST at most once per (tenant, user, Idempotency-Key) (draft-ietf-httpapi-idempotency-key-header):
 * - the first request takes the key with SET NX (a concurrent duplicate gets 409 `idempotency_in_progress`);
 * - its answer is stored with a hash of the request, so a retry gets the same answer and nothing is
 *   written twice;
 * - the same key with a different request is refused with 422 `idempotency_key_reused`;
 * - if the request fails, the key is released so the client may retry (the transaction rolled back).
 */
export async function withIdempotency(
  redis: Redis,
  scope: IdempotencyScope,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (!KEY_SYNTAX.test(scope.key)) {
    throw new BadRequestError("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  }
  const fingerprint = await sha256Hex(
    canonicalJson({ method: scope.request.method, path: scope.request.path, body: scope.request.body ?? null }),
  );
  // The client's key is hashed: it is arbitrary text and must not shape our key space.
  const redisKey = `idempotency:${scope.tenantId}:${scope.userId}:${await sha256Hex(scope.key)}`;
  const pending: IdempotencyRecord = { state: "pending", fingerprint };

  const acquired = await redis.set(redisKey, JSON.stringify(pending), { nx: true, ex: PENDING_TTL_SECONDS });
  if (acquired !== "OK") {
    const raw = await redis.get<string | IdempotencyRecord>(redisKey);
    const existing: IdempotencyRecord | null = typeof raw === "string" ? (JSON.parse(raw) as IdempotencyRecord) : raw;
    if (!existing) {
      throw new ConflictError(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is being processed. Retry shortly.",
        {
          headers: { "Retry-After": "1" },
        },
      );
    }
    if (existing.fingerprint !== fingerprint) {
      throw new UnprocessableError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request.",
      );
    }
    if (existing.state === "pending" || !existing.response) {
      throw new ConflictError(
        "idempotency_in_progress",
        "A request with this Idempotency-Key is being processed. Retry shortly.",
        {
          headers: { "Retry-After": "1" },
        },
      );
    }
    return { ...existing.response, replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await run();
  } catch (error) {
    await redis.del(redisKey).catch(() => undefined);
    throw error;
  }
  const done: IdempotencyRecord = { state: "done", fingerprint, response };
  await redis.set(redisKey, JSON.stringify(done), { ex: IDEMPOTENCY_TTL_SECONDS });
  return { ...response, replayed: false };
}
