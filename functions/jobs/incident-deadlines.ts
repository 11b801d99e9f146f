import { alertIncidentDeadlines } from "../services/incidents";
import { defineJob } from "./run";

/**
 * Hourly: mails the compliance officers about incidents whose three-business-day communication deadline
 * (Res. CD/ANPD 15/2024 art. 6) is the next business day or has passed, once a day each (services/incidents.ts).
 */
export const incidentDeadlines = defineJob("incident-deadlines", async (platform) => {
  const alerted = await alertIncidentDeadlines(platform);
  platform.logger.info("incident deadlines checked", { alerted });
});
