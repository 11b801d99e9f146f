import { and, count, desc, eq, sql } from "drizzle-orm";
import { outbox, type OutboxRow, type OutboxStatus } from "../../schema";
import { encryptSecret } from "../lib/aead";
import { ConflictError, NotFoundError } from "../lib/errors";
import type { Transaction } from "../lib/db";
import type { Scope } from "../scope";
import type { MailLocale, MailMessage } from "./mail/messages";

/** The associated data a message's secret is sealed with: it opens only for the row it was written for. */
export const outboxSecretContext = (id: string): string => `outbox:${id}`;

export interface QueuedMail {
  to: string;
  locale: MailLocale;
  message: MailMessage;
  /** Queues the message at most once per tenant under this key; a second call with it is a no-op. */
  dedupeKey?: string;
}

/**
 * Queues an e-mail in `tx`, so it is sent if and only if the change that causes it commits. Once it has
 * committed, the `mail.queued` effect sends it (functions/effects.ts); the outbox job retries what that did not
 * send (backoff, then a dead letter). `tx` must come from `scope.transaction`. A message's one-time secret is sealed with the
 * at-rest key (AES-GCM, bound to the row id) and never stored in the clear. Returns the row id, or null when
 * `dedupeKey` was already queued.
 */
export async function enqueueEmail(scope: Scope, tx: Transaction, mail: QueuedMail): Promise<string | null> {
  const id = crypto.randomUUID();
  const secret = "secret" in mail.message ? mail.message.secret : null;
  const secretSealed =
    secret === null
      ? null
      : await encryptSecret(secret, scope.section("auth").mfaEncryptionKey, outboxSecretContext(id));
  const rows = await tx
    .insert(outbox)
    .values({
      id,
      tenantId: scope.tenant.id,
      template: mail.message.template,
      locale: mail.locale,
      recipient: mail.to.toLowerCase(),
      data: mail.message.data,
      secretSealed,
      dedupeKey: mail.dedupeKey ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: outbox.id });
  const queued = rows[0]?.id ?? null;
  if (queued !== null) scope.afterCommit(tx, { type: "mail.queued", outboxIds: [queued] });
  return queued;
}

/** A queued message as an admin sees it: never its parameters, body or secret. */
export interface OutboxView {
  id: string;
  template: string;
  locale: string;
  recipient: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxPage {
  messages: OutboxView[];
  total: number;
  page: number;
  pageSize: number;
}

const viewColumns = {
  id: outbox.id,
  template: outbox.template,
  locale: outbox.locale,
  recipient: outbox.recipient,
  status: outbox.status,
  attempts: outbox.attempts,
  nextAttemptAt: outbox.nextAttemptAt,
  lastError: outbox.lastError,
  createdAt: outbox.createdAt,
  sentAt: outbox.sentAt,
};

function toView(row: { [K in keyof typeof viewColumns]: OutboxRow[K] }): OutboxView {
  return {
    ...row,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}

/** The tenant's outgoing mail, newest first, optionally of one status. */
export async function listOutbox(
  scope: Scope,
  query: { status?: OutboxStatus | undefined; page: number; pageSize: number },
): Promise<OutboxPage> {
  return scope.transaction(async (tx) => {
    // The outbox also carries CDN purges (services/cdn-purge.ts); this is the mail screen.
    const where = and(eq(outbox.channel, "email"), query.status ? eq(outbox.status, query.status) : undefined);
    const rows = await tx
      .select(viewColumns)
      .from(outbox)
      .where(where)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    const [counted] = await tx.select({ total: count() }).from(outbox).where(where);
    return { messages: rows.map(toView), total: counted?.total ?? 0, page: query.page, pageSize: query.pageSize };
  });
}

/**
 * Gives a dead message a fresh set of attempts (audited) and sends it once this commits. Only a dead message:
 * one still pending is already being retried. A message whose link has expired is refused, since the token in
 * it no longer works (invite or reset again instead).
 */
export async function retryDeadMail(scope: Scope, id: string): Promise<OutboxView> {
  return scope.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: outbox.status, template: outbox.template, data: outbox.data })
      .from(outbox)
      .where(and(eq(outbox.id, id), eq(outbox.channel, "email")))
      .for("update");
    if (!row) throw new NotFoundError();
    if (row.status !== "dead") throw new ConflictError("mail_not_dead", "Only a message given up on can be retried.");
    const expiresAt = typeof row.data.expiresAt === "string" ? Date.parse(row.data.expiresAt) : Number.NaN;
    if (expiresAt <= Date.now())
      throw new ConflictError("mail_link_expired", "The link in this message has expired; send a new one instead.");
    const [updated] = await tx
      .update(outbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: sql`now()`, lockedUntil: null, lastError: null })
      .where(eq(outbox.id, id))
      .returning(viewColumns);
    if (!updated) throw new NotFoundError();
    await scope.audit(tx, "mail.retried", { type: "outbox", id }, { template: row.template });
    scope.afterCommit(tx, { type: "mail.queued", outboxIds: [id] });
    return toView(updated);
  });
}
