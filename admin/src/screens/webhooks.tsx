import { useEffect, useState } from "preact/hooks";
import { WEBHOOK_EVENTS, type WebhookEvent } from "../../../functions/contract";
import { webhooks } from "../api";
import { formatDate, t } from "../i18n";
import type { WebhookDeliveryPage, WebhookEndpoint } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";
import { STATUS_KEYS } from "./outbox";

/**
 * Admins register the endpoints that receive the site's events (`/api/webhooks`): the signing secret is shown
 * once, at creation or rotation. Each endpoint's deliveries list every attempt (status code, duration, error class,
 * a short sanitised excerpt of the answer); a delivery that was sent or given up on can be sent again.
 */
export function WebhooksScreen() {
  useLang();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(["content.published"]);
  const [secret, setSecret] = useState<{ endpoint: string; value: string } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    setLoadError(null);
    webhooks.list().then(setEndpoints).catch(setLoadError);
  }, [tick]);

  const reload = () => setTick((n) => n + 1);
  const create = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const created = await webhooks.create({ url: url.trim(), events, description: description.trim() });
      setSecret({ endpoint: created.url, value: created.secret });
      setUrl("");
      setDescription("");
      reload();
    });
  };
  // With the overlap, the current secret keeps signing for 24 hours; without it (a leak) it stops at once.
  const rotate = (endpoint: WebhookEndpoint, keepPrevious: boolean) =>
    run(async () => {
      if (!confirm(t(keepPrevious ? "webhooksRotateConfirm" : "webhooksRotateNowConfirm"))) return;
      const rotated = await webhooks.rotateSecret(endpoint.id, keepPrevious);
      setSecret({ endpoint: rotated.url, value: rotated.secret });
      reload();
    });
  const toggle = (endpoint: WebhookEndpoint) =>
    run(async () => {
      await webhooks.update(endpoint.id, { enabled: !endpoint.enabled });
      reload();
    });
  const remove = (endpoint: WebhookEndpoint) =>
    run(async () => {
      if (!confirm(t("webhooksRemoveConfirm"))) return;
      await webhooks.remove(endpoint.id);
      if (selected === endpoint.id) setSelected(null);
      reload();
    });

  return (
    <section>
      <h1>{t("webhooksTitle")}</h1>
      <p class="muted">{t("webhooksIntro")}</p>
      <ErrorNotice error={loadError ?? error} />
      {secret && (
        <div class="notice notice-ok" role="status" data-testid="webhook-secret">
          <p>
            {t("webhooksSecretOnce")} <strong>{secret.endpoint}</strong>
          </p>
          <code>{secret.value}</code>
          <p>
            <button type="button" class="secondary" onClick={() => setSecret(null)}>
              {t("webhooksSecretSaved")}
            </button>
          </p>
        </div>
      )}
      <form class="card" onSubmit={create}>
        <h2>{t("webhooksAdd")}</h2>
        <Field id="webhook-url" label={t("webhooksUrl")} hint={t("webhooksUrlHint")}>
          <input
            id="webhook-url"
            type="url"
            required
            maxLength={2000}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        <Field id="webhook-description" label={t("webhooksDescription")}>
          <input
            id="webhook-description"
            maxLength={200}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </Field>
        <fieldset>
          <legend>{t("webhooksEvents")}</legend>
          {WEBHOOK_EVENTS.map((name) => (
            <label key={name} class="inline">
              <input
                type="checkbox"
                id={`webhook-event-${name}`}
                checked={events.includes(name)}
                onChange={(e) =>
                  setEvents(e.currentTarget.checked ? [...events, name] : events.filter((held) => held !== name))
                }
              />{" "}
              <code>{name}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={busy || events.length === 0}>
          {t("webhooksAdd")}
        </button>
      </form>
      {!endpoints && !loadError && <p>{t("loading")}</p>}
      {endpoints && endpoints.length === 0 && <p class="muted">{t("webhooksEmpty")}</p>}
      {endpoints && endpoints.length > 0 && (
        <table class="list" data-testid="webhooks">
          <thead>
            <tr>
              <th scope="col">{t("webhooksUrl")}</th>
              <th scope="col">{t("webhooksEvents")}</th>
              <th scope="col">{t("webhooksStatus")}</th>
              <th scope="col">{t("webhooksSecretRotated")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("webhooksActions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => (
              <tr key={endpoint.id}>
                <td>
                  {endpoint.url}
                  {endpoint.description && <div class="muted">{endpoint.description}</div>}
                </td>
                <td>{endpoint.events.join(", ")}</td>
                <td>{endpoint.enabled ? t("webhooksEnabled") : t("webhooksDisabled")}</td>
                <td>
                  {formatDate(endpoint.secretRotatedAt)}
                  {endpoint.previousSecretExpiresAt && (
                    <div class="muted" data-testid="webhook-previous-secret">
                      {t("webhooksPreviousUntil")} {formatDate(endpoint.previousSecretExpiresAt)}
                    </div>
                  )}
                </td>
                <td>
                  <button type="button" class="secondary" onClick={() => setSelected(endpoint.id)}>
                    {t("webhooksDeliveries")}
                  </button>{" "}
                  <button type="button" class="secondary" disabled={busy} onClick={() => void toggle(endpoint)}>
                    {endpoint.enabled ? t("webhooksDisable") : t("webhooksEnable")}
                  </button>{" "}
                  <button type="button" class="secondary" disabled={busy} onClick={() => void rotate(endpoint, true)}>
                    {t("webhooksRotate")}
                  </button>{" "}
                  <button type="button" class="danger" disabled={busy} onClick={() => void rotate(endpoint, false)}>
                    {t("webhooksRotateNow")}
                  </button>{" "}
                  <button type="button" class="danger" disabled={busy} onClick={() => void remove(endpoint)}>
                    {t("webhooksRemove")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <Deliveries key={selected} endpointId={selected} />}
    </section>
  );
}

function Deliveries(props: { endpointId: string }) {
  const [pageNumber, setPageNumber] = useState(1);
  const [page, setPage] = useState<WebhookDeliveryPage | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [queued, setQueued] = useState(false);
  const { busy, error, run } = useAction();

  useEffect(() => {
    setLoadError(null);
    webhooks.deliveries(props.endpointId, pageNumber).then(setPage).catch(setLoadError);
  }, [props.endpointId, pageNumber, tick]);

  const redeliver = (id: string) =>
    run(async () => {
      setQueued(false);
      await webhooks.redeliver(props.endpointId, id);
      setQueued(true);
      setTick((n) => n + 1);
    });

  const lastPage = page ? Math.max(1, Math.ceil(page.total / page.pageSize)) : 1;
  return (
    <section class="card" aria-labelledby="webhook-deliveries">
      <h2 id="webhook-deliveries">{t("webhooksDeliveries")}</h2>
      <ErrorNotice error={loadError ?? error} />
      {queued && (
        <p class="notice notice-ok" role="status">
          {t("webhooksRedelivered")}
        </p>
      )}
      {!page && !loadError && <p>{t("loading")}</p>}
      {page && page.deliveries.length === 0 && <p class="muted">{t("webhooksNoDeliveries")}</p>}
      {page && page.deliveries.length > 0 && (
        <table class="list" data-testid="webhook-deliveries">
          <thead>
            <tr>
              <th scope="col">{t("outboxQueued")}</th>
              <th scope="col">{t("webhooksEvent")}</th>
              <th scope="col">{t("outboxStatus")}</th>
              <th scope="col">{t("webhooksAttemptLog")}</th>
              <th scope="col">{t("outboxNextAttempt")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("webhooksRedeliver")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.deliveries.map((delivery) => (
              <tr key={delivery.id}>
                <td>{formatDate(delivery.createdAt)}</td>
                <td>
                  <code>{delivery.event}</code>
                </td>
                <td>
                  <span class={`badge outbox-${delivery.status}`}>{t(STATUS_KEYS[delivery.status])}</span>
                </td>
                <td>
                  <ol class="attempts">
                    {delivery.log.map((entry) => (
                      <li key={`${entry.at}-${entry.attempt}`}>
                        {formatDate(entry.at)} · {entry.statusCode ?? "—"} · {entry.durationMs} ms
                        {entry.errorClass && <> · {entry.errorClass}</>}
                        {entry.excerpt && <div class="muted">{entry.excerpt}</div>}
                      </li>
                    ))}
                  </ol>
                  {delivery.log.length === 0 && delivery.lastError && <span class="muted">{delivery.lastError}</span>}
                </td>
                <td>{delivery.status === "pending" ? formatDate(delivery.nextAttemptAt) : "—"}</td>
                <td>
                  {(delivery.status === "sent" || delivery.status === "dead") && (
                    <button type="button" class="secondary" disabled={busy} onClick={() => void redeliver(delivery.id)}>
                      {t("webhooksRedeliver")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <div class="pager">
          <span class="muted">
            {page.total} {t("webhooksDeliveryCount")}
          </span>
          {pageNumber > 1 && (
            <button type="button" class="secondary" onClick={() => setPageNumber((n) => n - 1)}>
              {t("previousPage")}
            </button>
          )}
          {pageNumber < lastPage && (
            <button type="button" class="secondary" onClick={() => setPageNumber((n) => n + 1)}>
              {t("nextPage")}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
