import { and, asc, desc, eq, isNull } from "drizzle-orm";
import {
  type Consent,
  consents,
  type DataSubject,
  dataSubjects,
  type MediaItem,
  mediaItems,
  type PrivacyRequest,
  privacyRequests,
  type PrivacyRequestType,
} from "../../schema";
import { retentionPolicies } from "../../schema/retention-policies";
import { sha256Hex } from "../lib/crypto";
import { type Database, type Transaction, withTenant } from "../lib/db";
import { ConflictError, NotFoundError } from "../lib/errors";
import type { TenantContext, UserActor } from "../lib/actor";
import { appendAudit } from "./audit";
import { UnprocessableError } from "../lib/errors";
import { fhirBundle } from "./fhir-export";
import { activeHolds, holdCovering } from "./legal-holds";
import { deleteMediaItem, mediaView } from "./media";
import type { Storage } from "./media-storage";

/**
 * Data-subject rights under LGPD art. 18, answered by the encarregado (art. 41). Requests are recorded with
 * their deadline (art. 19 II: 15 days) and fulfilled here. Erasure never overrides a legal obligation to
 * keep (art. 16 I): a medical record younger than 20 years from its last entry (Lei 13.787/2018 art. 6) or
 * anything under a legal hold is retained and BLOCKED (art. 18 IV), and the answer names the legal basis.
 */

export interface PrivacyDeps extends Storage {
  db: Database;
  tenant: TenantContext;
  requestId: string;
}

const DAY_MS = 86_400_000;
/** LGPD art. 19 II: the complete answer within 15 days of the request. */
export const RESPONSE_DEADLINE_DAYS = 15;

// ---- identifying the subject ---------------------------------------------------------------------------

