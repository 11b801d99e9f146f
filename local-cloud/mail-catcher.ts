/**
 * The local SMTP relay for dev and tests: maildev 3.0.0, which takes every message over plain SMTP, keeps it, and
 * shows it in a web inbox whose REST API (`GET /api/email`, `DELETE /api/email/all`) the tests read. The Worker
 * reaches it with `SMTP_SECURITY=none`, which the configuration allows only in development and tests.
 */
import { mkdir } from "node:fs/promises";
import { MailDev } from "maildev";

export interface MailCatcherOptions {
  /** Interface to listen on (SMTP and web); loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  smtpPort?: number;
  /** 0 (the default) picks a free port. */
  webPort?: number;
  /** Where messages are kept as .eml files; created if missing. */
  directory: string;
  /** Set both to make the relay require SMTP authentication (and so refuse a client without them). */
  user?: string;
  pass?: string;
}

export interface MailCatcher {
  host: string;
  smtpPort: number;
  /** The web inbox and its REST API, e.g. http://127.0.0.1:1080. */
  webUrl: string;
  close(): Promise<void>;
}

export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcher> {
  const host = opts.host ?? "127.0.0.1";
  await mkdir(opts.directory, { recursive: true });
  const maildev = new MailDev({
    smtp: opts.smtpPort ?? 0,
    ip: host,
    web: opts.webPort ?? 0,
    webIp: host,
    // Its own directory: maildev's default is one shared folder under the system's tmp for every instance.
    mailDirectory: opts.directory,
    silent: true,
    ...(opts.user !== undefined && opts.pass !== undefined ? { incomingUser: opts.user, incomingPass: opts.pass } : {}),
  });
  const servers = await maildev.start();
  const smtp = servers.smtp.getAddress();
  const web = servers.api?.getAddress();
  if (!web) throw new Error("mail-catcher: the web inbox did not start");
  return {
    host,
    smtpPort: smtp.port,
    webUrl: `http://${host}:${web.port}`,
    close: () => maildev.stop(),
  };
}
