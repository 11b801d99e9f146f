import { and, eq, inArray, isNotNull, lt, lte, or, sql } from "drizzle-orm";
import { outbox, type OutboxRow } from "../../../schema";
import { CONTENT_LOCALES } from "../../contract";
import { decryptSecret } from "../../lib/aead";
import { createMailer, describeMailError, type Mailer, UndeliverableMailError } from "../../lib/mailer";
import type { Transaction } from "../../lib/db";
import type { AuditActor, Scope } from "../../scope";
import { outboxSecretContext } from "../outbox";
import type { MailLocale, MailMessage } from "./messages";
import { messageFromRow, renderMail } from "./templates";

/** Attempts before a message is given up on (`dead`); an admin may retry it from there. */
export const OUTBOX_MAX_ATTEMPTS = 8;
/**
 * How long a delivery run holds the rows it claimed. It must outlast a send (the mailer's timeouts are 10 s per
 * step): a claim that lapses while its run is still sending would let another run send the message again.
 */
export const OUTBOX_LEASE_SECONDS = 300;
/** Rows one run claims per tenant; the rest wait for the next minute. */
const CLAIM_BATCH = 25;
const RETRY_BASE_SECONDS = 60;
const RETRY_CAP_SECONDS = 3600;

// Delivery is the system's act, also when a request's after-commit effect does it.
const SYSTEM: AuditActor = { type: "system", id: null };

export interface DeliveryTally {
  sent: number;
  deferred: number;
  dead: number;
}

/**
 * Seconds to wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, capped at an hour, with "equal
 * jitter" (half the delay fixed, half random) so messages that failed together do not retry together.
 */
export function retryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

const due = sql`now()`;

/**
 * What the outbox carries: mail, the CDN purges (services/cdn-purge.ts), the S3 legal holds
 * (services/legal-holds.ts) and webhook deliveries (services/webhooks/delivery.ts), which reuse its claim, lease,
 * backoff and dead letter. Each channel names the audit actions of its outcomes; webhooks have their own backoff.
 */
export interface OutboxChannel {
  name: OutboxRow["channel"];
  actions: { sent: string; deferred: string; dead: string };
  /** Seconds to wait after the `attempts`-th failed attempt; the mail's backoff (`retryDelaySeconds`) when absent. */
  retryDelaySeconds?: (attempts: number) => number;
  /**
   * Writes the channel's own record of an attempt (the webhooks' delivery log) in the transaction that settles it,
   * with where the row went: `sent`, `pending` again after `retryInSeconds`, or `dead`.
   */
  recordAttempt?: (tx: Transaction, row: OutboxRow, outcome: Outcome, next: SettledAs) => Promise<void>;
}

export type SettledAs =
  { status: "sent" | "dead"; retryInSeconds: null } | { status: "pending"; retryInSeconds: number };

/** What the other side answered an attempt, for a channel that keeps a log of them (never a whole response). */
export interface AttemptReport {
  statusCode: number | null;
  durationMs: number;
  errorClass: string | null;
  excerpt: string | null;
}

/** A sent outcome may carry what was done, for its audit event (never PHI). */
export type Outcome =
  | { kind: "sent"; details?: Record<string, unknown>; report?: AttemptReport }
  | { kind: "failed"; error: string; permanent: boolean; report?: AttemptReport };

export const MAIL: OutboxChannel = {
  name: "email",
  actions: { sent: "mail.sent", deferred: "mail.deferred", dead: "mail.dead" },
};

/**
 * Claims due rows in one short transaction and commits, so the SMTP exchange holds no transaction open: each
 * becomes `sending` with a lease and one more attempt. `FOR UPDATE SKIP LOCKED` makes overlapping runs take
 * different rows, and a row under a live lease is not due, so two runs never both send one message. A row whose
 * lease lapsed (its run died mid-send) is due again. With `ids`, only those rows are claimed.
 */
async function claimDue(scope: Scope, channel: OutboxChannel, ids?: string[]): Promise<OutboxRow[]> {
  return scope.transaction(async (tx) => {
    const isDue = or(
      and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, due)),
      and(eq(outbox.status, "sending"), isNotNull(outbox.lockedUntil), lt(outbox.lockedUntil, due)),
    );
    // A run that died holding a row on its last attempt: nothing is left to try.
    const abandoned = await tx
      .update(outbox)
      .set({ status: "dead", lockedUntil: null, lastError: "the delivery run did not finish" })
      .where(
        and(
          eq(outbox.status, "sending"),
          lt(outbox.lockedUntil, due),
          sql`${outbox.attempts} >= ${OUTBOX_MAX_ATTEMPTS}`,
          eq(outbox.channel, channel.name),
          ids ? inArray(outbox.id, ids) : undefined,
        ),
      )
      .returning({ id: outbox.id, template: outbox.template, attempts: outbox.attempts });
    for (const row of abandoned) {
      await scope.audit(
        tx,
        channel.actions.dead,
        { type: "outbox", id: row.id },
        { template: row.template, attempts: row.attempts, reason: "run_abandoned" },
        { as: SYSTEM },
      );
    }
    const claimable = tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          isDue,
          sql`${outbox.attempts} < ${OUTBOX_MAX_ATTEMPTS}`,
          eq(outbox.channel, channel.name),
          ids ? inArray(outbox.id, ids) : undefined,
        ),
      )
      .orderBy(outbox.nextAttemptAt)
      .limit(CLAIM_BATCH)
      .for("update", { skipLocked: true });
    return tx
      .update(outbox)
      .set({
        status: "sending",
        attempts: sql`${outbox.attempts} + 1`,
        lockedUntil: sql`now() + make_interval(secs => ${OUTBOX_LEASE_SECONDS})`,
      })
      .where(inArray(outbox.id, claimable))
      .returning();
  });
}

