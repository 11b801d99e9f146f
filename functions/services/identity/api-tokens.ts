import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { apiTokens, memberships, users } from "../../../schema";
import { API_TOKEN_MAX_DAYS, type ApiTokenScope, type Role } from "../../contract";
import type { UserActor } from "../../lib/actor";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto";
import { type HttpDatabase, readAsTenant } from "../../lib/db-http";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, UnprocessableError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import { requireAdminSession, serviceAccountHere } from "./service-accounts";

/**
 * Personal API tokens: `vt_<id>_<secret>`. The id (the row's UUID without dashes) finds the row; the secret,
 * 32 random bytes, is compared by its SHA-256 in constant time. The token is shown once, when it is made, and
 * never logged (lib/logging redacts bearer values; the access log keeps the id only).
 */
const TOKEN_FORM = /^vt_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const SECRET_BYTES = 32;
/** Live (unrevoked, unexpired) tokens a member may hold in one tenant. */
const MAX_LIVE_TOKENS = 50;
const DAY_MS = 86_400_000;

function compactId(id: string): string {
  return id.replaceAll("-", "");
}

function uuidOf(compact: string): string {
  return `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
}

export interface ApiTokenView {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  /** The principal the token acts as: a member (`person`) or one of the tenant's service accounts. */
  userId: string;
  userName: string;
  principal: "person" | "service";
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiToken extends ApiTokenView {
  /** The whole token, shown this once. */
  token: string;
}

export interface CreateApiTokenInput {
  name: string;
  scopes: ApiTokenScope[];
  expiresAt: Date;
  /** A service token: one of the tenant's service accounts (service-accounts.ts), for admins only. */
  serviceAccountId?: string | undefined;
}

function refuseTokenActor(actor: UserActor): void {
  // Defence in depth: the route table already refuses these routes to tokens (middleware/api-token-routes.ts).
  if (actor.apiToken) throw new ForbiddenError("token_not_allowed", "An API token cannot manage API tokens.");
}

/**
 * Makes a personal token for the signed-in member, or, for an admin, a service token for one of the tenant's service
 * accounts; the answer carries the secret, which is stored only hashed.
 */
export async function createApiToken(scope: Scope, input: CreateApiTokenInput): Promise<CreatedApiToken> {
  const actor = requireUser(scope);
  refuseTokenActor(actor);
  if (input.serviceAccountId) requireAdminSession(scope);
  const now = Date.now();
  if (input.expiresAt.getTime() <= now) {
    throw new UnprocessableError("invalid_expiry", "`expiresAt` must be in the future.");
  }
  if (input.expiresAt.getTime() > now + API_TOKEN_MAX_DAYS * DAY_MS) {
    throw new UnprocessableError("invalid_expiry", `A token lives at most ${API_TOKEN_MAX_DAYS} days.`);
  }
  const scopes = [...new Set(input.scopes)].sort() as ApiTokenScope[];
  const secret = toBase64Url(randomBytes(SECRET_BYTES));
  const secretHash = await sha256Hex(secret);
  return scope.transaction(async (tx) => {
    const ownerId = input.serviceAccountId ? await serviceAccountHere(tx, scope, input.serviceAccountId) : actor.userId;
    const [live] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, ownerId), isNull(apiTokens.revokedAt), gt(apiTokens.expiresAt, sql`now()`)));
    if ((live?.count ?? 0) >= MAX_LIVE_TOKENS) {
      throw new ConflictError("too_many_tokens", `Revoke a token first: a member holds at most ${MAX_LIVE_TOKENS}.`);
    }
    const [row] = await tx
      .insert(apiTokens)
      .values({
        tenantId: scope.tenant.id,
        userId: ownerId,
        name: input.name,
        scopes,
        secretHash,
        expiresAt: input.expiresAt,
      })
      .returning();
    if (!row) throw new Error("api token insert returned no row");
    await scope.audit(
      tx,
      "api_token.created",
      { type: "api_token", id: row.id },
      {
        name: row.name,
        scopes,
        expiresAt: row.expiresAt.toISOString(),
        ...(input.serviceAccountId ? { serviceAccountId: ownerId } : {}),
      },
    );
    const [owner] = await tx.select(OWNER).from(users).where(eq(users.id, ownerId));
    return { ...view({ ...row, ...owner! }), token: `vt_${compactId(row.id)}_${secret}` };
  });
}

/** What a token's view says of its principal. */
const OWNER = { userName: users.displayName, principal: users.kind };

function view(
  row: typeof apiTokens.$inferSelect & { userName: string; principal: "person" | "service" },
): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    userId: row.userId,
    userName: row.userName,
    principal: row.principal,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * The member's own tokens, newest first; an admin sees every member's and every service account's in the tenant.
 * Secrets never come back.
 */
export async function listApiTokens(scope: Scope): Promise<ApiTokenView[]> {
  const actor = requireUser(scope);
  refuseTokenActor(actor);
  const rows = await scope.transaction((tx) =>
    tx
      .select({ token: apiTokens, ...OWNER })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(actor.roles.includes("admin") ? undefined : eq(apiTokens.userId, actor.userId))
      .orderBy(desc(apiTokens.createdAt))
      .limit(500),
  );
  return rows.map(({ token, ...owner }) => view({ ...token, ...owner }));
}

/** Revokes a token at once (the member's own; an admin any in the tenant). Revoking twice answers the same. */
export async function revokeApiToken(scope: Scope, id: string): Promise<ApiTokenView> {
  const actor = requireUser(scope);
  refuseTokenActor(actor);
  return scope.transaction(async (tx) => {
    const [found] = await tx
      .select({ token: apiTokens, ...OWNER })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.id, id))
      .for("update", { of: apiTokens });
    // Another member's token is as absent as a missing one, unless the caller is an admin.
    if (!found || (found.token.userId !== actor.userId && !actor.roles.includes("admin"))) throw new NotFoundError();
    const owner = { userName: found.userName, principal: found.principal };
    if (found.token.revokedAt) return view({ ...found.token, ...owner });
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
      .where(eq(apiTokens.id, id))
      .returning();
    if (!row) throw new NotFoundError();
    await scope.audit(tx, "api_token.revoked", { type: "api_token", id }, { ownerId: row.userId });
    return view({ ...row, ...owner });
  });
}

function invalidToken(): UnauthorizedError {
  return new UnauthorizedError("invalid_token", "The API token is not valid, has expired or was revoked.", {
    headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
  });
}

/**
 * The actor an API token stands for, checked on every request (so revocation and expiry take effect at once):
 * one HTTP round trip under the tenant's row-level security reads the token, its owner's status and the owner's
 * active roles here. A token of another tenant is not found (RLS). Anything wrong is the same 401.
 */
export async function authenticateApiToken(http: HttpDatabase, tenantId: string, token: string): Promise<UserActor> {
  const match = TOKEN_FORM.exec(token);
  if (!match?.[1] || !match[2]) throw invalidToken();
  const id = uuidOf(match[1]);
  const [rows, roleRows] = await readAsTenant(http, tenantId, [
    http
      .select({
        userId: apiTokens.userId,
        secretHash: apiTokens.secretHash,
        scopes: apiTokens.scopes,
        expiresAt: apiTokens.expiresAt,
        revokedAt: apiTokens.revokedAt,
        userStatus: users.status,
        principal: users.kind,
      })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.id, id)),
    http
      .select({ role: memberships.role })
      .from(memberships)
      .innerJoin(apiTokens, eq(apiTokens.userId, memberships.userId))
      .where(and(eq(apiTokens.id, id), eq(memberships.status, "active"))),
  ]);
  const row = rows[0];
  const presented = await sha256Hex(match[2]);
  // The hash is compared even when no row was found, so timing does not tell which ids exist.
  const matches = timingSafeEqual(presented, row?.secretHash ?? "0".repeat(64));
  const nowMs = Date.now();
  const roles = roleRows.map((r) => r.role as Role);
  if (
    !row ||
    !matches ||
    row.revokedAt !== null ||
    row.expiresAt.getTime() <= nowMs ||
    row.userStatus !== "active" ||
    roles.length === 0
  ) {
    throw invalidToken();
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  return {
    kind: "user",
    userId: row.userId,
    tenantId,
    roles,
    // A non-interactive client: no authentication method a person performed, and no sign-in time, so the trust
    // evaluation never sees a fresh or multi-factor sign-in (middleware/protect.ts refuses step-up for tokens).
    amr: [],
    authTime: 0,
    tokenId: id,
    // Checked now, against its row: the session revocation instants in Redis do not apply (middleware/protect.ts).
    issuedAt: nowSeconds,
    apiToken: { id, scopes: row.scopes, principal: row.principal },
  };
}
