/**
 * The e-mails the Worker queued, read from the outbox table as the superuser, with each message's sealed secret
 * opened with the test key (the way the outbox job opens it to send the message).
 */
import type pg from "pg";
import { inject } from "vitest";
import { decryptSecret } from "../../functions/lib/aead.js";
import { outboxSecretContext } from "../../functions/services/outbox.js";
import { testBindings } from "./worker.js";

export interface QueuedMail {
  id: string;
  template: string;
  locale: string;
  recipient: string;
  data: Record<string, unknown>;
  /** The one-time token the message carries, opened; null for a message without one. */
  secret: string | null;
}

/** Every message queued in the tenant for `to` (lower-cased), oldest first, optionally of one template. */
export async function queuedMail(
  admin: pg.Client,
  tenantId: string,
  filter: { to: string; template?: string },
): Promise<QueuedMail[]> {
  const rows = await admin.query<{
    id: string;
    template: string;
    locale: string;
    recipient: string;
    data: Record<string, unknown>;
    secret_sealed: string | null;
  }>(
    `select id, template, locale, recipient, data, secret_sealed from outbox
      where tenant_id = $1 and recipient = $2 and ($3::text is null or template = $3)
      order by created_at, id`,
    [tenantId, filter.to.toLowerCase(), filter.template ?? null],
  );
  const key = testBindings(inject("testEnvironment")).MFA_ENCRYPTION_KEY!;
  return Promise.all(
    rows.rows.map(async (row) => ({
      id: row.id,
      template: row.template,
      locale: row.locale,
      recipient: row.recipient,
      data: row.data,
      secret: row.secret_sealed ? await decryptSecret(row.secret_sealed, key, outboxSecretContext(row.id)) : null,
    })),
  );
}

/** The newest message of `template` queued for `to`; fails the test when there is none. */
export async function lastMail(admin: pg.Client, tenantId: string, to: string, template: string): Promise<QueuedMail> {
  const mails = await queuedMail(admin, tenantId, { to, template });
  const last = mails.at(-1);
  if (!last) throw new Error(`no ${template} e-mail queued for ${to}`);
  return last;
}
