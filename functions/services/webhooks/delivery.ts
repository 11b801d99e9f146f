import { eq } from "drizzle-orm";
import { type OutboxRow, webhookAttempts, webhookEndpoints } from "../../../schema";
import type { WebhooksConfig } from "../../env";
import { decryptSecret } from "../../lib/aead";
import { redact } from "../../lib/logging";
import { signWebhook } from "../../lib/webhook-signature";
import type { Scope } from "../../scope";
import {
  type AttemptReport,
  type DeliveryTally,
  deliverOutbox,
  type Outcome,
  type OutboxChannel,
} from "../mail/delivery";
import { checkEndpointAddress } from "./address";

/**
 * Sends webhook deliveries (outbox channel `webhook`) per Standard Webhooks: the body `{type, timestamp, data}`,
 * signed for each attempt with the endpoint's secret. Before every attempt the endpoint's address is checked again
 * (services/webhooks/address.ts); redirects are not followed (a redirect is a failed attempt: following it would
 * send the signed payload somewhere no admin checked). The outbox gives the retries on the webhooks' own schedule
 * (`WEBHOOK_RETRY_SCHEDULE_SECONDS`), then `dead`; each attempt is written to the endpoint's delivery log.
 */

/**
 * Seconds to wait after each failed attempt, as Standard Webhooks recommends: the first attempt right after the
 * change commits, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, a little over a day in all; a delivery
 * whose eighth attempt fails (`OUTBOX_MAX_ATTEMPTS`) is given up (`dead`, an admin may redeliver it).
 */
export const WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
/** How far a retry may move either way from its scheduled delay, so deliveries that failed together spread out. */
export const WEBHOOK_RETRY_JITTER = 0.2;

/** Seconds to wait after the `attempts`-th failed attempt: the schedule's delay, give or take 20 %. */
export function webhookRetryDelaySeconds(attempts: number, random: () => number = Math.random): number {
  const schedule = WEBHOOK_RETRY_SCHEDULE_SECONDS;
  const base = schedule[Math.min(schedule.length, Math.max(1, attempts)) - 1]!;
  return Math.round(base * (1 - WEBHOOK_RETRY_JITTER + 2 * WEBHOOK_RETRY_JITTER * random()));
}

/** How long one attempt may take, connection and answer together. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** Bytes of the answer read for the log's excerpt; the rest is never read. */
const EXCERPT_BYTES = 512;
/** Characters of the excerpt kept, after sanitising. */
const EXCERPT_CHARS = 200;

/** The associated data an endpoint's secret is sealed with: it opens only for that endpoint. */
export const webhookSecretContext = (endpointId: string): string => `webhook:${endpointId}`;

