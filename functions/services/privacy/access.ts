import { fhirBundle } from "../fhir-export";
import { mediaView } from "../media";
import type { Fulfil } from "./fulfil";
import { consentView, requestView } from "./views";

/**
 * Access and portability (LGPD art. 18 I, II and V; art. 19): the subject's data as JSON and as a FHIR R4
 * Bundle. Object keys and internal ids of other people are not part of it.
 */
export const exportSubjectData: Fulfil = async ({ request, data, now, audit }) => {
  const { subject, subjectConsents, media, requests } = data;
  const json = {
    format: "vitalis.data-subject-export.v1",
    generatedAt: now.toISOString(),
    subject: {
      id: subject.id,
      email: subject.email,
      displayName: subject.displayName,
      cpfOnFile: subject.cpfHash !== null,
    },
    consents: subjectConsents.map(consentView),
    media: media.map(mediaView),
    privacyRequests: requests.map((row) => requestView(row, now)),
  };
  await audit(
    "privacy.exported",
    { type: "data_subject", id: subject.id },
    { type: request.type, media: media.length, consents: subjectConsents.length },
  );
  return {
    outcome: { exported: { consents: subjectConsents.length, media: media.length } },
    export: { json, fhir: fhirBundle(subject, subjectConsents, media, now) },
  };
};
