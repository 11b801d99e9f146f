import type { AccessAction, Sensitivity } from "../lib/actor";

/**
 * Zero-trust scoring (NIST SP 800-207 §3: per-request, dynamic policy, every decision recorded). Each
 * signal is turned into a risk between 0 (no concern) and 1 (worst); the score is 100 minus the weighted
 * risks. Because every weight is positive and every risk only adds, a worse signal can never raise the
 * score (the property tests hold us to that). A signal we could not read is `null`: it counts as the
 * worst case for `restricted` and `phi` (fail closed) and as no concern for `public` (fail open).
 */

export type SignalName =
  | "authentication"
  | "credential"
  | "device"
  | "network"
  | "geoVelocity"
  | "timeBaseline"
  | "requestVelocity"
  | "sensitivity";

export type Signals = Record<SignalName, number | null>;

export type TrustDecision = "allow" | "read_only" | "step_up" | "deny";

export interface TrustConfig {
  weights: Record<SignalName, number>;
  /** Minimum score to allow, per sensitivity. */
  allowAt: Record<Sensitivity, number>;
  /** Minimum score for reads to go on while writes are refused. */
  readOnlyAt: Record<Sensitivity, number>;
  /** Inherent risk of the resource itself. */
  sensitivityRisk: Record<Sensitivity, number>;
  /** Sign-ins older than this (seconds) count as weaker authentication, per sensitivity. */
  maxAuthAgeSeconds: Record<Sensitivity, number>;
  /**
   * Sensitivities where a sign-in older than `maxAuthAgeSeconds` is refused whatever the score: the request
   * steps up (RFC 9470 `max_age`) unless it is denied anyway.
   */
  freshnessRequired: Sensitivity[];
  /** Requests per minute per subject before the velocity signal starts to rise, and where it saturates. */
  velocity: { calmPerMinute: number; saturatedPerMinute: number; phiReadsPerDay: number };
  /** Above this many requests per minute (per subject or IP) the request is refused outright (429). */
  rateLimitPerMinute: { subject: number; ip: number };
  /** Speed above which two sightings are impossible travel, in km/h. */
  impossibleTravelKmh: number;
}

export const trustConfig: TrustConfig = {
  weights: {
    authentication: 25,
    credential: 10,
    device: 10,
    network: 15,
    geoVelocity: 15,
    timeBaseline: 5,
    requestVelocity: 10,
    sensitivity: 10,
  },
  allowAt: { public: 0, professional: 50, restricted: 60, phi: 80 },
  // PHI has no read-only band: reading it is the sensitive act, so anything short of allow is refused.
  readOnlyAt: { public: 0, professional: 40, restricted: 50, phi: 80 },
  sensitivityRisk: { public: 0, professional: 0.2, restricted: 0.5, phi: 1 },
  maxAuthAgeSeconds: { public: 30 * 86400, professional: 12 * 3600, restricted: 12 * 3600, phi: 3600 },
  // A strong score (MFA, known device, staff role) must not carry an old sign-in to health data: the hour is
  // a hard limit for every role, not one signal among eight.
  freshnessRequired: ["phi"],
  velocity: { calmPerMinute: 60, saturatedPerMinute: 300, phiReadsPerDay: 200 },
  rateLimitPerMinute: { subject: 600, ip: 1200 },
  impossibleTravelKmh: 900,
};

export interface TrustRequirement {
  sensitivity: Sensitivity;
  action: AccessAction;
}

export interface TrustResult {
  score: number;
  decision: TrustDecision;
  /** Set when the decision was forced to step-up because the sign-in is older than the sensitivity allows. */
  staleAuthentication?: true;
  /**
   * Set when a PHI requirement was allowed only because of an open emergency-access grant (break-glass): the
   * score fell short of the PHI bar but met the `restricted` one. Such a decision is recorded like a refusal.
   */
  breakGlass?: true;
  /** Each signal's contribution to the score lost (weight × risk), for the audit record. */
  factors: Partial<Record<SignalName, number>>;
  missing: SignalName[];
}

const failsClosed = (sensitivity: Sensitivity): boolean => sensitivity === "restricted" || sensitivity === "phi";

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

export function scoreSignals(
  signals: Signals,
  requirement: TrustRequirement,
  config: TrustConfig = trustConfig,
): TrustResult {
  const factors: Partial<Record<SignalName, number>> = {};
  const missing: SignalName[] = [];
  let lost = 0;
  for (const name of Object.keys(config.weights) as SignalName[]) {
    const raw = signals[name];
    let risk: number;
    if (raw === null || Number.isNaN(raw)) {
      missing.push(name);
      risk = failsClosed(requirement.sensitivity) ? 1 : 0;
    } else {
      risk = clamp01(raw);
    }
    const contribution = config.weights[name] * risk;
    if (contribution > 0) factors[name] = Math.round(contribution * 10) / 10;
    lost += contribution;
  }
  const score = Math.max(0, Math.round(100 - lost));
  return { score, decision: decide(score, signals, requirement, config, missing), factors, missing };
}

function decide(
  score: number,
  signals: Signals,
  requirement: TrustRequirement,
  config: TrustConfig,
  missing: SignalName[],
): TrustDecision {
  const { sensitivity, action } = requirement;
  if (missing.length > 0 && failsClosed(sensitivity)) return "deny";
  if (score >= config.allowAt[sensitivity]) return "allow";
  // Step-up helps when fresh, stronger authentication alone would lift the score over the bar (RFC 9470).
  const authRisk = clamp01(signals.authentication ?? 1);
  if (authRisk > 0 && score + config.weights.authentication * authRisk >= config.allowAt[sensitivity]) return "step_up";
  if (score >= config.readOnlyAt[sensitivity]) return action === "read" ? "allow" : "read_only";
  return "deny";
}

