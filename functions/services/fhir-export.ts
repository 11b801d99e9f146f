import type { Consent, DataSubject, MediaItem } from "../../schema";

/**
 * A FHIR R4 `Bundle` (type `collection`) of what is clinical in a data subject's export (LGPD art. 18 V,
 * portability "in a structured, interoperable format"): Patient, Consent, DocumentReference for documents
 * and images of the record, ImagingStudy for DICOM (one per StudyInstanceUID, from the header metadata).
 */

const DCM = "http://dicom.nema.org/resources/ontology/DCM";
type Resource = Record<string, unknown> & { resourceType: string; id: string };

function reference(subject: DataSubject): { reference: string } {
  return { reference: `urn:uuid:${subject.id}` };
}

/** DICOM DA (YYYYMMDD, PS3.5 §6.2) → FHIR dateTime (YYYY-MM-DD). */
function dicomDate(value: string | null): string | undefined {
  return value && /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : undefined;
}

function patient(subject: DataSubject): Resource {
  return {
    resourceType: "Patient",
    id: subject.id,
    identifier: [{ system: "urn:vitalis:data-subject", value: subject.id }],
    ...(subject.displayName ? { name: [{ text: subject.displayName }] } : {}),
    ...(subject.email ? { telecom: [{ system: "email", value: subject.email }] } : {}),
  };
}

function consent(subject: DataSubject, row: Consent): Resource {
  return {
    resourceType: "Consent",
    id: row.id,
    status: row.withdrawnAt ? "inactive" : "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: reference(subject),
    dateTime: row.grantedAt.toISOString(),
    policyRule: { text: `${row.purpose} (version ${row.version})` },
    provision: {
      type: "permit",
      period: {
        start: row.grantedAt.toISOString(),
        ...(row.withdrawnAt ? { end: row.withdrawnAt.toISOString() } : {}),
      },
      purpose: [{ system: "urn:vitalis:consent-purpose", code: row.purpose }],
    },
  };
}

function documentReference(subject: DataSubject, item: MediaItem): Resource {
  return {
    resourceType: "DocumentReference",
    id: item.id,
    status: "current",
    subject: reference(subject),
    date: item.createdAt.toISOString(),
    content: [
      {
        attachment: {
          contentType: item.contentType,
          size: item.size,
          title: item.filename,
          creation: item.createdAt.toISOString(),
        },
      },
    ],
  };
}

function imagingStudies(subject: DataSubject, items: MediaItem[]): Resource[] {
  const studies = new Map<string, MediaItem[]>();
  for (const item of items) {
    const key = item.dicom?.studyInstanceUid ?? item.id;
    studies.set(key, [...(studies.get(key) ?? []), item]);
  }
  return [...studies.entries()].map(([studyUid, members]) => {
    const series = new Map<string, MediaItem[]>();
    for (const item of members) {
      const key = item.dicom?.seriesInstanceUid ?? item.id;
      series.set(key, [...(series.get(key) ?? []), item]);
    }
    const modalities = [...new Set(members.map((item) => item.dicom?.modality).filter((m): m is string => Boolean(m)))];
    const started = dicomDate(members[0]?.dicom?.studyDate ?? null);
    return {
      resourceType: "ImagingStudy",
      id: members[0]?.id ?? studyUid,
      status: "available",
      identifier: [{ system: "urn:dicom:uid", value: `urn:oid:${studyUid}` }],
      subject: reference(subject),
      ...(started ? { started } : {}),
      modality: modalities.map((code) => ({ system: DCM, code })),
      numberOfSeries: series.size,
      numberOfInstances: members.length,
      series: [...series.entries()].map(([seriesUid, instances]) => ({
        uid: seriesUid,
        modality: { system: DCM, code: instances[0]?.dicom?.modality ?? "OT" },
        numberOfInstances: instances.length,
        instance: instances.map((item) => ({
          uid: item.dicom?.sopInstanceUid ?? item.id,
          sopClass: {
            system: "urn:ietf:rfc:3986",
            code: `urn:oid:${item.dicom?.sopClassUid ?? "1.2.840.10008.5.1.4.1.1.7"}`,
          },
        })),
      })),
    };
  });
}

export function fhirBundle(
  subject: DataSubject,
  consents: Consent[],
  media: MediaItem[],
  now: Date,
): Record<string, unknown> {
  const resources: Resource[] = [
    patient(subject),
    ...consents.map((row) => consent(subject, row)),
    ...media.filter((item) => item.kind !== "dicom").map((item) => documentReference(subject, item)),
    ...imagingStudies(
      subject,
      media.filter((item) => item.kind === "dicom"),
    ),
  ];
  return {
    resourceType: "Bundle",
    type: "collection",
    timestamp: now.toISOString(),
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.id}`, resource })),
  };
}
