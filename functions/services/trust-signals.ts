import type { Redis } from "@upstash/redis/cloudflare";
import type { RedisConfig } from "../env";
import type { NetworkObservation } from "../lib/client";
import { toHex } from "../lib/crypto";
import type { Sensitivity, UserActor } from "../lib/actor";

/** What one Redis round trip tells about a signed-in request. */
export interface RequestSignals {
  revoked: boolean;
  subjectThisMinute: number;
  ipThisMinute: number;
  phiReadsToday: number;
  deviceKnown: boolean;
  lastSeen: { latitude: number; longitude: number; atMs: number } | null;
  hourShare: { share: number; total: number };
  /** Until when (ms since the epoch) an emergency-access grant of this user in this tenant lasts; null for none. */
  breakGlassUntilMs: number | null;
}

const DAY = 86400;

/**
 * Access tokens of `userId` in `tenantId` issued up to this second (a number) are void: set when the tenant
 * disables the membership, so the person's tokens for other tenants stay good. The user-wide key is
 * `vitalis:nbf:<user>` (logout-all, a new second factor).
 */
export const tenantNotBeforeKey = (tenantId: string, userId: string): string => `vitalis:nbf:${userId}:${tenantId}`;

/** Access tokens of `userId` issued up to this second are void in every tenant (logout-all, a global disable). */
export const userNotBeforeKey = (userId: string): string => `vitalis:nbf:${userId}`;

/**
 * An open emergency-access grant (services/break-glass.ts): the instant it ends, in ms, for `userId` in `tenantId`;
 * the key itself expires then too. Read by the signals script, so break-glass costs no extra command.
 */
export const breakGlassKey = (tenantId: string, userId: string): string => `vitalis:breakglass:${tenantId}:${userId}`;

/**
 * The whole per-request bookkeeping as one Lua script, so a protected request costs one Redis command
 * (Upstash bills per command). KEYS: 1 jti denylist, 2 user not-before, 3 tenant not-before, 4 per-minute
 * counter of the user, 5 of the IP hash, 6 PHI reads today, 7 known devices, 8 last sighting, 9 hour histogram,
 * 10 the break-glass grant.
 * ARGV: 1 device hash, 2 "1" when this request is a PHI read, 3 the new sighting (JSON) or "", 4 the hour of day,
 * 5–8 the expiries (seconds) of the minute counters, the PHI count, the sighting and the histogram.
 * The answer lists, in order: denylisted (0/1), both not-before seconds (or nil), the two minute counts, PHI
 * reads today, device known (0/1), the previous sighting (or nil), this hour's count and the total, and the
 * break-glass grant's end (or nil).
 * A day's PHI counter is created at 0 when absent, so counting a read later (`countPhiRead`) is one INCR on a
 * key that already carries its expiry.
 */
export const SIGNALS_SCRIPT = `local denied = redis.call('EXISTS', KEYS[1])
local nbf = redis.call('GET', KEYS[2])
local tenantNbf = redis.call('GET', KEYS[3])
local subject = redis.call('INCR', KEYS[4])
redis.call('EXPIRE', KEYS[4], ARGV[5])
local ip = redis.call('INCR', KEYS[5])
redis.call('EXPIRE', KEYS[5], ARGV[5])
local phi
if ARGV[2] == '1' then
  phi = redis.call('INCR', KEYS[6])
else
  local stored = redis.call('GET', KEYS[6])
  if not stored then redis.call('SET', KEYS[6], '0') end
  phi = tonumber(stored or '0') or 0
end
redis.call('EXPIRE', KEYS[6], ARGV[6])
local device = redis.call('SISMEMBER', KEYS[7], ARGV[1])
local seen = redis.call('GET', KEYS[8])
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[8], ARGV[3], 'EX', ARGV[7])
else
  redis.call('EXPIRE', KEYS[8], ARGV[7])
end
local hour = redis.call('HINCRBY', KEYS[9], ARGV[4], 1)
local total = redis.call('HINCRBY', KEYS[9], 'total', 1)
redis.call('EXPIRE', KEYS[9], ARGV[8])
local glass = redis.call('GET', KEYS[10])
return {denied, nbf, tenantNbf, subject, ip, phi, device, seen, hour, total, glass}
`;

/** The key of a user's PHI reads on the UTC day of `nowMs`. */
export const phiReadsKey = (userId: string, nowMs: number): string =>
  `vitalis:phi:${userId}:${new Date(nowMs).toISOString().slice(0, 10)}`;

// The script's SHA-1 for EVALSHA, computed once per isolate (a digest is not I/O, so it may be shared).
let scriptSha: Promise<string> | undefined;
const signalsScriptSha = (): Promise<string> =>
  (scriptSha ??= crypto.subtle
    .digest("SHA-1", new TextEncoder().encode(SIGNALS_SCRIPT))
    .then((digest) => toHex(digest)));

/** Expiries (seconds) of the minute counters, the PHI count, the sighting and the histogram: ARGV 5–8. */
const EXPIRIES = [String(120), String(2 * DAY), String(30 * DAY), String(90 * DAY)] as const;
const KEY_COUNT = "10";

