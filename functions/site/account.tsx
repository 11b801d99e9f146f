/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { ContentLocale } from "../../schema";
import { COUNCILS } from "../../schema/professional-credentials";
import { UFS } from "../contract";
import { ACCOUNT_STRINGS } from "./i18n";
import { CONFIRM_SCRIPT_PATH } from "./scripts";
import { sitePaths } from "./urls";

/**
 * The reader-account pages: plain HTML forms that work without script (the confirmation page excepted, which reads
 * the e-mailed token from the link's fragment). Each form carries the reader's CSRF token; each field has a visible
 * label, its purpose for autofill (WCAG 1.3.5) and, after a refused attempt, the error announced first (4.1.3).
 */

/** A refused attempt's message, announced when the page loads, and the fields it concerns. */
export interface FormProblem {
  code: string;
  fields?: string[];
}

const ErrorSummary: FC<{ locale: ContentLocale; problem: FormProblem | undefined }> = ({ locale, problem }) => {
  if (!problem) return null;
  const t = ACCOUNT_STRINGS[locale];
  return (
    <div class="form-error" role="alert" id="form-error" data-problem={problem.code}>
      <h2>{t.errorTitle}</h2>
      <p>{t.errors[problem.code] ?? t.errors.default}</p>
    </div>
  );
};

const CsrfField: FC<{ token: string }> = ({ token }) => <input type="hidden" name="csrf" value={token} />;

function invalid(
  problem: FormProblem | undefined,
  field: string,
): { "aria-invalid"?: "true"; "aria-describedby"?: string } {
  return problem?.fields?.includes(field) ? { "aria-invalid": "true", "aria-describedby": "form-error" } : {};
}

/** The attributes an account form's text field may carry besides its name (its id too) and label. */
type FieldAttributes = {
  type?: "email" | "password";
  autocomplete?: string;
  maxlength: number;
  minlength?: number;
  pattern?: string;
  inputmode?: "numeric";
  value?: string;
  "aria-describedby"?: string;
};

/** A labelled, required text field, marked invalid (and pointing at the error) when the refused attempt names it. */
const Field: FC<{ name: string; label: string; problem: FormProblem | undefined } & FieldAttributes> = ({
  name,
  label,
  problem,
  ...attributes
}) => (
  <>
    <label for={name}>{label}</label>
    <input id={name} name={name} required {...attributes} {...invalid(problem, name)} />
  </>
);

export const SignInView: FC<{
  locale: ContentLocale;
  csrf: string;
  next: string | null;
  email?: string;
  problem?: FormProblem;
}> = ({ locale, csrf, next, email, problem }) => {
  const t = ACCOUNT_STRINGS[locale];
  return (
    <>
      <h1>{t.signInTitle}</h1>
      <p>{t.signInIntro}</p>
      <ErrorSummary locale={locale} problem={problem} />
      <form class="account" method="post" action={sitePaths.signIn(locale)}>
        <CsrfField token={csrf} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field
          name="email"
          label={t.email}
          problem={problem}
          type="email"
          autocomplete="username"
          maxlength={320}
          value={email ?? ""}
        />
        <Field
          name="password"
          label={t.password}
          problem={problem}
          type="password"
          autocomplete="current-password"
          maxlength={256}
        />
        <button type="submit">{t.submitSignIn}</button>
      </form>
      <p>
        {t.noAccount} <a href={sitePaths.register(locale)}>{t.registerLink}</a>
      </p>
    </>
  );
};

/**
 * The second step of signing in, for an account with a second factor: the code of its authenticator app, or one of
 * its recovery codes. The step's state is an HttpOnly cookie (routes/site/account.tsx), never a field of this form.
 */
export const SignInCodeView: FC<{
  locale: ContentLocale;
  csrf: string;
  next: string | null;
  problem?: FormProblem;
}> = ({ locale, csrf, next, problem }) => {
  const t = ACCOUNT_STRINGS[locale];
  return (
    <>
      <h1>{t.codeTitle}</h1>
      <p>{t.codeIntro}</p>
      <ErrorSummary locale={locale} problem={problem} />
      <form class="account" method="post" action={sitePaths.signInCode(locale)}>
        <CsrfField token={csrf} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field
          name="code"
          label={t.code}
          problem={problem}
          autocomplete="one-time-code"
          minlength={6}
          maxlength={16}
          aria-describedby="code-hint"
        />
        <p class="hint" id="code-hint">
          {t.codeHint}
        </p>
        <button type="submit">{t.submitCode}</button>
      </form>
      <p>
        <a href={sitePaths.signIn(locale)}>{t.startAgain}</a>
      </p>
    </>
  );
};

