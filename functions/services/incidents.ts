import { and, desc, eq, inArray, isNull, lt, lte, or } from "drizzle-orm";
import {
  dataSubjects,
  type IncidentRiskLevel,
  type IncidentRow,
  type IncidentSource,
  type IncidentStatus,
  incidents,
} from "../../schema";
import { addBusinessDays, brasiliaDay } from "../lib/business-days";
import type { Transaction } from "../lib/db";
import { ConflictError, NotFoundError, UnprocessableError } from "../lib/errors";
import type { Scope } from "../scope";
import { alertComplianceOfficers, mailComplianceOfficers } from "./compliance-alerts";
import type { ComplianceAlert } from "./mail/messages";
import { enqueueEmail } from "./outbox";
import { primaryOrigin, type TenantFacts, tenantFacts } from "./tenant-facts";
import { trustConfig } from "./trust";

/**
 * The security-incident register (LGPD art. 48; Resolução CD/ANPD 15/2024). Compliance officers record what
 * happened, the data and subjects affected, the risk and the measures, and move an incident through
 * `draft → confirmed → communicated → closed` (or `draft → dismissed` when it turns out not to be an incident
 * with relevant risk, `confirmed → closed` when no communication is due). The communication to the ANPD and to
 * the subjects is due within three business days of learning of it (art. 6), counted with Brazilian national
 * holidays (lib/business-days.ts); the answer carries the ANPD form's fields ready to copy, notices to subjects go
 * through the outbox, and a job mails the compliance officers as the deadline nears. Two causes open a draft by
 * themselves: the audit chain failing verification and one user's PHI reads passing the daily limit. Rows are
 * never deleted by the Worker (retention class `audit_security`: at least five years).
 */

export const INCIDENT_TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  draft: ["confirmed", "dismissed"],
  confirmed: ["communicated", "closed"],
  communicated: ["closed"],
  closed: [],
  dismissed: [],
};

/** Res. CD/ANPD 15/2024 art. 6: three business days from learning of the incident. */
export const COMMUNICATION_BUSINESS_DAYS = 3;

export interface IncidentInput {
  title: string;
  description: string;
  discoveredAt?: Date | undefined;
  occurredAt?: Date | null | undefined;
  dataCategories?: string[] | undefined;
  sensitiveData?: boolean | undefined;
  subjectCategories?: string[] | undefined;
  subjectsAffected?: number | null | undefined;
  riskLevel?: IncidentRiskLevel | null | undefined;
  riskAssessment?: string | null | undefined;
  measures?: string | null | undefined;
}

export type IncidentPatch = Partial<Omit<IncidentInput, "discoveredAt">> & {
  status?: IncidentStatus | undefined;
};

/** What the ANPD's communication form asks (Res. CD/ANPD 15/2024 art. 6 §1), filled from the register. */
export type AnpdForm = Pick<
  IncidentView,
  | "occurredAt"
  | "discoveredAt"
  | "communicationDue"
  | "dataCategories"
  | "sensitiveData"
  | "subjectCategories"
  | "subjectsAffected"
  | "riskLevel"
  | "riskAssessment"
  | "measures"
> & {
  controller: string;
  dpoContact: string | null;
  incidentDescription: string;
  lateCommunication: boolean;
};

export interface IncidentView {
  id: string;
  source: IncidentSource;
  status: IncidentStatus;
  title: string;
  description: string;
  discoveredAt: string;
  occurredAt: string | null;
  dataCategories: string[];
  sensitiveData: boolean;
  subjectCategories: string[];
  subjectsAffected: number | null;
  riskLevel: IncidentRiskLevel | null;
  riskAssessment: string | null;
  measures: string | null;
  communicationDue: string;
  anpdCommunicatedAt: string | null;
  subjectsNotifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Allowed next statuses. */
  next: IncidentStatus[];
  anpdForm: AnpdForm;
}

