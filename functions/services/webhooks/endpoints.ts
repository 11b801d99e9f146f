import { and, count, desc, eq, inArray, lte, sql } from "drizzle-orm";
import {
  outbox,
  type WebhookAttemptRow,
  webhookAttempts,
  type WebhookEndpointRow,
  webhookEndpoints,
} from "../../../schema";
import type { OutboxStatus } from "../../../schema/outbox";
import type { WebhookEvent } from "../../contract";
import { encryptSecret } from "../../lib/aead";
import { ConflictError, NotFoundError, UnprocessableError } from "../../lib/errors";
import type { Transaction } from "../../lib/db";
import { generateWebhookSecret } from "../../lib/webhook-signature";
import { type AuditActor, requireUser, type Scope } from "../../scope";
import { type AddressVerdict, checkEndpointAddress } from "./address";
import { webhookSecretContext } from "./delivery";

/**
 * Admins' webhook endpoints: registration (the URL checked against SSRF, the secret made and shown once), changes,
 * secret rotation, removal, and each endpoint's delivery log with redelivery. Every change is audited; the audit
 * names the endpoint's host, never its path or query (which may carry a receiver's own token).
 */

/** Endpoints a tenant may have: each event is delivered to each of them, one after another. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/** How long a rotated-out secret keeps signing beside the new one, so receivers can switch without losing events. */
export const WEBHOOK_SECRET_OVERLAP_HOURS = 24;

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  events: WebhookEvent[];
  enabled: boolean;
  secretRotatedAt: string;
  /** Until when the previous secret also signs each delivery, after a rotation; null when only one secret signs. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptView {
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  errorClass: string | null;
  excerpt: string | null;
  retryInSeconds: number | null;
  at: string;
}

export interface WebhookDeliveryView {
  id: string;
  event: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  log: WebhookAttemptView[];
}

export interface WebhookDeliveryPage {
  deliveries: WebhookDeliveryView[];
  total: number;
  page: number;
  pageSize: number;
}

function endpointView(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    secretRotatedAt: row.secretRotatedAt.toISOString(),
    previousSecretExpiresAt:
      row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now()
        ? row.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function attemptView(row: WebhookAttemptRow): WebhookAttemptView {
  return {
    attempt: row.attempt,
    statusCode: row.statusCode,
    durationMs: row.durationMs,
    errorClass: row.errorClass,
    excerpt: row.excerpt,
    retryInSeconds: row.retryInSeconds,
    at: row.createdAt.toISOString(),
  };
}

/** Refuses a URL the Worker must not send to, with a code per kind of refusal (RFC 9457 `code`). */
function assertAllowed(verdict: AddressVerdict): asserts verdict is Extract<AddressVerdict, { ok: true }> {
  if (verdict.ok) return;
  switch (verdict.reason) {
    case "address":
    case "private_address":
    case "host_name":
      throw new UnprocessableError(
        "webhook_address_private",
        "The endpoint's host is, or resolves to, a loopback, private, link-local or internal address.",
      );
    case "unresolvable":
      throw new UnprocessableError("webhook_host_unresolvable", "The endpoint's host name does not resolve.");
    case "not_https":
      throw new UnprocessableError("webhook_url_invalid", "The endpoint must be an https:// URL.");
    case "credentials":
      throw new UnprocessableError("webhook_url_invalid", "The endpoint URL must not carry a user name or password.");
    case "port":
      throw new UnprocessableError("webhook_url_invalid", "The endpoint must use the default port, 443 or 8443.");
    case "malformed":
      throw new UnprocessableError("webhook_url_invalid", "The endpoint is not a URL.");
  }
}

async function sealedSecret(scope: Scope, endpointId: string): Promise<{ secret: string; sealed: string }> {
  const secret = generateWebhookSecret();
  const sealed = await encryptSecret(secret, scope.section("auth").mfaEncryptionKey, webhookSecretContext(endpointId));
  return { secret, sealed };
}

async function loadForUpdate(tx: Transaction, id: string): Promise<WebhookEndpointRow> {
  const [row] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).for("update");
  if (!row) throw new NotFoundError("No webhook endpoint was found with this id.");
  return row;
}

const hostOf = (url: string): string => new URL(url).host;

export interface WebhookEndpointInput {
  url: string;
  events: WebhookEvent[];
  description?: string | undefined;
  enabled?: boolean | undefined;
}

