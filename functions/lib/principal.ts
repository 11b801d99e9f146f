import type { Role } from "../../schema/memberships";

/** The tenant a request is for, resolved from its hostname. */
export interface TenantContext {
  id: string;
  slug: string;
  name: string;
}

/** Who is asking. A verified access token gives a user principal; no token gives an anonymous one. */
export type Principal =
  | { kind: "anonymous" }
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
    };

export type UserPrincipal = Extract<Principal, { kind: "user" }>;

/** How sensitive what a route touches is; the design's four compliance levels. */
export type Sensitivity = "public" | "professional" | "restricted" | "phi";
export type AccessAction = "read" | "write";

export function hasRole(principal: Principal, ...roles: Role[]): principal is UserPrincipal {
  return principal.kind === "user" && principal.roles.some((role) => roles.includes(role));
}
