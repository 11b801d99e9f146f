import type { Role } from "../../schema/memberships";
import type { ApiTokenScope } from "../contract";
import type { TechnicalDirector } from "../shapes/tenant-settings";

/** The tenant a request (or one step of a job) works for, resolved from its hostname. */
export interface TenantContext {
  id: string;
  slug: string;
  name: string;
  /**
   * The clinic's technical director from its settings, named in every public page's footer (CFM 2.336/2023).
   * Loaded with the tenant by the host lookup (null: not set); absent where a tenant is named otherwise (jobs).
   */
  technicalDirector?: TechnicalDirector | null;
}

/**
 * Who is asking: the one name for it everywhere. A verified access token gives a user, no token an anonymous
 * reader, a cron job acts as the system, and the platform operator as the platform.
 */
export type Actor =
  | { kind: "anonymous" }
  | { kind: "system"; job: string }
  /** The platform operator, through the `tenant:*` CLI or `/api/platform/*` (a platform credential, never a tenant's). */
  | { kind: "platform"; via: "cli" | "api" }
  | {
      kind: "user";
      userId: string;
      tenantId: string;
      roles: Role[];
      /** Authentication methods of the session (RFC 8176): "pwd", "otp", "mfa". */
      amr: string[];
      /** When the user last authenticated (seconds since the epoch). */
      authTime: number;
      /** The access token's `jti`. */
      tokenId: string;
      /** The token's issue time (seconds since the epoch). */
      issuedAt: number;
      /**
       * Set when the request came with a personal API token instead of a session (services/identity/api-tokens.ts):
       * the member's roles, narrowed by the token's scopes per route, never PHI, never account or security
       * operations, and always a non-interactive client in the trust evaluation (middleware/protect.ts).
       */
      apiToken?: { id: string; scopes: ApiTokenScope[]; principal: "person" | "service" };
    };

export type UserActor = Extract<Actor, { kind: "user" }>;

export const ANONYMOUS: Actor = { kind: "anonymous" };

/** How sensitive what a route touches is: the four compliance levels (functions/contract.ts). */
export type Sensitivity = "public" | "professional" | "restricted" | "phi";
export type AccessAction = "read" | "write";

export function hasRole(actor: Actor, ...roles: Role[]): actor is UserActor {
  return actor.kind === "user" && actor.roles.some((role) => roles.includes(role));
}
