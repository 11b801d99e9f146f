import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { Role } from "../../schema/memberships";
import type { AppBindings } from "../bindings";
import { requireSection } from "../env";
import { observeClient } from "../lib/client";
import { ForbiddenError, RateLimitedError, UnauthorizedError } from "../lib/errors";
import type { AccessAction, Sensitivity, UserActor } from "../lib/actor";
import { apiTokenScopeFor } from "./api-token-routes";
import { countPhiRead, gatherSignals, type RequestSignals } from "../services/trust-signals";
import { reportPhiReads } from "../services/incidents";
import { evaluateTrust, type Observations, type TrustResult, trustConfig } from "../services/trust";

export interface ProtectOptions {
  /** The most sensitive data the route touches. */
  sensitivity: Sensitivity;
  action: AccessAction;
  /** Roles allowed to use the route at all (any of them); omitted = any signed-in user, or anyone for public. */
  roles?: Role[];
}

/**
 * Whether a route with this requirement needs a bearer token: everything but a public route open to anyone.
 * `protectedRoute()` (lib/openapi.ts) documents the OpenAPI security requirement from the same answer, so a
 * route's protection and its description cannot disagree.
 */
export function requiresBearer(options: ProtectOptions): boolean {
  return options.sensitivity !== "public" || options.roles !== undefined;
}

// The requirement each protect() middleware enforces, so a test can compare the routes with their documentation.
const requirements = new WeakMap<object, ProtectOptions>();

/** The requirement a middleware enforces, when it is one made by `protect()`; undefined for any other. */
export function protectionOf(middleware: unknown): ProtectOptions | undefined {
  return typeof middleware === "function" ? requirements.get(middleware) : undefined;
}

async function recordDecision(c: Context<AppBindings>, options: ProtectOptions, result: TrustResult): Promise<void> {
  const scope = c.get("scope");
  // NIST SP 800-207 §3.4: every decision that is not a plain allow is kept, with the factors behind it.
  await scope.transaction((tx) =>
    scope.audit(
      tx,
      result.breakGlass ? "trust.break_glass" : `trust.${result.decision}`,
      { type: "route", id: `${c.req.method} ${c.req.routePath}` },
      {
        score: result.score,
        factors: result.factors,
        ...(result.staleAuthentication ? { staleAuthentication: true } : {}),
        missing: result.missing,
        sensitivity: options.sensitivity,
        action: options.action,
      },
    ),
  );
}

/**
 * Hands today's PHI read count (this read included) to the incident register, which opens a draft when it has
 * just passed the daily limit (services/incidents.ts `reportPhiReads`): a possible mass download. That happens
 * once per user and day; a failure to record it is logged and does not refuse the read.
 */
async function reportMassPhiReads(c: Context<AppBindings>, userId: string, count: number, nowMs: number) {
  try {
    await reportPhiReads(c.get("scope"), { userId, count, nowMs });
  } catch (error) {
    c.get("logger").error("mass PHI read incident not recorded", { error });
  }
}

/** An API token cannot answer a step-up challenge: what would ask a person to step up refuses a token. */
function nonInteractive(principal: UserActor, result: TrustResult): TrustResult {
  return principal.apiToken && result.decision === "step_up" ? { ...result, decision: "deny" } : result;
}

/** What this request's `protect()` observed, for an evaluate-only check later in the same request. */
interface Gathered {
  observations: Observations;
  /** Whether the Redis script already counted this request as a PHI read. */
  phiReadCounted: boolean;
}
const gatheredBy = new WeakMap<Request, Gathered>();

/**
 * Records a decision that is not a plain allow (a refusal, or an allow only an emergency-access grant gave), then
 * answers it: returns on allow, throws every refusal.
 */
async function enforce(c: Context<AppBindings>, options: ProtectOptions, result: TrustResult): Promise<void> {
  if (result.decision !== "allow" || result.breakGlass) await recordDecision(c, options, result);
  switch (result.decision) {
    case "allow":
      return;
    case "step_up":
      // RFC 9470 §3: the client should authenticate again, with MFA, and retry.
      throw new UnauthorizedError("step_up_required", "Confirm it is you with your second factor to continue.", {
        headers: {
          "WWW-Authenticate": `Bearer error="insufficient_user_authentication", error_description="A stronger or more recent authentication is required", acr_values="mfa", max_age=${trustConfig.maxAuthAgeSeconds[options.sensitivity]}`,
        },
        extensions: { score: result.score },
      });
    case "read_only":
      throw new ForbiddenError(
        "trust_read_only",
        "This session may read but not change anything right now. Sign in again with your second factor.",
      );
    case "deny":
      throw new ForbiddenError("trust_denied", "This request was refused by the access policy.");
  }
}

