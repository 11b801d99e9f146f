import { asc, eq } from "drizzle-orm";
import { consents } from "../../../schema";
import { ConflictError, NotFoundError } from "../../lib/errors";
import { requireUser, type Scope } from "../../scope";
import { findOrCreateSubject, type SubjectIdentity } from "./subjects";
import { consentView } from "./views";

/** Consents (LGPD art. 8): recorded with purpose, version of the text, source and time; withdrawable at any time. */

export async function recordConsent(
  scope: Scope,
  input: {
    subject: SubjectIdentity;
    purpose: string;
    version: string;
    source: string;
    grantedAt?: string | undefined;
  },
) {
  requireUser(scope);
  return scope.transaction(async (tx) => {
    const subject = await findOrCreateSubject(scope, tx, input.subject);
    const [row] = await tx
      .insert(consents)
      .values({
        tenantId: scope.tenant.id,
        subjectId: subject.id,
        purpose: input.purpose,
        version: input.version,
        source: input.source,
        grantedAt: input.grantedAt ? new Date(input.grantedAt) : new Date(),
      })
      .returning();
    if (!row) throw new Error("consent insert returned nothing");
    await scope.audit(
      tx,
      "consent.recorded",
      { type: "consent", id: row.id },
      {
        subjectId: subject.id,
        purpose: row.purpose,
        version: row.version,
        source: row.source,
        grantedAt: row.grantedAt.toISOString(),
      },
    );
    return consentView(row);
  });
}

export async function withdrawConsent(scope: Scope, consentId: string) {
  requireUser(scope);
  return scope.transaction(async (tx) => {
    const [row] = await tx.select().from(consents).where(eq(consents.id, consentId)).limit(1).for("update");
    if (!row) throw new NotFoundError("No such consent.");
    if (row.withdrawnAt) throw new ConflictError("consent_withdrawn", "This consent was already withdrawn.");
    const [updated] = await tx
      .update(consents)
      .set({ withdrawnAt: new Date() })
      .where(eq(consents.id, consentId))
      .returning();
    if (!updated) throw new Error("consent update returned nothing");
    await scope.audit(
      tx,
      "consent.withdrawn",
      { type: "consent", id: row.id },
      { purpose: row.purpose, version: row.version },
    );
    return consentView(updated);
  });
}

export async function listConsents(scope: Scope, subjectId: string) {
  const rows = await scope.transaction((tx) =>
    tx.select().from(consents).where(eq(consents.subjectId, subjectId)).orderBy(asc(consents.grantedAt)),
  );
  return rows.map(consentView);
}
