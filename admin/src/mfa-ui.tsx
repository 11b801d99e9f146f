import { useMemo } from "preact/hooks";
import { encodeQr, qrSvgPath } from "./qr";
import { t } from "./i18n";
import { Field } from "./ui";

/** The otpauth:// URI as a QR code drawn here (admin/src/qr.ts): the secret never goes to a third party. */
export function QrCode(props: { text: string; label: string }) {
  const code = useMemo(() => {
    try {
      return encodeQr(props.text);
    } catch {
      return null;
    }
  }, [props.text]);
  if (!code) return null;
  const size = code.size + 8;
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={props.label} shape-rendering="crispEdges">
      <rect class="qr-bg" width={size} height={size} />
      <path class="qr-fg" d={qrSvgPath(code)} />
    </svg>
  );
}

/**
 * A new authenticator's key (QR code and the secret in groups of four) and the field for its first code: the
 * same on the account screen and in the enrolment a tenant's policy forces at sign-in.
 */
export function EnrolmentKey(props: {
  enrolment: { secret: string; otpauthUri: string };
  code: string;
  onCode: (code: string) => void;
  autoFocus?: boolean;
}) {
  return (
    <>
      <p>{t("mfaScan")}</p>
      <QrCode text={props.enrolment.otpauthUri} label={t("mfaSetup")} />
      <p>
        {t("mfaSecret")}:{" "}
        <code class="secret" data-testid="mfa-secret">
          {props.enrolment.secret.replace(/(.{4})/g, "$1 ").trim()}
        </code>
      </p>
      <Field id="mfa-confirm" label={t("mfaConfirm")}>
        <input
          id="mfa-confirm"
          class="short-input"
          inputMode="numeric"
          autocomplete="one-time-code"
          pattern="\d{6}"
          required
          value={props.code}
          onInput={(e) => props.onCode(e.currentTarget.value)}
          autoFocus={props.autoFocus}
        />
      </Field>
    </>
  );
}

/** The recovery codes shown once, right after a factor is confirmed. */
export function RecoveryCodes(props: { codes: string[] }) {
  return (
    <>
      <p>{t("recoveryIntro")}</p>
      <ul class="codes" data-testid="recovery-codes">
        {props.codes.map((item) => (
          <li key={item}>
            <code>{item}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The sign-in's second step: a TOTP code or a recovery code (sign-in, and an invitation accepted by signing in). */
export function MfaCodeField(props: { id: string; value: string; onInput: (value: string) => void }) {
  return (
    <Field id={props.id} label={t("mfaCode")} hint={t("mfaCodeHint")}>
      <input
        id={props.id}
        class="short-input"
        inputMode="numeric"
        autocomplete="one-time-code"
        required
        minLength={6}
        maxLength={16}
        aria-describedby={`${props.id}-hint`}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        autoFocus
      />
    </Field>
  );
}
