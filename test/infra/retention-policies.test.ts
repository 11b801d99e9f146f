import { describe, expect, it } from "vitest";
import {
  ABORT_INCOMPLETE_MULTIPART_DAYS,
  lifecycleRulesFromPolicies,
  retentionClasses,
  retentionPolicies,
  type RetentionPolicy,
} from "../../schema/retention-policies";

describe("retention policy table", () => {
  it("keeps medical records and imaging 20 years (7305 days) from the last entry (Lei 13.787/2018 art. 6)", () => {
    for (const cls of ["medical_record", "medical_imaging"] as const) {
      const policy = retentionPolicies[cls];
      expect(policy.minAgeDays).toBe(7305);
      expect(policy.measuredFrom).toBe("last_entry");
      expect(policy.legalBasis).toContain("13.787/2018");
      expect(policy.legalHoldPossible).toBe(true);
      expect(policy.action).toBe("delete");
    }
  });

  it("has the statutory minimums of the other classes", () => {
    expect(retentionPolicies.hipaa_documentation.minAgeDays).toBe(2192); // 6 years, 45 CFR 164.316(b)(2)
    expect(retentionPolicies.hipaa_documentation.legalBasis).toContain("164.316(b)(2)");
    expect(retentionPolicies.access_log.minAgeDays).toBe(183); // 6 months, Marco Civil art. 15
    expect(retentionPolicies.access_log.maxAgeDays).toBe(365);
    expect(retentionPolicies.audit_security.minAgeDays).toBeGreaterThanOrEqual(1827); // 5 years, CD/ANPD 15/2024
    expect(retentionPolicies.marketing_consent.measuredFrom).toBe("withdrawn");
    expect(retentionPolicies.upload_incomplete.maxAgeDays).toBeGreaterThanOrEqual(1);
    expect(retentionPolicies.upload_incomplete.maxAgeDays).toBeLessThanOrEqual(7);
    expect(retentionPolicies.general_media.action).toBe("keep");
    expect(retentionPolicies.general_media.maxAgeDays).toBeNull();
  });

  it("has one entry per class, keyed by its own class, with min <= max and a legal basis", () => {
    expect(Object.keys(retentionPolicies).sort()).toEqual([...retentionClasses].sort());
    for (const [key, policy] of Object.entries(retentionPolicies)) {
      expect(policy.retentionClass).toBe(key);
      expect(policy.minAgeDays).toBeGreaterThanOrEqual(0);
      if (policy.maxAgeDays !== null) expect(policy.minAgeDays).toBeLessThanOrEqual(policy.maxAgeDays);
      expect(policy.action === "keep").toBe(policy.maxAgeDays === null);
      expect(policy.legalBasis.length).toBeGreaterThan(10);
    }
  });

  it("is frozen", () => {
    expect(Object.isFrozen(retentionPolicies)).toBe(true);
    expect(Object.isFrozen(retentionPolicies.medical_record)).toBe(true);
    expect(() => {
      (retentionPolicies.medical_record as { minAgeDays: number }).minAgeDays = 1;
    }).toThrow(TypeError);
  });

  it("derives one lifecycle rule per S3 class, never expiring legal-hold classes before their minimum", () => {
    const rules = lifecycleRulesFromPolicies();
    const s3Classes = Object.values(retentionPolicies).filter((p) => p.s3Prefix !== null);
    expect(rules.map((r) => r.id)).toEqual(s3Classes.map((p) => p.retentionClass));
    expect(rules.map((r) => r.prefix)).toEqual([
      "medical-record/",
      "medical-imaging/",
      "hipaa-documentation/",
      "audit/",
      "upload-pending/",
      "media/",
      "deidentified-media/",
    ]);
    for (const rule of rules) {
      const policy = retentionPolicies[rule.id];
      expect(rule.expirationDays).toBe(policy.action === "keep" ? null : policy.maxAgeDays);
      expect(rule.abortIncompleteMultipartUploadDays).toBe(ABORT_INCOMPLETE_MULTIPART_DAYS);
      if (policy.legalHoldPossible && rule.expirationDays !== null) {
        expect(rule.expirationDays).toBeGreaterThanOrEqual(policy.minAgeDays);
      }
    }
    expect(rules.find((r) => r.id === "medical_imaging")?.expirationDays).toBe(7671);
  });

  it("refuses a table that would let the bucket delete before the minimum or overlap prefixes", () => {
    const base = retentionPolicies.medical_record;
    const tooShort: RetentionPolicy = { ...base, maxAgeDays: 365 };
    expect(() => lifecycleRulesFromPolicies({ medical_record: tooShort })).toThrow(/below minAgeDays/);

    const keepWithMax: RetentionPolicy = { ...retentionPolicies.general_media, maxAgeDays: 10 };
    expect(() => lifecycleRulesFromPolicies({ general_media: keepWithMax })).toThrow(/keep/);

    const overlapping: RetentionPolicy = { ...retentionPolicies.upload_incomplete, s3Prefix: "medical-record/tmp/" };
    expect(() => lifecycleRulesFromPolicies({ medical_record: base, upload_incomplete: overlapping })).toThrow(
      /overlapping/,
    );

    const badPrefix: RetentionPolicy = { ...base, s3Prefix: "/medical*" };
    expect(() => lifecycleRulesFromPolicies({ medical_record: badPrefix })).toThrow(/s3Prefix/);
  });
});