/** Registers an endpoint; the answer carries its signing secret, which is never shown again. */
export async function createWebhookEndpoint(
  scope: Scope,
  input: WebhookEndpointInput,
): Promise<WebhookEndpointView & { secret: string }> {
  const user = requireUser(scope);
  const verdict = await checkEndpointAddress(scope.section("webhooks"), input.url);
  assertAllowed(verdict);
  const id = crypto.randomUUID();
  const { secret, sealed } = await sealedSecret(scope, id);
  return scope.transaction(async (tx) => {
    // Serialises registrations of one tenant, so the limit holds under concurrent requests.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('webhook_endpoints'), hashtext(${scope.tenant.id}))`);
    const [existing] = await tx.select({ total: count() }).from(webhookEndpoints);
    if ((existing?.total ?? 0) >= MAX_WEBHOOK_ENDPOINTS)
      throw new ConflictError("webhook_limit", `A tenant may have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`);
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id,
        tenantId: scope.tenant.id,
        url: verdict.url.href,
        description: input.description ?? "",
        events: [...new Set(input.events)],
        enabled: input.enabled ?? true,
        secretSealed: sealed,
        createdBy: user.userId,
      })
      .returning();
    await scope.audit(
      tx,
      "webhook.created",
      { type: "webhook_endpoint", id },
      {
        host: verdict.url.host,
        events: row!.events,
        enabled: row!.enabled,
      },
    );
    return { ...endpointView(row!), secret };
  });
}

export async function listWebhookEndpoints(scope: Scope): Promise<WebhookEndpointView[]> {
  const rows = await scope.transaction((tx) =>
    tx.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)),
  );
  return rows.map(endpointView);
}

export async function getWebhookEndpoint(scope: Scope, id: string): Promise<WebhookEndpointView> {
  const [row] = await scope.transaction((tx) => tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)));
  if (!row) throw new NotFoundError("No webhook endpoint was found with this id.");
  return endpointView(row);
}

/** Changes an endpoint; a new URL is checked as at registration. Audited with the names of the fields changed. */
export async function updateWebhookEndpoint(
  scope: Scope,
  id: string,
  patch: Partial<WebhookEndpointInput>,
): Promise<WebhookEndpointView> {
  let url: string | undefined;
  if (patch.url !== undefined) {
    const verdict = await checkEndpointAddress(scope.section("webhooks"), patch.url);
    assertAllowed(verdict);
    url = verdict.url.href;
  }
  return scope.transaction(async (tx) => {
    const before = await loadForUpdate(tx, id);
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await scope.audit(
      tx,
      "webhook.updated",
      { type: "webhook_endpoint", id },
      {
        fields: Object.keys(patch).sort(),
        ...(url !== undefined ? { fromHost: hostOf(before.url), toHost: hostOf(url) } : {}),
      },
    );
    return endpointView(row!);
  });
}

/**
 * A new signing secret, shown once. With `keepPrevious` (the default) the secret it replaces keeps signing beside it
 * for `WEBHOOK_SECRET_OVERLAP_HOURS`: each attempt carries both signatures (Standard Webhooks allows several), so a
 * receiver still holding the old secret verifies until it has switched; a secret rotated out earlier is dropped.
 * Without it (a secret that leaked) the old one stops signing at once. Each attempt is signed afresh, so deliveries
 * already queued carry what is valid when they are attempted.
 */
export async function rotateWebhookSecret(
  scope: Scope,
  id: string,
  options: { keepPrevious: boolean } = { keepPrevious: true },
): Promise<WebhookEndpointView & { secret: string }> {
  const { secret, sealed } = await sealedSecret(scope, id);
  return scope.transaction(async (tx) => {
    const before = await loadForUpdate(tx, id);
    const now = new Date();
    const previousUntil = options.keepPrevious
      ? new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_HOURS * 3_600_000)
      : null;
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secretSealed: sealed,
        secretRotatedAt: now,
        // Sealed with the endpoint's id as before: it moves, it is never opened here.
        previousSecretSealed: previousUntil ? before.secretSealed : null,
        previousSecretExpiresAt: previousUntil,
        updatedAt: now,
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await scope.audit(
      tx,
      "webhook.secret_rotated",
      { type: "webhook_endpoint", id },
      { previousValidUntil: previousUntil?.toISOString() ?? null },
    );
    return { ...endpointView(row!), secret };
  });
}

const SYSTEM: AuditActor = { type: "system", id: null };

