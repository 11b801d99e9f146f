import { useState } from "preact/hooks";
import { users } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, useLang } from "../ui";

/**
 * Admins verify (or reject) a member's CRM (`POST /api/users/{id}/credential/review`) and disable or re-enable a
 * member in this tenant (`/disable`, `/enable`; the member's other tenants are not affected). The API has no
 * member list yet, so the member's ID is pasted (each member sees theirs on the Account page).
 */
export function UsersScreen() {
  useLang();
  return (
    <section>
      <h1>{t("usersTitle")}</h1>
      <p class="notice">{t("usersListMissing")}</p>
      <ReviewCredentialForm />
      <MembershipForm />
    </section>
  );
}

function MembershipForm() {
  const [userId, setUserId] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<"disabled" | "enabled" | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (action: "disable" | "enable") => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await users[action === "disable" ? "suspend" : "resume"](userId.trim());
      setDone(action === "disable" ? "disabled" : "enabled");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="card narrow"
      aria-labelledby="membership-title"
      onSubmit={(event) => {
        event.preventDefault();
        void act("disable");
      }}
    >
      <h2 id="membership-title">{t("membershipTitle")}</h2>
      <p>{t("membershipHint")}</p>
      <ErrorNotice error={error} />
      {done && (
        <p class="notice notice-ok" role="status">
          {t(done === "disabled" ? "membershipDisabled" : "membershipEnabled")}
        </p>
      )}
      <Field id="membership-user" label={t("userId")}>
        <input
          id="membership-user"
          required
          pattern="[0-9a-fA-F-]{36}"
          value={userId}
          onInput={(e) => setUserId(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("disableUser")}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={(event) => {
            if (event.currentTarget.form?.reportValidity()) void act("enable");
          }}
        >
          {t("enableUser")}
        </button>
      </div>
    </form>
  );
}

function ReviewCredentialForm() {
  const [userId, setUserId] = useState("");
  const [status, setStatus] = useState<"verified" | "rejected">("verified");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
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
          <input type="radio" name="decision" checked={status === "verified"} onChange={() => setStatus("verified")} />{" "}
          {t("verifyCrm")}
        </label>
        <label class="inline">
          <input type="radio" name="decision" checked={status === "rejected"} onChange={() => setStatus("rejected")} />{" "}
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
  );
}