/** CPF: 11 digits with two mod-11 check digits; a repeated single digit is invalid (Receita Federal rules). */
export function isValidCpf(value: string): boolean {
  const digits = value.replace(/\D/g, "");
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const check = (length: number): number => {
    let sum = 0;
    for (let i = 0; i < length; i++) sum += Number(digits[i]) * (length + 1 - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return check(9) === Number(digits[9]) && check(10) === Number(digits[10]);
}

/**
 * The CPF is stored only as a SHA-256 salted with the tenant id (LGPD art. 6 III necessity, art. 13 §4
 * pseudonymisation): a request by CPF can be matched, and the number is not kept. The CPF space is small,
 * so this is pseudonymisation, not anonymisation; the table is protected like any personal data.
 */
export async function cpfHash(tenantId: string, cpf: string): Promise<string> {
  return sha256Hex(`cpf:${tenantId}:${cpf.replace(/\D/g, "")}`);
}

export interface SubjectIdentity {
  email?: string | undefined;
  cpf?: string | undefined;
  display_name?: string | undefined;
}

async function findSubject(tx: Transaction, tenantId: string, identity: SubjectIdentity): Promise<DataSubject | null> {
  if (identity.cpf) {
    const [row] = await tx
      .select()
      .from(dataSubjects)
      .where(eq(dataSubjects.cpfHash, await cpfHash(tenantId, identity.cpf)))
      .limit(1);
    if (row) return row;
  }
  if (identity.email) {
    const [row] = await tx
      .select()
      .from(dataSubjects)
      .where(eq(dataSubjects.email, identity.email.trim().toLowerCase()))
      .limit(1);
    if (row) return row;
  }
  return null;
}

async function findOrCreateSubject(
  tx: Transaction,
  deps: PrivacyDeps,
  actor: UserActor,
  identity: SubjectIdentity,
): Promise<DataSubject> {
  if (!identity.email && !identity.cpf)
    throw new UnprocessableError("subject_identity_required", "Identify the data subject by e-mail or CPF.");
  if (identity.cpf && !isValidCpf(identity.cpf)) throw new UnprocessableError("cpf_invalid", "The CPF is not valid.");
  const existing = await findSubject(tx, deps.tenant.id, identity);
  if (existing) return existing;
  const [row] = await tx
    .insert(dataSubjects)
    .values({
      tenantId: deps.tenant.id,
      email: identity.email?.trim().toLowerCase() ?? null,
      cpfHash: identity.cpf ? await cpfHash(deps.tenant.id, identity.cpf) : null,
      displayName: identity.display_name ?? null,
    })
    .returning();
  if (!row) throw new Error("subject insert returned nothing");
  await appendAudit(tx, {
    tenantId: deps.tenant.id,
    actorType: "user",
    actorId: actor.userId,
    action: "data_subject.created",
    targetType: "data_subject",
    targetId: row.id,
    requestId: deps.requestId,
  });
  return row;
}

export async function registerSubject(
  deps: PrivacyDeps,
  actor: UserActor,
  identity: SubjectIdentity,
): Promise<{ id: string }> {
  const subject = await withTenant(deps.db, deps.tenant.id, (tx) => findOrCreateSubject(tx, deps, actor, identity));
  return { id: subject.id };
}

// ---- requests ------------------------------------------------------------------------------------------

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

function requestView(row: PrivacyRequest, now = new Date()): PrivacyRequestView {
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

export async function createPrivacyRequest(
  deps: PrivacyDeps,
  actor: UserActor,
  input: {
    type: PrivacyRequestType;
    subject: SubjectIdentity;
    correction?: { email?: string | undefined; display_name?: string | undefined } | undefined;
    purpose?: string | undefined;
  },
): Promise<PrivacyRequestView> {
  if (input.type === "correction" && !input.correction)
    throw new UnprocessableError("correction_required", "Say what to correct.");
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const subject = await findOrCreateSubject(tx, deps, actor, input.subject);
    const receivedAt = new Date();
    const [row] = await tx
      .insert(privacyRequests)
      .values({
        tenantId: deps.tenant.id,
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
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: actor.userId,
      action: "privacy.request_received",
      targetType: "privacy_request",
      targetId: row.id,
      requestId: deps.requestId,
      details: { type: row.type, subjectId: subject.id, dueAt: row.dueAt.toISOString() },
    });
    return requestView(row);
  });
}

export async function listPrivacyRequests(
  deps: PrivacyDeps,
  filter: { status?: PrivacyRequest["status"] | undefined },
): Promise<PrivacyRequestView[]> {
  const rows = await withTenant(deps.db, deps.tenant.id, (tx) =>
    tx
      .select()
      .from(privacyRequests)
      .where(filter.status ? eq(privacyRequests.status, filter.status) : undefined)
      .orderBy(asc(privacyRequests.dueAt))
      .limit(500),
  );
  return rows.map((row) => requestView(row));
}

// ---- fulfilment ----------------------------------------------------------------------------------------

interface Retained {
  media_id: string;
  retention_class: string;
  reason: "legal_retention" | "legal_hold";
  legal_basis: string;
  retained_until: string | null;
}

/** Why an item must be kept now, or null when the law lets it go. */
function retentionReason(item: MediaItem, holds: Awaited<ReturnType<typeof activeHolds>>, now: Date): Retained | null {
  const hold = holdCovering(holds, {
    itemType: "media_item",
    itemId: item.id,
    subjectId: item.subjectId,
    createdBy: item.createdBy,
  });
  if (hold) {
    return {
      media_id: item.id,
      retention_class: item.retentionClass,
      reason: "legal_hold",
      legal_basis: "Ordem de preservação (legal hold) ativa; LGPD art. 16 I",
      retained_until: null,
    };
  }
  const policy = retentionPolicies[item.retentionClass];
  const keptUntil = new Date(item.lastEntryAt.getTime() + policy.minAgeDays * DAY_MS);
  if (keptUntil.getTime() > now.getTime()) {
    return {
      media_id: item.id,
      retention_class: item.retentionClass,
      reason: "legal_retention",
      legal_basis: policy.legalBasis,
      retained_until: keptUntil.toISOString(),
    };
  }
  return null;
}

function consentView(row: Consent) {
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

async function subjectData(tx: Transaction, subjectId: string) {
  const [subject] = await tx.select().from(dataSubjects).where(eq(dataSubjects.id, subjectId)).limit(1);
  if (!subject) throw new NotFoundError("No such data subject.");
  const subjectConsents = await tx
    .select()
    .from(consents)
    .where(eq(consents.subjectId, subjectId))
    .orderBy(asc(consents.grantedAt));
  const media = await tx
    .select()
    .from(mediaItems)
    .where(eq(mediaItems.subjectId, subjectId))
    .orderBy(asc(mediaItems.createdAt));
  const requests = await tx
    .select()
    .from(privacyRequests)
    .where(eq(privacyRequests.subjectId, subjectId))
    .orderBy(desc(privacyRequests.receivedAt));
  return { subject, subjectConsents, media, requests };
}

export interface FulfilmentAnswer {
  request: PrivacyRequestView;
  /** Access and portability: the data, as JSON and as a FHIR R4 Bundle. */
  export?: { json: Record<string, unknown>; fhir: Record<string, unknown> };
}

/** Fulfils an open request in one transaction with its audit events; see the module comment. */
export async function fulfilPrivacyRequest(
  deps: PrivacyDeps,
  actor: UserActor,
  requestId: string,
): Promise<FulfilmentAnswer> {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
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
    const { subject, subjectConsents, media, requests } = await subjectData(tx, request.subjectId);
    const audit = (action: string, targetType: string, targetId: string, details: Record<string, unknown>) =>
      appendAudit(tx, {
        tenantId: deps.tenant.id,
        actorType: "user",
        actorId: actor.userId,
        action,
        targetType,
        targetId,
        requestId: deps.requestId,
        details: { privacyRequestId: request.id, ...details },
      });

    let outcome: Record<string, unknown> = {};
    let status: PrivacyRequest["status"] = "fulfilled";
    let exported: FulfilmentAnswer["export"];

    switch (request.type) {
      case "access":
      case "portability": {
        // Art. 18 I, II and V; art. 19. Object keys and internal ids of other people are not part of it.
        const json = {
          format: "vitalis.data-subject-export.v1",
          generated_at: now.toISOString(),
          subject: {
            id: subject.id,
            email: subject.email,
            display_name: subject.displayName,
            cpf_on_file: subject.cpfHash !== null,
          },
          consents: subjectConsents.map(consentView),
          media: media.map(mediaView),
          privacy_requests: requests.map((row) => requestView(row, now)),
        };
        exported = { json, fhir: fhirBundle(subject, subjectConsents, media, now) };
        outcome = { exported: { consents: subjectConsents.length, media: media.length } };
        await audit("privacy.exported", "data_subject", subject.id, {
          type: request.type,
          media: media.length,
          consents: subjectConsents.length,
        });
        break;
      }
      case "correction": {
        // Art. 18 III.
        const correction = (request.details.correction ?? {}) as { email?: string; display_name?: string };
        await tx
          .update(dataSubjects)
          .set({
            ...(correction.email ? { email: correction.email.trim().toLowerCase() } : {}),
            ...(correction.display_name ? { displayName: correction.display_name } : {}),
            updatedAt: now,
          })
          .where(eq(dataSubjects.id, subject.id));
        outcome = { corrected: Object.keys(correction) };
        await audit("privacy.corrected", "data_subject", subject.id, { fields: Object.keys(correction) });
        break;
      }
      case "consent_withdrawal": {
        // Art. 8 §5 and art. 18 IX: withdrawal is free and immediate; the retention sweep deletes the record later.
        const purpose = typeof request.details.purpose === "string" ? request.details.purpose : null;
        let withdrawn = 0;
        for (const row of subjectConsents) {
          if (row.withdrawnAt || (purpose && row.purpose !== purpose)) continue;
          await tx
            .update(consents)
            .set({ withdrawnAt: now })
            .where(and(eq(consents.id, row.id), isNull(consents.withdrawnAt)));
          await audit("consent.withdrawn", "consent", row.id, { purpose: row.purpose, version: row.version });
          withdrawn += 1;
        }
        outcome = { withdrawn };
        break;
      }
      case "anonymisation":
      case "deletion": {
        // Art. 18 IV and VI, limited by art. 16: what the law keeps is blocked, not deleted.
        const holds = await activeHolds(tx);
        const retained: Retained[] = [];
        let deletedMedia = 0;
        for (const item of media) {
          const reason = retentionReason(item, holds, now);
          if (reason) {
            retained.push(reason);
            if (!item.blockedAt) await tx.update(mediaItems).set({ blockedAt: now }).where(eq(mediaItems.id, item.id));
            await audit("privacy.media_retained", "media_item", item.id, {
              reason: reason.reason,
              legalBasis: reason.legal_basis,
              retainedUntil: reason.retained_until,
            });
            continue;
          }
          await deleteMediaItem(tx, deps, item);
          deletedMedia += 1;
          await audit("privacy.media_deleted", "media_item", item.id, {
            retentionClass: item.retentionClass,
            sha256: item.sha256,
          });
        }
        let deletedConsents = 0;
        const subjectHeld = holdCovering(holds, {
          itemType: "data_subject",
          itemId: subject.id,
          subjectId: subject.id,
        });
        if (request.type === "deletion" && !subjectHeld) {
          for (const row of subjectConsents) {
            await tx.delete(consents).where(eq(consents.id, row.id));
            deletedConsents += 1;
            await audit("privacy.consent_deleted", "consent", row.id, {
              purpose: row.purpose,
              version: row.version,
              withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
            });
          }
        }
        if (retained.length > 0 || subjectHeld) {
          // The record must stay attributable to its patient for as long as it is kept: block, do not strip.
          await tx.update(dataSubjects).set({ blockedAt: now, updatedAt: now }).where(eq(dataSubjects.id, subject.id));
          await audit("privacy.subject_blocked", "data_subject", subject.id, {
            retained: retained.length,
            held: Boolean(subjectHeld),
          });
          status = "partially_fulfilled";
        } else {
          await tx
            .update(dataSubjects)
            .set({ email: null, cpfHash: null, displayName: null, anonymisedAt: now, updatedAt: now })
            .where(eq(dataSubjects.id, subject.id));
          await audit("privacy.subject_anonymised", "data_subject", subject.id, {});
        }
        outcome = {
          deleted: { media: deletedMedia, consents: deletedConsents },
          anonymised: retained.length === 0 && !subjectHeld,
          retained,
          ...(retained.length > 0
            ? {
                message:
                  "Parte dos dados é mantida por obrigação legal e foi bloqueada para qualquer outro uso (LGPD art. 16 I e art. 18 IV).",
              }
            : {}),
        };
        break;
      }
    }

    const [updated] = await tx
      .update(privacyRequests)
      .set({ status, fulfilledAt: now, fulfilledBy: actor.userId, outcome })
      .where(eq(privacyRequests.id, request.id))
      .returning();
    if (!updated) throw new Error("request update returned nothing");
    await audit("privacy.request_fulfilled", "privacy_request", request.id, { type: request.type, status });
    return { request: requestView(updated, now), ...(exported ? { export: exported } : {}) };
  });
}