function view(row: IncidentRow, facts: TenantFacts, now: Date): IncidentView {
  const communicated = row.anpdCommunicatedAt ?? null;
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    title: row.title,
    description: row.description,
    discoveredAt: row.discoveredAt.toISOString(),
    occurredAt: row.occurredAt?.toISOString() ?? null,
    dataCategories: row.dataCategories,
    sensitiveData: row.sensitiveData,
    subjectCategories: row.subjectCategories,
    subjectsAffected: row.subjectsAffected,
    riskLevel: row.riskLevel,
    riskAssessment: row.riskAssessment,
    measures: row.measures,
    communicationDue: row.communicationDue,
    anpdCommunicatedAt: communicated?.toISOString() ?? null,
    subjectsNotifiedAt: row.subjectsNotifiedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    next: [...INCIDENT_TRANSITIONS[row.status]],
    anpdForm: {
      controller: facts.name,
      dpoContact: facts.dpoContact,
      incidentDescription: row.description,
      occurredAt: row.occurredAt?.toISOString() ?? null,
      discoveredAt: row.discoveredAt.toISOString(),
      communicationDue: row.communicationDue,
      // The form asks why a communication came late (art. 6 §3): past the due day in Brasília, or still open after it.
      lateCommunication: brasiliaDay(communicated ?? now) > row.communicationDue,
      dataCategories: row.dataCategories,
      sensitiveData: row.sensitiveData,
      subjectCategories: row.subjectCategories,
      subjectsAffected: row.subjectsAffected,
      riskLevel: row.riskLevel,
      riskAssessment: row.riskAssessment,
      measures: row.measures,
    },
  };
}

/** The audit details of a change: field names and the status move, never the free text (it may name people). */
function changed(patch: IncidentPatch): string[] {
  return Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .sort();
}

/** Records an incident a compliance officer reports (status `draft`), with its communication deadline. */
export async function createIncident(scope: Scope, input: IncidentInput): Promise<IncidentView> {
  const actor = scope.actor.kind === "user" ? scope.actor.userId : null;
  const now = new Date();
  const discoveredAt = input.discoveredAt ?? now;
  if (discoveredAt.getTime() > now.getTime() + 60_000) {
    throw new UnprocessableError("invalid_discovery", "An incident cannot be learned of in the future.");
  }
  return scope.transaction(async (tx) => {
    const [row] = await tx
      .insert(incidents)
      .values({
        tenantId: scope.tenant.id,
        source: "manual",
        title: input.title,
        description: input.description,
        discoveredAt,
        occurredAt: input.occurredAt ?? null,
        dataCategories: input.dataCategories ?? [],
        sensitiveData: input.sensitiveData ?? false,
        subjectCategories: input.subjectCategories ?? [],
        subjectsAffected: input.subjectsAffected ?? null,
        riskLevel: input.riskLevel ?? null,
        riskAssessment: input.riskAssessment ?? null,
        measures: input.measures ?? null,
        communicationDue: addBusinessDays(discoveredAt, COMMUNICATION_BUSINESS_DAYS),
        createdBy: actor,
      })
      .returning();
    if (!row) throw new Error("incident insert returned nothing");
    await scope.audit(
      tx,
      "incident.created",
      { type: "incident", id: row.id },
      { source: row.source, communicationDue: row.communicationDue, fields: changed(input) },
    );
    return view(row, await tenantFacts(tx, scope.tenant.id), now);
  });
}

/**
 * Opens a draft by itself (the system as actor), once per cause (`dedupeKey`), and mails the compliance
 * officers in the same transaction: the incident's deadline, or, for a cause with an alert of its own, that alert
 * (`alert`, given the due day), which then tells the deadline too, so the officers get one message, not two.
 * Returns the new incident's id, or null when the cause already has one.
 */