export interface RegistrationValues {
  name?: string;
  email?: string;
  council?: string;
  councilNumber?: string;
  councilUf?: string;
}

export const RegisterView: FC<{
  locale: ContentLocale;
  csrf: string;
  values?: RegistrationValues;
  problem?: FormProblem;
}> = ({ locale, csrf, values = {}, problem }) => {
  const t = ACCOUNT_STRINGS[locale];
  return (
    <>
      <h1>{t.registerTitle}</h1>
      <p>{t.registerIntro}</p>
      <ErrorSummary locale={locale} problem={problem} />
      <form class="account" method="post" action={sitePaths.register(locale)}>
        <CsrfField token={csrf} />
        <Field
          name="name"
          label={t.name}
          problem={problem}
          autocomplete="name"
          minlength={2}
          maxlength={200}
          value={values.name ?? ""}
        />
        <Field
          name="email"
          label={t.email}
          problem={problem}
          type="email"
          autocomplete="email"
          maxlength={320}
          value={values.email ?? ""}
        />
        <Field
          name="password"
          label={t.newPassword}
          problem={problem}
          type="password"
          autocomplete="new-password"
          minlength={12}
          maxlength={256}
          aria-describedby="password-hint"
        />
        <p class="hint" id="password-hint">
          {t.passwordHint}
        </p>
        <label for="council">{t.council}</label>
        <select id="council" name="council" required {...invalid(problem, "council")}>
          {COUNCILS.map((council) => (
            <option value={council} selected={(values.council ?? "CRM") === council}>
              {council}
            </option>
          ))}
        </select>
        <Field
          name="councilNumber"
          label={t.councilNumber}
          problem={problem}
          inputmode="numeric"
          pattern="[0-9]{1,8}"
          maxlength={8}
          value={values.councilNumber ?? ""}
        />
        <label for="councilUf">{t.councilUf}</label>
        <select id="councilUf" name="councilUf" required {...invalid(problem, "councilUf")}>
          {UFS.map((uf) => (
            <option value={uf} selected={values.councilUf === uf}>
              {uf}
            </option>
          ))}
        </select>
        <div class="consent">
          <input id="consent" name="consent" type="checkbox" value="yes" required {...invalid(problem, "consent")} />
          <label for="consent">{t.consent}</label>
        </div>
        <button type="submit">{t.submitRegister}</button>
      </form>
    </>
  );
};

/**
 * The page the confirmation e-mail opens. The token is in the link's fragment, which browsers never send to a
 * server; the page's one script copies it into the form, and the reader confirms with a POST, so a mail scanner
 * that merely opens the link confirms nothing.
 */
export const ConfirmView: FC<{ locale: ContentLocale; csrf: string; problem?: FormProblem }> = ({
  locale,
  csrf,
  problem,
}) => {
  const t = ACCOUNT_STRINGS[locale];
  return (
    <>
      <h1>{t.confirmTitle}</h1>
      <p>{t.confirmText}</p>
      <ErrorSummary locale={locale} problem={problem} />
      <form class="account" method="post" action={sitePaths.confirmRegistration(locale)}>
        <CsrfField token={csrf} />
        <input type="hidden" name="token" id="confirm-token" value="" />
        <button type="submit">{t.submitConfirm}</button>
      </form>
      <script src={CONFIRM_SCRIPT_PATH} defer />
    </>
  );
};

/** The sign-out control every signed-in page carries in its header: a POST, so a link or image cannot sign out. */
export const SignOutForm: FC<{ locale: ContentLocale; csrf: string }> = ({ locale, csrf }) => (
  <form class="sign-out" method="post" action={sitePaths.signOut(locale)}>
    <CsrfField token={csrf} />
    <button type="submit">{ACCOUNT_STRINGS[locale].signOut}</button>
  </form>
);
