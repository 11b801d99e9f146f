import { alertIncidentDeadlines } from "../services/incidents";
import { defineJob, nothingShared } from "./run";

/**
 * Hourly: mails the compliance officers about incidents whose three-business-day communication deadline
 * (Res. CD/ANPD 15/2024 art. 6) is the next business day or has passed, once a day each (services/incidents.ts).
 */
export const incidentDeadlines = defineJob("incident-deadlines", {
  prepare: nothingShared,
  run: (scope) => alertIncidentDeadlines(scope, new Date()),
  report: (logger, counts) => logger.info("incident deadlines checked", { alerted: counts.reduce((a, b) => a + b, 0) }),
});
