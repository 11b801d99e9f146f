import { z } from "@hono/zod-openapi";
import { retentionClasses } from "../../schema/retention-policies";
import { CONTENT_LOCALES } from "../contract";
import { dpoContactSchema, technicalDirectorSchema } from "./tenant-settings";

/**
 * The record of processing operations (LGPD Art. 37) as `GET /api/compliance/processing-register` answers it:
 * generated from functions/processing-register.ts, the retention table and the tenant's settings, in one locale.
 */
const labelled = z.object({ id: z.string(), label: z.string() });

export const registerRetentionSchema = z
  .object({
    retentionClass: z.enum(retentionClasses),
    minAgeDays: z.number().int(),
    maxAgeDays: z.number().int().nullable(),
    measuredFrom: z.string(),
    legalBasis: z.string(),
    action: z.enum(["delete", "anonymise", "keep"]),
  })
  .openapi("RegisterRetention");

export const processingRegisterSchema = z
  .object({
    generatedAt: z.string(),
    locale: z.enum(CONTENT_LOCALES),
    controller: z.object({
      name: z.string(),
      primaryHostname: z.string(),
      hostnames: z.array(z.string()),
      technicalDirector: technicalDirectorSchema.nullable(),
      /** The encarregado (LGPD Art. 41); null until the admins name one in the settings. */
      dpo: dpoContactSchema.nullable(),
    }),
    activities: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        purpose: z.string(),
        legalBases: z.array(z.string()),
        dataSubjects: z.array(labelled),
        dataCategories: z.array(labelled),
        retention: z.array(registerRetentionSchema),
        retentionNote: z.string().nullable(),
        recipients: z.array(z.string()),
      }),
    ),
    recipients: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.enum(["processor", "recipient"]),
        service: z.string(),
        location: z.string(),
        internationalTransfer: z.boolean(),
        transferSafeguard: z.string().nullable(),
        dataCategories: z.array(labelled),
        /** The configuration variables that point the Worker at it (none: it runs the Worker). */
        configuredBy: z.array(z.string()),
      }),
    ),
    internationalTransfers: z.array(
      z.object({ recipient: z.string(), name: z.string(), location: z.string(), safeguard: z.string() }),
    ),
    securityMeasures: z.array(z.string()),
  })
  .openapi("ProcessingRegister");
export type ProcessingRegister = z.output<typeof processingRegisterSchema>;
