import { and, eq, gt, isNull } from "drizzle-orm";
import { invitations, users } from "../../../schema";
import type { ContentLocale, Role } from "../../contract";
import { sha256Hex } from "../../lib/crypto";
import type { Transaction } from "../../lib/db";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import type { Scope } from "../../scope";
import { enqueueEmail } from "../outbox";

/** How long an invitation's link works. */
export const INVITATION_SECONDS = 72 * 3600;

export interface NewInvitation {
  email: string;
  roles: Role[];
  /** The site the link opens, e.g. https://clinic.example (the request's own origin, or the tenant's primary host). */
  origin: string;
  locale: ContentLocale;
}

export interface CreatedInvitation {
  id: string;
  email: string;
  roles: Role[];
  expiresAt: Date;
  /** The single-use token, returned once (the CLI prints the link); only its hash is stored. */
  token: string;
}

/**
 * Invites `email` to this tenant with `roles`, in `tx`: stores the token's hash (72 hours, single use), revokes
 * the same address's earlier open invitations here, queues the e-mail in the same transaction and audits it. The
 * inviter is the scope's user, or nobody when a platform operator invites a tenant's first admin.
 */
export async function createInvitation(
  scope: Scope,
  tx: Transaction,
  input: NewInvitation,
): Promise<CreatedInvitation> {
  const email = input.email.trim().toLowerCase();
  const token = toBase64Url(randomBytes(32));
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_SECONDS * 1000);
  const invitedBy = scope.actor.kind === "user" ? scope.actor.userId : null;

  const superseded = await tx
    .update(invitations)
    .set({ revokedAt: now })
    .where(
      and(
        eq(invitations.tenantId, scope.tenant.id),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now),
      ),
    )
    .returning({ id: invitations.id });

  const [row] = await tx
    .insert(invitations)
    .values({
      tenantId: scope.tenant.id,
      email,
      roles: input.roles,
      tokenHash: await sha256Hex(token),
      invitedBy,
      expiresAt,
    })
    .returning();
  if (!row) throw new Error("the invitation was not stored");

  let inviterName: string | null = null;
  if (invitedBy) {
    const [inviter] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, invitedBy)).limit(1);
    inviterName = inviter?.name ?? null;
  }
  const outboxId = await enqueueEmail(scope, tx, {
    to: email,
    locale: input.locale,
    message: {
      template: "invitation",
      data: {
        tenantName: scope.tenant.name,
        roles: input.roles,
        inviterName,
        origin: input.origin,
        expiresAt: expiresAt.toISOString(),
      },
      secret: token,
    },
  });
  await scope.audit(
    tx,
    "invitation.created",
    { type: "invitation", id: row.id },
    {
      email,
      roles: input.roles,
      expiresAt: expiresAt.toISOString(),
      supersedes: superseded.map((s) => s.id),
      outboxId,
    },
  );
  return { id: row.id, email, roles: input.roles, expiresAt, token };
}
