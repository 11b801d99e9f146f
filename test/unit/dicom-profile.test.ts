import { describe, expect, it } from "vitest";
import { BASIC_PROFILE, profileAction } from "../../functions/services/dicom-profile";
import { isSupportedTransferSyntax, uidFromDigest } from "../../functions/services/dicom-deidentify";

describe("the Basic Profile table (PS3.15 Annex E)", () => {
  it("names each attribute once, with a keyword, a VR and one of the profile's action codes", () => {
    for (const [tag, entry] of BASIC_PROFILE) {
      expect((tag >>> 16) % 2, entry.keyword).toBe(0); // private attributes go by the group rule
      expect(entry.keyword).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(entry.vr).toMatch(/^[A-Z]{2}$/);
      expect(["D", "Z", "X", "K", "C", "U"]).toContain(entry.action);
      // A UID attribute is replaced or removed, never kept as it was.
      if (entry.vr === "UI") expect(["U", "X"]).toContain(entry.action);
    }
    expect(new Set([...BASIC_PROFILE.values()].map((entry) => entry.keyword)).size).toBe(BASIC_PROFILE.size);
  });

  it("covers every attribute row of Table E.1-1 (PS3.15 2026c: 652), across the table's groups", () => {
    expect(BASIC_PROFILE.size).toBeGreaterThanOrEqual(652);
    // [tag, keyword, action after resolving the table's choices]: a tag typo or a dropped row fails here.
    const known: Array<[number, string, string]> = [
      // the patient
      [0x00100010, "PatientName", "Z"],
      [0x00100020, "PatientID", "Z"],
      [0x00100030, "PatientBirthDate", "Z"],
      [0x00100040, "PatientSex", "Z"],
      [0x00101001, "OtherPatientNames", "X"],
      [0x00101002, "OtherPatientIDsSequence", "X"],
      [0x00101040, "PatientAddress", "X"],
      [0x00102154, "PatientTelephoneNumbers", "X"],
      [0x00102155, "PatientTelecomInformation", "X"],
      [0x00100012, "NameToUse", "X"],
      [0x00100041, "GenderIdentitySequence", "X"],
      [0x00102161, "EthnicGroupCodeSequence", "X"],
      [0x00101100, "ReferencedPatientPhotoSequence", "X"],
      // study and series
      [0x00080050, "AccessionNumber", "Z"],
      [0x00200010, "StudyID", "Z"],
      [0x00081030, "StudyDescription", "X"],
      [0x0008103e, "SeriesDescription", "X"],
      [0x00080090, "ReferringPhysicianName", "Z"],
      [0x0008009c, "ConsultingPhysicianName", "Z"],
      [0x00081060, "NameOfPhysiciansReadingStudy", "X"],
      [0x00321032, "RequestingPhysician", "X"],
      [0x00380010, "AdmissionID", "X"],
      // equipment and institution
      [0x00080080, "InstitutionName", "Z"],
      [0x00080081, "InstitutionAddress", "X"],
      [0x00081010, "StationName", "Z"],
      [0x00081040, "InstitutionalDepartmentName", "X"],
      [0x00181000, "DeviceSerialNumber", "Z"],
      [0x00181010, "SecondaryCaptureDeviceID", "X"],
      [0x0018700a, "DetectorID", "X"],
      [0x00080055, "StationAETitle", "X"],
      [0x00160072, "GPSLatitude", "X"],
      // dates and times
      [0x00080020, "StudyDate", "Z"],
      [0x00080021, "SeriesDate", "X"],
      [0x00080023, "ContentDate", "Z"],
      [0x0008002a, "AcquisitionDateTime", "Z"],
      [0x00080013, "InstanceCreationTime", "Z"],
      [0x00400244, "PerformedProcedureStepStartDate", "X"],
      [0x0040a032, "ObservationDateTime", "X"],
      [0x0018a002, "ContributionDateTime", "X"],
      // UIDs
      [0x00080018, "SOPInstanceUID", "U"],
      [0x0020000d, "StudyInstanceUID", "U"],
      [0x0020000e, "SeriesInstanceUID", "U"],
      [0x00200052, "FrameOfReferenceUID", "U"],
      [0x00081155, "ReferencedSOPInstanceUID", "U"],
      [0x00020003, "MediaStorageSOPInstanceUID", "U"],
      [0x00080017, "AcquisitionUID", "U"],
      [0x00400554, "SpecimenUID", "U"],
      [0x006a0003, "AnnotationGroupUID", "U"], // D in the table: the mapped UID is the dummy
      [0x300a0054, "TableTopPositionAlignmentUID", "U"],
      // sequences
      [0x00400275, "RequestAttributesSequence", "X"],
      [0x00081120, "ReferencedPatientSequence", "X"],
      [0x00081110, "ReferencedStudySequence", "Z"],
      [0x00081111, "ReferencedPerformedProcedureStepSequence", "Z"],
      [0x00081140, "ReferencedImageSequence", "U"],
      [0x00082112, "SourceImageSequence", "U"],
      [0x0040a730, "ContentSequence", "D"],
      [0x0040a073, "VerifyingObserverSequence", "D"],
      [0x00400555, "AcquisitionContextSequence", "Z"],
      [0x00880200, "IconImageSequence", "X"],
      [0x04000561, "OriginalAttributesSequence", "X"],
      [0xfffafffa, "DigitalSignaturesSequence", "X"],
      // clinical trials, RT, annotations, waveforms
      [0x00120040, "ClinicalTrialSubjectID", "D"],
      [0x00120031, "ClinicalTrialSiteName", "Z"],
      [0x300a0002, "RTPlanLabel", "D"],
      [0x30060002, "StructureSetLabel", "D"],
      [0x30060026, "ROIName", "Z"],
      [0x0040b020, "WaveformAnnotationSequence", "X"],
      [0x00700006, "UnformattedTextValue", "D"],
      [0x40080300, "Impressions", "X"],
    ];
    for (const [tag, keyword, action] of known) {
      const entry = BASIC_PROFILE.get(tag);
      expect(entry?.keyword, tag.toString(16).padStart(8, "0")).toBe(keyword);
      expect(entry?.action, keyword).toBe(action);
    }
    const sequences = [...BASIC_PROFILE.values()].filter((entry) => entry.vr === "SQ");
    expect(sequences.length).toBeGreaterThanOrEqual(76); // the implicit VR reader learns which elements are sequences here
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
