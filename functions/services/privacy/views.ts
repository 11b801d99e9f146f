import type { Consent, PrivacyRequest, PrivacyRequestType } from "../../../schema";

/** How requests and consents are shown: in the API, and in the subject's own export. */

export interface PrivacyRequestView {
  id: string;
  type: PrivacyRequestType;
  status: PrivacyRequest["status"];
  subjectId: string;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  fulfilledAt: string | null;
  outcome: Record<string, unknown> | null;
}

export function requestView(row: PrivacyRequest, now = new Date()): PrivacyRequestView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    subjectId: row.subjectId,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt.toISOString(),
    overdue: row.status === "open" && row.dueAt.getTime() < now.getTime(),
    fulfilledAt: row.fulfilledAt?.toISOString() ?? null,
    outcome: row.outcome ?? null,
  };
}

export interface ConsentView {
  id: string;
  subjectId: string;
  purpose: string;
  version: string;
  source: string;
  grantedAt: string;
  withdrawnAt: string | null;
}

export function consentView(row: Consent): ConsentView {
  return {
    id: row.id,
    subjectId: row.subjectId,
    purpose: row.purpose,
    version: row.version,
    source: row.source,
    grantedAt: row.grantedAt.toISOString(),
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
  };
}
