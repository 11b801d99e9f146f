import { describe, expect, it } from "vitest";
import type { LegalHold } from "../../schema/legal-holds.js";
import { holdCovering } from "../../functions/services/legal-holds.js";
import { isValidCpf } from "../../functions/services/privacy/index.js";
import { dueBefore } from "../../functions/services/retention.js";
import { retentionClassFor } from "../../functions/services/uploads.js";
import { moveKeyToClass, objectKeyFor } from "../../functions/services/media-storage.js";

const hold = (fields: Partial<LegalHold>): LegalHold =>
  ({
    id: "h",
    tenantId: "t",
    scope: "tenant",
    targetId: null,
    itemType: null,
    reason: "r",
    createdBy: null,
    createdAt: new Date(),
    releasedAt: null,
    releasedBy: null,
    ...fields,
  }) as LegalHold;

describe("retention and privacy rules", () => {
  it("counts imaging as due 21 years after its last entry (schema/retention-policies.ts)", () => {
    const now = new Date("2050-01-01T00:00:00Z");
    expect(dueBefore("medical_imaging", now)?.getTime()).toBe(now.getTime() - Math.ceil(21 * 365.25) * 86_400_000);
    expect(dueBefore("general_media", now)).toBeNull();
  });

  it("lets a hold cover the tenant, a subject, a user's items, or one item", () => {
    const target = { itemType: "media_item" as const, itemId: "m1", subjectId: "s1", createdBy: "u1" };
    expect(holdCovering([hold({})], target)).not.toBeNull();
    expect(holdCovering([hold({ scope: "subject", targetId: "s1" })], target)).not.toBeNull();
    expect(holdCovering([hold({ scope: "user", targetId: "u1" })], target)).not.toBeNull();
    expect(holdCovering([hold({ scope: "item", targetId: "m1", itemType: "media_item" })], target)).not.toBeNull();
    expect(holdCovering([hold({ scope: "item", targetId: "m1", itemType: "consent" })], target)).toBeNull();
    expect(holdCovering([hold({ scope: "subject", targetId: "s2" })], target)).toBeNull();
  });

  it("checks CPF check digits and refuses repeated digits", () => {
    expect(isValidCpf("529.982.247-25")).toBe(true);
    expect(isValidCpf("529.982.247-26")).toBe(false);
    expect(isValidCpf("111.111.111-11")).toBe(false);
  });

  it("builds object keys from the class prefix, never from a filename", () => {
    const key = objectKeyFor("upload_incomplete", "tenant-1", "abc", new Date("2025-03-09T12:00:00Z"));
    expect(key).toBe("upload-pending/tenant-1/2025/03/abc");
    expect(moveKeyToClass(key, "upload_incomplete", "medical_imaging")).toBe("medical-imaging/tenant-1/2025/03/abc");
    expect(retentionClassFor("dicom", false)).toBe("medical_imaging");
    expect(retentionClassFor("document", true)).toBe("medical_record");
    expect(retentionClassFor("image", false)).toBe("general_media");
  });
});
