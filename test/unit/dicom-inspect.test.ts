import { describe, expect, it } from "vitest";
import { inspectDicom } from "../../functions/services/dicom.js";
import { makeDicom } from "../support/dicom.js";

describe("reading a DICOM header", () => {
  it("reads a dcmtk-made file's identifying attributes and flags PHI tags (PS3.15 Annex E)", async () => {
    const file = await makeDicom({ modality: "US", studyDate: "20220301" });
    const result = inspectDicom(file.bytes, { complete: true });
    expect(result).toMatchObject({
      ok: true,
      metadata: {
        modality: "US",
        studyDate: "20220301",
        studyInstanceUid: file.studyUid,
        seriesInstanceUid: file.seriesUid,
        sopInstanceUid: file.sopUid,
      },
      phiTags: ["PatientName", "PatientID", "PatientBirthDate"],
    });
  });

  it("flags nothing on a de-identified file", async () => {
    const file = await makeDicom({ patientName: null, patientId: null, patientBirthDate: null });
    expect(inspectDicom(file.bytes, { complete: true })).toMatchObject({ ok: true, phiTags: [] });
  });

  it("refuses a file without DICM at offset 128, and asks for more bytes when the header is cut", async () => {
    const png = new Uint8Array(512);
    png.set([0x89, 0x50, 0x4e, 0x47], 0);
    expect(inspectDicom(png, { complete: true })).toMatchObject({ ok: false, reason: "not_dicom", needMore: false });
    const file = await makeDicom();
    expect(inspectDicom(file.bytes.subarray(0, 200), { complete: false })).toMatchObject({ ok: false, needMore: true });
    expect(inspectDicom(file.bytes.subarray(0, 200), { complete: true })).toMatchObject({ ok: false, needMore: false });
  });
});