/**
 * What an API token may not do, decided before anything else: personal health data at all (fail closed), and
 * any route the token route table does not give its scopes (default deny; middleware/api-token-routes.ts).
 */
function refuseApiToken(c: Context<AppBindings>, principal: UserActor, options: ProtectOptions): void {
  const token = principal.apiToken;
  if (!token) return;
  if (options.sensitivity === "phi") {
    throw new ForbiddenError("token_phi_refused", "An API token never reaches personal health data.");
  }
  const needed = apiTokenScopeFor(c.req.method, c.req.routePath);
  if (needed === null) {
    throw new ForbiddenError("token_route_refused", "This operation is not open to API tokens.");
  }
  if (!token.scopes.includes(needed)) {
    // RFC 6750 §3.1: the token lacks the scope the resource needs.
    throw new ForbiddenError("insufficient_scope", `This API token needs the \`${needed}\` scope for this.`, {
      headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${needed}"` },
      extensions: { scope: needed },
    });
  }
}

/**
 * Declares what a route needs, and decides before the handler runs:
 *   0. an API token: only the routes and scopes its route table allows, never `phi`;
 *   1. who: a signed-in user unless the route is public; one of `roles` when given;
 *   2. one Redis command, shared with the requests of this isolate that arrive while another is in flight
 *      (services/trust-signals.ts): revocation, rate limits and the trust signals;
 *   3. the trust decision (services/trust.ts): allow, read-only, step-up (RFC 9470) or deny. An API token is a
 *      non-interactive client: it has no second factor and no sign-in time, and cannot step up, so a step-up
 *      decision is a denial for it.
 * Anonymous public reads skip Redis entirely: they are cached at the edge and rate-limited there.
 */
export function protect(options: ProtectOptions) {
  const middleware = createMiddleware<AppBindings>(async (c, next) => {
    const principal = c.get("scope").actor;
    if (principal.kind !== "user") {
      if (requiresBearer(options)) throw new UnauthorizedError();
      c.set("trust", undefined);
      return next();
    }
    refuseApiToken(c, principal, options);
    if (options.roles && !principal.roles.some((role) => options.roles?.includes(role))) {
      throw new ForbiddenError("forbidden_role", "Your role does not allow this.");
    }

    const nowMs = Date.now();
    const { ipHash, deviceHash, network } = await observeClient(c);
    const isPhiRead = options.sensitivity === "phi" && options.action === "read";
    let signals: RequestSignals | null = null;
    try {
      signals = await gatherSignals(requireSection(c.get("scope").config, "redis"), principal, {
        ipHash,
        deviceHash,
        network,
        sensitivity: options.sensitivity,
        isPhiRead,
        nowMs,
        // A batch this request sends carries other requests' signals too: it must outlive this response.
        keepAlive: (work) => c.executionCtx.waitUntil(work),
      });
    } catch (error) {
      c.get("logger").warn("trust signals unavailable", { error });
    }
    // An API token's revocation is its row, read on every request (services/identity/api-tokens.ts); the session
    // not-before instants in Redis are about sign-ins and would refuse a token used in the second of a logout-all.
    if (signals?.revoked && !principal.apiToken) {
      throw new UnauthorizedError("token_revoked", "This session has ended. Sign in again.", {
        headers: { "WWW-Authenticate": 'Bearer error="invalid_token", error_description="revoked"' },
      });
    }
    if (signals) {
      const limits = trustConfig.rateLimitPerMinute;
      if (signals.subjectThisMinute > limits.subject || signals.ipThisMinute > limits.ip) {
        throw new RateLimitedError(60 - Math.floor((nowMs / 1000) % 60));
      }
    }

    const observations: Observations = {
      authenticated: true,
      amr: principal.amr,
      authAgeSeconds: Math.max(0, nowMs / 1000 - principal.authTime),
      roles: principal.roles,
      deviceKnown: signals ? signals.deviceKnown : null,
      network,
      lastSeen: signals?.lastSeen ?? null,
      nowMs,
      hourShare: signals?.hourShare ?? null,
      requestsThisMinute: signals?.subjectThisMinute ?? null,
      phiReadsToday: signals?.phiReadsToday ?? null,
      breakGlassUntilMs: signals?.breakGlassUntilMs ?? null,
    };
    gatheredBy.set(c.req.raw, { observations, phiReadCounted: isPhiRead && signals !== null });
    // Without Redis the Redis-fed signals are missing (null): scoring fails closed for restricted and PHI,
    // so an unverifiable revocation never reaches sensitive data.
    const result = nonInteractive(
      principal,
      evaluateTrust(observations, { sensitivity: options.sensitivity, action: options.action }),
    );
    c.set("trust", result);
    // Before the decision is enforced: a crossing read that the policy refuses is a signal all the same.
    if (isPhiRead && signals) await reportMassPhiReads(c, principal.userId, signals.phiReadsToday, nowMs);
    await enforce(c, options, result);
    return next();
  });
  requirements.set(middleware, options);
  return middleware;
}