export async function openAutomaticIncident(
  scope: Scope,
  tx: Transaction,
  input: {
    source: Exclude<IncidentSource, "manual">;
    dedupeKey: string;
    title: string;
    description: string;
    now?: Date;
    alert?: (communicationDue: string) => ComplianceAlert;
  },
): Promise<string | null> {
  const discoveredAt = input.now ?? new Date();
  const [row] = await tx
    .insert(incidents)
    .values({
      tenantId: scope.tenant.id,
      source: input.source,
      title: input.title,
      description: input.description,
      discoveredAt,
      communicationDue: addBusinessDays(discoveredAt, COMMUNICATION_BUSINESS_DAYS),
      dedupeKey: input.dedupeKey,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await scope.audit(tx, "incident.opened_automatically", { type: "incident", id: row.id }, { source: input.source });
  if (input.alert) {
    await alertComplianceOfficers(scope, tx, {
      alert: input.alert(row.communicationDue),
      dedupeKey: `incident-opened:${row.id}`,
    });
    return row.id;
  }
  const facts = await tenantFacts(tx, scope.tenant.id);
  const origin = await primaryOrigin(tx, scope.tenant.id);
  if (origin) {
    await mailComplianceOfficers(scope, tx, {
      locale: facts.defaultLocale,
      message: {
        template: "incident-deadline",
        data: {
          tenantName: facts.name || scope.tenant.name,
          origin,
          discoveredAt: discoveredAt.toISOString(),
          due: row.communicationDue,
          overdue: false,
        },
      },
      dedupeKey: `incident-opened:${row.id}`,
    });
  }
  return row.id;
}

/**
 * The mass-download signal: when one user's PHI reads today pass the daily limit the trust policy uses
 * (`trustConfig.velocity.phiReadsPerDay`), the read that crosses it opens a draft incident (once per user and
 * day). `count` is today's count including this read (the trust script's or `countPhiRead`'s answer).
 */
export async function reportPhiReads(
  scope: Scope,
  input: { userId: string; count: number; nowMs: number },
): Promise<void> {
  if (input.count !== trustConfig.velocity.phiReadsPerDay + 1) return;
  const day = new Date(input.nowMs).toISOString().slice(0, 10);
  await scope.transaction((tx) =>
    openAutomaticIncident(scope, tx, {
      source: "mass_phi_read",
      dedupeKey: `mass_phi_read:${input.userId}:${day}`,
      title: "Possible mass download of health data",
      description: `User ${input.userId} read health data more than ${trustConfig.velocity.phiReadsPerDay} times on ${day} (UTC). Check the access logs and the audit events of that day.`,
      now: new Date(input.nowMs),
    }),
  );
}

/** The register, newest first, optionally by status. */
export async function listIncidents(
  scope: Scope,
  filters: { status?: IncidentStatus | undefined; limit: number },
): Promise<IncidentView[]> {
  const now = new Date();
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(incidents)
      .where(filters.status ? eq(incidents.status, filters.status) : undefined)
      .orderBy(desc(incidents.discoveredAt), desc(incidents.id))
      .limit(filters.limit);
    const facts = await tenantFacts(tx, scope.tenant.id);
    return rows.map((row) => view(row, facts, now));
  });
}

export async function getIncident(scope: Scope, id: string): Promise<IncidentView> {
  return scope.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).limit(1);
    if (!row) throw new NotFoundError();
    return view(row, await tenantFacts(tx, scope.tenant.id), new Date());
  });
}

/**
 * Changes an incident's assessment and moves its status along `INCIDENT_TRANSITIONS` (409 `invalid_transition`
 * otherwise). `communicated` stamps when the ANPD was told; `closed` and `dismissed` end it, after which it is
 * read-only (409 `incident_closed`). Audited with the fields changed and the status move.
 */
export async function updateIncident(scope: Scope, id: string, patch: IncidentPatch): Promise<IncidentView> {
  const now = new Date();
  return scope.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).limit(1).for("update");
    if (!row) throw new NotFoundError();
    if (INCIDENT_TRANSITIONS[row.status].length === 0) {
      throw new ConflictError("incident_closed", "This incident is closed; its record can no longer change.");
    }
    const to = patch.status && patch.status !== row.status ? patch.status : null;
    if (to && !INCIDENT_TRANSITIONS[row.status].includes(to)) {
      throw new ConflictError("invalid_transition", `An incident cannot go from ${row.status} to ${to}.`);
    }
    const { status: _status, ...fields } = patch;
    const [updated] = await tx
      .update(incidents)
      .set({
        ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
        ...(to ? { status: to } : {}),
        ...(to === "communicated" ? { anpdCommunicatedAt: now } : {}),
        ...(to === "closed" || to === "dismissed" ? { closedAt: now } : {}),
        updatedAt: now,
      })
      .where(eq(incidents.id, id))
      .returning();
    if (!updated) throw new NotFoundError();
    await scope.audit(
      tx,
      "incident.updated",
      { type: "incident", id },
      { fields: changed(fields), ...(to ? { from: row.status, to } : {}) },
    );
    return view(updated, await tenantFacts(tx, scope.tenant.id), now);
  });
}