/** The start of an answer, as printable text with personal data patterns redacted; never the whole body. */
async function excerptOf(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder()
    .decode(bytes.subarray(0, EXCERPT_BYTES))
    .replace(/[\p{Cc}\p{Cf}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return text === "" ? null : redact(text).slice(0, EXCERPT_CHARS);
}

/** The Standard Webhooks body of a queued delivery. */
export function webhookBody(row: Pick<OutboxRow, "template" | "data">): string {
  return JSON.stringify({ type: row.template, timestamp: row.data.timestamp, data: row.data.data });
}

function failed(error: string, permanent: boolean, report: AttemptReport): Outcome {
  return { kind: "failed", error, permanent, report };
}

/** One attempt; an unexpected error (the database, a secret that does not open) is a failed attempt, retried. */
async function attempt(scope: Scope, config: WebhooksConfig, row: OutboxRow): Promise<Outcome> {
  const started = Date.now();
  try {
    return await send(scope, config, row, started);
  } catch (error) {
    scope.logger.warn("webhook attempt failed unexpectedly", { deliveryId: row.id, error });
    const report = { statusCode: null, errorClass: "internal", excerpt: null, durationMs: Date.now() - started };
    return failed("the attempt could not be made", false, report);
  }
}

async function send(scope: Scope, config: WebhooksConfig, row: OutboxRow, started: number): Promise<Outcome> {
  const report = (fields: Partial<AttemptReport>): AttemptReport => ({
    statusCode: null,
    errorClass: null,
    excerpt: null,
    ...fields,
    durationMs: Date.now() - started,
  });
  const [endpoint] = await scope.transaction((tx) =>
    tx
      .select({
        url: webhookEndpoints.url,
        enabled: webhookEndpoints.enabled,
        sealed: webhookEndpoints.secretSealed,
        previousSealed: webhookEndpoints.previousSecretSealed,
        previousUntil: webhookEndpoints.previousSecretExpiresAt,
      })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, row.recipient)),
  );
  if (!endpoint) return failed("the endpoint was removed", true, report({ errorClass: "endpoint_removed" }));
  if (!endpoint.enabled) return failed("the endpoint is disabled", true, report({ errorClass: "endpoint_disabled" }));
  const address = await checkEndpointAddress(config, endpoint.url);
  if (!address.ok) {
    const errorClass = address.reason === "unresolvable" ? "dns" : "address_refused";
    return failed(`the endpoint's address was refused (${address.reason})`, address.permanent, report({ errorClass }));
  }
  const key = scope.section("auth").mfaEncryptionKey;
  const context = webhookSecretContext(row.recipient);
  // The current secret, and during a rotation's overlap the previous one too: each signs, space-separated.
  const secrets = [await decryptSecret(endpoint.sealed, key, context)];
  if (endpoint.previousSealed && endpoint.previousUntil && endpoint.previousUntil.getTime() > Date.now())
    secrets.push(await decryptSecret(endpoint.previousSealed, key, context));
  const body = webhookBody(row);
  const timestamp = Math.floor(Date.now() / 1000);
  const signatures = await Promise.all(secrets.map((secret) => signWebhook(secret, row.id, timestamp, body)));
  let response: Response;
  try {
    response = await fetch(address.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Vitalis-Webhooks/1",
        "webhook-id": row.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatures.join(" "),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return failed(
      timedOut ? "timed out" : "the connection failed",
      false,
      report({ errorClass: timedOut ? "timeout" : "network" }),
    );
  }
  const excerpt = response.status >= 200 && response.status < 300 ? null : await excerptOf(response);
  if (excerpt === null) await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300)
    return { kind: "sent", report: report({ statusCode: response.status }) };
  const redirected = response.status >= 300 && response.status < 400;
  return failed(
    redirected ? `redirected (HTTP ${response.status})` : `HTTP ${response.status}`,
    false,
    report({ statusCode: response.status, errorClass: redirected ? "redirect" : "http_status", excerpt }),
  );
}

const WEBHOOK: OutboxChannel = {
  name: "webhook",
  actions: { sent: "webhook.delivered", deferred: "webhook.deferred", dead: "webhook.dead" },
  retryDelaySeconds: (attempts) => webhookRetryDelaySeconds(attempts),
  // The delivery log, in the transaction that settles the attempt. An endpoint removed meanwhile has no log.
  async recordAttempt(tx, row, outcome, next) {
    const [endpoint] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, row.recipient))
      .for("key share");
    if (!endpoint || !outcome.report) return;
    await tx.insert(webhookAttempts).values({
      tenantId: row.tenantId,
      endpointId: endpoint.id,
      deliveryId: row.id,
      attempt: row.attempts,
      statusCode: outcome.report.statusCode,
      durationMs: outcome.report.durationMs,
      errorClass: outcome.report.errorClass,
      excerpt: outcome.report.excerpt,
      retryInSeconds: next.retryInSeconds,
    });
  },
};

/** The `webhook.queued` effect: sends what a committed transaction queued, right away; the job retries the rest. */
export async function deliverQueuedWebhooks(scope: Scope, ids: string[]): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  if (ids.length === 0) return tally;
  const config = scope.section("webhooks");
  await deliverOutbox(scope, WEBHOOK, (row) => attempt(scope, config, row), tally, ids);
  return tally;
}

/** The webhook job's run in one tenant: its due deliveries. */
export async function deliverTenantWebhooks(scope: Scope, config: WebhooksConfig): Promise<DeliveryTally> {
  const tally: DeliveryTally = { sent: 0, deferred: 0, dead: 0 };
  await deliverOutbox(scope, WEBHOOK, (row) => attempt(scope, config, row), tally);
  return tally;
}
