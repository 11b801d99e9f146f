/**
 * The e-mails the Worker queued, read from the outbox table as the superuser. A message's one-time token is
 * opened from the row's sealed secret with the test key while the row still holds it; the Worker sends at once
 * after the commit and wipes the secret once sent, so after that the token is read from the link of the message
 * the mail catcher received, and accepted only when its SHA-256 is the token hash the database stored for it.
 */
import { createHash } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import { decryptSecret } from "../../functions/lib/aead.js";
import { outboxSecretContext } from "../../functions/services/outbox.js";
import { MAIL_LINK_PATHS, type MailTemplate } from "../../functions/services/mail/messages.js";
import { mailTo } from "./mail.js";
import { testBindings } from "./worker.js";

export interface QueuedMail {
  id: string;
  template: string;
  locale: string;
  recipient: string;
  data: Record<string, unknown>;
  /** The one-time token the message carries; null for a message without one. */
  secret: string | null;
}

interface OutboxRow {
  id: string;
  template: string;
  locale: string;
  recipient: string;
  data: Record<string, unknown>;
  secret_sealed: string | null;
}

/** Every message queued in the tenant for `to` (lower-cased), oldest first, optionally of one template. */
export async function queuedMail(
  admin: pg.Client,
  tenantId: string,
  filter: { to: string; template?: string },
): Promise<Omit<QueuedMail, "secret">[]> {
  const rows = await outboxRows(admin, tenantId, filter);
  return rows.map(({ secret_sealed: _sealed, ...row }) => row);
}

async function outboxRows(
  admin: pg.Client,
  tenantId: string,
  filter: { to: string; template?: string },
): Promise<OutboxRow[]> {
  const rows = await admin.query<OutboxRow>(
    `select id, template, locale, recipient, data, secret_sealed from outbox
      where tenant_id = $1 and recipient = $2 and ($3::text is null or template = $3)
      order by created_at, id`,
    [tenantId, filter.to.toLowerCase(), filter.template ?? null],
  );
  return rows.rows;
}

/** The hash the database stored for the newest token of this kind sent to `to` in the tenant. */
async function storedTokenHash(admin: pg.Client, tenantId: string, to: string, template: string): Promise<string> {
  const query =
    template === "invitation"
      ? "select token_hash from invitations where tenant_id = $1 and email = $2 order by created_at desc limit 1"
      : `select r.token_hash from password_resets r join users u on u.id = r.user_id
          where r.tenant_id = $1 and u.email = $2 order by r.created_at desc limit 1`;
  const row = (await admin.query<{ token_hash: string }>(query, [tenantId, to.toLowerCase()])).rows[0];
  if (!row) throw new Error(`no ${template} token stored for ${to}`);
  return row.token_hash;
}

/** Polls the mail catcher (bounded) for the message to `to` whose link carries the token with `hash`. */
async function caughtToken(to: string, template: MailTemplate, hash: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  const link = new RegExp(`${MAIL_LINK_PATHS[template]}#token=([A-Za-z0-9_%-]+)`, "g");
  for (;;) {
    for (const mail of await mailTo(to)) {
      for (const match of (mail.text ?? "").matchAll(link)) {
        const token = decodeURIComponent(match[1]!);
        if (createHash("sha256").update(token).digest("hex") === hash) return token;
      }
    }
    if (Date.now() > deadline) throw new Error(`no ${template} link for ${to} reached the mail catcher`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The newest message of `template` queued for `to`, with its token; fails the test when there is none. */
export async function lastMail(admin: pg.Client, tenantId: string, to: string, template: string): Promise<QueuedMail> {
  const last = (await outboxRows(admin, tenantId, { to, template })).at(-1);
  if (!last) throw new Error(`no ${template} e-mail queued for ${to}`);
  const { secret_sealed: sealed, ...row } = last;
  if (sealed) {
    const key = testBindings(inject("testEnvironment")).MFA_ENCRYPTION_KEY!;
    return { ...row, secret: await decryptSecret(sealed, key, outboxSecretContext(row.id)) };
  }
  if (template !== "invitation" && template !== "password-reset") return { ...row, secret: null };
  const hash = await storedTokenHash(admin, tenantId, to, template);
  return { ...row, secret: await caughtToken(to, template, hash) };
}