/** Erases the previous secrets whose overlap has ended (the webhook job, every minute); each erasure is audited. */
export async function eraseLapsedWebhookSecrets(scope: Scope): Promise<number> {
  return scope.transaction(async (tx) => {
    const erased = await tx
      .update(webhookEndpoints)
      .set({ previousSecretSealed: null, previousSecretExpiresAt: null })
      .where(lte(webhookEndpoints.previousSecretExpiresAt, sql`now()`))
      .returning({ id: webhookEndpoints.id });
    for (const { id } of erased)
      await scope.audit(tx, "webhook.previous_secret_erased", { type: "webhook_endpoint", id }, {}, { as: SYSTEM });
    return erased.length;
  });
}

/** Removes an endpoint and its delivery log; its deliveries still waiting are given up (`dead`). */
export async function deleteWebhookEndpoint(scope: Scope, id: string): Promise<void> {
  await scope.transaction(async (tx) => {
    const before = await loadForUpdate(tx, id);
    const abandoned = await tx
      .update(outbox)
      .set({ status: "dead", lockedUntil: null, lastError: "the endpoint was removed" })
      .where(
        and(eq(outbox.channel, "webhook"), eq(outbox.recipient, id), inArray(outbox.status, ["pending", "sending"])),
      )
      .returning({ id: outbox.id });
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    await scope.audit(
      tx,
      "webhook.deleted",
      { type: "webhook_endpoint", id },
      {
        host: hostOf(before.url),
        abandonedDeliveries: abandoned.length,
      },
    );
  });
}

/** An endpoint's deliveries, newest first, each with its attempts. */
export async function listWebhookDeliveries(
  scope: Scope,
  endpointId: string,
  query: { page: number; pageSize: number },
): Promise<WebhookDeliveryPage> {
  return scope.transaction(async (tx) => {
    const [endpoint] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, endpointId));
    if (!endpoint) throw new NotFoundError("No webhook endpoint was found with this id.");
    const where = and(eq(outbox.channel, "webhook"), eq(outbox.recipient, endpointId));
    const rows = await tx
      .select()
      .from(outbox)
      .where(where)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize);
    const [counted] = await tx.select({ total: count() }).from(outbox).where(where);
    const attempts =
      rows.length === 0
        ? []
        : await tx
            .select()
            .from(webhookAttempts)
            .where(
              inArray(
                webhookAttempts.deliveryId,
                rows.map((row) => row.id),
              ),
            )
            .orderBy(webhookAttempts.createdAt);
    return {
      deliveries: rows.map((row) => ({
        id: row.id,
        event: row.template,
        status: row.status,
        attempts: row.attempts,
        nextAttemptAt: row.nextAttemptAt.toISOString(),
        lastError: row.lastError,
        createdAt: row.createdAt.toISOString(),
        sentAt: row.sentAt?.toISOString() ?? null,
        log: attempts.filter((attempt) => attempt.deliveryId === row.id).map(attemptView),
      })),
      total: counted?.total ?? 0,
      page: query.page,
      pageSize: query.pageSize,
    };
  });
}

/**
 * Sends a delivery again with a fresh set of attempts and the same `webhook-id` (receivers deduplicate on it,
 * Standard Webhooks), once this commits. Only a delivery that is done (sent or given up on): one still waiting
 * is already being retried.
 */
export async function redeliverWebhook(scope: Scope, endpointId: string, deliveryId: string): Promise<void> {
  await scope.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: outbox.status, template: outbox.template })
      .from(outbox)
      .where(and(eq(outbox.id, deliveryId), eq(outbox.channel, "webhook"), eq(outbox.recipient, endpointId)))
      .for("update");
    if (!row) throw new NotFoundError("No delivery of this endpoint was found with this id.");
    if (row.status !== "sent" && row.status !== "dead")
      throw new ConflictError("webhook_delivery_pending", "This delivery is still being attempted.");
    const [endpoint] = await tx
      .select({ enabled: webhookEndpoints.enabled })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, endpointId));
    if (!endpoint) throw new NotFoundError("No webhook endpoint was found with this id.");
    if (!endpoint.enabled) throw new ConflictError("webhook_disabled", "Enable the endpoint before redelivering.");
    await tx
      .update(outbox)
      .set({
        status: "pending",
        attempts: 0,
        nextAttemptAt: sql`now()`,
        lockedUntil: null,
        lastError: null,
        sentAt: null,
      })
      .where(eq(outbox.id, deliveryId));
    await scope.audit(
      tx,
      "webhook.redelivered",
      { type: "outbox", id: deliveryId },
      { event: row.template, endpointId },
    );
    scope.afterCommit(tx, { type: "webhook.queued", outboxIds: [deliveryId] });
  });
}
