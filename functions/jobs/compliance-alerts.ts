import { alertPrivacyRequestsDue, alertTrustDenialSpike } from "../services/compliance-alerts";
import { defineJob, nothingShared } from "./run";

/**
 * Hourly: tells the compliance officers of a spike of trust denials (once a day) and of each open LGPD request
 * five days or fewer from its fifteen-day deadline (once a request), through the outbox
 * (services/compliance-alerts.ts). Failing jobs and a broken audit chain alert from where they are found.
 */
export const complianceAlerts = defineJob("compliance-alerts", {
  prepare: nothingShared,
  async run(scope) {
    const now = new Date();
    const spike = await alertTrustDenialSpike(scope, now);
    return { spike, requests: await alertPrivacyRequestsDue(scope, now) };
  },
  report(logger, results) {
    const spikes = results.filter((result) => result.spike).length;
    const requests = results.reduce((sum, result) => sum + result.requests, 0);
    if (spikes + requests > 0) logger.info("compliance alerts queued", { spikes, requests });
  },
});
