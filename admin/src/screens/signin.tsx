import { useState } from "preact/hooks";
import { auth, setAccessToken } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, useLang } from "../ui";

/** Email and password, then (when the account has it) the second factor: a TOTP code or a recovery code. */
export function SignIn(props: { onSignedIn: () => Promise<void> }) {
  useLang();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mfaToken === null) {
        const answer = await auth.login(email.trim(), password);
        if ("mfaRequired" in answer) {
          setMfaToken(answer.mfaToken);
          setPassword("");
          return;
        }
        setAccessToken(answer.access_token);
      } else {
        const session = await auth.mfa(mfaToken, code.replace(/\s+/g, ""));
        setAccessToken(session.access_token);
      }
      await props.onSignedIn();
    } catch (caught) {
      setError(caught);
      const codeName = (caught as { code?: string }).code;
      if (codeName === "invalid_mfa_token") {
        setMfaToken(null);
        setCode("");
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card signin" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signIn")}</h1>
      <ErrorNotice error={error} />
      {mfaToken === null ? (
        <>
          <Field id="email" label={t("email")}>
            <input
              id="email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </Field>
          <Field id="password" label={t("password")}>
            <input
              id="password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </Field>
        </>
      ) : (
        <Field id="mfa-code" label={t("mfaCode")} hint={t("mfaCodeHint")}>
          <input
            id="mfa-code"
            class="short-input"
            inputMode="numeric"
            autocomplete="one-time-code"
            required
            minLength={6}
            maxLength={16}
            aria-describedby="mfa-code-hint"
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            autoFocus
          />
        </Field>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {mfaToken === null ? t("signIn") : t("verify")}
        </button>
        {mfaToken !== null && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setMfaToken(null);
              setCode("");
              setError(null);
            }}
          >
            {t("cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
