import { and, desc, eq, isNull, lte, sql } from "drizzle-orm";
import {
  contentAnalyses,
  type ContentItem,
  contentItems,
  type ContentType,
  memberships,
  tenants,
  users,
  type WorkflowState,
} from "../../schema";
import { type Role, TRANSITIONS, type TransitionRule } from "../contract";
import { type Transaction } from "../lib/db";
import { type PlatformScope, requireUser, type Scope } from "../scope";
import { ConflictError, ForbiddenError, ValidationError } from "../lib/errors";
import { resolveViewer, verifiedCredential, type Viewer, viewerHas } from "./content/access";
import { assertVersion, type ContentView, loadItemForUpdate, viewOf } from "./content/kernel";

export const MIN_JUSTIFICATION_LENGTH = 20;

export function transitionRule(from: WorkflowState, to: WorkflowState): TransitionRule | undefined {
  return TRANSITIONS[from]?.[to];
}

/** How the actor qualifies for a step: by role, as the item's author, as an overriding reviewer, or not. */
export function qualification(
  rule: TransitionRule,
  actor: { userId: string | null; roles: readonly Role[] },
  authorId: string,
): "role" | "own" | "override" | null {
  if (actor.roles.some((role) => rule.roles.includes(role))) return "role";
  if (rule.ownRoles && actor.userId === authorId && actor.roles.some((role) => rule.ownRoles?.includes(role)))
    return "own";
  if (rule.overrideRoles && actor.roles.some((role) => rule.overrideRoles?.includes(role))) return "override";
  return null;
}

/**
 * Whether the user is a medical reviewer of the tenant (a current membership, not only a token claim)
 * holding a verified professional credential (CRM number + UF).
 */
export async function isVerifiedMedicalReviewer(tx: Transaction, tenantId: string, userId: string): Promise<boolean> {
  const [membership] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(
      and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId), eq(memberships.role, "medical_reviewer")),
    );
  if (!membership) return false;
  return (await verifiedCredential(tx, tenantId, userId)) !== null;
}

export interface BlockingFinding {
  stage: string;
  code: string;
  message?: string;
}

/**
 * The blocking findings of the latest analysis of each stage for a revision (the analysis pipeline writes
 * `content_analyses`), or `null` when that revision was never analysed. The gate reads only the revision it is
 * asked about: an analysis of an earlier revision says nothing about the text being approved or published.
 */
export async function blockingFindings(tx: Transaction, revisionId: string | null): Promise<BlockingFinding[] | null> {
  if (!revisionId) return null;
  const latest = await tx
    .selectDistinctOn([contentAnalyses.stage], {
      stage: contentAnalyses.stage,
      output: contentAnalyses.output,
      blocking: contentAnalyses.blocking,
    })
    .from(contentAnalyses)
    .where(eq(contentAnalyses.revisionId, revisionId))
    .orderBy(contentAnalyses.stage, desc(contentAnalyses.createdAt));
  if (latest.length === 0) return null;
  const findings: BlockingFinding[] = [];
  for (const analysis of latest) {
    if (!analysis.blocking) continue;
    const listed = Array.isArray(analysis.output.findings) ? (analysis.output.findings as unknown[]) : [];
    const blocking = listed.filter(
      (finding): finding is { code?: unknown; message?: unknown } =>
        typeof finding === "object" && finding !== null && (finding as { severity?: unknown }).severity === "blocking",
    );
    if (blocking.length === 0) findings.push({ stage: analysis.stage, code: "blocking" });
    for (const finding of blocking) {
      findings.push({
        stage: analysis.stage,
        code: typeof finding.code === "string" ? finding.code : "blocking",
        ...(typeof finding.message === "string" ? { message: finding.message } : {}),
      });
    }
  }
  return findings;
}

/**
 * The findings of the current revision's analysis; a revision that was never analysed (edited after its last
 * analysis, or never analysed at all) is refused, since nothing says what it contains. Fail closed: a CPF added
 * by a one-character edit after the analysis would otherwise reach the public page.
 */
async function analysedFindings(tx: Transaction, item: ContentItem): Promise<BlockingFinding[]> {
  const findings = await blockingFindings(tx, item.currentRevisionId);
  if (findings === null) {
    throw new ConflictError("analysis_required", "The current revision has not been analysed. Analyse it first.", {
      extensions: { revisionId: item.currentRevisionId },
    });
  }
  return findings;
}

