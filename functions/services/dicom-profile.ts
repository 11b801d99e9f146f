/**
 * DICOM PS3.15 Annex E, Table E.1-1 "Application Level Confidentiality Profile Attributes", the column "Basic
 * Prof." (E.2, the Basic Application Level Confidentiality Profile), as data: tag → keyword, VR and action.
 *
 * Action codes (E.3.1): D replace with a dummy value of the VR; Z replace with a zero-length value (or a dummy);
 * X remove; K keep; C clean (replace identifying text, same meaning); U replace a UID with one consistently mapped
 * within the set of instances. Where the table gives a choice (X/Z, X/D, Z/D, X/Z/D: "X unless Z or D is needed
 * for the IOD's conformance", E.3.1), the stricter option the attribute type allows without knowing the IOD is
 * taken: Z where Z is among the choices (a Type 2 attribute stays present and empty), otherwise X; X/Z/U* on a
 * sequence keeps the sequence and replaces the UIDs inside it (its items go through the same table).
 *
 * Beyond the table the profile also removes (E.3.1, Table E.1-1's group rows and E.3.10): every private attribute
 * (odd group numbers; the Retain Safe Private Option is not offered), curve data (groups 50xx), overlay data and
 * comments (60xx,3000 and 60xx,4000). The File Meta Information (group 0002) is rebuilt, with the new SOP
 * Instance UID. Only attributes likely in a clinic's studies are listed; the table is the standard's, not ours.
 */

export type ProfileAction = "D" | "Z" | "X" | "K" | "C" | "U";

export interface ProfileEntry {
  keyword: string;
  vr: string;
  action: ProfileAction;
}

