import { requireSection } from "../env";
import { createPace } from "../lib/pace";
import { pinnedKeyFingerprints } from "../services/audit-checkpoints";
import { verifyAuditIncrementally } from "../services/audit-verification";
import { defineJob, JOB_PACE } from "./run";

/**
 * Hourly: verifies each tenant's audit chain from where the last run stopped, and the checkpoints signed since
 * (services/audit-verification.ts); `GET /api/audit/verify` answers the stored verdict. A chain whose verdict
 * turns to broken opens a draft incident and alerts the compliance officers.
 */
export const auditVerify = defineJob("audit-verify", {
  prepare: async (platform) => ({
    pinned: await pinnedKeyFingerprints(requireSection(platform.clients.config, "audit")),
    // Paced page by page of the chain (VERIFY_PAGE_EVENTS), one pace over every tenant of the run.
    pace: createPace(JOB_PACE),
  }),
  run: (scope, { pinned, pace }) => verifyAuditIncrementally(scope, pinned, { pace }),
  budgetSpent: ({ pace }) => pace.spent(),
  // The last page's rest too: a run fired again at once (an overlapping invocation) keeps the duty.
  release: ({ pace }) => pace.rest(),
  report(logger, results) {
    const done = results.filter((result) => result !== null);
    const tally = {
      tenants: done.length,
      broken: done.filter((result) => !result.ok).length,
      eventsChecked: done.reduce((sum, result) => sum + result.run.eventsChecked, 0),
    };
    if (tally.broken > 0) logger.error("audit chain verification failed", tally);
    else logger.info("audit chains verified", tally);
  },
});
