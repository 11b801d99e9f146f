import { useState } from "preact/hooks";
import { auth, setAccessToken } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, Link, useAction, useLang } from "../ui";
import { EnrolmentKey, MfaCodeField, RecoveryCodes } from "../mfa-ui";

/**
 * Enrolment forced by the tenant's policy: the sign-in answered an enrolment token instead of a session. Scan,
 * confirm with a first code, keep the recovery codes; the session starts only then.
 */
function ForcedEnrolment(props: { enrolmentToken: string; onSignedIn: () => Promise<void>; onCancel: () => void }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState<{ codes: string[]; accessToken: string } | null>(null);
  const { busy, error, run } = useAction();

  if (recovery) {
    return (
      <div class="card signin recovery" role="region" aria-labelledby="recovery-title">
        <h1 id="recovery-title">{t("recoveryTitle")}</h1>
        <RecoveryCodes codes={recovery.codes} />
        <button
          type="button"
          onClick={() => {
            setAccessToken(recovery.accessToken);
            void props.onSignedIn();
          }}
        >
          {t("recoveryDone")}
        </button>
      </div>
    );
  }
  return (
    <form
      class="card signin"
      aria-labelledby="enrol-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          if (!enrolment) {
            setEnrolment(await auth.startForcedEnrolment(props.enrolmentToken));
            return;
          }
          const answer = await auth.confirmForcedEnrolment(props.enrolmentToken, code.trim());
          setRecovery({ codes: answer.recoveryCodes, accessToken: answer.access_token });
        });
      }}
    >
      <h1 id="enrol-title">{t("mfaSetup")}</h1>
      <p data-testid="mfa-required-by-policy">{t("mfaRequiredByPolicy")}</p>
      <ErrorNotice error={error} />
      {enrolment && <EnrolmentKey enrolment={enrolment} code={code} onCode={setCode} autoFocus />}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {enrolment ? t("verify") : t("mfaShowKey")}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={props.onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}

/**
 * Email and password, then (when the account has it) the second factor: a TOTP code or a recovery code; or,
 * when the tenant's policy requires a factor the account does not have yet, its enrolment.
 */
export function SignIn(props: { onSignedIn: () => Promise<void> }) {
  useLang();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [enrolmentToken, setEnrolmentToken] = useState<string | null>(null);
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
        if ("mfaEnrolmentRequired" in answer) {
          setEnrolmentToken(answer.enrolmentToken);
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

  if (enrolmentToken !== null) {
    return (
      <ForcedEnrolment
        enrolmentToken={enrolmentToken}
        onSignedIn={props.onSignedIn}
        onCancel={() => {
          setEnrolmentToken(null);
          setError(null);
        }}
      />
    );
  }

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
        <MfaCodeField id="mfa-code" value={code} onInput={setCode} />
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
      {mfaToken === null && (
        <p class="small">
          <Link href="/reset-password">{t("forgotPassword")}</Link>
        </p>
      )}
    </form>
  );
}
