/**
 * Retention policy table: the single source of truth for how long each class of data is kept.
 *
 * Pure data (no drizzle, no Node): the Worker's hourly retention sweep, the privacy service, the
 * Terraform lifecycle generator (scripts/generate-lifecycle.ts) and the tests all import it.
 *
 * Ages are in days. Years are counted as 365.25 days and rounded up, so "20 years" is 7305 days and a
 * rule is never shorter than the law's period because of leap years.
 *
 * S3 lifecycle rules are derived from this table (see `lifecycleRulesFromPolicies`). S3 counts an
 * object's age from its creation, not from the last entry of a record, a withdrawal, or a last
 * effective date. The bucket rule is therefore only a BACKSTOP set at `maxAgeDays`: the application's
 * hourly sweep is what enforces "measured from", legal holds and the delete/anonymise action. For
 * classes where a legal hold is possible the bucket rule must never expire an object before
 * `minAgeDays` (checked below and by test/infra).
 *
 * Known limit of the backstop: an object of a medical record that keeps receiving entries years after
 * the object was uploaded may reach `maxAgeDays` (from its creation) before its record reaches
 * `minAgeDays` (from the record's last entry). Production enables S3 Object Lock so that the compliance
 * tooling can put a legal hold or retention date on such objects; the sweep must flag records whose
 * objects approach the backstop while the record is still inside its minimum.
 */

export const retentionClasses = [
  "medical_record",
  "medical_imaging",
  "hipaa_documentation",
  "access_log",
  "audit_security",
  "marketing_consent",
  "upload_incomplete",
  "general_media",
  "deidentified_media",
] as const;

export type RetentionClass = (typeof retentionClasses)[number];

/** What the sweep does once an item is past `maxAgeDays` and not under a legal hold. */
export type RetentionAction = "delete" | "anonymise" | "keep";

/** The event the ages are counted from. */
export type RetentionClock = "last_entry" | "created" | "last_effective" | "withdrawn";

export interface RetentionPolicy {
  readonly retentionClass: RetentionClass;
  /** Must be kept at least this long; deletion requests before then are refused (and blocked instead). */
  readonly minAgeDays: number;
  /** Must be acted on by this age; null = keep indefinitely until a rule changes. */
  readonly maxAgeDays: number | null;
  readonly measuredFrom: RetentionClock;
  /** The citation shown to compliance officers and in data-subject answers. */
  readonly legalBasis: string;
  readonly action: RetentionAction;
  /** The object-key prefix of this class in the S3 bucket, or null when it is not stored in S3. */
  readonly s3Prefix: string | null;
  /** A legal hold (litigation, regulator, court order) can stop the sweep for items of this class. */
  readonly legalHoldPossible: boolean;
}

const YEAR_DAYS = 365.25;
const years = (n: number): number => Math.ceil(n * YEAR_DAYS);