const entries: Array<[number, string, string, ProfileAction]> = [
  // --- Group 0008: study, series, instance, institution, physicians ------------------------------------
  [0x00080012, "InstanceCreationDate", "DA", "X"],
  [0x00080013, "InstanceCreationTime", "TM", "X"],
  [0x00080014, "InstanceCreatorUID", "UI", "U"],
  [0x00080015, "InstanceCoercionDateTime", "DT", "X"],
  [0x00080018, "SOPInstanceUID", "UI", "U"],
  [0x00080020, "StudyDate", "DA", "Z"],
  [0x00080021, "SeriesDate", "DA", "X"], // X/D
  [0x00080022, "AcquisitionDate", "DA", "Z"], // X/Z
  [0x00080023, "ContentDate", "DA", "Z"], // Z/D
  [0x00080024, "OverlayDate", "DA", "X"],
  [0x00080025, "CurveDate", "DA", "X"],
  [0x0008002a, "AcquisitionDateTime", "DT", "Z"], // X/Z/D
  [0x00080030, "StudyTime", "TM", "Z"],
  [0x00080031, "SeriesTime", "TM", "X"], // X/D
  [0x00080032, "AcquisitionTime", "TM", "Z"], // X/Z
  [0x00080033, "ContentTime", "TM", "Z"], // Z/D
  [0x00080034, "OverlayTime", "TM", "X"],
  [0x00080035, "CurveTime", "TM", "X"],
  [0x00080050, "AccessionNumber", "SH", "Z"],
  [0x00080058, "FailedSOPInstanceUIDList", "UI", "U"],
  [0x00080080, "InstitutionName", "LO", "Z"], // X/Z/D
  [0x00080081, "InstitutionAddress", "ST", "X"],
  [0x00080082, "InstitutionCodeSequence", "SQ", "Z"], // X/Z/D
  [0x00080090, "ReferringPhysicianName", "PN", "Z"],
  [0x00080092, "ReferringPhysicianAddress", "ST", "X"],
  [0x00080094, "ReferringPhysicianTelephoneNumbers", "SH", "X"],
  [0x00080096, "ReferringPhysicianIdentificationSequence", "SQ", "X"],
  [0x0008009c, "ConsultingPhysicianName", "PN", "X"],
  [0x0008009d, "ConsultingPhysicianIdentificationSequence", "SQ", "X"],
  [0x00080201, "TimezoneOffsetFromUTC", "SH", "X"],
  [0x00081010, "StationName", "SH", "Z"], // X/Z/D
  [0x00081030, "StudyDescription", "LO", "X"],
  [0x0008103e, "SeriesDescription", "LO", "X"],
  [0x00081040, "InstitutionalDepartmentName", "LO", "X"],
  [0x00081048, "PhysiciansOfRecord", "PN", "X"],
  [0x00081049, "PhysiciansOfRecordIdentificationSequence", "SQ", "X"],
  [0x00081050, "PerformingPhysicianName", "PN", "X"],
  [0x00081052, "PerformingPhysicianIdentificationSequence", "SQ", "X"],
  [0x00081060, "NameOfPhysiciansReadingStudy", "PN", "X"],
  [0x00081062, "PhysiciansReadingStudyIdentificationSequence", "SQ", "X"],
  [0x00081070, "OperatorsName", "PN", "Z"], // X/Z/D
  [0x00081072, "OperatorIdentificationSequence", "SQ", "X"], // X/D
  [0x00081080, "AdmittingDiagnosesDescription", "LO", "X"],
  [0x00081084, "AdmittingDiagnosesCodeSequence", "SQ", "X"],
  [0x00081110, "ReferencedStudySequence", "SQ", "Z"], // X/Z
  [0x00081111, "ReferencedPerformedProcedureStepSequence", "SQ", "Z"], // X/Z/D
  [0x00081120, "ReferencedPatientSequence", "SQ", "X"],
  [0x00081140, "ReferencedImageSequence", "SQ", "U"], // X/Z/U*
  [0x00081155, "ReferencedSOPInstanceUID", "UI", "U"],
  [0x00081195, "TransactionUID", "UI", "U"],
  [0x00082111, "DerivationDescription", "ST", "X"],
  [0x00082112, "SourceImageSequence", "SQ", "U"], // X/Z/U*
  [0x00083010, "IrradiationEventUID", "UI", "U"],
  [0x00084000, "IdentifyingComments", "LT", "X"],
  // --- Group 0010: the patient ------------------------------------------------------------------------
  [0x00100010, "PatientName", "PN", "Z"],
  [0x00100020, "PatientID", "LO", "Z"],
  [0x00100021, "IssuerOfPatientID", "LO", "X"],
  [0x00100030, "PatientBirthDate", "DA", "Z"],
  [0x00100032, "PatientBirthTime", "TM", "X"],
  [0x00100040, "PatientSex", "CS", "Z"],
  [0x00100050, "PatientInsurancePlanCodeSequence", "SQ", "X"],
  [0x00100101, "PatientPrimaryLanguageCodeSequence", "SQ", "X"],
  [0x00100102, "PatientPrimaryLanguageModifierCodeSequence", "SQ", "X"],
  [0x00101000, "OtherPatientIDs", "LO", "X"],
  [0x00101001, "OtherPatientNames", "PN", "X"],
  [0x00101002, "OtherPatientIDsSequence", "SQ", "X"],
  [0x00101005, "PatientBirthName", "PN", "X"],
  [0x00101010, "PatientAge", "AS", "X"],
  [0x00101020, "PatientSize", "DS", "X"],
  [0x00101030, "PatientWeight", "DS", "X"],
  [0x00101040, "PatientAddress", "LO", "X"],
  [0x00101060, "PatientMotherBirthName", "PN", "X"],
  [0x00101080, "MilitaryRank", "LO", "X"],
  [0x00101081, "BranchOfService", "LO", "X"],
  [0x00101090, "MedicalRecordLocator", "LO", "X"],
  [0x00102000, "MedicalAlerts", "LO", "X"],
  [0x00102110, "Allergies", "LO", "X"],
  [0x00102150, "CountryOfResidence", "LO", "X"],
  [0x00102152, "RegionOfResidence", "LO", "X"],
  [0x00102154, "PatientTelephoneNumbers", "SH", "X"],
  [0x00102160, "EthnicGroup", "SH", "X"],
  [0x00102180, "Occupation", "SH", "X"],
  [0x001021a0, "SmokingStatus", "CS", "X"],
  [0x001021b0, "AdditionalPatientHistory", "LT", "X"],
  [0x001021c0, "PregnancyStatus", "US", "X"],
  [0x001021d0, "LastMenstrualDate", "DA", "X"],
  [0x001021f0, "PatientReligiousPreference", "LO", "X"],
  [0x00102203, "PatientSexNeutered", "CS", "Z"], // X/Z
  [0x00102297, "ResponsiblePerson", "PN", "X"],
  [0x00102299, "ResponsibleOrganization", "LO", "X"],
  [0x00104000, "PatientComments", "LT", "X"],
  // --- Group 0018: acquisition and device -------------------------------------------------------------
  [0x00180010, "ContrastBolusAgent", "LO", "Z"], // Z/D
  [0x00181000, "DeviceSerialNumber", "LO", "Z"], // X/Z/D
  [0x00181002, "DeviceUID", "UI", "U"],
  [0x00181004, "PlateID", "LO", "X"],
  [0x00181005, "GeneratorID", "LO", "X"],
  [0x00181007, "CassetteID", "LO", "X"],
  [0x00181008, "GantryID", "LO", "X"],
  [0x00181030, "ProtocolName", "LO", "X"], // X/D
  [0x00181200, "DateOfLastCalibration", "DA", "X"],
  [0x00181201, "TimeOfLastCalibration", "TM", "X"],
  [0x00181400, "AcquisitionDeviceProcessingDescription", "LO", "X"], // X/D
  [0x00184000, "AcquisitionComments", "LT", "X"],
  [0x0018700a, "DetectorID", "SH", "X"], // X/D
  [0x00189424, "AcquisitionProtocolDescription", "LT", "X"],
  [0x0018a003, "ContributionDescription", "ST", "X"],
  // --- Group 0020: relationships ----------------------------------------------------------------------
  [0x0020000d, "StudyInstanceUID", "UI", "U"],
  [0x0020000e, "SeriesInstanceUID", "UI", "U"],
  [0x00200010, "StudyID", "SH", "Z"],
  [0x00200052, "FrameOfReferenceUID", "UI", "U"],
  [0x00200200, "SynchronizationFrameOfReferenceUID", "UI", "U"],
  [0x00203401, "ModifyingDeviceID", "CS", "X"],
  [0x00203404, "ModifyingDeviceManufacturer", "LO", "X"],
  [0x00203406, "ModifiedImageDescription", "LO", "X"],
  [0x00204000, "ImageComments", "LT", "X"],
  [0x00209158, "FrameComments", "LT", "X"],
  [0x00209161, "ConcatenationUID", "UI", "U"],
  [0x00209164, "DimensionOrganizationUID", "UI", "U"],
  // --- Group 0028: image presentation -----------------------------------------------------------------
  [0x00281199, "PaletteColorLookupTableUID", "UI", "U"],
  [0x00284000, "ImagePresentationComments", "LT", "X"],
  // --- Groups 0032, 0038, 0040: requests, visits, procedure steps --------------------------------------
  [0x00320012, "StudyIDIssuer", "LO", "X"],
  [0x00321020, "ScheduledStudyLocation", "LO", "X"],
  [0x00321021, "ScheduledStudyLocationAETitle", "AE", "X"],
  [0x00321030, "ReasonForStudy", "LO", "X"],
  [0x00321032, "RequestingPhysician", "PN", "X"],
  [0x00321033, "RequestingService", "LO", "X"],
  [0x00321060, "RequestedProcedureDescription", "LO", "Z"], // X/Z
  [0x00321070, "RequestedContrastAgent", "LO", "X"],
  [0x00324000, "StudyComments", "LT", "X"],
  [0x00380004, "ReferencedPatientAliasSequence", "SQ", "X"],
  [0x00380010, "AdmissionID", "LO", "X"],
  [0x00380011, "IssuerOfAdmissionID", "LO", "X"],
  [0x0038001e, "ScheduledPatientInstitutionResidence", "LO", "X"],
  [0x00380020, "AdmittingDate", "DA", "X"],
  [0x00380021, "AdmittingTime", "TM", "X"],
  [0x00380040, "DischargeDiagnosisDescription", "LO", "X"],
  [0x00380050, "SpecialNeeds", "LO", "X"],
  [0x00380060, "ServiceEpisodeID", "LO", "X"],
  [0x00380061, "IssuerOfServiceEpisodeID", "LO", "X"],
  [0x00380062, "ServiceEpisodeDescription", "LO", "X"],
  [0x00380300, "CurrentPatientLocation", "LO", "X"],
  [0x00380400, "PatientInstitutionResidence", "LO", "X"],
  [0x00380500, "PatientState", "LO", "X"],
  [0x00384000, "VisitComments", "LT", "X"],
  [0x00400001, "ScheduledStationAETitle", "AE", "X"],
  [0x00400002, "ScheduledProcedureStepStartDate", "DA", "X"],
  [0x00400003, "ScheduledProcedureStepStartTime", "TM", "X"],
  [0x00400004, "ScheduledProcedureStepEndDate", "DA", "X"],
  [0x00400005, "ScheduledProcedureStepEndTime", "TM", "X"],
  [0x00400006, "ScheduledPerformingPhysicianName", "PN", "X"],
  [0x00400007, "ScheduledProcedureStepDescription", "LO", "X"],
  [0x0040000b, "ScheduledPerformingPhysicianIdentificationSequence", "SQ", "X"],
  [0x00400010, "ScheduledStationName", "SH", "X"],
  [0x00400011, "ScheduledProcedureStepLocation", "SH", "X"],
  [0x00400012, "PreMedication", "LO", "X"],
  [0x00400241, "PerformedStationAETitle", "AE", "X"],
  [0x00400242, "PerformedStationName", "SH", "X"],
  [0x00400243, "PerformedLocation", "SH", "X"],
  [0x00400244, "PerformedProcedureStepStartDate", "DA", "X"],
  [0x00400245, "PerformedProcedureStepStartTime", "TM", "X"],
  [0x00400250, "PerformedProcedureStepEndDate", "DA", "X"],
  [0x00400251, "PerformedProcedureStepEndTime", "TM", "X"],
  [0x00400253, "PerformedProcedureStepID", "SH", "X"],
  [0x00400254, "PerformedProcedureStepDescription", "LO", "X"],
  [0x00400275, "RequestAttributesSequence", "SQ", "X"],
  [0x00400280, "CommentsOnThePerformedProcedureStep", "ST", "X"],
  [0x00400555, "AcquisitionContextSequence", "SQ", "X"],
  [0x00401001, "RequestedProcedureID", "SH", "X"],
  [0x00401004, "PatientTransportArrangements", "LO", "X"],
  [0x00401005, "RequestedProcedureLocation", "LO", "X"],
  [0x00401010, "NamesOfIntendedRecipientsOfResults", "PN", "X"],
  [0x00401011, "IntendedRecipientsOfResultsIdentificationSequence", "SQ", "X"],
  [0x00401102, "PersonAddress", "ST", "X"],
  [0x00401103, "PersonTelephoneNumbers", "LO", "X"],
  [0x00401400, "RequestedProcedureComments", "LT", "X"],
  [0x00402001, "ReasonForTheImagingServiceRequest", "LO", "X"],
  [0x00402008, "OrderEnteredBy", "PN", "X"],
  [0x00402009, "OrderEntererLocation", "SH", "X"],
  [0x00402010, "OrderCallbackPhoneNumber", "SH", "X"],
  [0x00402016, "PlacerOrderNumberImagingServiceRequest", "LO", "Z"],
  [0x00402017, "FillerOrderNumberImagingServiceRequest", "LO", "Z"],
  [0x00402400, "ImagingServiceRequestComments", "LT", "X"],
  [0x00403001, "ConfidentialityConstraintOnPatientDataDescription", "LO", "X"],
  [0x0040a027, "VerifyingOrganization", "LO", "X"],
  [0x0040a075, "VerifyingObserverName", "PN", "D"],
  [0x0040a078, "AuthorObserverSequence", "SQ", "X"],
  [0x0040a07a, "ParticipantSequence", "SQ", "X"],
  [0x0040a07c, "CustodialOrganizationSequence", "SQ", "X"],
  [0x0040a123, "PersonName", "PN", "D"],
  [0x0040a124, "UID", "UI", "U"],
  [0x0040a730, "ContentSequence", "SQ", "X"],
  [0x0040db0c, "TemplateExtensionOrganizationUID", "UI", "U"],
  [0x0040db0d, "TemplateExtensionCreatorUID", "UI", "U"],
  // --- Presentation, media, signatures ----------------------------------------------------------------
  [0x00700084, "ContentCreatorName", "PN", "Z"],
  [0x00700086, "ContentCreatorIdentificationCodeSequence", "SQ", "X"],
  [0x00880140, "StorageMediaFileSetUID", "UI", "U"],
  [0x00880200, "IconImageSequence", "SQ", "X"],
  [0x00880904, "TopicTitle", "LO", "X"],
  [0x00880906, "TopicSubject", "ST", "X"],
  [0x00880910, "TopicAuthor", "LO", "X"],
  [0x00880912, "TopicKeywords", "LO", "X"],
  [0x04000100, "DigitalSignatureUID", "UI", "X"],
  [0x04000402, "ReferencedDigitalSignatureSequence", "SQ", "X"],
  [0x04000403, "ReferencedSOPInstanceMACSequence", "SQ", "X"],
  [0x04000404, "MAC", "OB", "X"],
  [0x04000550, "ModifiedAttributesSequence", "SQ", "X"],
  [0x04000561, "OriginalAttributesSequence", "SQ", "X"],
  [0x30060024, "ReferencedFrameOfReferenceUID", "UI", "U"],
  [0x300600c2, "RelatedFrameOfReferenceUID", "UI", "U"],
  [0x40000010, "Arbitrary", "LT", "X"],
  [0x40004000, "TextComments", "LT", "X"],
  [0xfffafffa, "DigitalSignaturesSequence", "SQ", "X"],
];

