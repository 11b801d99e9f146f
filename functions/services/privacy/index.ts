import { asc, eq } from "drizzle-orm";
import { type PrivacyRequest, privacyRequests, type PrivacyRequestType } from "../../../schema";
import { ConflictError, NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import { UnprocessableError } from "../../lib/errors";
import { exportSubjectData } from "./access";
import { withdrawSubjectConsents } from "./consent-withdrawal";
import { correctSubject } from "./correction";
import { eraseSubject } from "./erasure";
import type { Fulfil, Fulfilment } from "./fulfil";
import { findOrCreateSubject, type SubjectIdentity, subjectData } from "./subjects";
import { type PrivacyRequestView, requestView } from "./views";

/**
 * Data-subject rights under LGPD art. 18, answered by the encarregado (art. 41). Requests are recorded with
 * their deadline (art. 19 II: 15 days) and fulfilled by the right's own module, in one transaction with
 * their audit events. A new right is a new module and a line in FULFILMENT.
 */

export { listConsents, recordConsent, withdrawConsent } from "./consents";
export {
  cpfHash,
  isValidCpf,
  registerSubject,
  searchSubjects,
  type SubjectIdentity,
  type SubjectMatch,
  type SubjectSearch,
} from "./subjects";
export type { PrivacyRequestView } from "./views";

const DAY_MS = 86_400_000;
/** LGPD art. 19 II: the complete answer within 15 days of the request. */
export const RESPONSE_DEADLINE_DAYS = 15;

/** Each right's fulfilment; the compiler insists every request type has one. */
const FULFILMENT: Record<PrivacyRequestType, Fulfil> = {
  access: exportSubjectData,
  portability: exportSubjectData,
  correction: correctSubject,
  consent_withdrawal: withdrawSubjectConsents,
  anonymisation: eraseSubject,
  deletion: eraseSubject,
};

export async function createPrivacyRequest(
  scope: Scope,
  input: {
    type: PrivacyRequestType;
    subject: SubjectIdentity;
    correction?: { email?: string | undefined; displayName?: string | undefined } | undefined;
    purpose?: string | undefined;
  },
): Promise<PrivacyRequestView> {
  const actor = requireUser(scope);
  if (input.type === "correction" && !input.correction)
    throw new UnprocessableError("correction_required", "Say what to correct.");
  return scope.transaction(async (tx) => {
    const subject = await findOrCreateSubject(scope, tx, input.subject);
    const receivedAt = new Date();
    const [row] = await tx
      .insert(privacyRequests)
      .values({
        tenantId: scope.tenant.id,
        subjectId: subject.id,
        type: input.type,
        details: {
          ...(input.correction ? { correction: input.correction } : {}),
          ...(input.purpose ? { purpose: input.purpose } : {}),
        },
        receivedAt,
        dueAt: new Date(receivedAt.getTime() + RESPONSE_DEADLINE_DAYS * DAY_MS),
        createdBy: actor.userId,
      })
      .returning();
    if (!row) throw new Error("request insert returned nothing");
    await scope.audit(
      tx,
      "privacy.request_received",
      { type: "privacy_request", id: row.id },
      { type: row.type, subjectId: subject.id, dueAt: row.dueAt.toISOString() },
    );
    return requestView(row);
  });
}

export async function listPrivacyRequests(
  scope: Scope,
  filter: { status?: PrivacyRequest["status"] | undefined },
): Promise<PrivacyRequestView[]> {
  const rows = await scope.transaction((tx) =>
    tx
      .select()
      .from(privacyRequests)
      .where(filter.status ? eq(privacyRequests.status, filter.status) : undefined)
      .orderBy(asc(privacyRequests.dueAt))
      .limit(500),
  );
  return rows.map((row) => requestView(row));
}

export interface FulfilmentAnswer {
  request: PrivacyRequestView;
  /** Access and portability: the data, as JSON and as a FHIR R4 Bundle. */
  export?: Fulfilment["export"];
}

/** Fulfils an open request with its right's module, in one transaction with its audit events. */
export async function fulfilPrivacyRequest(scope: Scope, requestId: string): Promise<FulfilmentAnswer> {
  const actor = requireUser(scope);
  return scope.transaction(async (tx) => {
    const [request] = await tx
      .select()
      .from(privacyRequests)
      .where(eq(privacyRequests.id, requestId))
      .limit(1)
      .for("update");
    if (!request) throw new NotFoundError("No such privacy request.");
    if (request.status !== "open")
      throw new ConflictError("privacy_request_closed", "This request was already answered.");
    const now = new Date();
    const audit = (action: string, target: { type: string; id: string }, details: Record<string, unknown>) =>
      scope.audit(tx, action, target, { privacyRequestId: request.id, ...details });
    const data = await subjectData(tx, request.subjectId);

    const fulfilment = await FULFILMENT[request.type]({ scope, tx, request, data, now, audit });
    const status = fulfilment.status ?? "fulfilled";

    const [updated] = await tx
      .update(privacyRequests)
      .set({ status, fulfilledAt: now, fulfilledBy: actor.userId, outcome: fulfilment.outcome })
      .where(eq(privacyRequests.id, request.id))
      .returning();
    if (!updated) throw new Error("request update returned nothing");
    await audit(
      "privacy.request_fulfilled",
      { type: "privacy_request", id: request.id },
      { type: request.type, status },
    );
    return { request: requestView(updated, now), ...(fulfilment.export ? { export: fulfilment.export } : {}) };
  });
}
