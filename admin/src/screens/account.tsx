import { useEffect, useState } from "preact/hooks";
import { UFS } from "../../../functions/contract";
import { me as meApi } from "../api";
import { EnrolmentKey, RecoveryCodes } from "../mfa-ui";
import { LANGUAGES, t } from "../i18n";
import type { Me } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

function MfaSection(props: { me: Me; onChanged: () => Promise<void> }) {
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState("");
  // Enrolment asks for the current password first: a stolen session alone must not bind another authenticator.
  const [askPassword, setAskPassword] = useState(false);
  const [currentPassword, setCurrentPassword] = useState("");
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const { busy, error, run, clearError } = useAction();

  return (
    <section class="card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">{t("mfa")}</h2>
      <p>
        <span class={`badge ${props.me.mfaEnabled ? "badge-ok" : "badge-warn"}`} data-testid="mfa-state">
          {props.me.mfaEnabled ? t("mfaOn") : t("mfaOff")}
        </span>
      </p>
      <ErrorNotice error={error} />
      {recovery ? (
        <div class="recovery" role="region" aria-labelledby="recovery-title">
          <h3 id="recovery-title">{t("recoveryTitle")}</h3>
          <RecoveryCodes codes={recovery} />
          <button
            type="button"
            onClick={() => {
              setRecovery(null);
              void props.onChanged();
            }}
          >
            {t("recoveryDone")}
          </button>
        </div>
      ) : enrolment ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              const answer = await meApi.confirmEnrolment(code.trim());
              setEnrolment(null);
              setCode("");
              setRecovery(answer.recoveryCodes);
            });
          }}
        >
          <EnrolmentKey enrolment={enrolment} code={code} onCode={setCode} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t("verify")}
            </button>
          </div>
        </form>
      ) : askPassword ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              setEnrolment(await meApi.startEnrolment({ currentPassword }));
              setAskPassword(false);
              setCurrentPassword("");
            });
          }}
        >
          <p>{t("mfaPasswordIntro")}</p>
          <Field id="mfa-current-password" label={t("currentPassword")}>
            <input
              id="mfa-current-password"
              type="password"
              autocomplete="current-password"
              required
              value={currentPassword}
              onInput={(e) => setCurrentPassword(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t("mfaShowKey")}
            </button>
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() => {
                setAskPassword(false);
                setCurrentPassword("");
                clearError();
              }}
            >
              {t("cancel")}
            </button>
          </div>
        </form>
      ) : (
        !props.me.mfaEnabled && (
          <button type="button" disabled={busy} onClick={() => setAskPassword(true)}>
            {t("mfaSetup")}
          </button>
        )
      )}
    </section>
  );
}

function CredentialSection(props: { me: Me; onChanged: () => Promise<void> }) {
  const current = props.me.credential;
  const [number, setNumber] = useState(current?.crmNumber ?? "");
  const [uf, setUf] = useState(current?.crmUf ?? "SP");
  const [rqe, setRqe] = useState((current?.rqe ?? []).join(", "));
  const [specialty, setSpecialty] = useState(current?.specialty ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card"
      aria-labelledby="crm-title"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await meApi.submitCredential({
            crmNumber: number.trim(),
            crmUf: uf,
            rqe: rqe
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean),
            ...(specialty.trim() ? { specialty: specialty.trim() } : {}),
          });
          await props.onChanged();
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="crm-title">{t("credential")}</h2>
      {current && (
        <p>
          {t("credentialStatus")}: <span class={`badge badge-${current.status}`}>{current.status}</span>
          {current.note && <span class="muted"> — {current.note}</span>}
        </p>
      )}
      <ErrorNotice error={error} />
      <div class="row">
        <Field id="crm-number" label={t("crmNumber")}>
          <input
            id="crm-number"
            inputMode="numeric"
            pattern="\d{1,8}"
            required
            value={number}
            onInput={(e) => setNumber(e.currentTarget.value)}
          />
        </Field>
        <Field id="crm-uf" label={t("crmUf")}>
          <select id="crm-uf" value={uf} onChange={(e) => setUf(e.currentTarget.value)}>
            {UFS.map((item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field id="crm-rqe" label={t("rqe")}>
        <input id="crm-rqe" value={rqe} onInput={(e) => setRqe(e.currentTarget.value)} />
      </Field>
      <Field id="crm-specialty" label={t("specialty")}>
        <input id="crm-specialty" value={specialty} onInput={(e) => setSpecialty(e.currentTarget.value)} />
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("submitCredential")}
        </button>
      </div>
    </form>
  );
}

/**
 * How this member gets the editorial workflow's notices in this clinic: an e-mail each, or one daily digest, and
 * in which language (a preference per membership, kept by the server: GET/PUT /api/me/notifications).
 */
function NotificationsSection() {
  const [delivery, setDelivery] = useState<"immediate" | "digest" | null>(null);
  const [locale, setLocale] = useState<"pt-BR" | "en" | "es">("pt-BR");
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  useEffect(() => {
    void run(async () => {
      const current = await meApi.notifications();
      setDelivery(current.delivery);
      setLocale(current.locale);
    });
  }, []);
  return (
    <form
      class="card"
      aria-labelledby="notices-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (!delivery) return;
        setSaved(false);
        void run(async () => {
          await meApi.setNotifications({ delivery, locale });
          setSaved(true);
        });
      }}
    >
      <h2 id="notices-title">{t("notifications")}</h2>
      <p class="muted">{t("notificationsIntro")}</p>
      <ErrorNotice error={error} />
      <fieldset>
        <legend class="visually-hidden">{t("notifications")}</legend>
        {(["immediate", "digest"] as const).map((choice) => (
          <label key={choice}>
            <input
              type="radio"
              name="notice-delivery"
              value={choice}
              checked={delivery === choice}
              onChange={() => {
                setDelivery(choice);
                setSaved(false);
              }}
            />{" "}
            {t(choice === "immediate" ? "deliveryImmediate" : "deliveryDigest")}
          </label>
        ))}
      </fieldset>
      <Field id="notice-locale" label={t("noticesLanguage")}>
        <select
          id="notice-locale"
          value={locale}
          onChange={(e) => {
            setLocale(e.currentTarget.value as typeof locale);
            setSaved(false);
          }}
        >
          {LANGUAGES.map((entry) => (
            <option key={entry.lang} value={entry.lang}>
              {entry.name}
            </option>
          ))}
        </select>
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy || !delivery}>
          {t("save")}
        </button>
        {saved && <span role="status">{t("notificationsSaved")}</span>}
      </div>
    </form>
  );
}

export function AccountScreen(props: { me: Me; onChanged: () => Promise<void> }) {
  useLang();
  return (
    <section>
      <h1>{t("account")}</h1>
      <dl class="facts card">
        <dt>{t("email")}</dt>
        <dd>{props.me.email}</dd>
        <dt>ID</dt>
        <dd>
          <code data-testid="my-id">{props.me.id}</code>
        </dd>
        <dt>{t("roles")}</dt>
        <dd>{props.me.roles.join(", ")}</dd>
      </dl>
      <MfaSection me={props.me} onChanged={props.onChanged} />
      <NotificationsSection />
      {(props.me.roles.includes("medical_reviewer") || props.me.credential) && (
        <CredentialSection me={props.me} onChanged={props.onChanged} />
      )}
    </section>
  );
}