/** Table E.1-1, Basic Profile column, by tag (group << 16 | element). */
export const BASIC_PROFILE: ReadonlyMap<number, ProfileEntry> = new Map(
  entries.map(([tag, keyword, vr, action]) => [tag, { keyword, vr, action }]),
);

/** The action for a tag, including the table's group rows (curves 50xx, overlay data and comments 60xx). */
export function profileAction(tag: number): ProfileAction | null {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (group % 2 === 1) return "X"; // private attributes (E.3.10 not offered)
  if (group >= 0x5000 && group <= 0x50ff) return "X"; // curve data
  if (group >= 0x6000 && group <= 0x60ff && (element === 0x3000 || element === 0x4000)) return "X"; // overlays
  return BASIC_PROFILE.get(tag)?.action ?? null;
}

/**
 * Modalities whose images commonly carry text burned into the pixels (names, dates, measurements): an image of
 * these whose Burned In Annotation (0028,0301) is absent is treated as if it said YES (E.3.1: the Basic Profile
 * does not clean pixel data; such images need the Clean Pixel Data Option or a person to look).
 */
export const BURNED_IN_MODALITIES: ReadonlySet<string> = new Set(["US", "SC", "XA", "XC", "ES", "RF", "OT", "DOC"]);

/** CID 7050 "De-identification Method", code 113100: the Basic Application Confidentiality Profile. */
export const BASIC_PROFILE_CODE = {
  value: "113100",
  scheme: "DCM",
  meaning: "Basic Application Confidentiality Profile",
} as const;
