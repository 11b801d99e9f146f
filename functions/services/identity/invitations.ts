import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { invitations, memberships, users } from "../../../schema";
import type { ContentLocale, Role } from "../../contract";
import { hasRole } from "../../lib/actor";
import { sha256Hex } from "../../lib/crypto";
import type { Transaction } from "../../lib/db";
import { randomBytes, toBase64Url } from "../../lib/encoding";
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from "../../lib/errors";
import { hashPassword, verifyPassword } from "../../lib/passwords";
import { assertAcceptablePassword } from "../../lib/password-policy";
import { requireUser, type Scope } from "../../scope";
import type { AcceptedInvitation, InvitationView } from "../../shapes/members";
import { enqueueEmail } from "../outbox";
import { assertNotLockedOut, type LoginClient, lockoutSubject, recordFailure, recordSuccess } from "./lockout";
import { claimInvitation, INVITATION_INVALID, invitationOpen, joinInvitedRoles } from "./invitation-roles";
import { asUser, continueSignIn, type LoginResult } from "./sessions";
import { throttle } from "./throttle";

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
    .where(and(eq(invitations.tenantId, scope.tenant.id), eq(invitations.email, email), invitationOpen(now)))
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

function requireAdmin(scope: Scope): void {
  if (!hasRole(requireUser(scope), "admin")) throw new ForbiddenError();
}

/**
 * An admin invites someone to this tenant (createInvitation does the work). Someone who is a member here already
 * gets a role change instead, not an invitation.
 */
export async function inviteMember(scope: Scope, input: NewInvitation): Promise<InvitationView> {
  requireAdmin(scope);
  const email = input.email.trim().toLowerCase();
  return scope.transaction(async (tx) => {
    const [member] = await tx
      .select({ id: users.id })
      .from(users)
      .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.tenantId, scope.tenant.id)))
      .where(eq(users.email, email))
      .limit(1);
    if (member) {
      throw new ConflictError("already_member", "This person is a member already: change their roles instead.");
    }
    const created = await createInvitation(scope, tx, { ...input, email });
    const [inviter] = await tx
      .select({ name: users.displayName })
      .from(users)
      .where(eq(users.id, requireUser(scope).userId))
      .limit(1);
    return {
      id: created.id,
      email: created.email,
      roles: created.roles,
      invitedBy: inviter?.name ?? null,
      createdAt: new Date().toISOString(),
      expiresAt: created.expiresAt.toISOString(),
    };
  });
}

/** The tenant's invitations still waiting: neither accepted, revoked nor expired; newest first. */
export async function listOpenInvitations(scope: Scope): Promise<InvitationView[]> {
  requireAdmin(scope);
  const inviter = alias(users, "inviter");
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: invitations.id,
        email: invitations.email,
        roles: invitations.roles,
        invitedBy: inviter.displayName,
        createdAt: invitations.createdAt,
        expiresAt: invitations.expiresAt,
      })
      .from(invitations)
      .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
      .where(and(eq(invitations.tenantId, scope.tenant.id), invitationOpen(new Date())))
      .orderBy(asc(invitations.expiresAt));
    return rows
      .map((row) => ({
        ...row,
        invitedBy: row.invitedBy ?? null,
        createdAt: row.createdAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
      }))
      .reverse();
  });
}

/** Revokes an open invitation: its link stops working (audited). 404 when it is not open. */
export async function revokeInvitation(scope: Scope, input: { id: string }): Promise<void> {
  requireAdmin(scope);
  await scope.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, input.id), eq(invitations.tenantId, scope.tenant.id), invitationOpen(new Date())))
      .returning({ id: invitations.id, email: invitations.email, roles: invitations.roles });
    if (!row) throw new NotFoundError("No such open invitation.");
    await scope.audit(
      tx,
      "invitation.revoked",
      { type: "invitation", id: row.id },
      { email: row.email, roles: row.roles },
    );
  });
}

export interface AcceptInvitation {
  token: string;
  /** A new account's password, or the current password of the account that exists for the address. */
  password?: string | undefined;
  /** A new account's name. */
  displayName?: string | undefined;
  /** The client, for the throttle and, when an existing account signs in to accept, the sign-in lockout. */
  client: LoginClient;
  /** The hash of the client's device id (the device cookie), as sign-in takes it. */
  deviceHash: string;
}

export interface InvitationAcceptance extends AcceptedInvitation {
  /** An existing account accepted by signing in: what its password leads to here (as at sign-in); else null. */
  signIn: LoginResult | null;
}

/** A refusal decided inside the acceptance's transaction, which must roll back (the invitation stays open). */
class Refusal extends Error {
  constructor(
    readonly error: AppError,
    readonly failedPassword?: { userId: string; subject: Awaited<ReturnType<typeof lockoutSubject>> },
  ) {
    super(error.message);
  }
}

