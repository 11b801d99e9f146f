import { decodeProtectedHeader, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import type { AuthConfig, SigningJwk } from "../../env";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import { BoundedLru } from "../../lib/lru";
import { UnauthorizedError } from "../../lib/errors";
import type { Role } from "../../../schema/memberships";

/** Access tokens live ten minutes (RFC 9068 JWTs); refresh tokens carry the session. */
export const ACCESS_TOKEN_SECONDS = 600;
/**
 * A reader's session on the public site (the `__Host-vitalis_site` cookie) lives twelve hours and is not refreshed:
 * a working day, then the password again. It is a JWT of its own type, so it is never accepted as an access token,
 * nor an access token as a site session.
 */
export const SITE_SESSION_SECONDS = 12 * 3600;
/**
 * How long a revocation instant (logout-all, a password change, a disabled membership) is kept in Redis: as long
 * as the longest-lived token issued before it could still be presented, plus the clock tolerance.
 */
export const REVOCATION_MEMORY_SECONDS = Math.max(ACCESS_TOKEN_SECONDS, SITE_SESSION_SECONDS) + 60;
/** The MFA challenge token bridges the password step and the code step. */
export const MFA_TOKEN_SECONDS = 300;
/** RFC 8725 §3.1-ish clock leeway: small, so an expired token is not useful for long. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * The enrolment token: what a member of a role that must have a second factor gets from a correct password
 * when they have none. It opens only the two enrolment steps of /api/auth/mfa/enrol, never the API.
 */
export const ENROLMENT_TOKEN_SECONDS = 600;

const ACCESS_TYP = "at+jwt";
const SITE_TYP = "site+jwt";
const MFA_TYP = "mfa+jwt";
const ENROL_TYP = "mfa-enrol+jwt";
const ALGORITHM = "EdDSA";

export interface AccessClaims {
  sub: string;
  tid: string;
  roles: Role[];
  amr: string[];
  auth_time: number;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
}

export interface KeyRing {
  signer: { kid: string; key: CryptoKey };
  verifiers: Map<string, CryptoKey>;
  publicJwks: JWK[];
  /** Tokens this ring verified, by their exact text (see `VERIFIED_TOKENS`). */
  verified: BoundedLru<VerifiedToken>;
}

/** A token that passed `verify()`: its `typ` and its payload, frozen (every caller shares it). */
interface VerifiedToken {
  typ: string;
  payload: Readonly<Record<string, unknown>>;
}

/**
 * The per-isolate memo of verified tokens, one per key ring: the token's exact text → its verified payload, kept
 * until the instant jose would first call it expired (`exp` + the clock tolerance) and dropped least recently used
 * past 2,048 tokens or 2 MiB. A changed, removed or added key is a new configuration and so a new ring with an
 * empty memo; a tampered token is another text and never meets an entry. What the memo holds is only what the
 * signature proves: the tenant of the host, revocation (Redis, per request) and everything after are checked on
 * every request as before. Verifying an EdDSA JWT costs the Worker more CPU than the rest of `protect()`.
 */
const VERIFIED_TOKENS = { maxEntries: 2048, maxBytes: 2 * 1024 * 1024 } as const;
/** What an entry costs besides its token's text: the payload object and its strings, roughly. */
const VERIFIED_ENTRY_BYTES = 768;

// Importing keys costs a few hundred microseconds; keep them per isolate, keyed by the config object
// (parsed once per env). CryptoKeys are not I/O objects, so sharing them across requests is allowed.
const keyRings = new WeakMap<AuthConfig, Promise<KeyRing>>();

function publicPart(jwk: SigningJwk): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: jwk.kid, alg: ALGORITHM, use: "sig" };
}

async function buildKeyRing(config: AuthConfig): Promise<KeyRing> {
  const [first] = config.signingKeys;
  if (!first) throw new TypeError("no signing key configured");
  const verifiers = new Map<string, CryptoKey>();
  for (const jwk of config.signingKeys) {
    verifiers.set(jwk.kid, (await importJWK(publicPart(jwk), ALGORITHM)) as CryptoKey);
  }
  const signerKey = (await importJWK(
    { kty: first.kty, crv: first.crv, x: first.x, d: first.d },
    ALGORITHM,
  )) as CryptoKey;
  return {
    signer: { kid: first.kid, key: signerKey },
    verifiers,
    publicJwks: config.signingKeys.map(publicPart),
    verified: new BoundedLru<VerifiedToken>(VERIFIED_TOKENS),
  };
}