/**
 * Evaluate-only: the trust policy at another requirement (e.g. `phi` for a list that may include PHI rows),
 * from the signals this request's `protect()` already gathered, so no second Redis script runs and no counter
 * or histogram moves twice. A decision that is not allow is recorded and refused exactly as `protect()` does;
 * `c.get("trust")` keeps the route's own decision. A PHI read is evaluated as counted (today's reads + 1) and,
 * once allowed, counted with one INCR (`countPhiRead`); a count that cannot be made refuses (fail closed).
 */
export async function protectAgain(c: Context<AppBindings>, options: ProtectOptions): Promise<void> {
  const principal = c.get("scope").actor;
  if (principal.kind !== "user") throw new UnauthorizedError();
  const gathered = gatheredBy.get(c.req.raw);
  // A programming error, not a client's: the route must be declared with protect() / protectedRoute().
  if (!gathered) throw new Error("protectAgain() needs the route's protect() to have run");
  const countsPhiRead = options.sensitivity === "phi" && options.action === "read" && !gathered.phiReadCounted;
  const { observations } = gathered;
  const seen =
    countsPhiRead && observations.phiReadsToday !== null
      ? { ...observations, phiReadsToday: observations.phiReadsToday + 1 }
      : observations;
  refuseApiToken(c, principal, options);
  let result = nonInteractive(
    principal,
    evaluateTrust(seen, { sensitivity: options.sensitivity, action: options.action }),
  );
  if (result.decision === "allow" && countsPhiRead) {
    try {
      const count = await countPhiRead(c.get("scope").redis, principal.userId, observations.nowMs);
      gathered.phiReadCounted = true;
      await reportMassPhiReads(c, principal.userId, count, observations.nowMs);
    } catch (error) {
      c.get("logger").warn("PHI read could not be counted", { error });
      result = { ...result, decision: "deny", missing: [...result.missing, "requestVelocity"] };
    }
  }
  await enforce(c, options, result);
}

/** The OpenAPI security requirement of a route that needs `Authorization: Bearer <jwt>` (RFC 6750). */
export const BEARER_SECURITY = [{ bearer: [] as string[] }];

/** A route config for `protectedRoute`: `createRoute`'s, with the requirement instead of `security`. */
export type ProtectedRouteConfig = Omit<RouteConfig, "security" | "middleware"> & {
  /** What the route needs (middleware/protect.ts); it decides both the check and the documented security. */
  protect: ProtectOptions;
  /** More middleware, run after `protect()`. */
  middleware?: MiddlewareHandler<AppBindings>[];
};

/**
 * `createRoute` for a route behind `protect()`: one declaration gives both the middleware, run before any
 * other, and the OpenAPI `security` requirement, so what the document promises is what the route checks.
 * A public route open to anyone declares none; every other route declares the bearer scheme.
 */
export function protectedRoute<P extends string, R extends ProtectedRouteConfig & { path: P }>(config: R) {
  const { protect: requirement, middleware = [], ...route } = config;
  return createRoute({
    ...route,
    middleware: [protect(requirement), ...middleware] as const,
    ...(requiresBearer(requirement) ? { security: BEARER_SECURITY } : {}),
  });
}