/**
 * Accepts an invitation with its one-time token (public; throttled per client). Only an address without an account
 * chooses a password: the global user is created with the password and name given (NIST SP 800-63B rules,
 * lib/password-policy.ts), and signs in next. An address that has an account already (the person belongs to another
 * tenant, or to this one with other roles) accepts by signing in here: the account's current password, counted by
 * the sign-in lockout (a new-account form for it is refused with `sign_in_required` before any password is checked),
 * and what follows a correct password at sign-in follows here too (continueSignIn): the account's second factor, the
 * enrolment the tenant's policy requires, or the session. Either way the invitation's roles join the person's
 * membership here (a suspended membership stays suspended, and signs nobody in), the invitation is spent, and the
 * acceptance audited (invitation-roles.ts); for an account with a second factor, only once its code is confirmed.
 */
export async function acceptInvitation(scope: Scope, input: AcceptInvitation): Promise<InvitationAcceptance> {
  await throttle(
    scope,
    [{ prefix: "invitation-accept-ip", tokens: 10, window: "1 m", key: `${scope.tenant.id}:${input.client.ipHash}` }],
    "Too many attempts. Wait a minute and try again.",
  );
  const tokenHash = await sha256Hex(input.token);
  try {
    return await scope.transaction(async (tx) => {
      const invitation = await claimInvitation(tx, scope, { tokenHash });
      if (!invitation) throw new Refusal(INVITATION_INVALID());

      // Visible now even when the person belongs to other tenants only (schema/users.ts, users_read).
      const [existing] = await tx.select().from(users).where(eq(users.email, invitation.email)).limit(1);
      let userId: string;
      let outcome: AcceptedInvitation["outcome"];
      if (existing) {
        if (!input.password || input.displayName !== undefined) {
          throw new Refusal(
            new ConflictError(
              "sign_in_required",
              "This address already has an account: sign in with its password to accept the invitation.",
            ),
          );
        }
        const subject = await lockoutSubject(scope.tenant.id, existing.email, input.client);
        await assertNotLockedOut(scope, subject);
        const passwordOk = existing.passwordHash ? await verifyPassword(input.password, existing.passwordHash) : false;
        if (!passwordOk || existing.status !== "active") {
          throw new Refusal(new UnauthorizedError("invalid_credentials", "The password is incorrect."), {
            userId: existing.id,
            subject,
          });
        }
        await recordSuccess(scope, subject, input.deviceHash);
        userId = existing.id;
        outcome = "attached";
      } else {
        const missing = [
          ...(input.password ? [] : [{ path: "json.password", message: "is required for a new account" }]),
          ...(input.displayName ? [] : [{ path: "json.displayName", message: "is required for a new account" }]),
        ];
        if (missing.length > 0) throw new Refusal(new ValidationError(missing));
        try {
          assertAcceptablePassword(input.password!, { email: invitation.email });
        } catch (error) {
          throw error instanceof AppError ? new Refusal(error) : error;
        }
        userId = crypto.randomUUID();
        // No RETURNING: the row is checked against users_read before it has an xmin (design notes, "Data").
        await tx.insert(users).values({
          id: userId,
          email: invitation.email,
          displayName: input.displayName!,
          passwordHash: await hashPassword(input.password!),
        });
        outcome = "created";
      }
      if (existing?.mfaEnabledAt) {
        // An account with a second factor is proved only by its code: the challenge names the invitation, which
        // stays open, and its roles join once the code is confirmed (sessions.ts `completeMfa`).
        const signIn = await continueSignIn(tx, scope, existing, input.password!, { invitationId: invitation.id });
        await tx.update(invitations).set({ acceptedAt: null }).where(eq(invitations.id, invitation.id));
        const current = await tx
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.tenantId, scope.tenant.id), eq(memberships.userId, userId)));
        return { outcome, email: invitation.email, roles: current.map((row) => row.role).sort(), signIn };
      }
      const joined = await joinInvitedRoles(tx, scope, { invitation, userId, outcome });
      // Accepted by signing in: the sign-in goes on here, now that the person is a member.
      const signIn =
        existing && joined.status === "active" ? await continueSignIn(tx, scope, existing, input.password!) : null;
      return {
        outcome,
        email: invitation.email,
        roles: [...joined.current, ...joined.added].sort(),
        signIn,
      };
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.failedPassword) {
      // The invitation stays open; the wrong password counts like a failed sign-in, and is audited.
      const { userId, subject } = error.failedPassword;
      const count = await recordFailure(scope, subject);
      await scope.transaction((tx) =>
        scope.audit(
          tx,
          "invitation.accept_failed",
          null,
          { reason: "invalid_credentials", failures: count.failures, locked: count.locked },
          asUser(userId),
        ),
      );
    }
    throw error.error;
  }
}
