import type { Bindings } from "../env";
import type { Job } from "./run";
import { createLogger } from "../lib/logging";
import { publishScheduledContent } from "./publish-scheduled";
import { auditCheckpoint } from "./audit-checkpoint";
import { auditVerify } from "./audit-verify";
import { incidentDeadlines } from "./incident-deadlines";
import { complianceAlerts } from "./compliance-alerts";
import { dailyComplianceReport } from "./compliance-report";
import { expireStaleUploads } from "./expire-uploads";
import { retentionSweep } from "./retention-sweep";
import { deliverOutboxMail } from "./deliver-mail";
import { purgeCdn } from "./purge-cdn";
import { deliverWebhooks } from "./deliver-webhooks";
import { applyLegalHolds } from "./apply-legal-holds";
import { recheckReferences } from "./recheck-references";
import { sendWorkflowDigest } from "./workflow-digest";

/**
 * Cron expression (as written in wrangler.toml `[triggers]`) → the jobs it runs. Each job is a file in
 * this folder and reuses the services; a job failing does not stop the others of the same trigger, and a tenant
 * whose work fails does not stop the job for the others (run.ts). The jobs of a trigger run side by side, so the
 * heavy ones have triggers of their own: background CPU must not pile up while members sign in (a sign-in's PBKDF2
 * waits for a core). Cloudflare allows an account five cron triggers; all five are used.
 */
export const jobsByCron: Record<string, Job[]> = {
  "* * * * *": [publishScheduledContent, deliverOutboxMail, purgeCdn, applyLegalHolds, deliverWebhooks],
  // The retention sweep, paced (jobs/retention-sweep.ts: at most half the time, done by :10), beside the light
  // hourly checks.
  "0 * * * *": [retentionSweep, expireStaleUploads, incidentDeadlines, complianceAlerts],
  // The audit chains' verification (up to 100,000 events a tenant, ~19 µs of CPU each) at a minute of its own, well
  // after the sweep's budget and clear of the daily triggers' 03:30 and 04:15.
  "45 * * * *": [auditVerify],
  // The report runs after the checkpoint would be the natural order, but jobs of a trigger run in
  // parallel; each is independent (the report counts the day's audit events, the checkpoint signs the head).
  // The workflow digest shares the daily trigger (00:30 in Brasília, read the next morning): Cloudflare allows an
  // account five cron triggers, and the digest needs no hour of its own.
  "30 3 * * *": [dailyComplianceReport, auditCheckpoint, sendWorkflowDigest],
  // Its own hour: it waits on Crossref and NCBI (NCBI's 3 requests a second), and the 03:30 jobs need not.
  "15 4 * * *": [recheckReferences],
};

export async function runScheduled(cron: string, env: Bindings): Promise<void> {
  const logger = createLogger({ cron });
  const jobs = jobsByCron[cron];
  if (!jobs || jobs.length === 0) {
    logger.warn("no job is registered for this cron trigger");
    return;
  }
  const results = await Promise.allSettled(jobs.map((job) => job(env)));
  results.forEach((result, index) => {
    if (result.status === "rejected")
      logger.error("scheduled job failed", { job: jobs[index]?.name, error: result.reason });
  });
}