// ---- consents ------------------------------------------------------------------------------------------

export async function recordConsent(
  deps: PrivacyDeps,
  actor: UserActor,
  input: {
    subject: SubjectIdentity;
    purpose: string;
    version: string;
    source: string;
    granted_at?: string | undefined;
  },
) {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const subject = await findOrCreateSubject(tx, deps, actor, input.subject);
    const [row] = await tx
      .insert(consents)
      .values({
        tenantId: deps.tenant.id,
        subjectId: subject.id,
        purpose: input.purpose,
        version: input.version,
        source: input.source,
        grantedAt: input.granted_at ? new Date(input.granted_at) : new Date(),
      })
      .returning();
    if (!row) throw new Error("consent insert returned nothing");
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: actor.userId,
      action: "consent.recorded",
      targetType: "consent",
      targetId: row.id,
      requestId: deps.requestId,
      details: {
        subjectId: subject.id,
        purpose: row.purpose,
        version: row.version,
        source: row.source,
        grantedAt: row.grantedAt.toISOString(),
      },
    });
    return consentView(row);
  });
}

export async function withdrawConsent(deps: PrivacyDeps, actor: UserActor, consentId: string) {
  return withTenant(deps.db, deps.tenant.id, async (tx) => {
    const [row] = await tx.select().from(consents).where(eq(consents.id, consentId)).limit(1).for("update");
    if (!row) throw new NotFoundError("No such consent.");
    if (row.withdrawnAt) throw new ConflictError("consent_withdrawn", "This consent was already withdrawn.");
    const [updated] = await tx
      .update(consents)
      .set({ withdrawnAt: new Date() })
      .where(eq(consents.id, consentId))
      .returning();
    if (!updated) throw new Error("consent update returned nothing");
    await appendAudit(tx, {
      tenantId: deps.tenant.id,
      actorType: "user",
      actorId: actor.userId,
      action: "consent.withdrawn",
      targetType: "consent",
      targetId: row.id,
      requestId: deps.requestId,
      details: { purpose: row.purpose, version: row.version },
    });
    return consentView(updated);
  });
}

export async function listConsents(deps: PrivacyDeps, subjectId: string) {
  const rows = await withTenant(deps.db, deps.tenant.id, (tx) =>
    tx.select().from(consents).where(eq(consents.subjectId, subjectId)).orderBy(asc(consents.grantedAt)),
  );
  return rows.map(consentView);
}
