import { useState } from "preact/hooks";
import { invitations, passwordReset } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, Link, useAction, useLang } from "../ui";

/**
 * The one-time token of an e-mailed link travels in its fragment (`#token=…`), which browsers never send to a
 * server. It is read once and then removed from the address bar, so it does not stay in the history or get
 * copied along with the page's address.
 */
function useLinkToken(): string | null {
  const [token] = useState<string | null>(() => {
    const value = new URLSearchParams(location.hash.slice(1)).get("token");
    if (value) history.replaceState(history.state, "", location.pathname + location.search);
    return value;
  });
  return token;
}

const NEW_PASSWORD_MIN = 12;

function NewPasswordField(props: { id: string; value: string; onInput: (value: string) => void; label?: string }) {
  return (
    <Field id={props.id} label={props.label ?? t("newPassword")} hint={t("newPasswordHint")}>
      <input
        id={props.id}
        type="password"
        autocomplete="new-password"
        required
        minLength={NEW_PASSWORD_MIN}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        aria-describedby={`${props.id}-hint`}
      />
    </Field>
  );
}

function Done(props: { message: string }) {
  return (
    <div class="card signin" role="status">
      <p class="notice notice-ok">{props.message}</p>
      <Link href="/" class="button">
        {t("goToSignIn")}
      </Link>
    </div>
  );
}

/** `/admin/invitation#token=…`: a new person chooses a name and password; someone with an account signs in. */
export function AcceptInvitationPage() {
  useLang();
  const token = useLinkToken();
  const [existing, setExisting] = useState(false);
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  if (done) return <Done message={t("acceptDone")} />;
  if (!token) return <p class="notice notice-error card signin">{t("tokenMissing")}</p>;
  return (
    <form
      class="card signin"
      aria-labelledby="accept-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          await invitations.accept(
            existing ? { token, password } : { token, password, displayName: displayName.trim() },
          );
          setDone(true);
        });
      }}
    >
      <h1 id="accept-title">{t("acceptTitle")}</h1>
      <p>{existing ? t("acceptExistingIntro") : t("acceptIntro")}</p>
      <ErrorNotice error={error} />
      <label class="inline">
        <input
          id="accept-existing"
          type="checkbox"
          checked={existing}
          onChange={(e) => setExisting(e.currentTarget.checked)}
        />{" "}
        {t("acceptHaveAccount")}
      </label>
      {!existing && (
        <Field id="accept-name" label={t("displayName")}>
          <input
            id="accept-name"
            required
            maxLength={200}
            autocomplete="name"
            value={displayName}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
          />
        </Field>
      )}
      {existing ? (
        <Field id="accept-password" label={t("password")}>
          <input
            id="accept-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
      ) : (
        <NewPasswordField id="accept-password" value={password} onInput={setPassword} />
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("acceptInvitation")}
        </button>
      </div>
    </form>
  );
}

/**
 * `/admin/reset-password`: without a token, ask for a link (the answer is the same for any address); with
 * `#token=…` from the e-mail, choose the new password.
 */
export function ResetPasswordPage() {
  useLang();
  const token = useLinkToken();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sent, setSent] = useState(false);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  if (done) return <Done message={t("resetDone")} />;
  if (token) {
    return (
      <form
        class="card signin"
        aria-labelledby="reset-title"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await passwordReset.confirm(token, password);
            setDone(true);
          });
        }}
      >
        <h1 id="reset-title">{t("resetChooseTitle")}</h1>
        <ErrorNotice error={error} />
        <NewPasswordField id="reset-password" value={password} onInput={setPassword} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t("resetChoose")}
          </button>
        </div>
      </form>
    );
  }
  return (
    <form
      class="card signin"
      aria-labelledby="reset-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          await passwordReset.request(email.trim());
          setSent(true);
        });
      }}
    >
      <h1 id="reset-title">{t("resetTitle")}</h1>
      <p>{t("resetIntro")}</p>
      <ErrorNotice error={error} />
      {sent && (
        <p class="notice notice-ok" role="status">
          {t("resetSent")}
        </p>
      )}
      <Field id="reset-email" label={t("email")}>
        <input
          id="reset-email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("sendResetLink")}
        </button>
        <Link href="/" class="button secondary">
          {t("goToSignIn")}
        </Link>
      </div>
    </form>
  );
}
