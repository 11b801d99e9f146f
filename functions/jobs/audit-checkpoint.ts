import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { requireSection } from "../middleware/services";
import { checkpointAllTenants, checkpointSigner } from "../services/audit-checkpoints";

/** Daily: signs each tenant's audit-chain head with Ed25519 and ML-DSA-65 (services/audit-checkpoints.ts). */
export async function auditCheckpoint(env: Bindings): Promise<void> {
  const config = getConfig(env);
  const signer = await checkpointSigner(requireSection("audit", config.audit));
  const { db, pool } = createDatabase(requireSection("database", config.database));
  try {
    const signed = await checkpointAllTenants(db, signer);
    createLogger({ job: "audit-checkpoint" }).info("audit checkpoints signed", { signed });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