/**
 * One command on Upstash's REST API (`POST /` with the command as a JSON array, RFC 6750 bearer token; plain
 * JSON replies, no base64). The hot path of every protected request does not build the SDK client: its
 * constructor and auto-pipeline define a few hundred closures per instance, which cost more Worker CPU than the
 * request's EdDSA verification. An answer that is not 2xx throws its `error`; a network failure is tried once
 * more after 50 ms, as the SDK client of lib/redis.ts does.
 */
async function restCommand(config: RedisConfig, command: readonly string[]): Promise<unknown> {
  const init = {
    method: "POST",
    headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json" },
    body: JSON.stringify(command),
  };
  let response: Response;
  try {
    response = await fetch(config.url, init);
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 50));
    response = await fetch(config.url, init);
  }
  const body = (await response.json().catch(() => null)) as { result?: unknown; error?: unknown } | null;
  if (!response.ok || !body || typeof body.error === "string") {
    throw new Error(`redis: ${typeof body?.error === "string" ? body.error : `HTTP ${response.status}`}`);
  }
  return body.result;
}

/**
 * Reads and updates every per-request counter in ONE command (one HTTP call to Upstash): `SIGNALS_SCRIPT` by
 * `EVALSHA`, sent again with `EVAL` only when Redis answers NOSCRIPT (after a restart or `SCRIPT FLUSH`).
 * Revocation (denylisted jti, user-wide and per-tenant not-before), request velocity per subject and per IP,
 * PHI reads today, device familiarity, the last sighting for geo-velocity, and the hour-of-day histogram for
 * the behaviour baseline. Counters carry their own expiry, so nothing needs cleaning up.
 */
export async function gatherSignals(
  redis: RedisConfig,
  principal: UserActor,
  context: {
    ipHash: string;
    deviceHash: string;
    network: NetworkObservation | null;
    sensitivity: Sensitivity;
    isPhiRead: boolean;
    nowMs: number;
  },
): Promise<RequestSignals> {
  const minute = Math.floor(context.nowMs / 60_000);
  const hour = String(new Date(context.nowMs).getUTCHours());
  const user = principal.userId;
  const latitude = context.network?.latitude;
  const longitude = context.network?.longitude;
  const sighting =
    typeof latitude === "number" && typeof longitude === "number"
      ? JSON.stringify({ latitude, longitude, atMs: context.nowMs })
      : "";
  // KEYS 1–10, then ARGV 1–8 (see SIGNALS_SCRIPT).
  const keysAndArgs = [
    `vitalis:deny:${principal.tokenId}`,
    userNotBeforeKey(user),
    tenantNotBeforeKey(principal.tenantId, user),
    `vitalis:rate:s:${user}:${minute}`,
    `vitalis:rate:ip:${context.ipHash}:${minute}`,
    phiReadsKey(user, context.nowMs),
    `vitalis:devices:${user}`,
    `vitalis:seen:${user}`,
    `vitalis:hours:${user}`,
    breakGlassKey(principal.tenantId, user),
    context.deviceHash,
    context.isPhiRead ? "1" : "0",
    sighting,
    hour,
    ...EXPIRIES,
  ];
  let reply: unknown;
  try {
    reply = await restCommand(redis, ["EVALSHA", await signalsScriptSha(), KEY_COUNT, ...keysAndArgs]);
  } catch (error) {
    if (!(error instanceof Error) || !/noscript/i.test(error.message)) throw error;
    reply = await restCommand(redis, ["EVAL", SIGNALS_SCRIPT, KEY_COUNT, ...keysAndArgs]);
  }
  if (!Array.isArray(reply) || reply.length !== 11) throw new Error("trust signals: unexpected script reply");
  const [denied, nbfRaw, tenantNbfRaw, subject, ip, phi, device, seenRaw, hourRaw, totalRaw, glassRaw] = reply;

  const nbf = Math.max(Number(nbfRaw ?? 0), Number(tenantNbfRaw ?? 0));
  let lastSeen: RequestSignals["lastSeen"] = null;
  if (typeof seenRaw === "string" && seenRaw !== "") {
    try {
      lastSeen = JSON.parse(seenRaw) as RequestSignals["lastSeen"];
    } catch {
      lastSeen = null;
    }
  }
  const hourCount = Number(hourRaw ?? 0);
  const total = Number(totalRaw ?? 0);
  return {
    revoked: Number(denied) === 1 || principal.issuedAt < nbf,
    subjectThisMinute: Number(subject ?? 0),
    ipThisMinute: Number(ip ?? 0),
    phiReadsToday: Number(phi ?? 0),
    deviceKnown: Number(device) === 1,
    lastSeen,
    hourShare: { share: total > 0 ? hourCount / total : 1, total },
    breakGlassUntilMs: glassRaw === null || glassRaw === undefined ? null : Number(glassRaw) || null,
  };
}

/**
 * Counts one PHI read on top of what `gatherSignals` counted, for a request that learns only after its own
 * trust check that it reads PHI (a list or search allowed to include PHI rows, an item found to be `phi`):
 * one INCR on the day's key, which the request's script already created with its expiry.
 */
export async function countPhiRead(redis: Redis, userId: string, nowMs: number): Promise<number> {
  return Number(await redis.incr(phiReadsKey(userId, nowMs)));
}
