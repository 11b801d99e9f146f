import type { WorkerMailer, WorkerMailerOptions } from "worker-mailer";
import type { MailConfig } from "../env";
import { redact } from "./logging";

/** One rendered message for one recipient. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The SMTP relay, as the outbox sees it: send one message at a time, close when the run is over. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/**
 * A message that can never be sent as it is (an address SMTP cannot carry); retrying would not help, so the
 * outbox gives up on it at once instead of after its last attempt.
 */
export class UndeliverableMailError extends Error {
  override readonly name = "UndeliverableMailError";
}

// worker-mailer 1.2.1 uses its socket timeout for every server reply too: one bound for connecting and each reply.
const SMTP_TIMEOUT_MS = 10_000;

// RFC 5321 §4.1.2 in spirit, narrowed: no spaces, brackets, quotes or control characters can reach the
// `RCPT TO:<…>` command line (the library writes the address into it verbatim).
const ADDRESS = /^[^\s<>"()[\]\\,;:@\p{Cc}]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/u;

/** Header text on one line: the library encodes non-ASCII but writes CR and LF through (header injection). */
export function headerText(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** An SMTP failure as it may be stored and shown to admins: the first line, addresses and tokens redacted. */
export function describeMailError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message.split(/\r?\n/)[0] ?? "").slice(0, 300) || "unknown error";
}

// Loaded at the first message: it imports `cloudflare:sockets`, which only the Workers runtime has, and most
// requests send no mail.
async function connect(config: MailConfig): Promise<WorkerMailer> {
  const { LogLevel, WorkerMailer } = await import("worker-mailer");
  return WorkerMailer.connect({ ...connectionOptions(config), logLevel: LogLevel.NONE });
}

function connectionOptions(config: MailConfig): WorkerMailerOptions {
  return {
    host: config.host,
    port: config.port,
    // `tls`: TLS from the first byte (port 465). `starttls`: upgraded after EHLO when the relay offers it.
    secure: config.security === "tls",
    startTls: config.security === "starttls",
    ...(config.credentials ? { credentials: config.credentials, authType: ["plain", "login"] } : {}),
    // logLevel NONE (in `connect`): the library's own log lines would carry addresses and server replies past
    // our redacting logger.
    socketTimeoutMs: SMTP_TIMEOUT_MS,
    responseTimeoutMs: SMTP_TIMEOUT_MS,
  };
}

/**
 * The one SMTP client (worker-mailer over `cloudflare:sockets`): one connection per run, opened at the first
 * message and opened again after a failure, since a failed exchange may have left the session in any state.
 */
export function createMailer(config: MailConfig): Mailer {
  let connection: Promise<WorkerMailer> | null = null;

  async function drop(): Promise<void> {
    const open = connection;
    connection = null;
    if (open) await open.then((mailer) => mailer.close()).catch(() => undefined);
  }

  return {
    async send(mail) {
      if (!ADDRESS.test(mail.to)) throw new UndeliverableMailError("the recipient is not a deliverable address");
      connection ??= connect(config);
      try {
        const mailer = await connection;
        await mailer.send({
          from: config.from.name ? { name: headerText(config.from.name), email: config.from.email } : config.from.email,
          to: mail.to,
          subject: headerText(mail.subject),
          text: mail.text,
          html: mail.html,
          // RFC 3834 §5: automatic mail, so auto-responders do not answer it.
          headers: { "Auto-Submitted": "auto-generated" },
        });
      } catch (error) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
}
