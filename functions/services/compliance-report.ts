import { and, desc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { auditEvents, complianceReports, legalHolds, privacyRequests, retentionRuns } from "../../schema";
import type { Scope } from "../scope";
import { dueSoon } from "./retention";

/**
 * The daily compliance report of a tenant (LGPD art. 37 records of processing, art. 50 governance; HIPAA
 * 164.316(b) documentation): what the last 24 hours deleted, anonymised and held, and what falls due in the
 * next 30 days. Counts come from the audit chain itself, so the report cannot disagree with the log.
 */

const DAY_MS = 86_400_000;
const DELETIONS = [
  "retention.media_deleted",
  "retention.consent_deleted",
  "privacy.media_deleted",
  "privacy.consent_deleted",
  "upload.expired",
];
const ANONYMISATIONS = ["privacy.subject_anonymised"];
const BLOCKS = ["privacy.media_retained", "privacy.subject_blocked"];

export async function generateComplianceReport(scope: Scope, now = new Date()) {
  const tenantId = scope.tenant.id;
  const from = new Date(now.getTime() - DAY_MS);
  const reportDate = now.toISOString().slice(0, 10);
  return scope.transaction(async (tx) => {
    const actions = await tx
      // A batch event (the retention sweep's) names how many items it covers in `count`.
      .select({
        action: auditEvents.action,
        count: sql<number>`coalesce(sum(coalesce((${auditEvents.details}->>'count')::int, 1)), 0)::int`,
      })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.tenantId, tenantId),
          gte(auditEvents.occurredAt, from),
          lt(auditEvents.occurredAt, now),
          inArray(auditEvents.action, [...DELETIONS, ...ANONYMISATIONS, ...BLOCKS]),
        ),
      )
      .groupBy(auditEvents.action);
    const byAction = Object.fromEntries(actions.map((row) => [row.action, row.count]));
    const sum = (names: string[]) => names.reduce((total, name) => total + (byAction[name] ?? 0), 0);
    const [heldInRuns] = await tx
      .select({ held: sql<number>`coalesce(sum((${retentionRuns.counts}->>'held')::int), 0)::int` })
      .from(retentionRuns)
      .where(gte(retentionRuns.startedAt, from));
    const holds = await tx
      .select({
        id: legalHolds.id,
        scope: legalHolds.scope,
        targetId: legalHolds.targetId,
        createdAt: legalHolds.createdAt,
      })
      .from(legalHolds)
      .where(isNull(legalHolds.releasedAt));
    const openRequests = await tx
      .select({ id: privacyRequests.id, type: privacyRequests.type, dueAt: privacyRequests.dueAt })
      .from(privacyRequests)
      .where(eq(privacyRequests.status, "open"))
      .orderBy(privacyRequests.dueAt);
    const body = {
      period: { from: from.toISOString(), to: now.toISOString() },
      deleted: {
        total: sum(DELETIONS),
        byAction: Object.fromEntries(DELETIONS.map((name) => [name, byAction[name] ?? 0])),
      },
      anonymised: sum(ANONYMISATIONS),
      blocked: sum(BLOCKS),
      held: {
        itemsSkippedBySweep: heldInRuns?.held ?? 0,
        activeHolds: holds.map((hold) => ({
          id: hold.id,
          scope: hold.scope,
          targetId: hold.targetId,
          since: hold.createdAt.toISOString(),
        })),
      },
      dueNext30Days: await dueSoon(tx, now, 30),
      privacyRequests: {
        open: openRequests.length,
        overdue: openRequests.filter((row) => row.dueAt.getTime() < now.getTime()).length,
        dueWithin5Days: openRequests.filter(
          (row) => row.dueAt.getTime() >= now.getTime() && row.dueAt.getTime() < now.getTime() + 5 * DAY_MS,
        ).length,
      },
    };
    const [row] = await tx
      .insert(complianceReports)
      .values({ tenantId, reportDate, body, generatedAt: now })
      .onConflictDoUpdate({
        target: [complianceReports.tenantId, complianceReports.reportDate],
        set: { body, generatedAt: now },
      })
      .returning();
    if (!row) throw new Error("report upsert returned nothing");
    await scope.audit(
      tx,
      "compliance.report_generated",
      { type: "compliance_report", id: row.id },
      { reportDate, deleted: body.deleted.total, anonymised: body.anonymised, activeHolds: holds.length },
    );
    return row;
  });
}

export async function listComplianceReports(scope: Scope, limit: number) {
  const rows = await scope.transaction((tx) =>
    tx.select().from(complianceReports).orderBy(desc(complianceReports.reportDate)).limit(limit),
  );
  return rows.map((row) => ({
    id: row.id,
    reportDate: row.reportDate,
    generatedAt: row.generatedAt.toISOString(),
    body: row.body,
  }));
}
