import { and, asc, eq, inArray, isNull, ne } from "drizzle-orm";
import { type ContentItem, memberships, notificationPreferences, users, workflowNotices } from "../../schema";
import type { Role } from "../contract";
import type { Transaction } from "../lib/db";
import { requireUser, type Scope } from "../scope";
import type { NotificationPreferenceInput } from "../shapes/account";
import type { WorkflowNotice } from "./mail/messages";
import { enqueueEmail } from "./outbox";
import { primaryOrigin, tenantFacts } from "./tenant-facts";

/**
 * The editorial workflow's notices (issue 16): the tenant's medical reviewers when an item enters
 * `medical_review`; the author when it is sent back (with the reason) or published; the compliance officers when
 * an override clears an item for publication past a blocking finding. Written in the transaction of the workflow
 * change, so a notice exists if and only if the change commits: queued in the outbox for a member who wants
 * e-mail at once, or kept for their daily digest (`sendWorkflowDigests`). Nobody is told of their own act.
 */

/** Who is told of each kind of notice: members of a role, or the item's author. */
const AUDIENCE: Record<WorkflowNotice["kind"], Role | "author"> = {
  medical_review: "medical_reviewer",
  sent_back: "author",
  published: "author",
  override_published: "compliance_officer",
};

type NoticeItem = Pick<ContentItem, "id" | "type" | "title" | "complianceLevel" | "authorId">;

/**
 * Tells the people a workflow change concerns, in `tx` (from `scope.transaction`). `origin` is the site the
 * links open (the request's; a job's is the tenant's primary hostname). A `phi` item is never named: its title
 * and the reason it was sent back may describe a patient, so the message says only that a restricted item moved.
 */
export async function notifyWorkflow(
  scope: Scope,
  tx: Transaction,
  item: NoticeItem,
  event: { kind: WorkflowNotice["kind"]; reason?: string | null; findings?: readonly string[] },
  mail: { origin: string } | null = null,
): Promise<number> {
  const audience = AUDIENCE[event.kind];
  const actorId = scope.actor.kind === "user" ? scope.actor.userId : null;
  const recipients = await tx
    .selectDistinct({
      userId: users.id,
      email: users.email,
      delivery: notificationPreferences.delivery,
      locale: notificationPreferences.locale,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      notificationPreferences,
      and(eq(notificationPreferences.tenantId, memberships.tenantId), eq(notificationPreferences.userId, users.id)),
    )
    .where(
      and(
        eq(memberships.tenantId, scope.tenant.id),
        eq(memberships.status, "active"),
        eq(users.status, "active"),
        audience === "author" ? eq(memberships.userId, item.authorId) : eq(memberships.role, audience),
        // The reviewer who approves and the author are different people (four eyes): the author is not asked.
        ...(event.kind === "medical_review" ? [ne(memberships.userId, item.authorId)] : []),
        ...(actorId ? [ne(memberships.userId, actorId)] : []),
      ),
    );
  if (recipients.length === 0) return 0;
  const phi = item.complianceLevel === "phi";
  const notice: WorkflowNotice = {
    kind: event.kind,
    contentType: item.type,
    contentId: item.id,
    title: phi ? null : item.title.slice(0, 500) || null,
    reason: phi ? null : event.reason?.trim().slice(0, 2000) || null,
    findings: [...new Set(event.findings ?? [])].slice(0, 50),
  };
  const origin = mail?.origin ?? (await primaryOrigin(tx, scope.tenant.id));
  const fallbackLocale = (await tenantFacts(tx, scope.tenant.id)).defaultLocale;
  for (const recipient of recipients) {
    if (recipient.delivery === "digest") {
      await tx
        .insert(workflowNotices)
        .values({ tenantId: scope.tenant.id, userId: recipient.userId, data: { ...notice } });
    } else if (origin) {
      await enqueueEmail(scope, tx, {
        to: recipient.email,
        locale: recipient.locale ?? fallbackLocale,
        message: { template: "workflow-notice", data: { ...notice, tenantName: scope.tenant.name, origin } },
      });
    }
  }
  return recipients.length;
}

/**
 * The daily digest, in the scope's tenant: each member's waiting notices in one e-mail, queued in the
 * transaction that marks them sent, so a notice is in exactly one digest. The rows are locked (`FOR UPDATE SKIP
 * LOCKED`): two overlapping runs split them, and neither sends one twice. At most 200 notices a digest; the rest
 * wait for the next day's.
 */
export async function sendWorkflowDigests(scope: Scope): Promise<number> {
  const tenant = scope.tenant;
  return scope.transaction(async (tx) => {
    const waiting = await tx
      .select({ id: workflowNotices.id, userId: workflowNotices.userId, data: workflowNotices.data })
      .from(workflowNotices)
      .where(isNull(workflowNotices.digestedAt))
      .orderBy(asc(workflowNotices.createdAt))
      .for("update", { skipLocked: true });
    if (waiting.length === 0) return 0;
    const origin = await primaryOrigin(tx, scope.tenant.id);
    if (!origin) return 0;
    const fallbackLocale = (await tenantFacts(tx, tenant.id)).defaultLocale;
    const byUser = new Map<string, typeof waiting>();
    for (const row of waiting) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
    const people = await tx
      .select({ id: users.id, email: users.email, locale: notificationPreferences.locale })
      .from(users)
      .leftJoin(
        notificationPreferences,
        and(eq(notificationPreferences.userId, users.id), eq(notificationPreferences.tenantId, tenant.id)),
      )
      .where(inArray(users.id, [...byUser.keys()]));
    let queued = 0;
    for (const person of people) {
      const rows = (byUser.get(person.id) ?? []).slice(0, 200);
      await enqueueEmail(scope, tx, {
        to: person.email,
        locale: person.locale ?? fallbackLocale,
        message: {
          template: "workflow-digest",
          data: {
            tenantName: tenant.name,
            origin,
            notices: rows.map((row) => row.data as unknown as WorkflowNotice),
          },
        },
      });
      await tx
        .update(workflowNotices)
        .set({ digestedAt: new Date() })
        .where(
          inArray(
            workflowNotices.id,
            rows.map((row) => row.id),
          ),
        );
      queued++;
    }
    return queued;
  });
}

/** The signed-in member's choice for this tenant (none saved: at once, in the tenant's default language). */
export async function getNotificationPreference(scope: Scope): Promise<NotificationPreferenceInput> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [row] = await tx
      .select({ delivery: notificationPreferences.delivery, locale: notificationPreferences.locale })
      .from(notificationPreferences)
      .where(
        and(
          eq(notificationPreferences.tenantId, scope.tenant.id),
          eq(notificationPreferences.userId, principal.userId),
        ),
      );
    return row ?? { delivery: "immediate", locale: (await tenantFacts(tx, scope.tenant.id)).defaultLocale };
  });
}

/** Saves the signed-in member's choice for this tenant (audited). Notices already waiting keep their digest. */
export async function setNotificationPreference(
  scope: Scope,
  input: NotificationPreferenceInput,
): Promise<NotificationPreferenceInput> {
  const principal = requireUser(scope);
  return scope.transaction(async (tx) => {
    const values = { ...input, updatedAt: new Date() };
    await tx
      .insert(notificationPreferences)
      .values({ tenantId: scope.tenant.id, userId: principal.userId, ...values })
      .onConflictDoUpdate({ target: [notificationPreferences.tenantId, notificationPreferences.userId], set: values });
    await scope.audit(tx, "account.notifications_changed", { type: "user", id: principal.userId }, { ...input });
    return input;
  });
}