/**
 * Queues the notice to each affected data subject who has an e-mail address (LGPD art. 48 §1; Res. 15/2024
 * art. 9), in the tenant's language, naming the encarregado as the contact; the notice carries the incident's
 * description, data categories and measures, so they must be filled in (422 `incident_incomplete`), and the DPO
 * must be configured in the tenant settings (422 `dpo_required`). Stamps `subjectsNotifiedAt`; audited with the
 * count. Subjects without an address are answered back so they can be told another way.
 */
export async function notifyIncidentSubjects(
  scope: Scope,
  id: string,
  input: { subjectIds: string[]; origin: string },
): Promise<{ queued: number; withoutEmail: string[] }> {
  const now = new Date();
  return scope.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).limit(1).for("update");
    if (!row) throw new NotFoundError();
    if (row.status !== "confirmed" && row.status !== "communicated") {
      throw new ConflictError("invalid_transition", "Confirm the incident before notifying the data subjects.");
    }
    if (!row.measures || row.dataCategories.length === 0) {
      throw new UnprocessableError("incident_incomplete", "Fill in the data categories and the measures first.");
    }
    const facts = await tenantFacts(tx, scope.tenant.id);
    if (!facts.dpoContact) {
      throw new UnprocessableError("dpo_required", "Name the data protection officer in the settings first.");
    }
    const subjects = await tx
      .select({ id: dataSubjects.id, email: dataSubjects.email })
      .from(dataSubjects)
      .where(inArray(dataSubjects.id, input.subjectIds));
    if (subjects.length !== new Set(input.subjectIds).size) throw new NotFoundError("A data subject was not found.");
    let queued = 0;
    for (const subject of subjects) {
      if (!subject.email) continue;
      const queuedId = await enqueueEmail(scope, tx, {
        to: subject.email,
        locale: facts.defaultLocale,
        message: {
          template: "incident-notice",
          data: {
            tenantName: facts.name,
            origin: input.origin,
            description: row.description,
            dataCategories: row.dataCategories,
            measures: row.measures,
            contact: facts.dpoContact,
          },
        },
        dedupeKey: `incident-notice:${id}:${subject.id}`,
      });
      if (queuedId) queued += 1;
    }
    await tx.update(incidents).set({ subjectsNotifiedAt: now, updatedAt: now }).where(eq(incidents.id, id));
    await scope.audit(tx, "incident.subjects_notified", { type: "incident", id }, { queued, asked: subjects.length });
    return { queued, withoutEmail: subjects.filter((subject) => !subject.email).map((subject) => subject.id) };
  });
}

/**
 * The deadline alert (the job, hourly): for every incident not yet communicated whose due day (Brasília) is the
 * next business day or earlier, mails the compliance officers once per day until it is communicated or closed.
 */
export async function alertIncidentDeadlines(scope: Scope, now = new Date()): Promise<number> {
  const horizon = addBusinessDays(now, 1);
  const today = brasiliaDay(now);
  const origin = await scope.transaction((tx) => primaryOrigin(tx, scope.tenant.id));
  if (!origin) return 0;
  const tenant = scope.tenant;
  return scope.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(incidents)
      .where(
        and(
          inArray(incidents.status, ["draft", "confirmed"]),
          isNull(incidents.anpdCommunicatedAt),
          lte(incidents.communicationDue, horizon),
          // Once a day: not again within 20 hours of the last alert, whatever the hour the job runs.
          or(isNull(incidents.alertedAt), lt(incidents.alertedAt, new Date(now.getTime() - 20 * 3_600_000))),
        ),
      )
      .for("update", { skipLocked: true });
    if (due.length === 0) return 0;
    const facts = await tenantFacts(tx, tenant.id);
    for (const incident of due) {
      await mailComplianceOfficers(scope, tx, {
        locale: facts.defaultLocale,
        message: {
          template: "incident-deadline",
          data: {
            tenantName: facts.name,
            origin,
            discoveredAt: incident.discoveredAt.toISOString(),
            due: incident.communicationDue,
            overdue: today > incident.communicationDue,
          },
        },
        dedupeKey: `incident-deadline:${incident.id}:${today}`,
      });
      await tx.update(incidents).set({ alertedAt: now }).where(eq(incidents.id, incident.id));
      await scope.audit(
        tx,
        "incident.deadline_alerted",
        { type: "incident", id: incident.id },
        { due: incident.communicationDue },
      );
    }
    return due.length;
  });
}
