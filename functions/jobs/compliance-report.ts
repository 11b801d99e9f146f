import { type Bindings, getConfig } from "../env";
import { createDatabase } from "../lib/db";
import { createLogger } from "../lib/logging";
import { requireSection } from "../middleware/services";
import { generateAllComplianceReports } from "../services/compliance-report";

/** Daily: one compliance report per tenant (services/compliance-report.ts); rerunning the same day replaces it. */
export async function dailyComplianceReport(env: Bindings): Promise<void> {
  const { db, pool } = createDatabase(requireSection("database", getConfig(env).database));
  try {
    const tenants = await generateAllComplianceReports(db);
    createLogger({ job: "compliance-report" }).info("compliance reports generated", { tenants });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
