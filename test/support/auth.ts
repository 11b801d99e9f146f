/**
 * Accounts and sign-in for integration tests. Users are created directly in the database (as an admin
 * would invite them); signing in always goes through the real login endpoint of the Worker.
 */
import type pg from "pg";
import { hashPassword } from "../../functions/lib/passwords.js";
import type { Role } from "../../schema/memberships.js";
import type { SeededTenant } from "./db.js";
import type { TestWorker } from "./worker.js";

export const TEST_PASSWORD = "correct horse battery staple";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
}

export async function createUser(
  admin: pg.Client,
  tenant: Pick<SeededTenant, "id" | "slug">,
  options: {
    roles: Role[];
    password?: string;
    name?: string;
    verifiedCredential?: { crm: string; uf: string; rqe?: string[]; specialty?: string };
  },
): Promise<TestUser> {
  const password = options.password ?? TEST_PASSWORD;
  const email = `${options.roles.join("-")}.${Math.random().toString(36).slice(2, 10)}@${tenant.slug}.test`;
  const user = await admin.query<{ id: string }>(
    "insert into users (email, display_name, password_hash) values ($1, $2, $3) returning id",
    [email, options.name ?? `Test ${options.roles.join(" ")}`, await hashPassword(password)],
  );
  const id = user.rows[0]!.id;
  for (const role of options.roles) {
    await admin.query("insert into memberships (tenant_id, user_id, role) values ($1, $2, $3)", [tenant.id, id, role]);
  }
  if (options.verifiedCredential) {
    await admin.query(
      `insert into professional_credentials (tenant_id, user_id, crm_number, crm_uf, rqe, specialty, status, note,
                                             reviewed_at)
       values ($1, $2, $3, $4, $5, $6, 'verified', 'verified by test set-up', now())`,
      [
        tenant.id,
        id,
        options.verifiedCredential.crm,
        options.verifiedCredential.uf,
        options.verifiedCredential.rqe ?? [],
        options.verifiedCredential.specialty ?? null,
      ],
    );
  }
  return { id, email, password, roles: options.roles };
}

export interface SignedIn {
  accessToken: string;
  /** The `__Secure-vitalis_refresh=...` pair, ready for a Cookie header. */
  refreshCookie: string;
}

export function refreshCookieFrom(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  const match = /(__Secure-vitalis_refresh=[^;]+)/.exec(header);
  if (!match?.[1]) throw new Error(`no refresh cookie in: ${header}`);
  return match[1];
}

/** The `__Host-vitalis_device=...` pair the Worker sets at sign-in (the device binding), for a Cookie header. */
export function deviceCookieFrom(response: Response): string {
  const header = response.headers.get("set-cookie") ?? "";
  const match = /(__Host-vitalis_device=[^;]+)/.exec(header);
  if (!match?.[1]) throw new Error(`no device cookie in: ${header}`);
  return match[1];
}

export async function signIn(
  worker: TestWorker,
  host: string,
  user: Pick<TestUser, "email" | "password">,
): Promise<SignedIn> {
  const response = await worker.fetch("/api/auth/login", {
    host,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error("sign-in needs MFA; use the MFA flow");
  return { accessToken: body.access_token, refreshCookie: refreshCookieFrom(response) };
}

/** A JSON POST for `worker.fetch`: method, content type and body, plus any extra headers. */
export function jsonPost(body: unknown, headers: Record<string, string> = {}) {
  return { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
