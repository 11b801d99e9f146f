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
 * The whole per-request bookkeeping as one Lua script, run for every request of a batch in turn, so a protected
 * request costs at most one Redis command and concurrent ones share it (Upstash bills per command). Each request
 * brings 10 KEYS: 1 jti denylist, 2 user not-before, 3 tenant not-before, 4 per-minute counter of the user,
 * 5 of the IP hash, 6 PHI reads today, 7 known devices, 8 last sighting, 9 hour histogram, 10 the break-glass grant;
 * and 4 ARGV: 1 device hash, 2 "1" when this request is a PHI read, 3 the new sighting (JSON) or "", 4 the hour of
 * day. ARGV 1–4 of the whole call are the expiries (seconds) of the minute counters, the PHI count, the sighting
 * and the histogram, common to every request; the requests' own ARGV follow, in the order of their KEYS.
 * The answer holds one reply per request, in order, each listing: denylisted (0/1), both not-before seconds (or
 * nil), the two minute counts, PHI reads today, device known (0/1), the previous sighting (or nil), this hour's
 * count and the total, and the break-glass grant's end (or nil). Requests run one after the other inside the
 * script, so a second request of one user in a batch sees the first one's counts, as with separate commands.
 * A day's PHI counter is created at 0 when absent, so counting a read later (`countPhiRead`) is one INCR on a
 * key that already carries its expiry.
 */