const table: Record<RetentionClass, RetentionPolicy> = {
  // Lei 13.787/2018 art. 6: records are kept for at least 20 years from the last entry, after which they
  // may be destroyed. CFM Resolução 1.821/2007 (arts. 7–8) sets the same 20-year floor.
  // Action "delete", not "anonymise": LGPD art. 6 III (necessity) and art. 16 call for elimination once
  // the obligation ends, and anonymising clinical documents and DICOM pixel data cannot be guaranteed
  // (burned-in annotations, faces reconstructable from CT/MR volumes), so an "anonymised" copy would
  // still be health data under LGPD art. 12. Records of historical or research value are kept by an
  // explicit legal hold, not by default. Max = 20 years + 1 year: time for the sweep's review of holds
  // and for a patient's request to receive the record instead of its destruction.
  medical_record: {
    retentionClass: "medical_record",
    minAgeDays: years(20),
    maxAgeDays: years(21),
    measuredFrom: "last_entry",
    legalBasis: "Lei 13.787/2018 art. 6; CFM Resolução 1.821/2007 arts. 7-8 (20 anos a partir do último registro)",
    action: "delete",
    s3Prefix: "medical-record/",
    legalHoldPossible: true,
  },
  // Imaging studies (DICOM) are part of the patient's record: same rule, own prefix so the bucket can
  // tell them apart (Object Lock, storage class) without reading the object.
  medical_imaging: {
    retentionClass: "medical_imaging",
    minAgeDays: years(20),
    maxAgeDays: years(21),
    measuredFrom: "last_entry",
    legalBasis: "Lei 13.787/2018 art. 6; CFM Resolução 1.821/2007 arts. 7-8 (imagens integram o prontuário)",
    action: "delete",
    s3Prefix: "medical-imaging/",
    legalHoldPossible: true,
  },
  // 45 CFR 164.316(b)(2)(i): documentation is kept 6 years from its creation or the date it was last in
  // effect, whichever is later. Max = 7 years: one year for the sweep and an annual compliance review.
  hipaa_documentation: {
    retentionClass: "hipaa_documentation",
    minAgeDays: years(6),
    maxAgeDays: years(7),
    measuredFrom: "last_effective",
    legalBasis: "45 CFR 164.316(b)(2)(i) (6 years from creation or last effective date)",
    action: "delete",
    s3Prefix: "hipaa-documentation/",
    legalHoldPossible: true,
  },
  // Marco Civil da Internet (Lei 12.965/2014) art. 15: application access logs are kept for 6 months
  // (183 days). Max = 1 year: covers a preservation request under art. 15 §2 (authorities may ask for
  // longer retention and then have 60 days to seek a court order) and the annual security review;
  // keeping IP logs longer has no legal basis (LGPD art. 6 III, necessity). Logs are not in S3.
  access_log: {
    retentionClass: "access_log",
    minAgeDays: 183,
    maxAgeDays: 365,
    measuredFrom: "created",
    legalBasis: "Lei 12.965/2014 (Marco Civil da Internet) art. 15 (6 meses); LGPD art. 6 III",
    action: "delete",
    s3Prefix: null,
    legalHoldPossible: true,
  },
  // Resolução CD/ANPD 15/2024: security-incident records are kept for at least 5 years. Audit events
  // and their signed checkpoints follow the same class. Max = 6 years so the same records also meet
  // 45 CFR 164.316(b)(2) for US tenants (audit-control documentation, 164.312(b)).
  audit_security: {
    retentionClass: "audit_security",
    minAgeDays: years(5),
    maxAgeDays: years(6),
    measuredFrom: "created",
    legalBasis: "Resolução CD/ANPD 15/2024 (registro de incidentes: mínimo de 5 anos); 45 CFR 164.316(b)(2)",
    action: "delete",
    s3Prefix: "audit/",
    legalHoldPossible: true,
  },
  // LGPD art. 8 §5 and art. 18 IX: consent can be withdrawn at any time; data processed only on that
  // consent is then eliminated (art. 16, art. 18 VI). Counted from the withdrawal; 30 days to purge
  // mailing lists and caches. The proof of the consent and of its withdrawal (art. 8 §2, the
  // controller's burden of proof) lives in the audit trail, class audit_security.
  marketing_consent: {
    retentionClass: "marketing_consent",
    minAgeDays: 0,
    maxAgeDays: 30,
    measuredFrom: "withdrawn",
    legalBasis: "LGPD (Lei 13.709/2018) art. 8 §5, art. 16, art. 18 VI and IX",
    action: "delete",
    s3Prefix: null,
    legalHoldPossible: false,
  },
  // Uploads that were started or finished but never confirmed (size and SHA-256 verified) by the Worker.
  // Presigned URLs live minutes; 2 days leaves room for a retry after a dropped connection. Anything
  // longer would keep unverified, possibly PHI-bearing files without a purpose (LGPD art. 6 III).
  upload_incomplete: {
    retentionClass: "upload_incomplete",
    minAgeDays: 0,
    maxAgeDays: 2,
    measuredFrom: "created",
    legalBasis: "LGPD art. 6 III (necessidade); art. 16 (término do tratamento)",
    action: "delete",
    s3Prefix: "upload-pending/",
    legalHoldPossible: false,
  },
  // Published editorial media (illustrations, article images): no legal limit; kept until an editor
  // deletes it. Media that identifies a patient is not general media (medical_record / medical_imaging).
  general_media: {
    retentionClass: "general_media",
    minAgeDays: 0,
    maxAgeDays: null,
    measuredFrom: "created",
    legalBasis: "Conteúdo editorial publicado; sem prazo legal (mantido até remoção editorial)",
    action: "keep",
    s3Prefix: "media/",
    legalHoldPossible: false,
  },
  // A de-identified copy of a study (DICOM PS3.15 Annex E, Basic Profile) for teaching content: no data subject,
  // kept like editorial media until an editor removes it. Its own prefix so the bucket, the IAM policy and a
  // reviewer tell it apart from the patient's record it came from, which stays PHI under its own class.
  deidentified_media: {
    retentionClass: "deidentified_media",
    minAgeDays: 0,
    maxAgeDays: null,
    measuredFrom: "created",
    legalBasis:
      "Cópia desidentificada (DICOM PS3.15 Anexo E) para conteúdo educacional; sem prazo legal (mantida até remoção editorial)",
    action: "keep",
    s3Prefix: "deidentified-media/",
    legalHoldPossible: false,
  },
};

