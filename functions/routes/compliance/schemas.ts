import { z } from "@hono/zod-openapi";
import { legalHoldScopes } from "../../../schema/legal-holds";

export const complianceReportSchema = z
  .object({
    id: z.uuid(),
    reportDate: z.string(),
    generatedAt: z.string(),
    /** Deleted, anonymised, blocked and held in the last 24 hours, and what falls due in the next 30 days. */
    body: z.record(z.string(), z.unknown()),
  })
  .openapi("ComplianceReport");

export const complianceReportListSchema = z
  .object({ reports: z.array(complianceReportSchema) })
  .openapi("ComplianceReportList");

export const legalHoldSchema = z
  .object({
    id: z.uuid(),
    scope: z.enum(legalHoldScopes),
    targetId: z.uuid().nullable(),
    itemType: z.string().nullable(),
    reason: z.string(),
    createdAt: z.string(),
    releasedAt: z.string().nullable(),
  })
  .openapi("LegalHold");

export const legalHoldListSchema = z.object({ holds: z.array(legalHoldSchema) }).openapi("LegalHoldList");

export type ComplianceReport = z.infer<typeof complianceReportSchema>;
export type LegalHold = z.infer<typeof legalHoldSchema>;
