import { outbox } from "../../schema";
import { encryptSecret } from "../lib/aead";
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
 * Queues an e-mail in `tx`, so it is sent if and only if the change that causes it commits. Delivery is the
 * outbox job's (retries with backoff, then a dead letter). A message's one-time secret is sealed with the
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
  return rows[0]?.id ?? null;
}
