import { generateComplianceReport } from "../services/compliance-report";
import { defineJob, nothingShared } from "./run";

/** Daily: one compliance report per tenant (services/compliance-report.ts); rerunning the same day replaces it. */
export const dailyComplianceReport = defineJob("compliance-report", {
  prepare: nothingShared,
  run: (scope) => generateComplianceReport(scope, new Date()),
  report: (logger, reports) => logger.info("compliance reports generated", { tenants: reports.length }),
});
