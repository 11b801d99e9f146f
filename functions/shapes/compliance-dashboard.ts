import { z } from "@hono/zod-openapi";
import { INCIDENT_SOURCES, INCIDENT_STATUSES } from "../../schema/incidents";
import { PRIVACY_REQUEST_TYPES } from "../contract";

/**
 * `GET /api/compliance/dashboard`: what the encarregado must notice today, in one answer. Ids, kinds, counts and
 * instants; incident titles (the register's own); never a data subject, an address or a justification.
 */
const privacyRequestDueSchema = z.object({
  id: z.uuid(),
  type: z.enum(PRIVACY_REQUEST_TYPES),
  receivedAt: z.string(),
  dueAt: z.string(),
});

export const complianceDashboardSchema = z
  .object({
    generatedAt: z.string(),
    privacyRequests: z.object({
      overdue: z.array(privacyRequestDueSchema),
      dueSoon: z.array(privacyRequestDueSchema),
    }),
    openIncidents: z.array(
      z.object({
        id: z.uuid(),
        title: z.string(),
        status: z.enum(INCIDENT_STATUSES),
        source: z.enum(INCIDENT_SOURCES),
        discoveredAt: z.string(),
        communicationDue: z.string(),
        overdue: z.boolean(),
      }),
    ),
    failedJobs: z.array(
      z.object({
        job: z.string(),
        errorCode: z.string().nullable(),
        consecutiveFailures: z.number().int(),
        failingSince: z.string().nullable(),
        lastRunAt: z.string(),
        lastSuccessAt: z.string().nullable(),
      }),
    ),
    deadLetters: z.object({
      total: z.number().int(),
      recent: z.array(
        z.object({
          id: z.uuid(),
          channel: z.string(),
          template: z.string(),
          attempts: z.number().int(),
          createdAt: z.string(),
        }),
      ),
    }),
    trustPerDay: z.array(z.object({ day: z.string(), denials: z.number().int(), stepUps: z.number().int() })),
    lastVerification: z
      .object({
        ok: z.boolean(),
        computedAt: z.string(),
        verifiedSeq: z.number().int(),
        checkpointsVerified: z.number().int(),
        lastCheckpoint: z.object({ seq: z.number().int(), signedAt: z.string() }).nullable(),
      })
      .nullable(),
    breakGlassAwaitingReview: z.array(
      z.object({ id: z.uuid(), userName: z.string(), openedAt: z.string(), expiresAt: z.string() }),
    ),
  })
  .openapi("ComplianceDashboard");

export type ComplianceDashboard = z.infer<typeof complianceDashboardSchema>;
