import { and, asc, count, desc, eq, gte, inArray, isNull, lte, notInArray, sql } from "drizzle-orm";
import {
  auditCheckpoints,
  auditEvents,
  auditVerifications,
  breakGlassGrants,
  incidents,
  outbox,
  users,
} from "../../schema";
import { brasiliaDay } from "../lib/business-days";
import type { Scope } from "../scope";
import type { ComplianceDashboard } from "../shapes/compliance-dashboard";
import { privacyRequestsDueSoon } from "./compliance-alerts";
import { failingJobs } from "./job-runs";

const DAY_MS = 86_400_000;
/** The trust chart's span, in days (today included). */
export const TRUST_CHART_DAYS = 14;

/**
 * What the encarregado must notice, in one read-only transaction of the tenant: LGPD requests overdue or within
 * the alert's 5 days, incidents not closed with their communication deadline, jobs failing, dead letters of the
 * outbox, trust refusals and step-ups per UTC day, the last audit verification and the checkpoint it reached, and
 * break-glass grants whose hour is over and nobody has reviewed. The read is audited (`compliance.dashboard_read`).
 */
export async function getComplianceDashboard(scope: Scope, now = new Date()): Promise<ComplianceDashboard> {
  return scope.transaction(async (tx) => {
    const requests = await privacyRequestsDueSoon(tx, now);
    const requestView = (row: (typeof requests)[number]) => ({
      id: row.id,
      type: row.type,
      receivedAt: row.receivedAt.toISOString(),
      dueAt: row.dueAt.toISOString(),
    });

    const open = await tx
      .select({
        id: incidents.id,
        title: incidents.title,
        status: incidents.status,
        source: incidents.source,
        discoveredAt: incidents.discoveredAt,
        communicationDue: incidents.communicationDue,
      })
      .from(incidents)
      .where(notInArray(incidents.status, ["closed", "dismissed"]))
      .orderBy(asc(incidents.communicationDue))
      .limit(200);
    const today = brasiliaDay(now);

    const [dead] = await tx.select({ n: count() }).from(outbox).where(eq(outbox.status, "dead"));
    const recentDead = await tx
      .select({
        id: outbox.id,
        channel: outbox.channel,
        template: outbox.template,
        attempts: outbox.attempts,
        createdAt: outbox.createdAt,
      })
      .from(outbox)
      .where(eq(outbox.status, "dead"))
      .orderBy(desc(outbox.createdAt))
      .limit(20);

    const chartFrom = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (TRUST_CHART_DAYS - 1) * DAY_MS,
    );
    const day = sql<string>`to_char(${auditEvents.occurredAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    const decisions = await tx
      .select({ day, action: auditEvents.action, n: count() })
      .from(auditEvents)
      .where(and(inArray(auditEvents.action, ["trust.deny", "trust.step_up"]), gte(auditEvents.occurredAt, chartFrom)))
      .groupBy(day, auditEvents.action);
    const trustPerDay = Array.from({ length: TRUST_CHART_DAYS }, (_, i) => {
      const date = new Date(chartFrom.getTime() + i * DAY_MS).toISOString().slice(0, 10);
      const of = (action: string) => decisions.find((row) => row.day === date && row.action === action)?.n ?? 0;
      return { day: date, denials: of("trust.deny"), stepUps: of("trust.step_up") };
    });

    const [verification] = await tx.select().from(auditVerifications).limit(1);
    const [checkpoint] =
      verification && verification.checkpointsVerified > 0
        ? await tx
            .select({ seq: auditCheckpoints.seq, signedAt: auditCheckpoints.signedAt })
            .from(auditCheckpoints)
            .orderBy(asc(auditCheckpoints.signedAt), asc(auditCheckpoints.id))
            .offset(verification.checkpointsVerified - 1)
            .limit(1)
        : [];

    const unreviewed = await tx
      .select({
        id: breakGlassGrants.id,
        userName: users.displayName,
        openedAt: breakGlassGrants.openedAt,
        expiresAt: breakGlassGrants.expiresAt,
      })
      .from(breakGlassGrants)
      .innerJoin(users, eq(users.id, breakGlassGrants.userId))
      .where(and(isNull(breakGlassGrants.reviewedAt), lte(breakGlassGrants.expiresAt, now)))
      .orderBy(asc(breakGlassGrants.openedAt))
      .limit(200);

    const answer: ComplianceDashboard = {
      generatedAt: now.toISOString(),
      privacyRequests: {
        overdue: requests.filter((row) => row.dueAt.getTime() < now.getTime()).map(requestView),
        dueSoon: requests.filter((row) => row.dueAt.getTime() >= now.getTime()).map(requestView),
      },
      openIncidents: open.map((row) => ({
        id: row.id,
        title: row.title,
        status: row.status,
        source: row.source,
        discoveredAt: row.discoveredAt.toISOString(),
        communicationDue: row.communicationDue,
        overdue: today > row.communicationDue,
      })),
      failedJobs: await failingJobs(tx),
      deadLetters: {
        total: dead?.n ?? 0,
        recent: recentDead.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
      },
      trustPerDay,
      lastVerification: verification
        ? {
            ok: verification.ok,
            computedAt: verification.computedAt.toISOString(),
            verifiedSeq: verification.verifiedSeq,
            checkpointsVerified: verification.checkpointsVerified,
            lastCheckpoint: checkpoint ? { seq: checkpoint.seq, signedAt: checkpoint.signedAt.toISOString() } : null,
          }
        : null,
      breakGlassAwaitingReview: unreviewed.map((row) => ({
        id: row.id,
        userName: row.userName ?? "",
        openedAt: row.openedAt.toISOString(),
        expiresAt: row.expiresAt.toISOString(),
      })),
    };
    await scope.audit(tx, "compliance.dashboard_read", null, {
      openIncidents: answer.openIncidents.length,
      failedJobs: answer.failedJobs.length,
    });
    return answer;
  });
}
