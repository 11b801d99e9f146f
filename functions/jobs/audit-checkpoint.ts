import { requireSection } from "../env";
import { anchorMissingCheckpoints } from "../services/audit-anchors";
import { checkpointSigner, checkpointTenant } from "../services/audit-checkpoints";
import { defineJob } from "./run";

/**
 * Daily: signs each tenant's audit-chain head with Ed25519 and ML-DSA-65 (services/audit-checkpoints.ts), then
 * writes each new checkpoint to the bucket under Object Lock (services/audit-anchors.ts). Anchoring after the
 * commit, from what the database holds, makes a failed PUT a gap the next run fills, never a lost checkpoint.
 */
export const auditCheckpoint = defineJob("audit-checkpoint", {
  async prepare(platform) {
    const signer = await checkpointSigner(requireSection(platform.clients.config, "audit"));
    return { signer, ours: new Set([signer.ed25519.fingerprint, signer.mldsa.fingerprint]) };
  },
  async run(scope, { signer, ours }) {
    const signed = (await checkpointTenant(scope, signer, new Date())) ? 1 : 0;
    return { signed, anchored: await anchorMissingCheckpoints(scope, ours) };
  },
  report(logger, results) {
    const signed = results.reduce((sum, r) => sum + r.signed, 0);
    const anchored = results.reduce((sum, r) => sum + r.anchored, 0);
    logger.info("audit checkpoints signed", { signed, anchored });
  },
});