export function keyRing(config: AuthConfig): Promise<KeyRing> {
  let ring = keyRings.get(config);
  if (!ring) {
    ring = buildKeyRing(config);
    keyRings.set(config, ring);
  }
  return ring;
}

export interface AccessTokenInput {
  userId: string;
  tenantId: string;
  roles: Role[];
  amr: string[];
  authTime: number;
  /** After a logout-all, new tokens are stamped no earlier than the revocation second (sessions.ts). */
  issuedNoEarlierThan?: number;
}

export async function issueAccessToken(
  config: AuthConfig,
  input: AccessTokenInput,
): Promise<{ token: string; claims: AccessClaims }> {
  return signSession(config, input, { typ: ACCESS_TYP, seconds: ACCESS_TOKEN_SECONDS, extra: {} });
}

/** A site session's claims: an access token's, and the CSRF token its forms carry (bound to this session). */
export interface SiteSessionClaims extends AccessClaims {
  csrf: string;
}

/**
 * The public site's session, for the HttpOnly cookie only. It carries a random CSRF token that every form the
 * signed-in reader posts must repeat (the synchronizer-token pattern, OWASP CSRF cheat sheet): a page of another
 * site can send the cookie along with a form, but cannot read the token out of our page.
 */
export async function issueSiteSession(
  config: AuthConfig,
  input: AccessTokenInput,
): Promise<{ token: string; claims: SiteSessionClaims }> {
  const csrf = toBase64Url(randomBytes(32));
  const { token, claims } = await signSession(config, input, {
    typ: SITE_TYP,
    seconds: SITE_SESSION_SECONDS,
    extra: { csrf },
  });
  return { token, claims: { ...claims, csrf } };
}

async function signSession(
  config: AuthConfig,
  input: AccessTokenInput,
  kind: { typ: string; seconds: number; extra: Record<string, string> },
): Promise<{ token: string; claims: AccessClaims }> {
  const ring = await keyRing(config);
  const now = Math.max(Math.floor(Date.now() / 1000), input.issuedNoEarlierThan ?? 0);
  const claims: AccessClaims = {
    sub: input.userId,
    tid: input.tenantId,
    roles: input.roles,
    amr: input.amr,
    auth_time: input.authTime,
    jti: crypto.randomUUID(),
    iat: now,
    nbf: now,
    exp: now + kind.seconds,
  };
  const token = await new SignJWT({
    tid: claims.tid,
    roles: claims.roles,
    amr: claims.amr,
    auth_time: claims.auth_time,
    ...kind.extra,
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: kind.typ, kid: ring.signer.kid })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(claims.iat)
    .setNotBefore(claims.nbf)
    .setExpirationTime(claims.exp)
    .sign(ring.signer.key);
  return { token, claims };
}

// Headers that would let a token name its own key or key source (RFC 8725 §3.10): never honoured, always refused.
const FORBIDDEN_HEADERS = ["jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit"] as const;

const invalid = (message: string): UnauthorizedError =>
  new UnauthorizedError("invalid_token", message, { headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } });

async function verify(config: AuthConfig, token: string, typ: string): Promise<Readonly<Record<string, unknown>>> {
  const ring = await keyRing(config);
  const nowMs = Date.now();
  const known = ring.verified.get(token, nowMs);
  if (known && known.typ === typ) return known.payload;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalid("The access token is malformed.");
  }
  if (header.alg !== ALGORITHM) throw invalid("The token's algorithm is not accepted.");
  if (FORBIDDEN_HEADERS.some((name) => name in header))
    throw invalid("The token names its own key, which is not accepted.");
  const key = typeof header.kid === "string" ? ring.verifiers.get(header.kid) : undefined;
  if (!key) throw invalid("The token was signed with an unknown key.");
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      typ,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp", "iat", "nbf", "jti", "sub", "tid"],
      currentDate: new Date(nowMs),
    }));
  } catch {
    // The reason (expired, wrong audience, bad signature) stays in our logs at most; the caller learns only that it failed.
    throw invalid("The access token is not valid.");
  }
  for (const value of Object.values(payload)) if (typeof value === "object" && value !== null) Object.freeze(value);
  Object.freeze(payload);
  // jose refuses a token once `exp <= floor(now / 1000) - tolerance`: the memo lets it go at that same instant.
  ring.verified.set(
    token,
    { typ, payload },
    {
      bytes: token.length + VERIFIED_ENTRY_BYTES,
      expiresAt: ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000,
      now: nowMs,
    },
  );
  return payload;
}

