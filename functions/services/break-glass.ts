import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { type BreakGlassGrant, breakGlassGrants, type BreakGlassReviewOutcome, users } from "../../schema";
import { ConflictError, NotFoundError } from "../lib/errors";
import { requireUser, type Scope } from "../scope";
import { mailComplianceOfficers } from "./compliance-alerts";
import type { MailLocale } from "./mail/messages";
import { breakGlassKey } from "./trust-signals";

/**
 * Emergency access to PHI ("break-glass", HIPAA 45 CFR 164.312(a)(2)(ii)): an admin or medical reviewer whose
 * session the PHI trust bar refuses (an unfamiliar device in an emergency room, a burst of reads during a mass
 * casualty event) states in writing why, and for one hour is held to the `restricted` bar instead
 * (services/trust.ts `evaluateTrust`). The grant is a row (reviewed afterwards by a compliance officer) and a
 * Redis key with the same end that the request's one trust script reads (services/trust-signals.ts), so it
 * adds no Redis command to any request. Opening is audited and mailed to the compliance officers at once; every
 * PHI decision it lets through is audited `trust.break_glass` by `protect()`.
 */

/** One hour (HIPAA leaves the length to the procedure; an hour bounds the exposure of a stolen session). */
export const BREAK_GLASS_MS = 3_600_000;
/** A justification a reviewer can judge afterwards: a sentence, not "urgent". */
export const BREAK_GLASS_MIN_JUSTIFICATION = 30;

export interface BreakGlassView {
  id: string;
  userId: string;
  userName: string;
  justification: string;
  openedAt: string;
  expiresAt: string;
  active: boolean;
  review: { outcome: BreakGlassReviewOutcome; note: string; reviewedBy: string; reviewedAt: string } | null;
}

function view(row: BreakGlassGrant, userName: string, now: Date): BreakGlassView {
  return {
    id: row.id,
    userId: row.userId,
    userName,
    justification: row.justification,
    openedAt: row.openedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    active: row.expiresAt.getTime() > now.getTime(),
    review:
      row.reviewOutcome && row.reviewedBy && row.reviewedAt
        ? {
            outcome: row.reviewOutcome,
            note: row.reviewNote ?? "",
            reviewedBy: row.reviewedBy,
            reviewedAt: row.reviewedAt.toISOString(),
          }
        : null,
  };
}

/**
 * Opens an hour of emergency access for the signed-in user (the route admits admins and medical reviewers).
 * One at a time: while a grant is open a second is 409 `break_glass_active`. The Redis key is set inside the
 * transaction, so a grant that could not reach Redis is rolled back rather than recorded without effect; the
 * compliance officers' mail is queued in the same transaction.
 */
export async function openBreakGlass(
  scope: Scope,
  input: { justification: string; mail: { origin: string; locale: MailLocale }; now?: Date },
): Promise<BreakGlassView> {
  const actor = requireUser(scope);
  const now = input.now ?? new Date();
  const expiresAt = new Date(now.getTime() + BREAK_GLASS_MS);
  return scope.transaction(async (tx) => {
    const [open] = await tx
      .select({ id: breakGlassGrants.id })
      .from(breakGlassGrants)
      .where(and(eq(breakGlassGrants.userId, actor.userId), gt(breakGlassGrants.expiresAt, now)))
      .limit(1);
    if (open) throw new ConflictError("break_glass_active", "Your emergency access is already open.");
    const [row] = await tx
      .insert(breakGlassGrants)
      .values({
        tenantId: scope.tenant.id,
        userId: actor.userId,
        justification: input.justification,
        openedAt: now,
        expiresAt,
      })
      .returning();
    if (!row) throw new Error("break-glass insert returned nothing");
    const [user] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, actor.userId)).limit(1);
    const userName = user?.name ?? "";
    // The justification may name a patient: it stays in the grant row, out of the audit chain and the mail.
    await scope.audit(
      tx,
      "break_glass.opened",
      { type: "break_glass", id: row.id },
      {
        expiresAt: expiresAt.toISOString(),
        justificationLength: input.justification.length,
        roles: actor.roles,
      },
    );
    await mailComplianceOfficers(scope, tx, {
      locale: input.mail.locale,
      message: {
        template: "break-glass-opened",
        data: {
          tenantName: scope.tenant.name,
          origin: input.mail.origin,
          userName: userName || "—",
          openedAt: now.toISOString(),
          expiresAt: expiresAt.toISOString(),
        },
      },
    });
    await scope.redis.set(breakGlassKey(scope.tenant.id, actor.userId), String(expiresAt.getTime()), {
      pxat: expiresAt.getTime(),
    });
    return view(row, userName, now);
  });
}

/** Every grant, newest first, with who opened it and its review (compliance officers). */
export async function listBreakGlass(
  scope: Scope,
  filters: { unreviewed?: boolean | undefined; limit: number },
): Promise<BreakGlassView[]> {
  const now = new Date();
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select({ grant: breakGlassGrants, userName: users.displayName })
      .from(breakGlassGrants)
      .innerJoin(users, eq(users.id, breakGlassGrants.userId))
      .where(filters.unreviewed ? isNull(breakGlassGrants.reviewedAt) : undefined)
      .orderBy(desc(breakGlassGrants.openedAt))
      .limit(filters.limit);
    return rows.map((row) => view(row.grant, row.userName, now));
  });
}

/**
 * The after-the-fact review by a compliance officer: justified or not, with a note; audited. A grant is reviewed
 * once (409 `break_glass_reviewed`), and not while it is still open (409 `break_glass_active`).
 */
export async function reviewBreakGlass(
  scope: Scope,
  id: string,
  input: { outcome: BreakGlassReviewOutcome; note: string },
): Promise<BreakGlassView> {
  const actor = requireUser(scope);
  const now = new Date();
  return scope.transaction(async (tx) => {
    const [found] = await tx
      .select({ grant: breakGlassGrants, userName: users.displayName })
      .from(breakGlassGrants)
      .innerJoin(users, eq(users.id, breakGlassGrants.userId))
      .where(eq(breakGlassGrants.id, id))
      .limit(1)
      .for("update", { of: breakGlassGrants });
    if (!found) throw new NotFoundError();
    if (found.grant.reviewedAt) throw new ConflictError("break_glass_reviewed", "This access was already reviewed.");
    if (found.grant.expiresAt.getTime() > now.getTime()) {
      throw new ConflictError("break_glass_active", "Review the access once it has ended.");
    }
    const [row] = await tx
      .update(breakGlassGrants)
      .set({ reviewedBy: actor.userId, reviewedAt: now, reviewOutcome: input.outcome, reviewNote: input.note })
      .where(eq(breakGlassGrants.id, id))
      .returning();
    if (!row) throw new NotFoundError();
    await scope.audit(tx, "break_glass.reviewed", { type: "break_glass", id }, { outcome: input.outcome });
    return view(row, found.userName, now);
  });
}
