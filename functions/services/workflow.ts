import { and, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import {
  auditEvents,
  contentAnalyses,
  type ContentItem,
  contentItems,
  contentRevisions,
  type ContentType,
  mediaItems,
  memberships,
  users,
  type WorkflowState,
} from "../../schema";
import { ANALYSED_STATES, type Role, TRANSITIONS, type TransitionRule } from "../contract";
import { type Transaction } from "../lib/db";
import { requireUser, type Scope } from "../scope";
import { ConflictError, ForbiddenError, ValidationError } from "../lib/errors";
import { isOnPublicSite, resolveViewer, verifiedCredential, type Viewer, viewerHas } from "./content/access";
import { assertVersion, type ContentView, loadItemForUpdate, viewOf } from "./content/kernel";
import { announceContentChange } from "./cdn-purge";
import { assertPublishableMedia } from "./media";
import { notifyWorkflow } from "./workflow-notices";
import { type PublicRefusal, publicRefusal } from "./media-rules";
import { bodyMediaIds } from "./public-images";

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

/** The revision of the item analysed most recently, or null: tells a stale analysis from a missing one. */
async function lastAnalysedRevision(tx: Transaction, contentId: string): Promise<string | null> {
  const [latest] = await tx
    .select({ revisionId: contentAnalyses.revisionId })
    .from(contentAnalyses)
    .innerJoin(contentRevisions, eq(contentRevisions.id, contentAnalyses.revisionId))
    .where(eq(contentRevisions.contentId, contentId))
    .orderBy(desc(contentAnalyses.createdAt))
    .limit(1);
  return latest?.revisionId ?? null;
}

/**
 * The findings of the current revision's analysis; a revision that was never analysed (edited after its last
 * analysis, or never analysed at all) is refused, since nothing says what it contains. Fail closed: a CPF added
 * by a one-character edit after the analysis would otherwise reach the public page.
 */
async function analysedFindings(tx: Transaction, item: ContentItem): Promise<BlockingFinding[]> {
  const findings = await blockingFindings(tx, item.currentRevisionId);
  if (findings === null) {
    const analysedRevisionId = await lastAnalysedRevision(tx, item.id);
    const pending = ANALYSED_STATES.includes(item.state);
    throw new ConflictError(
      "analysis_required",
      analysedRevisionId
        ? "The current revision changed after its last analysis; it must be analysed again."
        : "The current revision has not been analysed.",
      { extensions: { revisionId: item.currentRevisionId, analysedRevisionId, pending } },
    );
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
  }
  return { rule, override: how === "override" };
}

/**
 * The compliance gate of approving, scheduling and publishing, decided on the analysis of the exact revision
 * being moved (none: 409 `analysis_required`). With blocking findings, only a verified medical reviewer who
 * is not the author may override it, with a written justification; anything else is a 409 listing them.
 */
async function checkPublishGate(
  tx: Transaction,
  scope: Scope,
  viewer: Viewer,
  item: ContentItem,
  input: TransitionInput,
  onlyAsOverride: boolean,
): Promise<BlockingFinding[] | null> {
  // Not overridable: no justification makes a patient's image fit for a public page.
  await assertPublishableMedia(tx, item);
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

export interface ImageRefusal {
  mediaId: string;
  /** Why it may not appear publicly (`media_missing`: no such item in this tenant). */
  reason: PublicRefusal | "media_missing";
}

/**
 * The images an item would show on the public site (its featured image and the body's `media:` references) that
 * may not appear there. Only items the site renders (`public`, `professional`) are asked; an image is never
 * overridable: a picture of a patient has no justification.
 */
async function imagesNotPublic(tx: Transaction, item: ContentItem): Promise<ImageRefusal[]> {
  if (item.complianceLevel !== "public" && item.complianceLevel !== "professional") return [];
  const ids = [...new Set([...(item.featuredMediaId ? [item.featuredMediaId] : []), ...bodyMediaIds(item.bodyHtml)])];
  if (ids.length === 0) return [];
  const rows = await tx.select().from(mediaItems).where(inArray(mediaItems.id, ids));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((mediaId): ImageRefusal[] => {
    const row = byId.get(mediaId);
    const reason = row ? publicRefusal(row) : "media_missing";
    return reason ? [{ mediaId, reason }] : [];
  });
}

function imagesRefused(images: ImageRefusal[]): ConflictError {
  return new ConflictError(
    "media_not_public",
    "An image of this item may not appear on the public site: mark it public (with its alt text) or remove it.",
    { extensions: { images } },
  );
}

/** The notice a step gives the people it concerns, if any (the override notice aside). */
function noticeOf(
  input: TransitionInput,
): { kind: "medical_review" | "sent_back" | "published"; reason?: string | null } | null {
  if (input.to === "medical_review") return { kind: "medical_review" };
  if (input.to === "draft") return { kind: "sent_back", reason: input.reason ?? null };
  if (input.to === "published") return { kind: "published" };
  return null;
}

export async function transitionContent(
  scope: Scope,
  type: ContentType,
  id: string,
  input: TransitionInput,
  expectedVersion?: number,
  /** The site the notices' links open (the request's origin); default: the tenant's primary hostname. */
  mail: { origin: string } | null = null,
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
    if (input.to === "scheduled" || input.to === "published") {
      const images = await imagesNotPublic(tx, item);
      if (images.length > 0) throw imagesRefused(images);
    }

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
    // The people this step concerns are told in the same transaction (services/workflow-notices.ts).
    const notice = noticeOf(input);
    if (notice) await notifyWorkflow(scope, tx, item, notice, mail);
    if (overridden && (input.to === "published" || input.to === "scheduled")) {
      const findings = overridden.map((finding) => finding.code);
      await notifyWorkflow(scope, tx, item, { kind: "override_published", findings }, mail);
    }
    // Publishing, unpublishing and archiving change public pages; other transitions are not public, and the
    // purge of an item that was never public finds nothing to delete.
    await announceContentChange(scope, tx, [{ id: item.id, wasPublic: isOnPublicSite(item) }]);
    if (ANALYSED_STATES.includes(input.to) && item.currentRevisionId) {
      scope.afterCommit(tx, {
        type: "content.analysis_due",
        contentType: type,
        contentId: item.id,
        revisionId: item.currentRevisionId,
      });
    }
    return viewOf(tx, updated!);
  });
}

