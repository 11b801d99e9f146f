import { asc, desc, eq, sql } from "drizzle-orm";
import { consents, type DataSubject, dataSubjects, mediaItems, privacyRequests } from "../../../schema";
import { sha256Hex } from "../../lib/crypto";
import type { Transaction } from "../../lib/db";
import { NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import { UnprocessableError } from "../../lib/errors";

/** Identifying the data subject a request or consent is about, and gathering what is held about them. */

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
  displayName?: string | undefined;
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

export async function findOrCreateSubject(
  scope: Scope,
  tx: Transaction,
  identity: SubjectIdentity,
): Promise<DataSubject> {
  if (!identity.email && !identity.cpf)
    throw new UnprocessableError("subject_identity_required", "Identify the data subject by e-mail or CPF.");
  if (identity.cpf && !isValidCpf(identity.cpf)) throw new UnprocessableError("cpf_invalid", "The CPF is not valid.");
  const existing = await findSubject(tx, scope.tenant.id, identity);
  if (existing) return existing;
  const [row] = await tx
    .insert(dataSubjects)
    .values({
      tenantId: scope.tenant.id,
      email: identity.email?.trim().toLowerCase() ?? null,
      cpfHash: identity.cpf ? await cpfHash(scope.tenant.id, identity.cpf) : null,
      displayName: identity.displayName ?? null,
    })
    .returning();
  if (!row) throw new Error("subject insert returned nothing");
  await scope.audit(tx, "data_subject.created", { type: "data_subject", id: row.id });
  return row;
}

export async function registerSubject(scope: Scope, identity: SubjectIdentity): Promise<{ id: string }> {
  requireUser(scope);
  const subject = await scope.transaction((tx) => findOrCreateSubject(scope, tx, identity));
  return { id: subject.id };
}

/** A subject as the search shows it: enough to tell two people apart, never the CPF (only its hash is kept). */
export interface SubjectMatch {
  id: string;
  displayName: string | null;
  email: string | null;
  blocked: boolean;
  anonymised: boolean;
  createdAt: string;
}

/** A search names a person either way: part of their name, or their CPF (matched by its hash). */
export type SubjectSearch = { name: string; cpf?: undefined } | { cpf: string; name?: undefined };

const SEARCH_LIMIT = 20;

/** `%`, `_` and `\` typed in a name are literal characters, not LIKE wildcards. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * Finds data subjects by part of their name (accent- and case-insensitive) or by CPF, hashed exactly as it is
 * stored (`cpfHash`), so the number is compared without being kept. The search is a read of personal data and is
 * audited (`data_subject.searched`) with how it searched and whom it found, never what was typed: a name or a CPF
 * in the audit chain would be personal data kept for as long as the chain.
 */
export async function searchSubjects(scope: Scope, search: SubjectSearch): Promise<SubjectMatch[]> {
  requireUser(scope);
  if (search.cpf !== undefined && !isValidCpf(search.cpf))
    throw new UnprocessableError("cpf_invalid", "The CPF is not valid.");
  const condition =
    search.cpf !== undefined
      ? eq(dataSubjects.cpfHash, await cpfHash(scope.tenant.id, search.cpf))
      : sql`vitalis_unaccent(${dataSubjects.displayName}) ilike vitalis_unaccent(${likePattern(search.name.trim())})`;
  return scope.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(dataSubjects)
      .where(condition)
      .orderBy(asc(dataSubjects.displayName), asc(dataSubjects.id))
      .limit(SEARCH_LIMIT);
    await scope.audit(tx, "data_subject.searched", null, {
      by: search.cpf !== undefined ? "cpf" : "name",
      subjectIds: rows.map((row) => row.id),
    });
    return rows.map((row) => ({
      id: row.id,
      displayName: row.displayName,
      email: row.email,
      blocked: row.blockedAt !== null,
      anonymised: row.anonymisedAt !== null,
      createdAt: row.createdAt.toISOString(),
    }));
  });
}

/** Everything held about a subject: the record, consents, media and earlier requests. */
export async function subjectData(tx: Transaction, subjectId: string) {
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

export type SubjectData = Awaited<ReturnType<typeof subjectData>>;