/** Verifies an access token for the tenant of the request's host; throws a 401 problem otherwise. */
export async function verifyAccessToken(config: AuthConfig, token: string, tenantId: string): Promise<AccessClaims> {
  return sessionClaims(await verify(config, token, ACCESS_TYP), tenantId);
}

/** Verifies a site session cookie for the tenant of the request's host; throws a 401 problem otherwise. */
export async function verifySiteSession(
  config: AuthConfig,
  token: string,
  tenantId: string,
): Promise<SiteSessionClaims> {
  const payload = await verify(config, token, SITE_TYP);
  const claims = sessionClaims(payload, tenantId);
  if (typeof payload.csrf !== "string" || payload.csrf.length < 32) throw invalid("The session is missing claims.");
  return { ...claims, csrf: payload.csrf };
}

function sessionClaims(payload: Readonly<Record<string, unknown>>, tenantId: string): AccessClaims {
  if (payload.tid !== tenantId) throw invalid("The token belongs to another site.");
  const roles = payload.roles;
  const amr = payload.amr;
  if (!Array.isArray(roles) || !Array.isArray(amr) || typeof payload.auth_time !== "number") {
    throw invalid("The access token is missing claims.");
  }
  return payload as unknown as AccessClaims;
}

/** What a sign-in step token is for: the second-factor challenge, or the enrolment a tenant policy forces. */
export type StepPurpose = "mfa" | "enrol";

const STEPS: Record<StepPurpose, { typ: string; seconds: number }> = {
  mfa: { typ: MFA_TYP, seconds: MFA_TOKEN_SECONDS },
  enrol: { typ: ENROL_TYP, seconds: ENROLMENT_TOKEN_SECONDS },
};

/**
 * A sign-in step token. `invitationId`: the step continues the acceptance of this invitation by an account that has
 * a second factor; the invitation's roles join only once the code is confirmed (sessions.ts `completeMfa`).
 */
export async function issueMfaToken(
  config: AuthConfig,
  userId: string,
  tenantId: string,
  purpose: StepPurpose = "mfa",
  options: { invitationId?: string } = {},
): Promise<string> {
  const ring = await keyRing(config);
  const step = STEPS[purpose];
  return new SignJWT({ tid: tenantId, purpose, ...(options.invitationId ? { inv: options.invitationId } : {}) })
    .setProtectedHeader({ alg: ALGORITHM, typ: step.typ, kid: ring.signer.kid })
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setSubject(userId)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setNotBefore("0s")
    .setExpirationTime(`${step.seconds}s`)
    .sign(ring.signer.key);
}

export async function verifyMfaToken(
  config: AuthConfig,
  token: string,
  tenantId: string,
  purpose: StepPurpose = "mfa",
): Promise<{ userId: string; jti: string; exp: number; invitationId: string | null }> {
  let payload: Readonly<Record<string, unknown>>;
  try {
    payload = await verify(config, token, STEPS[purpose].typ);
  } catch {
    throw new UnauthorizedError("invalid_mfa_token", "The sign-in step expired. Start again with your password.");
  }
  if (payload.tid !== tenantId || payload.purpose !== purpose) {
    throw new UnauthorizedError("invalid_mfa_token", "The sign-in step expired. Start again with your password.");
  }
  return {
    userId: String(payload.sub),
    jti: String(payload.jti),
    exp: Number(payload.exp),
    invitationId: typeof payload.inv === "string" ? payload.inv : null,
  };
}