for (const policy of Object.values(table)) Object.freeze(policy);

/** The table, frozen: `retentionPolicies.medical_record.minAgeDays === 7305`. */
export const retentionPolicies: Readonly<Record<RetentionClass, RetentionPolicy>> = Object.freeze(table);

/**
 * The classes whose objects a legal hold reaches in the bucket (an S3 legal hold on each object): stored in S3, a
 * hold possible, and not the anchored audit checkpoints, which are under COMPLIANCE retention already and which the
 * Worker may only write once. The IAM policy grants the legal-hold actions on exactly these prefixes.
 */
export const legalHoldObjectClasses: readonly RetentionClass[] = Object.values(table)
  .filter(
    (policy) => policy.s3Prefix !== null && policy.legalHoldPossible && policy.retentionClass !== "audit_security",
  )
  .map((policy) => policy.retentionClass);

/** The bucket prefixes of `legalHoldObjectClasses`, in table order. */
export function legalHoldPrefixes(): string[] {
  return legalHoldObjectClasses.map((retentionClass) => retentionPolicies[retentionClass].s3Prefix!);
}

// ---------------------------------------------------------------------------------------------------
// S3 lifecycle rules derived from the table
// ---------------------------------------------------------------------------------------------------

/**
 * Parts of a multipart upload that was never completed are billed and invisible to the application;
 * AWS recommends a rule that aborts them. One day is plenty for the largest DICOM study.
 */
export const ABORT_INCOMPLETE_MULTIPART_DAYS = 1;

/**
 * The bucket is versioned, so an expiration (or an application DeleteObject) only adds a delete marker
 * and the data stays as a noncurrent version. It is removed this many days later: a recovery window for
 * mistakes, short enough that "deleted" means deleted (LGPD art. 16).
 */
export const NONCURRENT_VERSION_EXPIRATION_DAYS = 30;

export interface S3LifecycleRule {
  /** Rule id: the retention class. */
  readonly id: RetentionClass;
  /** Object-key prefix the rule filters on (keys are `<prefix><tenant>/<yyyy>/<mm>/<random-id>`). */
  readonly prefix: string;
  /** Days after creation at which the current version expires; null for classes that are kept. */
  readonly expirationDays: number | null;
  readonly noncurrentVersionExpirationDays: number;
  readonly abortIncompleteMultipartUploadDays: number;
}

/**
 * One lifecycle rule per retention class that has an S3 prefix, in table order. Throws when a policy
 * would make the bucket delete data before the law allows, so a bad edit fails the generator and tests.
 */
export function lifecycleRulesFromPolicies(
  policies: Readonly<Record<string, RetentionPolicy>> = retentionPolicies,
): S3LifecycleRule[] {
  const rules: S3LifecycleRule[] = [];
  for (const policy of Object.values(policies)) {
    if (policy.s3Prefix === null) continue;
    if (policy.maxAgeDays !== null && policy.maxAgeDays < policy.minAgeDays) {
      throw new Error(`retention class ${policy.retentionClass}: maxAgeDays is below minAgeDays`);
    }
    if (policy.action === "keep" && policy.maxAgeDays !== null) {
      throw new Error(`retention class ${policy.retentionClass}: action "keep" must have maxAgeDays null`);
    }
    if (policy.action !== "keep" && policy.maxAgeDays === null) {
      throw new Error(`retention class ${policy.retentionClass}: action "${policy.action}" needs maxAgeDays`);
    }
    const expirationDays = policy.action === "keep" ? null : policy.maxAgeDays;
    if (expirationDays !== null && expirationDays < 1) {
      throw new Error(`retention class ${policy.retentionClass}: S3 expiration must be at least 1 day`);
    }
    rules.push({
      id: policy.retentionClass,
      prefix: policy.s3Prefix,
      expirationDays,
      noncurrentVersionExpirationDays: NONCURRENT_VERSION_EXPIRATION_DAYS,
      abortIncompleteMultipartUploadDays: ABORT_INCOMPLETE_MULTIPART_DAYS,
    });
  }
  // S3 applies the shortest expiration when rules overlap, so one prefix inside another would let the
  // shorter class delete the longer class's objects.
  for (const rule of rules) {
    if (!/^[a-z0-9][a-z0-9-]*\/$/.test(rule.prefix)) {
      throw new Error(`retention class ${rule.id}: s3Prefix must look like "name/"`);
    }
    const overlapping = rules.find((other) => other !== rule && other.prefix.startsWith(rule.prefix));
    if (overlapping) throw new Error(`retention classes ${rule.id} and ${overlapping.id} have overlapping prefixes`);
  }
  return rules;
}
