import { requireSection } from "../env";
import { createMailer } from "../lib/mailer";
import { deliverTenantMail } from "../services/mail/delivery";
import { defineChannelJob } from "./run";

/**
 * Every minute: sends the outbox's due mail (services/mail/delivery.ts), retrying with backoff what failed and
 * giving up after the last attempt. Most mail has already gone out right after its transaction committed; this
 * catches the rest. Overlapping runs claim different rows, so none is sent twice. One SMTP connection serves every
 * tenant; the mail configuration is checked before anything is claimed, so a misconfigured relay spends no attempts.
 */
export const deliverOutboxMail = defineChannelJob("deliver-mail", {
  prepare: async (platform) => createMailer(requireSection(platform.clients.config, "mail")),
  run: (scope, mailer) => deliverTenantMail(scope, mailer),
  release: (mailer) => mailer.close(),
  delivered: "delivered outbox mail",
});
