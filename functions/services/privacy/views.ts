import type { Consent, PrivacyRequest, PrivacyRequestType } from "../../../schema";

/** How requests and consents are shown: in the API, and in the subject's own export. */

export interface PrivacyRequestView {
  id: string;
  type: PrivacyRequestType;
  status: PrivacyRequest["status"];
  subject_id: string;
  received_at: string;
  due_at: string;
  overdue: boolean;
  fulfilled_at: string | null;
  outcome: Record<string, unknown> | null;
}

export function requestView(row: PrivacyRequest, now = new Date()): PrivacyRequestView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    subject_id: row.subjectId,
    received_at: row.receivedAt.toISOString(),
    due_at: row.dueAt.toISOString(),
    overdue: row.status === "open" && row.dueAt.getTime() < now.getTime(),
    fulfilled_at: row.fulfilledAt?.toISOString() ?? null,
    outcome: row.outcome ?? null,
  };
}

export function consentView(row: Consent) {
  return {
    id: row.id,
    subject_id: row.subjectId,
    purpose: row.purpose,
    version: row.version,
    source: row.source,
    granted_at: row.grantedAt.toISOString(),
    withdrawn_at: row.withdrawnAt?.toISOString() ?? null,
  };
}