export interface TransitionInput {
  to: WorkflowState;
  reason?: string;
  justification?: string;
  /** For `scheduled`: when to publish (defaults to the item's `scheduledAt`). */
  scheduledAt?: string;
}

function allowedTargets(from: WorkflowState): WorkflowState[] {
  return Object.keys(TRANSITIONS[from] ?? {}) as WorkflowState[];
}

async function assertQualified(
  tx: Transaction,
  scope: Scope,
  viewer: Viewer,
  item: ContentItem,
  input: TransitionInput,
): Promise<{ rule: TransitionRule; override: boolean }> {
  const rule = transitionRule(item.state, input.to);
  if (!rule) {
    throw new ConflictError("invalid_transition", `An item in ${item.state} cannot move to ${input.to}.`, {
      extensions: { state: item.state, allowed: allowedTargets(item.state) },
    });
  }
  const how = qualification(rule, viewer, item.authorId);
  if (how === null)
    throw new ForbiddenError(
      "transition_forbidden",
      `Your role cannot move this item from ${item.state} to ${input.to}.`,
    );
  if (rule.requiresReason && !input.reason?.trim()) {
    throw new ValidationError([{ path: "json.reason", message: "a reason is required to send an item back to draft" }]);
  }
  if (rule.medicalApproval) {
    if (!(await isVerifiedMedicalReviewer(tx, scope.tenant.id, viewer.userId!))) {
      throw new ForbiddenError(
        "reviewer_not_verified",
        "Medical approval needs a medical reviewer with a verified CRM.",
      );
    }
    if (viewer.userId === item.authorId) {
      throw new ForbiddenError(
        "four_eyes_required",
        "The author cannot approve their own content; another physician must review it.",
      );
    }
    // The physician approves an analysed revision; its findings may still be overridden when publishing.
    await analysedFindings(tx, item);
  }
  return { rule, override: how === "override" };
}

/**
 * Decides the publish gate on the analysis of the revision being published (none: 409 `analysis_required`).
 * With blocking findings, only a verified medical reviewer who is not the author may override it, with a
 * written justification; anything else is a 409 listing the findings.
 */
async function checkPublishGate(
  tx: Transaction,
  scope: Scope,
  viewer: Viewer,
  item: ContentItem,
  input: TransitionInput,
  onlyAsOverride: boolean,
): Promise<BlockingFinding[] | null> {
  const findings = await analysedFindings(tx, item);
  if (findings.length === 0) {
    if (onlyAsOverride)
      throw new ForbiddenError("transition_forbidden", "Medical reviewers publish only to override blocking findings.");
    return null;
  }
  const justification = input.justification?.trim() ?? "";
  const mayOverride =
    viewerHas(viewer, ["medical_reviewer"]) &&
    viewer.userId !== item.authorId &&
    (await isVerifiedMedicalReviewer(tx, scope.tenant.id, viewer.userId!));
  if (!mayOverride || justification.length === 0) {
    throw new ConflictError("publish_blocked", "The latest analysis of this revision has blocking findings.", {
      extensions: {
        findings,
        overridableBy: "a verified medical reviewer who is not the author, with a justification",
      },
    });
  }
  if (justification.length < MIN_JUSTIFICATION_LENGTH) {
    throw new ValidationError([
      { path: "json.justification", message: `must be at least ${MIN_JUSTIFICATION_LENGTH} characters` },
    ]);
  }
  return findings;
}

