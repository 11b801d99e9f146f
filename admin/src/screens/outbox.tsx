import { useEffect, useState } from "preact/hooks";
import { outbox } from "../api";
import { formatDate, type MessageKey, t } from "../i18n";
import { OUTBOX_STATUSES, type OutboxPage, type OutboxStatus } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

/** An outbox row's status in words: mail here, webhook deliveries on the webhooks screen. */
export const STATUS_KEYS: Record<OutboxStatus, MessageKey> = {
  pending: "outboxPending",
  sending: "outboxSending",
  sent: "outboxSent",
  dead: "outboxDead",
};

const TEMPLATE_KEYS: Record<string, MessageKey> = {
  invitation: "mailInvitation",
  "password-reset": "mailPasswordReset",
  "password-changed": "mailPasswordChanged",
  "credential-reviewed": "mailCredentialReviewed",
  "workflow-notice": "mailWorkflowNotice",
  "workflow-digest": "mailWorkflowDigest",
};

const templateName = (template: string) => (TEMPLATE_KEYS[template] ? t(TEMPLATE_KEYS[template]) : template);

/**
 * Admins follow the tenant's outgoing mail (`GET /api/outbox`): where each message went and how delivery went,
 * never its contents, and send a message that was given up on again (`POST /api/outbox/{id}/retry`).
 */
export function OutboxScreen() {
  useLang();
  const [status, setStatus] = useState<OutboxStatus | "">("");
  const [pageNumber, setPageNumber] = useState(1);
  const [page, setPage] = useState<OutboxPage | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [retried, setRetried] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    setLoadError(null);
    outbox
      .list({ status: status || undefined, page: pageNumber })
      .then(setPage)
      .catch(setLoadError);
  }, [status, pageNumber, tick]);

  const retry = (id: string) =>
    run(async () => {
      setRetried(null);
      await outbox.retry(id);
      setRetried(id);
      setTick((n) => n + 1);
    });

  const lastPage = page ? Math.max(1, Math.ceil(page.total / page.pageSize)) : 1;
  return (
    <section>
      <h1>{t("outboxTitle")}</h1>
      <p class="muted">{t("outboxIntro")}</p>
      <div class="filters card">
        <Field id="outbox-status" label={t("outboxStatus")}>
          <select
            id="outbox-status"
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value as OutboxStatus | "");
              setPageNumber(1);
            }}
          >
            <option value="">{t("any")}</option>
            {OUTBOX_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_KEYS[s])}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorNotice error={loadError ?? error} />
      {retried && (
        <p class="notice notice-ok" role="status">
          {t("outboxRetried")}
        </p>
      )}
      {!page && !loadError && <p>{t("loading")}</p>}
      {page && page.messages.length === 0 && <p class="muted">{t("outboxEmpty")}</p>}
      {page && page.messages.length > 0 && (
        <table class="list" data-testid="outbox">
          <thead>
            <tr>
              <th scope="col">{t("outboxQueued")}</th>
              <th scope="col">{t("outboxMessage")}</th>
              <th scope="col">{t("outboxRecipient")}</th>
              <th scope="col">{t("outboxStatus")}</th>
              <th scope="col">{t("outboxAttempts")}</th>
              <th scope="col">{t("outboxNextAttempt")}</th>
              <th scope="col">{t("outboxLastError")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("outboxRetry")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.messages.map((message) => (
              <tr key={message.id}>
                <td>{formatDate(message.createdAt)}</td>
                <td>
                  {templateName(message.template)} <span class="muted">({message.locale})</span>
                </td>
                <td>{message.recipient}</td>
                <td>
                  <span class={`badge outbox-${message.status}`}>{t(STATUS_KEYS[message.status])}</span>
                </td>
                <td>{message.attempts}</td>
                <td>{message.status === "pending" ? formatDate(message.nextAttemptAt) : "—"}</td>
                <td>{message.lastError ?? "—"}</td>
                <td>
                  {message.status === "dead" && (
                    <button type="button" class="secondary" disabled={busy} onClick={() => void retry(message.id)}>
                      {t("outboxRetry")}
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
            {page.total} {t("outboxCount")}
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
