import { and, asc, count, eq, gte, lt, lte } from "drizzle-orm";
import { auditEvents, memberships, privacyRequests, users } from "../../schema";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import type { ComplianceAlert, MailLocale, MailMessage } from "./mail/messages";
import { enqueueEmail } from "./outbox";
import { primaryOrigin, tenantFacts } from "./tenant-facts";

/**
 * Queues `message` to every active compliance officer of the tenant (the encarregado, LGPD art. 41) in `tx`, so
 * the alert exists if and only if the change that raises it commits. `dedupeKey` (suffixed per recipient) makes
 * an alert repeated by a job queue at most once. Returns how many were queued.
 */
export async function mailComplianceOfficers(
  scope: Scope,
  tx: Transaction,
  input: { locale: MailLocale; message: MailMessage; dedupeKey?: string },
): Promise<number> {
  const officers = await tx
    .selectDistinct({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.role, "compliance_officer"), eq(memberships.status, "active"), eq(users.status, "active")),
    );
  let queued = 0;
  for (const officer of officers) {
    const id = await enqueueEmail(scope, tx, {
      to: officer.email,
      locale: input.locale,
      message: input.message,
      ...(input.dedupeKey ? { dedupeKey: `${input.dedupeKey}:${officer.email}` } : {}),
    });
    if (id) queued += 1;
  }
  return queued;
}

/**
 * An operational alert (`compliance-alert`) to the compliance officers, in the tenant's default language, linking
 * to the compliance screen on the tenant's primary hostname; queued once per `dedupeKey` (the condition and its
 * period) and audited (`compliance.alert_queued`, the kind only) when it was queued. A tenant without a hostname
 * has no admin to link to and gets none. Returns how many messages were queued.
 */
export async function alertComplianceOfficers(
  scope: Scope,
  tx: Transaction,
  input: { alert: ComplianceAlert; dedupeKey: string },
): Promise<number> {
  const origin = await primaryOrigin(tx, scope.tenant.id);
  if (!origin) return 0;
  const facts = await tenantFacts(tx, scope.tenant.id);
  const queued = await mailComplianceOfficers(scope, tx, {
    locale: facts.defaultLocale,
    message: {
      template: "compliance-alert",
      data: { tenantName: facts.name || scope.tenant.name, origin, alert: input.alert },
    },
    dedupeKey: input.dedupeKey,
  });
  if (queued > 0)
    await scope.audit(
      tx,
      "compliance.alert_queued",
      { type: "compliance_alert", id: input.dedupeKey },
      {
        kind: input.alert.kind,
        recipients: queued,
      },
    );
  return queued;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What counts as a spike of trust denials (NIST SP 800-207 decisions the trust middleware audits as `trust.deny`):
 * the last hour's denials against the tenant's hourly average over the week before it, `factor` times that average
 * and never fewer than `floor`, so a quiet clinic's two denials after a week of none are not an alarm.
 */
export const DENIAL_SPIKE = { floor: 20, factor: 3, baselineDays: 7 } as const;

/** The hourly check of denial spikes in the scope's tenant; alerts at most once a (UTC) day. */
export async function alertTrustDenialSpike(scope: Scope, now: Date): Promise<boolean> {
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const baselineFrom = new Date(hourAgo.getTime() - DENIAL_SPIKE.baselineDays * DAY_MS);
  return scope.transaction(async (tx) => {
    const denials = (from: Date, to: Date) =>
      tx
        .select({ n: count() })
        .from(auditEvents)
        .where(
          and(eq(auditEvents.action, "trust.deny"), gte(auditEvents.occurredAt, from), lt(auditEvents.occurredAt, to)),
        );
    const [recent] = await denials(hourAgo, now);
    const [before] = await denials(baselineFrom, hourAgo);
    const lastHour = recent?.n ?? 0;
    const baselinePerHour = Math.round(((before?.n ?? 0) / (DENIAL_SPIKE.baselineDays * 24)) * 10) / 10;
    if (lastHour < Math.max(DENIAL_SPIKE.floor, Math.ceil(DENIAL_SPIKE.factor * baselinePerHour))) return false;
    const queued = await alertComplianceOfficers(scope, tx, {
      alert: { kind: "trust_denial_spike", denials: lastHour, baselinePerHour, since: hourAgo.toISOString() },
      dedupeKey: `trust-denial-spike:${now.toISOString().slice(0, 10)}`,
    });
    return queued > 0;
  });
}

/** LGPD art. 19 II gives 15 days; the officers hear of an open request when 5 are left (or fewer). */
export const PRIVACY_REQUEST_WARNING_DAYS = 5;

/**
 * The tenant's open data-subject requests overdue or with at most PRIVACY_REQUEST_WARNING_DAYS left, soonest first
 * (at most 200): what the hourly alert mails about and what the compliance dashboard lists.
 */
export function privacyRequestsDueSoon(tx: Transaction, now: Date) {
  return tx
    .select({
      id: privacyRequests.id,
      type: privacyRequests.type,
      receivedAt: privacyRequests.receivedAt,
      dueAt: privacyRequests.dueAt,
    })
    .from(privacyRequests)
    .where(
      and(
        eq(privacyRequests.status, "open"),
        lte(privacyRequests.dueAt, new Date(now.getTime() + PRIVACY_REQUEST_WARNING_DAYS * DAY_MS)),
      ),
    )
    .orderBy(asc(privacyRequests.dueAt))
    .limit(200);
}

/** The hourly check of open data-subject requests near their deadline; each request alerts once. */
export async function alertPrivacyRequestsDue(scope: Scope, now: Date): Promise<number> {
  return scope.transaction(async (tx) => {
    const due = await privacyRequestsDueSoon(tx, now);
    let alerted = 0;
    for (const request of due) {
      const queued = await alertComplianceOfficers(scope, tx, {
        alert: {
          kind: "privacy_request_due",
          requestType: request.type,
          receivedAt: request.receivedAt.toISOString(),
          dueAt: request.dueAt.toISOString(),
        },
        dedupeKey: `privacy-request-due:${request.id}`,
      });
      if (queued > 0) alerted += 1;
    }
    return alerted;
  });
}
