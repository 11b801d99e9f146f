import { eq } from "drizzle-orm";
import { consents, dataSubjects, type MediaItem, mediaItems } from "../../../schema";
import { retentionPolicies } from "../../../schema/retention-policies";
import { activeHolds, holdCovering } from "../legal-holds";
import { deleteMediaItem } from "../media";
import type { Fulfil } from "./fulfil";

/**
 * Anonymisation and deletion (LGPD art. 18 IV and VI), limited by art. 16: erasure never overrides a legal
 * obligation to keep (art. 16 I). A medical record younger than 20 years from its last entry (Lei
 * 13.787/2018 art. 6) or anything under a legal hold is retained and BLOCKED (art. 18 IV), and the answer
 * names the legal basis.
 */

const DAY_MS = 86_400_000;

interface Retained {
  mediaId: string;
  retentionClass: string;
  reason: "legal_retention" | "legal_hold";
  legalBasis: string;
  retainedUntil: string | null;
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
      mediaId: item.id,
      retentionClass: item.retentionClass,
      reason: "legal_hold",
      legalBasis: "Ordem de preservação (legal hold) ativa; LGPD art. 16 I",
      retainedUntil: null,
    };
  }
  const policy = retentionPolicies[item.retentionClass];
  const keptUntil = new Date(item.lastEntryAt.getTime() + policy.minAgeDays * DAY_MS);
  if (keptUntil.getTime() > now.getTime()) {
    return {
      mediaId: item.id,
      retentionClass: item.retentionClass,
      reason: "legal_retention",
      legalBasis: policy.legalBasis,
      retainedUntil: keptUntil.toISOString(),
    };
  }
  return null;
}

/** Deletion also deletes the subject's consents; anonymisation keeps them (they prove what was agreed). */
export const eraseSubject: Fulfil = async ({ scope, tx, request, data, now, audit }) => {
  const { subject, subjectConsents, media } = data;
  const holds = await activeHolds(tx);
  const retained: Retained[] = [];
  let deletedMedia = 0;
  for (const item of media) {
    const reason = retentionReason(item, holds, now);
    if (reason) {
      retained.push(reason);
      if (!item.blockedAt) await tx.update(mediaItems).set({ blockedAt: now }).where(eq(mediaItems.id, item.id));
      await audit(
        "privacy.media_retained",
        { type: "media_item", id: item.id },
        { reason: reason.reason, legalBasis: reason.legalBasis, retainedUntil: reason.retainedUntil },
      );
      continue;
    }
    await deleteMediaItem(tx, scope.storage, item);
    deletedMedia += 1;
    await audit(
      "privacy.media_deleted",
      { type: "media_item", id: item.id },
      { retentionClass: item.retentionClass, sha256: item.sha256 },
    );
  }
  let deletedConsents = 0;
  const subjectHeld = holdCovering(holds, { itemType: "data_subject", itemId: subject.id, subjectId: subject.id });
  if (request.type === "deletion" && !subjectHeld) {
    for (const row of subjectConsents) {
      await tx.delete(consents).where(eq(consents.id, row.id));
      deletedConsents += 1;
      await audit(
        "privacy.consent_deleted",
        { type: "consent", id: row.id },
        { purpose: row.purpose, version: row.version, withdrawnAt: row.withdrawnAt?.toISOString() ?? null },
      );
    }
  }
  let status: "fulfilled" | "partially_fulfilled" = "fulfilled";
  if (retained.length > 0 || subjectHeld) {
    // The record must stay attributable to its patient for as long as it is kept: block, do not strip.
    await tx.update(dataSubjects).set({ blockedAt: now, updatedAt: now }).where(eq(dataSubjects.id, subject.id));
    await audit(
      "privacy.subject_blocked",
      { type: "data_subject", id: subject.id },
      { retained: retained.length, held: Boolean(subjectHeld) },
    );
    status = "partially_fulfilled";
  } else {
    await tx
      .update(dataSubjects)
      .set({ email: null, cpfHash: null, displayName: null, anonymisedAt: now, updatedAt: now })
      .where(eq(dataSubjects.id, subject.id));
    await audit("privacy.subject_anonymised", { type: "data_subject", id: subject.id }, {});
  }
  return {
    status,
    outcome: {
      deleted: { media: deletedMedia, consents: deletedConsents },
      anonymised: retained.length === 0 && !subjectHeld,
      retained,
      ...(retained.length > 0
        ? {
            message:
              "Parte dos dados é mantida por obrigação legal e foi bloqueada para qualquer outro uso (LGPD art. 16 I e art. 18 IV).",
          }
        : {}),
    },
  };
};
