import { generateAllComplianceReports } from "../services/compliance-report";
import { defineJob } from "./run";

/** Daily: one compliance report per tenant (services/compliance-report.ts); rerunning the same day replaces it. */
export const dailyComplianceReport = defineJob("compliance-report", async (platform) => {
  const tenants = await generateAllComplianceReports(platform);
  platform.logger.info("compliance reports generated", { tenants });
});
