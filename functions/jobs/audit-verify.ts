import { verifyAllTenantsIncrementally } from "../services/audit-verification";
import { defineJob } from "./run";

/**
 * Hourly: verifies each tenant's audit chain from where the last run stopped, and the checkpoints signed since
 * (services/audit-verification.ts); `GET /api/audit/verify` answers the stored verdict.
 */
export const auditVerify = defineJob("audit-verify", async (platform) => {
  const tally = await verifyAllTenantsIncrementally(platform);
  if (tally.broken > 0 || tally.failed > 0) platform.logger.error("audit chain verification failed", { ...tally });
  else platform.logger.info("audit chains verified", { ...tally });
});
