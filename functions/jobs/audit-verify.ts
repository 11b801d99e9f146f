import { requireSection } from "../env";
import { pinnedKeyFingerprints } from "../services/audit-checkpoints";
import { verifyAuditIncrementally } from "../services/audit-verification";
import { defineJob } from "./run";

/**
 * Hourly: verifies each tenant's audit chain from where the last run stopped, and the checkpoints signed since
 * (services/audit-verification.ts); `GET /api/audit/verify` answers the stored verdict. A chain whose verdict
 * turns to broken opens a draft incident and alerts the compliance officers.
 */
export const auditVerify = defineJob("audit-verify", {
  prepare: (platform) => pinnedKeyFingerprints(requireSection(platform.clients.config, "audit")),
  run: (scope, pinned) => verifyAuditIncrementally(scope, pinned),
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
