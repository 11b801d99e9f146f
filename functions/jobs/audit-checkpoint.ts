import { requireSection } from "../env";
import { anchorAllTenants } from "../services/audit-anchors";
import { checkpointAllTenants, checkpointSigner } from "../services/audit-checkpoints";
import { defineJob } from "./run";

/**
 * Daily: signs each tenant's audit-chain head with Ed25519 and ML-DSA-65 (services/audit-checkpoints.ts), then
 * writes each new checkpoint to the bucket under Object Lock (services/audit-anchors.ts). Anchoring after the
 * commit, from what the database holds, makes a failed PUT a gap the next run fills, never a lost checkpoint.
 */
export const auditCheckpoint = defineJob("audit-checkpoint", async (platform) => {
  const signer = await checkpointSigner(requireSection(platform.clients.config, "audit"));
  const signed = await checkpointAllTenants(platform, signer);
  const anchored = await anchorAllTenants(platform, signer);
  platform.logger.info("audit checkpoints signed", { signed, anchored });
});