export async function transitionContent(
  scope: Scope,
  type: ContentType,
  id: string,
  input: TransitionInput,
  expectedVersion?: number,
): Promise<ContentView> {
  requireUser(scope);
  return scope.transaction(async (tx) => {
    const viewer = await resolveViewer(tx, scope.tenant.id, scope.actor);
    const item = await loadItemForUpdate(tx, viewer, type, id);
    if (item.trashedAt) throw new ConflictError("content_trashed", "Restore this item from the trash first.");
    assertVersion(item, expectedVersion);
    const { rule, override } = await assertQualified(tx, scope, viewer, item, input);

    let scheduledAt = item.scheduledAt;
    if (input.to === "scheduled") {
      scheduledAt = input.scheduledAt ? new Date(input.scheduledAt) : item.scheduledAt;
      if (!scheduledAt || scheduledAt.getTime() <= Date.now()) {
        throw new ValidationError([{ path: "json.scheduledAt", message: "scheduling needs a time in the future" }]);
      }
    }
    const overridden = rule.publishGate ? await checkPublishGate(tx, scope, viewer, item, input, override) : null;

    const now = new Date();
    const changes: Partial<ContentItem> = {
      state: input.to,
      stateReason: input.to === "draft" ? input.reason!.trim() : null,
      version: item.version + 1,
      updatedAt: now,
    };
    if (input.to === "scheduled") changes.scheduledAt = scheduledAt;
    if (input.to === "published") {
      changes.publishedAt = item.publishedAt ?? now;
      changes.scheduledAt = null;
    }
    if (rule.medicalApproval) {
      // The responsible physician, copied at approval (CFM 2.336/2023: name, CRM and UF on the publication).
      const [reviewer] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, viewer.userId!));
      const credential = await verifiedCredential(tx, scope.tenant.id, viewer.userId!);
      Object.assign(changes, {
        lastMedicallyReviewedAt: now,
        reviewedBy: viewer.userId,
        reviewerName: reviewer?.name ?? null,
        reviewerCrm: credential?.crmNumber ?? null,
        reviewerUf: credential?.crmUf ?? null,
      });
    }
    const [updated] = await tx.update(contentItems).set(changes).where(eq(contentItems.id, item.id)).returning();
    if (overridden) {
      await scope.audit(
        tx,
        "content.publish_override",
        { type, id: item.id },
        {
          to: input.to,
          revisionId: item.currentRevisionId,
          findings: overridden,
          justification: input.justification!.trim(),
        },
      );
    }
    await scope.audit(
      tx,
      "content.transition",
      { type, id: item.id },
      {
        from: item.state,
        to: input.to,
        version: updated!.version,
        revisionId: item.currentRevisionId,
        ...(input.reason ? { reason: input.reason.trim() } : {}),
        ...(scheduledAt && input.to === "scheduled" ? { scheduledAt: scheduledAt.toISOString() } : {}),
      },
    );
    // Publishing, unpublishing and archiving change public pages; other transitions are not public, and the
    // purge of an item that was never public finds nothing to delete.
    scope.afterCommit(tx, { type: "content.changed", contentIds: [item.id] });
    return viewOf(tx, updated!);
  });
}

/**
 * The cron job's work: publishes every scheduled item that is due, in every active tenant. The UPDATE is
 * conditional (`state = 'scheduled'`), so when two runs overlap the second finds the rows already
 * published (PostgreSQL re-checks the WHERE after the first run's row locks are released) and each
 * item is published — and audited — exactly once.
 */
export async function publishDueScheduledContent(platform: PlatformScope, now: Date = new Date()): Promise<number> {
  const active = await platform.clients.db
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name })
    .from(tenants)
    .where(eq(tenants.status, "active"));
  let total = 0;
  for (const tenant of active) {
    const scope = platform.forTenant(tenant);
    total += await scope.transaction(async (tx) => {
      const published = await tx
        .update(contentItems)
        .set({
          state: "published",
          publishedAt: sql`coalesce(${contentItems.publishedAt}, ${contentItems.scheduledAt})`,
          scheduledAt: null,
          version: sql`${contentItems.version} + 1`,
          updatedAt: now,
        })
        .where(
          and(eq(contentItems.state, "scheduled"), lte(contentItems.scheduledAt, now), isNull(contentItems.trashedAt)),
        )
        .returning({
          id: contentItems.id,
          type: contentItems.type,
          version: contentItems.version,
          revisionId: contentItems.currentRevisionId,
        });
      for (const item of published) {
        await scope.audit(
          tx,
          "content.transition",
          { type: item.type, id: item.id },
          { from: "scheduled", to: "published", version: item.version, revisionId: item.revisionId, scheduled: true },
        );
      }
      if (published.length > 0)
        scope.afterCommit(tx, { type: "content.changed", contentIds: published.map((i) => i.id) });
      return published.length;
    });
  }
  return total;
}