/**
 * Why a due item may not be published now, or null. Scheduling passed the gate, but the item is checked again
 * at publish time: its analysis may have been run again since (a reference retracted meanwhile) or lost. An
 * override given when scheduling covers the findings it named for that revision, and nothing else.
 */
async function scheduledGateRefusal(
  tx: Transaction,
  item: ContentItem,
): Promise<{ code: "analysis_required" | "publish_blocked" | "media_not_public"; findings: BlockingFinding[] } | null> {
  const findings = await blockingFindings(tx, item.currentRevisionId);
  if (findings === null) return { code: "analysis_required", findings: [] };
  // An image made private (or replaced by an editor's mistake) after scheduling keeps the item from going out.
  if ((await imagesNotPublic(tx, item)).length > 0) return { code: "media_not_public", findings: [] };
  if (findings.length === 0) return null;
  const [override] = await tx
    .select({ details: auditEvents.details })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, "content.publish_override"),
        eq(auditEvents.targetId, item.id),
        sql`${auditEvents.details}->>'to' = 'scheduled'`,
        sql`${auditEvents.details}->>'revisionId' = ${item.currentRevisionId}`,
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const overridden = new Set(
    (Array.isArray(override?.details.findings) ? (override.details.findings as BlockingFinding[]) : []).map(
      (finding) => `${finding.stage}/${finding.code}`,
    ),
  );
  const uncovered = findings.filter((finding) => !overridden.has(`${finding.stage}/${finding.code}`));
  return uncovered.length === 0 ? null : { code: "publish_blocked", findings: uncovered };
}

const SENT_BACK_REASON: Record<"analysis_required" | "publish_blocked" | "media_not_public", string> = {
  media_not_public: "Scheduled publication stopped: an image of the item may not appear on the public site.",
  analysis_required: "Scheduled publication stopped: the current revision has no analysis.",
  publish_blocked: "Scheduled publication stopped: the analysis of the current revision has blocking findings.",
};

/**
 * The cron job's work in one tenant: publishes every scheduled item that is due, after checking the compliance
 * gate again; an item that fails it goes back to `in_review` with the reason (audited), where it is analysed
 * again. The due rows are locked (`FOR UPDATE`), so when two runs overlap the second waits, re-reads them
 * (PostgreSQL re-checks the WHERE once the first run's locks are released) and skips those already moved: each
 * item is published, or sent back, and audited exactly once.
 */
export async function publishDueScheduledContent(scope: Scope, now: Date = new Date()): Promise<number> {
  return scope.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(contentItems)
      .where(
        and(eq(contentItems.state, "scheduled"), lte(contentItems.scheduledAt, now), isNull(contentItems.trashedAt)),
      )
      .orderBy(contentItems.scheduledAt)
      .for("update");
    const published: string[] = [];
    for (const item of due) {
      const refusal = await scheduledGateRefusal(tx, item);
      const to = refusal ? "in_review" : "published";
      const [moved] = await tx
        .update(contentItems)
        .set(
          refusal
            ? { state: to, stateReason: SENT_BACK_REASON[refusal.code], version: item.version + 1, updatedAt: now }
            : {
                state: to,
                publishedAt: item.publishedAt ?? item.scheduledAt,
                scheduledAt: null,
                version: item.version + 1,
                updatedAt: now,
              },
        )
        .where(eq(contentItems.id, item.id))
        .returning({ version: contentItems.version });
      await scope.audit(
        tx,
        "content.transition",
        { type: item.type, id: item.id },
        {
          from: "scheduled",
          to,
          version: moved!.version,
          revisionId: item.currentRevisionId,
          scheduled: true,
          ...(refusal
            ? {
                reason: SENT_BACK_REASON[refusal.code],
                gate: refusal.code,
                findings: refusal.findings.map(({ stage, code }) => ({ stage, code })),
              }
            : {}),
        },
      );
      await notifyWorkflow(
        scope,
        tx,
        item,
        refusal ? { kind: "sent_back", reason: SENT_BACK_REASON[refusal.code] } : { kind: "published" },
      );
      if (refusal && item.currentRevisionId) {
        scope.afterCommit(tx, {
          type: "content.analysis_due",
          contentType: item.type,
          contentId: item.id,
          revisionId: item.currentRevisionId,
        });
      }
      if (!refusal) published.push(item.id);
    }
    if (published.length > 0)
      await announceContentChange(
        scope,
        tx,
        published.map((id) => ({ id, wasPublic: false })),
      );
    return published.length;
  });
}
