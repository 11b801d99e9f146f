import { describe, expect, it } from "vitest";
import { BASIC_PROFILE, profileAction } from "../../functions/services/dicom-profile";
import { isSupportedTransferSyntax, uidFromDigest } from "../../functions/services/dicom-deidentify";

describe("the Basic Profile table (PS3.15 Annex E)", () => {
  it("names each attribute once, with a keyword, a VR and one of the profile's action codes", () => {
    expect(BASIC_PROFILE.size).toBeGreaterThan(150);
    for (const [tag, entry] of BASIC_PROFILE) {
      expect(tag >>> 16, entry.keyword).toBeGreaterThan(0);
      expect(entry.keyword).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(entry.vr).toMatch(/^[A-Z]{2}$/);
      expect(["D", "Z", "X", "K", "C", "U"]).toContain(entry.action);
      // A UID attribute is replaced or removed, never kept as it was.
      if (entry.vr === "UI") expect(["U", "X"]).toContain(entry.action);
    }
    expect(new Set([...BASIC_PROFILE.values()].map((entry) => entry.keyword)).size).toBe(BASIC_PROFILE.size);
  });

  it("removes private attributes, curves and overlay data, and keeps what it does not name", () => {
    expect(profileAction(0x00091001)).toBe("X");
    expect(profileAction(0x00291010)).toBe("X");
    expect(profileAction(0x50003000)).toBe("X");
    expect(profileAction(0x60003000)).toBe("X");
    expect(profileAction(0x60000010)).toBeNull(); // overlay rows and columns are not identifying
    expect(profileAction(0x00100010)).toBe("Z");
    expect(profileAction(0x0020000d)).toBe("U");
    expect(profileAction(0x00080060)).toBeNull(); // modality
  });

  it("makes UIDs under 2.25 that fit a UI value, and accepts only the little endian transfer syntaxes", () => {
    const longest = uidFromDigest("f".repeat(64));
    expect(longest).toMatch(/^2\.25\.\d+$/);
    expect(longest.length).toBeLessThanOrEqual(64);
    expect(uidFromDigest("0".repeat(64))).toBe("2.25.0");
    expect(isSupportedTransferSyntax("1.2.840.10008.1.2")).toBe(true);
    expect(isSupportedTransferSyntax("1.2.840.10008.1.2.1")).toBe(true);
    expect(isSupportedTransferSyntax("1.2.840.10008.1.2.4.50")).toBe(true);
    expect(isSupportedTransferSyntax("1.2.840.10008.1.2.2")).toBe(false); // explicit big endian
    expect(isSupportedTransferSyntax("1.2.840.10008.1.2.1.99")).toBe(false); // deflated
  });
});