export const SIGNALS_SCRIPT = `local function signals(k, a)
  local denied = redis.call('EXISTS', KEYS[k + 1])
  local nbf = redis.call('GET', KEYS[k + 2])
  local tenantNbf = redis.call('GET', KEYS[k + 3])
  local subject = redis.call('INCR', KEYS[k + 4])
  redis.call('EXPIRE', KEYS[k + 4], ARGV[1])
  local ip = redis.call('INCR', KEYS[k + 5])
  redis.call('EXPIRE', KEYS[k + 5], ARGV[1])
  local phi
  if ARGV[a + 2] == '1' then
    phi = redis.call('INCR', KEYS[k + 6])
  else
    local stored = redis.call('GET', KEYS[k + 6])
    if not stored then redis.call('SET', KEYS[k + 6], '0') end
    phi = tonumber(stored or '0') or 0
  end
  redis.call('EXPIRE', KEYS[k + 6], ARGV[2])
  local device = redis.call('SISMEMBER', KEYS[k + 7], ARGV[a + 1])
  local seen = redis.call('GET', KEYS[k + 8])
  if ARGV[a + 3] ~= '' then
    redis.call('SET', KEYS[k + 8], ARGV[a + 3], 'EX', ARGV[3])
  else
    redis.call('EXPIRE', KEYS[k + 8], ARGV[3])
  end
  local hour = redis.call('HINCRBY', KEYS[k + 9], ARGV[a + 4], 1)
  local total = redis.call('HINCRBY', KEYS[k + 9], 'total', 1)
  redis.call('EXPIRE', KEYS[k + 9], ARGV[4])
  local glass = redis.call('GET', KEYS[k + 10])
  return {denied, nbf, tenantNbf, subject, ip, phi, device, seen, hour, total, glass}
end
local replies = {}
for i = 1, #KEYS / 10 do
  replies[i] = signals((i - 1) * 10, 4 + (i - 1) * 4)
end
return replies
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

/** Expiries (seconds) of the minute counters, the PHI count, the sighting and the histogram: ARGV 1–4. */
const EXPIRIES = [String(120), String(2 * DAY), String(30 * DAY), String(90 * DAY)] as const;

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

/** One request's part of the script: its 10 KEYS and its 4 ARGV (see SIGNALS_SCRIPT). */
interface ScriptPart {
  keys: readonly string[];
  args: readonly string[];
}

/**
 * `SIGNALS_SCRIPT` for these requests in ONE command, by `EVALSHA`, sent again with `EVAL` only when Redis
 * answers NOSCRIPT (after a restart or `SCRIPT FLUSH`); one reply per request, in order.
 */
async function runSignalsScript(config: RedisConfig, parts: readonly ScriptPart[]): Promise<unknown[]> {
  const keys = parts.flatMap((part) => part.keys);
  const keysAndArgs = [...keys, ...EXPIRIES, ...parts.flatMap((part) => part.args)];
  const count = String(keys.length);
  let reply: unknown;
  try {
    reply = await restCommand(config, ["EVALSHA", await signalsScriptSha(), count, ...keysAndArgs]);
  } catch (error) {
    if (!(error instanceof Error) || !/noscript/i.test(error.message)) throw error;
    reply = await restCommand(config, ["EVAL", SIGNALS_SCRIPT, count, ...keysAndArgs]);
  }
  if (!Array.isArray(reply) || reply.length !== parts.length) throw new Error("trust signals: unexpected script reply");
  return reply as unknown[];
}

/*
 * Coalescing. Concurrent protected requests in one isolate share one command: a request that finds no batch in
 * flight sends its own at once (no added latency when idle); one that finds a batch in flight joins the next
 * batch, which is sent as soon as a batch in flight answers, or at once when it holds BATCH_LIMIT requests. Every
 * request still gets fresh signals (its batch is sent after it arrived) and its own reply.
 *
 * What crosses requests is plain data and promise resolvers, never an I/O object (Workers refuse I/O on behalf
 * of another request): a batch's `fetch` is made, and its response read, by the request that sends it (its
 * first member), which then settles the others' promises. workerd runs each such continuation in the context of
 * the request that awaits it. A request waiting on another's work keeps a timer of its own (the backstop) so
 * the runtime does not take it for hung, and the sender hands its batch to `keepAlive` (`waitUntil`) so its
 * client going away does not cancel the others' answers. Should a sender vanish all the same (its context
 * cancelled), a waiting sender starts its batch after BACKSTOP_MS, and a waiting member sends a command of its
 * own after BACKSTOP_MS (a batch lost mid-flight may then have counted it twice: a stricter rate limit, never
 * a looser one).
 */

/** Requests one command carries at most: about 20 Redis operations each, so a full batch blocks Redis ~0.2 ms. */
export const BATCH_LIMIT = 32;
/** How long a request waits on another's batch before it goes on its own (far above Upstash's round trip). */
const BACKSTOP_MS = 2_000;

interface Member {
  part: ScriptPart;
  answer(reply: unknown): void;
  fail(error: unknown): void;
}

interface Batch {
  members: Member[];
  /** Opens the gate its sender waits at; set when the batch becomes the one others join. */
  launch(): void;
  /** When its command was sent (ms), for telling a lost batch from a slow one. */
  sentAtMs: number;
}

/** The batches of one Redis endpoint in this isolate: those in flight and the one requests may still join. */
interface Lane {
  inFlight: Set<Batch>;
  joinable: Batch | null;
}

const lanes = new Map<string, Lane>();

function laneOf(config: RedisConfig): Lane {
  const name = `${config.url} ${config.token}`;
  let lane = lanes.get(name);
  if (!lane) {
    lane = { inFlight: new Set(), joinable: null };
    lanes.set(name, lane);
  }
  return lane;
}

/** Closes the joinable batch to newcomers and lets its sender go. */
function launchJoinable(lane: Lane): void {
  const batch = lane.joinable;
  if (!batch) return;
  lane.joinable = null;
  batch.launch();
}

/** What a waiting request's own timer settles its wait with once BACKSTOP_MS have passed. */
const BACKSTOP = Symbol("backstop");

/** A batch's gate before it becomes the one others join: there is nothing to open yet. */
function notJoinable(): void {}

/** Sends a batch from the current request and settles each member; then lets the next batch go. */
async function sendBatch(config: RedisConfig, lane: Lane, batch: Batch): Promise<void> {
  batch.sentAtMs = Date.now();
  lane.inFlight.add(batch);
  try {
    const replies = await runSignalsScript(
      config,
      batch.members.map((member) => member.part),
    );
    batch.members.forEach((member, i) => member.answer(replies[i]));
  } catch (error) {
    for (const member of batch.members) member.fail(error);
  } finally {
    lane.inFlight.delete(batch);
    launchJoinable(lane);
  }
}

/** One request's reply from the script, through the batch it sends or joins. */
async function signalsReply(
  config: RedisConfig,
  part: ScriptPart,
  keepAlive: ((work: Promise<unknown>) => void) | undefined,
): Promise<unknown> {
  const lane = laneOf(config);
  let answer!: (reply: unknown) => void;
  let fail!: (error: unknown) => void;
  const reply = new Promise<unknown>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  const member: Member = { part, answer, fail };

  const joinable = lane.joinable;
  if (joinable) {
    joinable.members.push(member);
    if (joinable.members.length >= BATCH_LIMIT) launchJoinable(lane);
    // The backstop settles the same promise the sender would: no race, no second promise.
    const timer = setTimeout(answer, BACKSTOP_MS, BACKSTOP);
    let outcome: unknown;
    try {
      outcome = await reply;
    } finally {
      clearTimeout(timer);
    }
    if (outcome !== BACKSTOP) return outcome;
    // The sender is gone: leave its batch if it has not left yet, and ask on our own.
    const at = joinable.members.indexOf(member);
    if (lane.joinable === joinable && at >= 0) joinable.members.splice(at, 1);
    return (await runSignalsScript(config, [part]))[0];
  }

  // A batch sent longer ago than the backstop is lost (its sender's context cancelled): no longer waited for.
  const nowMs = Date.now();
  for (const batch of lane.inFlight) if (nowMs - batch.sentAtMs > BACKSTOP_MS) lane.inFlight.delete(batch);
  const batch: Batch = { members: [member], launch: notJoinable, sentAtMs: 0 };
  let work: Promise<void>;
  if (lane.inFlight.size === 0) {
    work = sendBatch(config, lane, batch);
  } else {
    const gate = new Promise<void>((resolve) => {
      batch.launch = resolve;
    });
    lane.joinable = batch;
    // The gate opens when a batch in flight answers, or when this request's own backstop timer fires.
    const timer = setTimeout(batch.launch, BACKSTOP_MS);
    work = gate.then(() => {
      clearTimeout(timer);
      if (lane.joinable === batch) lane.joinable = null;
      return sendBatch(config, lane, batch);
    });
  }
  keepAlive?.(work);
  return reply;
}

/**
 * Reads and updates every per-request counter with at most ONE command (one HTTP call to Upstash), shared with
 * the requests of this isolate that arrive while another command is in flight (see "Coalescing" above).
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
    /** Keeps work alive past this request's response (`waitUntil`): the batch this request sends for others. */
    keepAlive?: (work: Promise<unknown>) => void;
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
  // This request's KEYS and ARGV (see SIGNALS_SCRIPT).
  const part: ScriptPart = {
    keys: [
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
    ],
    args: [context.deviceHash, context.isPhiRead ? "1" : "0", sighting, hour],
  };
  const reply = await signalsReply(redis, part, context.keepAlive);
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
