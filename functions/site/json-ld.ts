import type { SiteArticle } from "../services/site";

/**
 * Serialises JSON-LD for a `<script type="application/ld+json">` element. The HTML parser ends a script
 * element at the first `</script` whatever the type, and `<!--` changes how it tokenises the rest, so
 * every `<` (and `>`, `&` for good measure) is written as a JSON unicode escape, which JSON parsers read
 * back as the same character (RFC 8259 §7). U+2028/2029 are escaped too, for older JavaScript consumers.
 */
export function serializeJsonLd(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export interface Citation {
  identifier: string;
  name: string | null;
  url: string | null;
}

/**
 * The references an article cites, read from its `MedicalWebPage.citation` (the content-finalizer lists
 * the resolved, non-retracted ones there). Only https links are kept: the JSON-LD is plugin output, and a
 * `javascript:` URL must never reach an href.
 */
export function citationsOf(jsonLd: Record<string, unknown> | null): Citation[] {
  const list = jsonLd && Array.isArray(jsonLd.citation) ? (jsonLd.citation as unknown[]) : [];
  const citations: Citation[] = [];
  for (const entry of list) {
    if (!entry || typeof entry !== "object") continue;
    const record = entry as Record<string, unknown>;
    const identifier = typeof record.identifier === "string" ? record.identifier : null;
    if (!identifier) continue;
    const url = typeof record.url === "string" && /^https:\/\/[^\s"<>]+$/i.test(record.url) ? record.url : null;
    citations.push({ identifier, name: typeof record.name === "string" ? record.name : null, url });
  }
  return citations;
}

/** The analysis JSON-LD when it is a schema.org MedicalWebPage object; anything else is not embedded. */
export function medicalWebPageOf(value: unknown): Record<string, unknown> | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  return record["@type"] === "MedicalWebPage" ? record : null;
}

/**
 * What the page's JSON-LD says about its medical review, from the item itself rather than the analysis: the
 * content-finalizer runs while an item is in review, before anyone approved it, so its `reviewedBy` is missing
 * or names an earlier approval. `reviewedBy` is the approving reviewer (a schema.org Physician with the CRM/UF,
 * and the RQE and specialty when the page presents them), `lastReviewed` the approval's date.
 */
export function medicalReviewOf(article: Pick<SiteArticle, "reviewer" | "lastMedicallyReviewedAt">): {
  reviewedBy?: Record<string, unknown>;
  lastReviewed?: string;
} {
  const { reviewer } = article;
  const review: { reviewedBy?: Record<string, unknown>; lastReviewed?: string } = {};
  if (article.lastMedicallyReviewedAt) review.lastReviewed = article.lastMedicallyReviewedAt.toISOString().slice(0, 10);
  if (!reviewer) return review;
  const crm =
    reviewer.crm && reviewer.uf
      ? {
          "@type": "PropertyValue",
          propertyID: `CRM/${reviewer.uf}`,
          value: reviewer.crm,
          name: `CRM/${reviewer.uf} ${reviewer.crm}`,
        }
      : null;
  const rqe = (reviewer.specialist?.rqe ?? []).map((value) => ({
    "@type": "PropertyValue",
    propertyID: "RQE",
    value,
    name: `RQE ${value}`,
  }));
  const identifiers = [...(crm ? [crm] : []), ...rqe];
  review.reviewedBy = {
    "@type": "Physician",
    name: reviewer.name,
    ...(identifiers.length === 1
      ? { identifier: identifiers[0] }
      : identifiers.length > 1
        ? { identifier: identifiers }
        : {}),
    ...(reviewer.specialist ? { medicalSpecialty: reviewer.specialist.specialty } : {}),
  };
  return review;
}
