import * as dicomParser from "dicom-parser";
import type { DicomMetadata } from "../../schema/media-items";

/**
 * Reading the header of a DICOM Part 10 file (PS3.10 §7.1): a 128-byte preamble, the magic `DICM`, the
 * File Meta Information (group 0002, always explicit VR little endian) naming the transfer syntax, then
 * the dataset. Only the header is read (ranged GETs of the first bytes): the pixel data is never needed.
 */

/** PS3.10 §7.1: the preamble is 128 bytes, then the 4-byte prefix "DICM". */
export const DICOM_PREFIX_OFFSET = 128;
/** First range read on completion; a header longer than this is read again with the larger one. */
export const DICOM_HEADER_RANGES = [256 * 1024, 4 * 1024 * 1024] as const;

/**
 * Attributes that identify the patient or can lead back to them, from the Basic Application Level
 * Confidentiality Profile (PS3.15 Annex E, Table E.1-1), flagged when present with a value. The list is
 * the ones a study from a clinic is likely to carry; flags tell reviewers the object is PHI, they are not
 * a de-identification.
 */
export const PHI_TAGS: Readonly<Record<string, string>> = {
  x00080050: "AccessionNumber",
  x00080080: "InstitutionName",
  x00080081: "InstitutionAddress",
  x00080090: "ReferringPhysicianName",
  x00080092: "ReferringPhysicianAddress",
  x00080094: "ReferringPhysicianTelephoneNumbers",
  x00081048: "PhysiciansOfRecord",
  x00081050: "PerformingPhysicianName",
  x00081060: "NameOfPhysiciansReadingStudy",
  x00081070: "OperatorsName",
  x00100010: "PatientName",
  x00100020: "PatientID",
  x00100021: "IssuerOfPatientID",
  x00100030: "PatientBirthDate",
  x00100032: "PatientBirthTime",
  x00100050: "PatientInsurancePlanCodeSequence",
  x00101000: "OtherPatientIDs",
  x00101001: "OtherPatientNames",
  x00101002: "OtherPatientIDsSequence",
  x00101005: "PatientBirthName",
  x00101010: "PatientAge",
  x00101040: "PatientAddress",
  x00101060: "PatientMotherBirthName",
  x00101090: "MedicalRecordLocator",
  x00102154: "PatientTelephoneNumbers",
  x00102160: "EthnicGroup",
  x00102180: "Occupation",
  x001021b0: "AdditionalPatientHistory",
  x00104000: "PatientComments",
  x00200010: "StudyID",
  x00321032: "RequestingPhysician",
  x00380010: "AdmissionID",
  x00380300: "CurrentPatientLocation",
  x00400006: "ScheduledPerformingPhysicianName",
  x00401001: "RequestedProcedureID",
};

const TAG = {
  transferSyntaxUid: "x00020010",
  mediaStorageSopClassUid: "x00020002",
  sopClassUid: "x00080016",
  sopInstanceUid: "x00080018",
  studyDate: "x00080020",
  modality: "x00080060",
  studyInstanceUid: "x0020000d",
  seriesInstanceUid: "x0020000e",
  pixelData: "x7fe00010",
} as const;

/** PS3.5 Annex A.5: the deflated transfer syntax compresses the whole dataset; its header cannot be range-read. */
const DEFLATED_TRANSFER_SYNTAX = "1.2.840.10008.1.2.1.99";

export type DicomInspection =
  | { ok: true; metadata: DicomMetadata; phiTags: string[] }
  /** `needMore`: the header did not fit in the bytes given; read a longer range and try again. */
  | { ok: false; reason: "not_dicom" | "dicom_header_invalid"; detail: string; needMore: boolean };

function text(dataSet: dicomParser.DataSet, tag: string): string | null {
  const value = dataSet.string(tag);
  return value === undefined || value.trim() === "" ? null : value.replace(/\0+$/, "").trim();
}

/**
 * Inspects the first bytes of an object claimed to be DICOM. `complete` says whether `bytes` is the whole
 * object (then a header that runs past the end is invalid rather than merely unread).
 */
export function inspectDicom(bytes: Uint8Array, options: { complete: boolean }): DicomInspection {
  const magic =
    bytes.length >= DICOM_PREFIX_OFFSET + 4
      ? new TextDecoder("latin1").decode(bytes.subarray(DICOM_PREFIX_OFFSET, DICOM_PREFIX_OFFSET + 4))
      : "";
  if (magic !== "DICM") {
    return {
      ok: false,
      reason: "not_dicom",
      detail: "The file has no DICM prefix at offset 128 (DICOM PS3.10 §7.1).",
      needMore: false,
    };
  }
  let meta: dicomParser.DataSet;
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch {
    return {
      ok: false,
      reason: "dicom_header_invalid",
      detail: "The DICOM file meta information cannot be read.",
      needMore: !options.complete,
    };
  }
  const transferSyntaxUid = text(meta, TAG.transferSyntaxUid);
  if (!transferSyntaxUid) {
    return {
      ok: false,
      reason: "dicom_header_invalid",
      detail: "The DICOM file meta information names no transfer syntax.",
      needMore: !options.complete,
    };
  }
  let dataSet: dicomParser.DataSet = meta;
  const deflated = transferSyntaxUid === DEFLATED_TRANSFER_SYNTAX;
  if (!deflated) {
    try {
      dataSet = dicomParser.parseDicom(bytes, { untilTag: TAG.pixelData });
    } catch {
      return {
        ok: false,
        reason: "dicom_header_invalid",
        detail: "The DICOM dataset header cannot be read.",
        needMore: !options.complete,
      };
    }
    // An element that runs past the bytes we have was cut by the range, not by the file.
    for (const element of Object.values(dataSet.elements)) {
      if (element.tag !== TAG.pixelData && element.length > 0 && element.dataOffset + element.length > bytes.length) {
        if (!options.complete)
          return {
            ok: false,
            reason: "dicom_header_invalid",
            detail: "The header is longer than the range read.",
            needMore: true,
          };
        return {
          ok: false,
          reason: "dicom_header_invalid",
          detail: "A DICOM element runs past the end of the file.",
          needMore: false,
        };
      }
    }
  }
  const phiTags = deflated
    ? // The deflated dataset cannot be inspected from a range: treat it as carrying every identifier.
      ["DeflatedDatasetNotInspected"]
    : Object.entries(PHI_TAGS)
        .filter(([tag]) => {
          const element = dataSet.elements[tag];
          return element !== undefined && (element.length > 0 || (element.items?.length ?? 0) > 0);
        })
        .map(([, keyword]) => keyword);
  return {
    ok: true,
    metadata: {
      transferSyntaxUid,
      sopClassUid: text(dataSet, TAG.sopClassUid) ?? text(meta, TAG.mediaStorageSopClassUid),
      sopInstanceUid: deflated ? null : text(dataSet, TAG.sopInstanceUid),
      studyInstanceUid: deflated ? null : text(dataSet, TAG.studyInstanceUid),
      seriesInstanceUid: deflated ? null : text(dataSet, TAG.seriesInstanceUid),
      modality: deflated ? null : text(dataSet, TAG.modality),
      studyDate: deflated ? null : text(dataSet, TAG.studyDate),
    },
    phiTags,
  };
}