/** The row as the message it was queued as, its secret opened; null when it can never be rendered. */
async function openMessage(scope: Scope, row: OutboxRow): Promise<{ message: MailMessage; locale: MailLocale } | null> {
  if (!(CONTENT_LOCALES as readonly string[]).includes(row.locale)) return null;
  let secret: string | null = null;
  if (row.secretSealed !== null) {
    try {
      secret = await decryptSecret(
        row.secretSealed,
        scope.section("auth").mfaEncryptionKey,
        outboxSecretContext(row.id),
      );
    } catch {
      return null;
    }
  }
  const message = messageFromRow({ template: row.template, data: row.data, secret });
  return message ? { message, locale: row.locale as MailLocale } : null;
}

async function attempt(scope: Scope, mailer: Mailer, row: OutboxRow): Promise<Outcome> {
  const opened = await openMessage(scope, row);
  if (!opened) return { kind: "failed", error: "the message cannot be rendered", permanent: true };
  try {
    await mailer.send({ to: row.recipient, ...renderMail(opened.message, opened.locale) });
    return { kind: "sent" };
  } catch (error) {
    return { kind: "failed", error: describeMailError(error), permanent: error instanceof UndeliverableMailError };
  }
}

/**
 * Records what happened to a claimed row, guarded by the attempt it was claimed for: had its lease lapsed and
 * another run claimed it since, this run's word no longer counts. A sent message loses its sealed secret; a dead
 * one keeps it, so an admin's retry can still send the link while it is valid.
 */
async function settle(
  scope: Scope,
  channel: OutboxChannel,
  row: OutboxRow,
  outcome: Outcome,
  tally: DeliveryTally,
): Promise<void> {
  await scope.transaction(async (tx) => {
    const claimed = and(eq(outbox.id, row.id), eq(outbox.status, "sending"), eq(outbox.attempts, row.attempts));
    const target = { type: "outbox", id: row.id };
    if (outcome.kind === "sent") {
      const done = await tx
        .update(outbox)
        .set({ status: "sent", sentAt: sql`now()`, secretSealed: null, lockedUntil: null, lastError: null })
        .where(claimed)
        .returning({ id: outbox.id });
      if (done.length === 0) return;
      tally.sent += 1;
      await channel.recordAttempt?.(tx, row, outcome, { status: "sent", retryInSeconds: null });
      await scope.audit(
        tx,
        channel.actions.sent,
        target,
        { template: row.template, attempt: row.attempts, ...outcome.details },
        { as: SYSTEM },
      );
      return;
    }
    if (outcome.permanent || row.attempts >= OUTBOX_MAX_ATTEMPTS) {
      const done = await tx
        .update(outbox)
        .set({ status: "dead", lockedUntil: null, lastError: outcome.error })
        .where(claimed)
        .returning({ id: outbox.id });
      if (done.length === 0) return;
      tally.dead += 1;
      await channel.recordAttempt?.(tx, row, outcome, { status: "dead", retryInSeconds: null });
      await scope.audit(
        tx,
        channel.actions.dead,
        target,
        {
          template: row.template,
          attempts: row.attempts,
          reason: outcome.permanent ? "undeliverable" : "attempts_exhausted",
        },
        { as: SYSTEM },
      );
      return;
    }
    const delay = (channel.retryDelaySeconds ?? retryDelaySeconds)(row.attempts);
    const done = await tx
      .update(outbox)
      .set({
        status: "pending",
        lockedUntil: null,
        lastError: outcome.error,
        nextAttemptAt: sql`now() + make_interval(secs => ${delay})`,
      })
      .where(claimed)
      .returning({ nextAttemptAt: outbox.nextAttemptAt });
    if (done.length === 0) return;
    tally.deferred += 1;
    await channel.recordAttempt?.(tx, row, outcome, { status: "pending", retryInSeconds: delay });
    await scope.audit(
      tx,
      channel.actions.deferred,
      target,
      { template: row.template, attempt: row.attempts, retryInSeconds: delay },
      { as: SYSTEM },
    );
  });
}

/**
 * Claims the channel's due rows (only `ids` when given) in the scope's tenant, sends each with `send` outside any
 * transaction, and records each outcome: the outbox's delivery for every channel.
 */
export async function deliverOutbox(
  scope: Scope,
  channel: OutboxChannel,
  send: (row: OutboxRow) => Promise<Outcome>,
  tally: DeliveryTally,
  ids?: string[],
): Promise<void> {
  for (const row of await claimDue(scope, channel, ids)) await settle(scope, channel, row, await send(row), tally);
}

/**
 * The `mail.queued` effect: sends the rows a committed transaction queued, right away, over the request's own
 * tenant scope. Whatever this does not send (the relay is down, the Worker is evicted) the outbox job retries.
 */
export async function deliverQueuedMail(scope: Scope, ids: string[]): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  const mailer = createMailer(scope.section("mail"));
  try {
    await deliverOutbox(scope, MAIL, (row) => attempt(scope, mailer, row), tally, ids);
  } finally {
    await mailer.close();
  }
  return tally;
}

/** The outbox job's run in one tenant (row-level security in force), over the job's one SMTP connection. */
export async function deliverTenantMail(scope: Scope, mailer: Mailer): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  await deliverOutbox(scope, MAIL, (row) => attempt(scope, mailer, row), tally);
  return tally;
}
