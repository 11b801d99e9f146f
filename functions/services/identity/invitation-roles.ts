import { and, eq, gt, isNull, type SQL } from "drizzle-orm";
import { invitations, memberships } from "../../../schema";
import type { Role } from "../../contract";
import type { Transaction } from "../../lib/db";
import { GoneError } from "../../lib/errors";
import type { Scope } from "../../scope";

export const INVITATION_INVALID = (): GoneError =>
  new GoneError("invitation_invalid", "This invitation was used, revoked or has expired. Ask for a new one.");

/** An invitation that still opens: neither accepted nor revoked, and not expired at `now`. */
export function invitationOpen(now: Date): SQL {
  return and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now))!;
}

/**
 * Spends an open invitation of this tenant that `which` picks (its token's hash, or its id), in `tx`: one statement,
 * so two acceptances of one invitation cannot both pass. Null when none opens. Once spent in the transaction, the
 * person it names is visible to it (schema/users.ts, users_read), whichever tenants they belong to.
 */
export async function claimInvitation(
  tx: Transaction,
  scope: Scope,
  which: { tokenHash: string } | { id: string },
): Promise<typeof invitations.$inferSelect | null> {
  const now = new Date();
  const picked = "id" in which ? eq(invitations.id, which.id) : eq(invitations.tokenHash, which.tokenHash);
  const [invitation] = await tx
    .update(invitations)
    .set({ acceptedAt: now })
    .where(and(picked, eq(invitations.tenantId, scope.tenant.id), invitationOpen(now)))
    .returning();
  return invitation ?? null;
}

export interface InvitationJoin {
  /** The roles the person held here before. */
  current: Role[];
  /** The invitation's roles they did not hold yet, added now. */
  added: Role[];
  /** The membership's state: a suspended membership stays suspended, and signs nobody in. */
  status: "active" | "disabled";
}

/**
 * Joins the roles of the invitation this transaction claimed to `userId`'s membership here, audited as
 * `invitation.accepted`. Called once the person is proved: by the new account's password, by an existing account's
 * password, or, for an account with a second factor, only once its code is confirmed (sessions.ts `completeMfa`),
 * so a password alone never attaches roles to such an account.
 */
export async function joinInvitedRoles(
  tx: Transaction,
  scope: Scope,
  input: { invitation: { id: string; roles: Role[] }; userId: string; outcome: "created" | "attached" },
): Promise<InvitationJoin> {
  const { invitation, userId } = input;
  // memberships_attach (RLS) accepts this person for the roles of the invitation this transaction accepted.
  await tx.update(invitations).set({ acceptedBy: userId }).where(eq(invitations.id, invitation.id));
  const rows = await tx
    .select({ role: memberships.role, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.tenantId, scope.tenant.id), eq(memberships.userId, userId)));
  const status = rows.some((row) => row.status === "disabled") ? ("disabled" as const) : ("active" as const);
  const current = rows.map((row) => row.role);
  const added = invitation.roles.filter((role) => !current.includes(role));
  if (added.length > 0) {
    await tx.insert(memberships).values(added.map((role) => ({ tenantId: scope.tenant.id, userId, role, status })));
  }
  await scope.audit(
    tx,
    "invitation.accepted",
    { type: "invitation", id: invitation.id },
    { outcome: input.outcome, roles: invitation.roles, added },
    { as: { type: "user", id: userId } },
  );
  return { current, added, status };
}
