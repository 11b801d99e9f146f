import { requireSection } from "../env";
import { checkpointAllTenants, checkpointSigner } from "../services/audit-checkpoints";
import { defineJob } from "./run";

/** Daily: signs each tenant's audit-chain head with Ed25519 and ML-DSA-65 (services/audit-checkpoints.ts). */
export const auditCheckpoint = defineJob("audit-checkpoint", async (platform) => {
  const signer = await checkpointSigner(requireSection(platform.clients.config, "audit"));
  const signed = await checkpointAllTenants(platform, signer);
  platform.logger.info("audit checkpoints signed", { signed });
});
