import type { Redis } from "@upstash/redis/cloudflare";
import type { NetworkObservation } from "../lib/client";
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
}

const DAY = 86400;

/**
 * Access tokens of `userId` in `tenantId` issued up to this second (a number) are void: set when the tenant
 * disables the membership, so the person's tokens for other tenants stay good. The user-wide key is
 * `vitalis:nbf:<user>` (logout-all, a new second factor).
 */
export const tenantNotBeforeKey = (tenantId: string, userId: string): string => `vitalis:nbf:${userId}:${tenantId}`;

/**
 * Reads and updates every per-request counter in ONE pipeline (one HTTP call to Upstash): revocation
 * (denylisted jti, user-wide and per-tenant not-before), request velocity per subject and per IP, PHI reads
 * today, device familiarity, the last sighting for geo-velocity, and the hour-of-day histogram for the
 * behaviour baseline.
 * Counters carry their own expiry, so nothing needs cleaning up.
 */
export async function gatherSignals(
  redis: Redis,
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
  const now = new Date(context.nowMs);
  const minute = Math.floor(context.nowMs / 60_000);
  const day = now.toISOString().slice(0, 10);
  const hour = String(now.getUTCHours());
  const user = principal.userId;
  const keys = {
    deny: `vitalis:deny:${principal.tokenId}`,
    nbf: `vitalis:nbf:${user}`,
    subject: `vitalis:rate:s:${user}:${minute}`,
    ip: `vitalis:rate:ip:${context.ipHash}:${minute}`,
    phi: `vitalis:phi:${user}:${day}`,
    devices: `vitalis:devices:${user}`,
    seen: `vitalis:seen:${user}`,
    hours: `vitalis:hours:${user}`,
    tenantNbf: tenantNotBeforeKey(principal.tenantId, user),
  };
  const pipeline = redis.pipeline();
  pipeline.exists(keys.deny);
  pipeline.get<string>(keys.nbf);
  pipeline.incr(keys.subject);
  pipeline.expire(keys.subject, 120);
  pipeline.incr(keys.ip);
  pipeline.expire(keys.ip, 120);
  if (context.isPhiRead) pipeline.incr(keys.phi);
  else pipeline.get<string>(keys.phi);
  pipeline.expire(keys.phi, 2 * DAY);
  pipeline.sismember(keys.devices, context.deviceHash);
  pipeline.get<string>(keys.seen);
  if (typeof context.network?.latitude === "number" && typeof context.network.longitude === "number") {
    pipeline.set(
      keys.seen,
      JSON.stringify({ latitude: context.network.latitude, longitude: context.network.longitude, atMs: context.nowMs }),
      { ex: 30 * DAY },
    );
  } else {
    pipeline.expire(keys.seen, 30 * DAY);
  }
  pipeline.hincrby(keys.hours, hour, 1);
  pipeline.hincrby(keys.hours, "total", 1);
  pipeline.expire(keys.hours, 90 * DAY);
  pipeline.get<string>(keys.tenantNbf);
  const r = (await pipeline.exec()) as unknown[];

  const nbf = Math.max(Number(r[1] ?? 0), Number(r[14] ?? 0));
  let lastSeen: RequestSignals["lastSeen"] = null;
  const seenRaw = r[9];
  if (seenRaw && typeof seenRaw === "object") lastSeen = seenRaw as RequestSignals["lastSeen"];
  else if (typeof seenRaw === "string") {
    try {
      lastSeen = JSON.parse(seenRaw) as RequestSignals["lastSeen"];
    } catch {
      lastSeen = null;
    }
  }
  const hourCount = Number(r[11] ?? 0);
  const total = Number(r[12] ?? 0);
  return {
    revoked: Number(r[0]) === 1 || principal.issuedAt < nbf,
    subjectThisMinute: Number(r[2] ?? 0),
    ipThisMinute: Number(r[4] ?? 0),
    phiReadsToday: Number(r[6] ?? 0),
    deviceKnown: Number(r[8]) === 1,
    lastSeen,
    hourShare: { share: total > 0 ? hourCount / total : 1, total },
  };
}
