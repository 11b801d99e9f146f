import { z } from "@hono/zod-openapi";
import { PRIVACY_REQUEST_STATUSES, PRIVACY_REQUEST_TYPES } from "../../contract";

export const subjectRefSchema = z.object({ id: z.uuid() }).openapi("DataSubjectRef");

export const subjectMatchSchema = z
  .object({
    id: z.uuid(),
    displayName: z.string().nullable(),
    email: z.string().nullable(),
    blocked: z.boolean(),
    anonymised: z.boolean(),
    createdAt: z.string(),
  })
  .openapi("DataSubjectMatch");

export const subjectMatchListSchema = z
  .object({ subjects: z.array(subjectMatchSchema) })
  .openapi("DataSubjectMatchList");

export const privacyRequestSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(PRIVACY_REQUEST_TYPES),
    status: z.enum(PRIVACY_REQUEST_STATUSES),
    subjectId: z.uuid(),
    receivedAt: z.string(),
    dueAt: z.string(),
    overdue: z.boolean(),
    fulfilledAt: z.string().nullable(),
    /** What was done: counts, and what the law keeps with its legal basis. */
    outcome: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("PrivacyRequest");

export const privacyRequestListSchema = z
  .object({ requests: z.array(privacyRequestSchema) })
  .openapi("PrivacyRequestList");

export const fulfilmentSchema = z
  .object({
    request: privacyRequestSchema,
    /** Access and portability: the data as JSON, and as a FHIR R4 Bundle. */
    export: z.object({ json: z.record(z.string(), z.unknown()), fhir: z.record(z.string(), z.unknown()) }).optional(),
  })
  .openapi("PrivacyFulfilment");

export const consentSchema = z
  .object({
    id: z.uuid(),
    subjectId: z.uuid(),
    purpose: z.string(),
    version: z.string(),
    source: z.string(),
    grantedAt: z.string(),
    withdrawnAt: z.string().nullable(),
  })
  .openapi("Consent");

export const consentListSchema = z.object({ consents: z.array(consentSchema) }).openapi("ConsentList");

export type PrivacyRequest = z.infer<typeof privacyRequestSchema>;
export type Consent = z.infer<typeof consentSchema>;
export type SubjectMatch = z.infer<typeof subjectMatchSchema>;
