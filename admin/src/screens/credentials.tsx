import { useEffect, useState } from "preact/hooks";
import type { CredentialQueueItem } from "../../../functions/shapes/members";
import { credentials } from "../api";
import { formatDate, roleName, t } from "../i18n";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

type QueueStatus = "pending" | "verified" | "rejected";

/**
 * The credential queue (`GET /api/credentials?status=`): each physician's declared CRM/UF and RQE, to check
 * against the council's register, verified or rejected with a note (`POST /api/users/{id}/credential/review`).
 * The physician is told by e-mail; the decision and its note are audited.
 */
export function CredentialsScreen() {
  useLang();
  const [status, setStatus] = useState<QueueStatus>("pending");
  const [items, setItems] = useState<CredentialQueueItem[] | null>(null);
  const [reviewed, setReviewed] = useState(false);
  const load = useAction();
  const reload = () => load.run(async () => setItems((await credentials.queue(status)).items));
  useEffect(() => void reload(), [status]);
  return (
    <section>
      <h1>{t("credentialsTitle")}</h1>
      <p class="muted">{t("credentialsIntro")}</p>
      <Field id="queue-status" label={t("credentialStatus")}>
        <select
          id="queue-status"
          value={status}
          onChange={(e) => {
            setReviewed(false);
            setStatus(e.currentTarget.value as QueueStatus);
          }}
        >
          <option value="pending">{t("statusPending")}</option>
          <option value="verified">{t("verifyCrm")}</option>
          <option value="rejected">{t("rejectCrm")}</option>
        </select>
      </Field>
      <ErrorNotice error={load.error} onRetry={() => void reload()} />
      {reviewed && (
        <p class="notice notice-ok" role="status">
          {t("reviewRecorded")}
        </p>
      )}
      {items && items.length === 0 && <p class="muted">{t("noCredentials")}</p>}
      <ul class="credential-queue" data-testid="credential-queue">
        {(items ?? []).map((item) => (
          <CredentialCard
            key={item.userId}
            item={item}
            onReviewed={() => {
              setReviewed(true);
              void reload();
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function CredentialCard(props: { item: CredentialQueueItem; onReviewed: () => void }) {
  const { item } = props;
  const [decision, setDecision] = useState<"verified" | "rejected">("verified");
  const [note, setNote] = useState("");
  const { busy, error, run } = useAction();
  const id = item.userId;
  return (
    <li class="card" data-credential={item.email}>
      <h2>{item.displayName}</h2>
      <dl class="facts">
        <dt>{t("memberEmail")}</dt>
        <dd>{item.email}</dd>
        <dt>{t("roles")}</dt>
        <dd>{item.roles.map(roleName).join(", ") || "—"}</dd>
        <dt>{item.council}</dt>
        <dd data-testid="crm">
          {item.crmNumber}/{item.crmUf}
        </dd>
        <dt>RQE</dt>
        <dd>{item.rqe.join(", ") || "—"}</dd>
        <dt>{t("specialty")}</dt>
        <dd>{item.specialty ?? "—"}</dd>
        <dt>{t("submittedAt")}</dt>
        <dd>{formatDate(item.submittedAt)}</dd>
        {item.note && (
          <>
            <dt>{t("note")}</dt>
            <dd>{item.note}</dd>
          </>
        )}
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await credentials.review(id, decision, note.trim());
            props.onReviewed();
          });
        }}
      >
        <ErrorNotice error={error} />
        <fieldset>
          <legend>{t("decision")}</legend>
          <label class="inline">
            <input
              type="radio"
              name={`decision-${id}`}
              checked={decision === "verified"}
              onChange={() => setDecision("verified")}
            />{" "}
            {t("verifyCrm")}
          </label>
          <label class="inline">
            <input
              type="radio"
              name={`decision-${id}`}
              checked={decision === "rejected"}
              onChange={() => setDecision("rejected")}
            />{" "}
            {t("rejectCrm")}
          </label>
        </fieldset>
        <Field id={`note-${id}`} label={t("note")}>
          <textarea
            id={`note-${id}`}
            required
            minLength={3}
            maxLength={1000}
            rows={2}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t("submitReview")}
          </button>
        </div>
      </form>
    </li>
  );
}