/**
 * The decision for one request: the score of its signals, then the hard freshness rule. The sign-in's age is
 * the token's `auth_time`, which refresh carries over unchanged, so refreshing never makes it younger.
 */
export function evaluateTrust(
  observations: Observations,
  requirement: TrustRequirement,
  config: TrustConfig = trustConfig,
): TrustResult {
  const result = scoreSignals(signalsFrom(observations, requirement, config), requirement, config);
  const stale =
    config.freshnessRequired.includes(requirement.sensitivity) &&
    observations.authAgeSeconds > config.maxAuthAgeSeconds[requirement.sensitivity];
  if (stale && result.decision !== "deny") return { ...result, decision: "step_up", staleAuthentication: true };
  if (result.decision !== "allow" && !stale && breakGlassOpen(observations, requirement)) {
    // HIPAA 164.312(a)(2)(ii), emergency access: for the grant's hour, a PHI requirement is held to the
    // `restricted` bar instead (same signals, none missing). Revocation, rate limits, roles and the sign-in's
    // freshness still apply; the caller records the decision.
    const emergency = scoreSignals(
      signalsFrom(observations, { ...requirement, sensitivity: "restricted" }, config),
      { ...requirement, sensitivity: "restricted" },
      config,
    );
    if (emergency.decision === "allow") return { ...result, decision: "allow", breakGlass: true };
  }
  return result;
}

/** Whether an emergency-access grant covers this request: PHI only, and only until the grant's end. */
function breakGlassOpen(observations: Observations, requirement: TrustRequirement): boolean {
  const until = observations.breakGlassUntilMs ?? null;
  return requirement.sensitivity === "phi" && until !== null && observations.nowMs < until;
}

// ---- Turning raw observations into risks ------------------------------------------------------------

export interface Observations {
  authenticated: boolean;
  amr: string[];
  /** Seconds since the user last authenticated. */
  authAgeSeconds: number;
  roles: string[];
  deviceKnown: boolean | null;
  /** Cloudflare's `request.cf`: country (T1 = Tor), coordinates. Null when the platform gave none. */
  network: { country: string | null; latitude: number | null; longitude: number | null } | null;
  lastSeen: { latitude: number; longitude: number; atMs: number } | null;
  nowMs: number;
  /** Share of this user's requests that fell in the current hour of day, and how many requests that share is over. */
  hourShare: { share: number; total: number } | null;
  requestsThisMinute: number | null;
  phiReadsToday: number | null;
  /** Until when (ms) an emergency-access grant (break-glass) lasts; null or absent for none. */
  breakGlassUntilMs?: number | null;
}

const STAFF_ROLES = new Set(["admin", "editor", "author", "medical_reviewer", "compliance_officer"]);

function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export function signalsFrom(
  observations: Observations,
  requirement: TrustRequirement,
  config: TrustConfig = trustConfig,
): Signals {
  const o = observations;
  const mfa = o.amr.includes("mfa") || o.amr.includes("otp");
  const stale = o.authAgeSeconds > config.maxAuthAgeSeconds[requirement.sensitivity];
  const authentication = !o.authenticated ? 1 : (mfa ? 0 : 0.6) + (stale ? 0.4 : 0);

  const credential = !o.authenticated
    ? 1
    : o.roles.some((role) => STAFF_ROLES.has(role))
      ? requirement.sensitivity === "phi" &&
        !o.roles.some((r) => r === "medical_reviewer" || r === "compliance_officer" || r === "admin")
        ? 0.5
        : 0
      : o.roles.includes("reader_professional")
        ? 0.3
        : 1;

  const device = o.deviceKnown === null ? null : o.deviceKnown ? 0 : 1;

  const network = o.network === null ? null : o.network.country === "T1" ? 1 : 0;

  let geoVelocity: number | null = 0;
  if (o.network === null) geoVelocity = null;
  else if (o.lastSeen && o.network.latitude !== null && o.network.longitude !== null) {
    const km = distanceKm(o.lastSeen, { latitude: o.network.latitude, longitude: o.network.longitude });
    const hours = Math.max((o.nowMs - o.lastSeen.atMs) / 3_600_000, 1 / 60);
    geoVelocity = km > 500 && km / hours > config.impossibleTravelKmh ? 1 : 0;
  }

  const timeBaseline = o.hourShare === null ? null : o.hourShare.total >= 50 && o.hourShare.share < 0.01 ? 1 : 0;

  let requestVelocity: number | null = null;
  if (o.requestsThisMinute !== null) {
    const { calmPerMinute, saturatedPerMinute, phiReadsPerDay } = config.velocity;
    requestVelocity = clamp01((o.requestsThisMinute - calmPerMinute) / (saturatedPerMinute - calmPerMinute));
    if (requirement.sensitivity === "phi" && o.phiReadsToday !== null && o.phiReadsToday > phiReadsPerDay)
      requestVelocity = 1;
  }

  return {
    authentication,
    credential,
    device,
    network,
    geoVelocity,
    timeBaseline,
    requestVelocity,
    sensitivity: config.sensitivityRisk[requirement.sensitivity],
  };
}
