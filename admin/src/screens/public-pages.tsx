import { useState } from "preact/hooks";
import { ApiError, auth, invitations, passwordReset } from "../api";
import { t } from "../i18n";
import { MfaCodeField } from "../mfa-ui";
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

/**
 * `/admin/invitation#token=…`: a new person chooses a name and password; someone whose address has an account
 * already (another clinic's member) accepts by signing in here: the password, then the second factor when the
 * account has one, and they arrive signed in (a role the policy covers without a factor enrols at the next sign-in).
 */
export function AcceptInvitationPage() {
  useLang();
  const token = useLinkToken();
  const [existing, setExisting] = useState(false);
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();
  // Signed in: the admin loads with the session the refresh cookie now holds.
  const enter = () => location.assign("/admin/");
  if (done) return <Done message={t("acceptDone")} />;
  if (!token) return <p class="notice notice-error card signin">{t("tokenMissing")}</p>;
  if (mfaToken) {
    return (
      <form
        class="card signin"
        aria-labelledby="accept-title"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await auth.mfa(mfaToken, code.replace(/\s+/g, ""));
            enter();
          });
        }}
      >
        <h1 id="accept-title">{t("acceptTitle")}</h1>
        <ErrorNotice error={error} />
        <MfaCodeField id="accept-mfa-code" value={code} onInput={setCode} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t("verify")}
          </button>
        </div>
      </form>
    );
  }
  return (
    <form
      class="card signin"
      aria-labelledby="accept-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          try {
            const accepted = await invitations.accept(
              existing ? { token, password } : { token, password, displayName: displayName.trim() },
            );
            const next = accepted.signIn;
            if (next && "access_token" in next) enter();
            else if (next && "mfaRequired" in next) setMfaToken(next.mfaToken);
            else setDone(true);
          } catch (caught) {
            // The address has an account: it accepts by signing in, not with a new password.
            if (caught instanceof ApiError && caught.code === "sign_in_required") {
              setExisting(true);
              setPassword("");
            }
            throw caught;
          }
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
        <Field key="name" id="accept-name" label={t("displayName")}>
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
      {/* Keyed: reusing the name's input here would carry over its maxLength as 0 (no typing at all). */}
      {existing ? (
        <Field key="current-password" id="accept-current-password" label={t("password")}>
          <input
            id="accept-current-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
      ) : (
        <NewPasswordField key="new-password" id="accept-password" value={password} onInput={setPassword} />
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
