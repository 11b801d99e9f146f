import { useState } from "preact/hooks";
import { users } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, useLang } from "../ui";

/**
 * Admins verify (or reject) a member's CRM: `POST /api/users/{id}/credential/review`. The API has no member
 * list yet, so the member's ID is pasted (each member sees theirs on the Account page).
 */
export function UsersScreen() {
  useLang();
  const [userId, setUserId] = useState("");
  const [status, setStatus] = useState<"verified" | "rejected">("verified");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <section>
      <h1>{t("usersTitle")}</h1>
      <p class="notice">{t("usersListMissing")}</p>
      <form
        class="card narrow"
        aria-labelledby="review-title"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          setDone(false);
          try {
            await users.reviewCredential(userId.trim(), status, note.trim());
            setDone(true);
          } catch (caught) {
            setError(caught);
          } finally {
            setBusy(false);
          }
        }}
      >
        <h2 id="review-title">{t("reviewCredentialTitle")}</h2>
        <ErrorNotice error={error} />
        {done && (
          <p class="notice notice-ok" role="status">
            {t("reviewRecorded")}
          </p>
        )}
        <Field id="review-user" label={t("userId")}>
          <input
            id="review-user"
            required
            pattern="[0-9a-fA-F-]{36}"
            value={userId}
            onInput={(e) => setUserId(e.currentTarget.value)}
          />
        </Field>
        <fieldset>
          <legend>{t("decision")}</legend>
          <label class="inline">
            <input
              type="radio"
              name="decision"
              checked={status === "verified"}
              onChange={() => setStatus("verified")}
            />{" "}
            {t("verifyCrm")}
          </label>
          <label class="inline">
            <input
              type="radio"
              name="decision"
              checked={status === "rejected"}
              onChange={() => setStatus("rejected")}
            />{" "}
            {t("rejectCrm")}
          </label>
        </fieldset>
        <Field id="review-note" label={t("note")}>
          <textarea
            id="review-note"
            required
            minLength={3}
            maxLength={1000}
            rows={3}
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
    </section>
  );
}
