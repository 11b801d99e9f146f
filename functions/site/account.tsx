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
        <label for="email">{t.email}</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          maxlength={320}
          value={email ?? ""}
          {...invalid(problem, "email")}
        />
        <label for="password">{t.password}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          maxlength={256}
          {...invalid(problem, "password")}
        />
        <button type="submit">{t.submitSignIn}</button>
      </form>
      <p>
        {t.noAccount} <a href={sitePaths.register(locale)}>{t.registerLink}</a>
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
        <label for="name">{t.name}</label>
        <input
          id="name"
          name="name"
          autocomplete="name"
          required
          minlength={2}
          maxlength={200}
          value={values.name ?? ""}
          {...invalid(problem, "name")}
        />
        <label for="email">{t.email}</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="email"
          required
          maxlength={320}
          value={values.email ?? ""}
          {...invalid(problem, "email")}
        />
        <label for="password">{t.newPassword}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength={12}
          maxlength={256}
          aria-describedby="password-hint"
          {...invalid(problem, "password")}
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
        <label for="councilNumber">{t.councilNumber}</label>
        <input
          id="councilNumber"
          name="councilNumber"
          inputmode="numeric"
          required
          pattern="[0-9]{1,8}"
          maxlength={8}
          value={values.councilNumber ?? ""}
          {...invalid(problem, "councilNumber")}
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
