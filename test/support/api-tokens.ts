/**
 * What the API-token tests share: every scope, an expiry some days ahead, a request with a bearer token, a member
 * signed in with the given roles, and a problem answer's status and code.
 */
import type pg from "pg";
import { API_TOKEN_SCOPES } from "../../functions/contract.js";
import { bearer, createUser, signIn, type TestUser } from "./auth.js";
import type { SeededTenant } from "./db.js";
import type { TestWorker } from "./worker.js";

export const ALL_SCOPES: string[] = [...API_TOKEN_SCOPES];

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** `worker.fetch` at `host` with `token` as the bearer, beside any headers of `init`. */
export function withBearer(worker: TestWorker, host: string, path: string, token: string, init: RequestInit = {}) {
  return worker.fetch(path, {
    host,
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...bearer(token) },
  });
}

/** A new member of `where` with `roles`, signed in with a password. */
export async function memberSession(
  worker: TestWorker,
  admin: pg.Client,
  where: SeededTenant,
  roles: TestUser["roles"],
) {
  const user = await createUser(admin, where, { roles });
  return { user, accessToken: (await signIn(worker, where.hostname, user)).accessToken };
}

export async function problemOf(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { code: string };
  return { status: res.status, code: body.code };
}
