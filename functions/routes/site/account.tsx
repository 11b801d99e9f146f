/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import type { ContentLocale } from "../../../schema";
import { COUNCILS } from "../../../schema/professional-credentials";
import type { AppBindings } from "../../bindings";
import { UFS } from "../../contract";
import { deviceHashOf, ensureDeviceId, signInClientOf } from "../../lib/client";
import { AppError, ForbiddenError, ValidationError } from "../../lib/errors";
import { noteSignInAttempt } from "../../middleware/access-log";
import {
  assertSameSiteForm,
  clearPendingSignIn,
  clearSiteSessionCookie,
  csrfTokenFor,
  pendingSignInOf,
  setPendingSignIn,
  setSiteSessionCookie,
  takesSiteSession,
} from "../../middleware/site-session";
import { confirmRegistration, registerProfessional } from "../../services/identity/registration";
import { completeMfa, login, logout, type SignedIn } from "../../services/identity/sessions";
import { PRIVATE_CACHE_CONTROL } from "../../services/site-cache";
import {
  ConfirmView,
  type FormProblem,
  RegisterView,
  type RegistrationValues,
  SignInCodeView,
  SignInView,
} from "../../site/account";
import { ACCOUNT_STRINGS, SITE_LOCALES } from "../../site/i18n";
import { Layout } from "../../site/layout";
import { MessageView } from "../../site/pages";
import { CONFIRM_SCRIPT, CONFIRM_SCRIPT_PATH } from "../../site/scripts";
import { sitePaths } from "../../site/urls";
import { htmlDocument, type SiteContext, siteOf } from "./document";

/**
 * The reader-account pages of the public site, at each locale's own words (site/urls.ts): sign-in, sign-out,
 * registration and its confirmation. Every answer is private (it carries this reader's CSRF token or session),
 * every POST passes `assertSameSiteForm` before anything else, and a refused attempt is a page in the reader's
 * language with the problem's code (`data-problem`), never a problem+json document.
 */
export const accountRouter = new Hono<AppBindings>();

type ContentfulStatus = 200 | 400 | 401 | 403 | 410 | 422 | 429 | 503;

/** A query string carrying `next` (a path of this site), or nothing. */
const withNext = (path: string, next: string | null): string =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

async function accountPage(
  c: SiteContext,
  locale: ContentLocale,
  title: string,
  body: Child,
  options: { status?: ContentfulStatus; headers?: Record<string, string> } = {},
): Promise<Response> {
  const html = await htmlDocument(
    <Layout
      locale={locale}
      {...siteOf(c)}
      meta={{ title, description: title, canonical: null, alternates: [], ogType: "website", noindex: true }}
    >
      {body}
    </Layout>,
  );
  c.header("cache-control", PRIVATE_CACHE_CONTROL);
  for (const [name, value] of Object.entries(options.headers ?? {})) c.header(name, value);
  return c.html(html, options.status ?? 200);
}

/** A form body as strings: files and repeated fields are not part of any of these forms. */
async function formOf(c: SiteContext): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return {};
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])),
  );
}

/** The problem a refused attempt shows: its code, the fields it concerns, its status and headers (Retry-After). */
function problemOf(error: unknown): {
  problem: FormProblem;
  status: ContentfulStatus;
  headers: Record<string, string>;
} {
  if (error instanceof ValidationError) {
    const errors = (error.extensions.errors ?? []) as Array<{ path: string }>;
    const weak = errors.some((entry) => entry.path.endsWith("password"));
    return {
      problem: weak ? { code: "weak_password", fields: ["password"] } : { code: "validation_failed" },
      status: 422,
      headers: {},
    };
  }
  if (error instanceof AppError && error.status < 500) {
    const code = error.code === "rate_limited" && /locked/i.test(error.message) ? "account_locked" : error.code;
    return { problem: { code }, status: error.status as ContentfulStatus, headers: error.headers };
  }
  throw error;
}

/** The form's problem when it fails zod: the fields named, never their values. */
function invalidForm(error: z.ZodError): FormProblem {
  return { code: "validation_failed", fields: [...new Set(error.issues.map((issue) => String(issue.path[0])))] };
}

/** Where to go after signing in: a path of this site (a locale's page), never another origin. */
function safeNext(next: string | undefined): string | null {
  if (!next || next.length > 500 || !takesSiteSession(next) || /[\\\s]|\/\//.test(next)) return null;
  const url = new URL(next, "https://site.invalid");
  return url.origin === "https://site.invalid" ? url.pathname + url.search : null;
}

const signInForm = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(256),
  next: z.string().max(500).optional(),
});

const registrationForm = z.object({
  name: z.string().trim().min(2).max(200),
  email: z.email().max(320),
  password: z.string().min(1).max(256),
  council: z.enum(COUNCILS),
  councilNumber: z.string().regex(/^\d{1,8}$/),
  councilUf: z.enum(UFS),
  consent: z.literal("yes"),
});

const codeForm = z.object({ code: z.string().trim().min(6).max(16), next: z.string().max(500).optional() });

const confirmationForm = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,200}$/) });

/** The CSRF check of a form, answered as the form's page with the problem when it fails. */
function sameSite(c: SiteContext, form: Record<string, string>): FormProblem | null {
  try {
    assertSameSiteForm(c, form.csrf);
    return null;
  } catch (error) {
    if (error instanceof ForbiddenError) return { code: error.code };
    throw error;
  }
}

// The confirmation page's script (site/scripts.ts): immutable at a fingerprinted path, like the stylesheet.
accountRouter.get(
  CONFIRM_SCRIPT_PATH,
  () =>
    new Response(CONFIRM_SCRIPT, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=31536000, immutable",
      },
    }),
);

for (const { locale } of SITE_LOCALES) {
  const t = ACCOUNT_STRINGS[locale];
  const home = sitePaths.home(locale);

  // -------------------------------------------------------------------------------------------------
  // Sign-in: the API's rules (services/identity/sessions.ts `login`: throttles, lockout, audit, the access log)
  // with the site's session as the result.
  // -------------------------------------------------------------------------------------------------

  const signInPage = (c: SiteContext, form: { email?: string; next?: string | null }, problem?: FormProblem) => (
    <SignInView
      locale={locale}
      csrf={csrfTokenFor(c)}
      next={form.next ?? null}
      {...(form.email ? { email: form.email } : {})}
      {...(problem ? { problem } : {})}
    />
  );

  /** A complete sign-in: the session cookie, and on to `next` or the home page. */
  const signedIn = (c: SiteContext, result: SignedIn, next: string | null): Response => {
    if (result.kind !== "site_session") throw new Error("the site's sign-in starts a site session");
    noteSignInAttempt(c, { session: { access_token: result.session.token } });
    setSiteSessionCookie(c, result.session);
    c.header("cache-control", PRIVATE_CACHE_CONTROL);
    return c.redirect(next ?? home, 303);
  };

  accountRouter.get(sitePaths.signIn(locale), (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("siteSession")) {
      c.header("cache-control", PRIVATE_CACHE_CONTROL);
      return c.redirect(next ?? home, 303);
    }
    return accountPage(c, locale, t.signInTitle, signInPage(c, { next }));
  });

  accountRouter.post(sitePaths.signIn(locale), async (c) => {
    const form = await formOf(c);
    const next = safeNext(form.next);
    const refused = sameSite(c, form);
    if (refused) return accountPage(c, locale, t.signInTitle, signInPage(c, { next }, refused), { status: 403 });
    const parsed = signInForm.safeParse(form);
    if (!parsed.success) {
      return accountPage(c, locale, t.signInTitle, signInPage(c, { next }, invalidForm(parsed.error)), {
        status: 422,
      });
    }
    const { email, password } = parsed.data;
    noteSignInAttempt(c, { email });
    try {
      const client = await signInClientOf(c);
      const deviceHash = await deviceHashOf(ensureDeviceId(c));
      const result = await login(c.get("scope"), { email, password, client, deviceHash, surface: "site" });
      if (result.kind === "mfa_required") {
        // The code step: the challenge token waits in an HttpOnly cookie, the password is forgotten.
        setPendingSignIn(c, result.mfaToken);
        c.header("cache-control", PRIVATE_CACHE_CONTROL);
        return c.redirect(withNext(sitePaths.signInCode(locale), next), 303);
      }
      if (result.kind === "mfa_enrolment_required") {
        // A role that must have a second factor, and none yet: it is set up in the admin application.
        const problem = { code: "mfa_enrolment_required" };
        return accountPage(c, locale, t.signInTitle, signInPage(c, { email, next }, problem), { status: 403 });
      }
      return signedIn(c, result, next);
    } catch (error) {
      const { problem, status, headers } = problemOf(error);
      return accountPage(c, locale, t.signInTitle, signInPage(c, { email, next }, problem), { status, headers });
    }
  });

  // -------------------------------------------------------------------------------------------------
  // Sign-in's code step, for an account with a second factor: the admin's verification (services/identity/sessions.ts
  // `completeMfa`: five codes per challenge, the per-account lockout, replay refusal, recovery codes, audit).
  // -------------------------------------------------------------------------------------------------

  const codePage = (c: SiteContext, next: string | null, problem?: FormProblem) => (
    <SignInCodeView locale={locale} csrf={csrfTokenFor(c)} next={next} {...(problem ? { problem } : {})} />
  );

  accountRouter.get(sitePaths.signInCode(locale), (c) => {
    const next = safeNext(c.req.query("next"));
    c.header("cache-control", PRIVATE_CACHE_CONTROL);
    if (c.get("siteSession")) return c.redirect(next ?? home, 303);
    if (!pendingSignInOf(c)) return c.redirect(withNext(sitePaths.signIn(locale), next), 303);
    return accountPage(c, locale, t.codeTitle, codePage(c, next));
  });

  accountRouter.post(sitePaths.signInCode(locale), async (c) => {
    const form = await formOf(c);
    const next = safeNext(form.next);
    const refused = sameSite(c, form);
    if (refused) return accountPage(c, locale, t.codeTitle, codePage(c, next, refused), { status: 403 });
    const pending = pendingSignInOf(c);
    if (!pending) {
      const problem = { code: "invalid_mfa_token" };
      return accountPage(c, locale, t.signInTitle, signInPage(c, { next }, problem), { status: 401 });
    }
    const parsed = codeForm.safeParse(form);
    if (!parsed.success) {
      return accountPage(c, locale, t.codeTitle, codePage(c, next, invalidForm(parsed.error)), { status: 422 });
    }
    noteSignInAttempt(c, {});
    try {
      const deviceHash = await deviceHashOf(ensureDeviceId(c));
      const result = await completeMfa(c.get("scope"), {
        mfaToken: pending,
        code: parsed.data.code,
        deviceHash,
        surface: "site",
      });
      clearPendingSignIn(c);
      return signedIn(c, result, next);
    } catch (error) {
      const { problem, status, headers } = problemOf(error);
      if (problem.code === "invalid_mfa_token") {
        // The challenge is spent or expired: back to the password.
        clearPendingSignIn(c);
        return accountPage(c, locale, t.signInTitle, signInPage(c, { next }, problem), { status, headers });
      }
      const field = { ...problem, fields: ["code"] };
      return accountPage(c, locale, t.codeTitle, codePage(c, next, field), { status, headers });
    }
  });

  // Sign-out ends the session at once: its id is denied until it would have expired (services/identity/sessions.ts).
  accountRouter.post(sitePaths.signOut(locale), async (c) => {
    const form = await formOf(c);
    const refused = sameSite(c, form);
    if (refused) {
      return accountPage(
        c,
        locale,
        t.errorTitle,
        <MessageView title={t.errorTitle} text={t.errors[refused.code] ?? t.errors.default} locale={locale} />,
        {
          status: 403,
        },
      );
    }
    const session = c.get("siteSession");
    if (session) await logout(c.get("scope"), { accessToken: session, refreshToken: undefined });
    clearSiteSessionCookie(c);
    c.header("cache-control", PRIVATE_CACHE_CONTROL);
    return c.redirect(home, 303);
  });

  // -------------------------------------------------------------------------------------------------
  // Registration and its confirmation (services/identity/registration.ts)
  // -------------------------------------------------------------------------------------------------

  const registerPage = (c: SiteContext, values: RegistrationValues, problem?: FormProblem) => (
    <RegisterView locale={locale} csrf={csrfTokenFor(c)} values={values} {...(problem ? { problem } : {})} />
  );

  accountRouter.get(sitePaths.register(locale), (c) => accountPage(c, locale, t.registerTitle, registerPage(c, {})));

  accountRouter.post(sitePaths.register(locale), async (c) => {
    const form = await formOf(c);
    // Shown again as typed, the password aside.
    const values: RegistrationValues = {
      name: form.name ?? "",
      email: form.email ?? "",
      council: form.council ?? "CRM",
      councilNumber: form.councilNumber ?? "",
      councilUf: form.councilUf ?? "",
    };
    const refused = sameSite(c, form);
    if (refused) return accountPage(c, locale, t.registerTitle, registerPage(c, values, refused), { status: 403 });
    const parsed = registrationForm.safeParse(form);
    if (!parsed.success) {
      return accountPage(c, locale, t.registerTitle, registerPage(c, values, invalidForm(parsed.error)), {
        status: 422,
      });
    }
    try {
      const { ipHash } = await signInClientOf(c);
      await registerProfessional(c.get("scope"), {
        ...parsed.data,
        ipHash,
        mail: { origin: new URL(c.req.url).origin, locale, siteLocale: locale },
      });
    } catch (error) {
      const { problem, status, headers } = problemOf(error);
      return accountPage(c, locale, t.registerTitle, registerPage(c, values, problem), { status, headers });
    }
    return accountPage(
      c,
      locale,
      t.registeredTitle,
      <MessageView title={t.registeredTitle} text={t.registeredText} locale={locale} />,
    );
  });

  const confirmPage = (c: SiteContext, problem?: FormProblem) => (
    <ConfirmView locale={locale} csrf={csrfTokenFor(c)} {...(problem ? { problem } : {})} />
  );

  accountRouter.get(sitePaths.confirmRegistration(locale), (c) =>
    accountPage(c, locale, t.confirmTitle, confirmPage(c)),
  );

  accountRouter.post(sitePaths.confirmRegistration(locale), async (c) => {
    const form = await formOf(c);
    const refused = sameSite(c, form);
    if (refused) return accountPage(c, locale, t.confirmTitle, confirmPage(c, refused), { status: 403 });
    const parsed = confirmationForm.safeParse(form);
    if (!parsed.success) {
      return accountPage(c, locale, t.confirmTitle, confirmPage(c, { code: "registration_token_invalid" }), {
        status: 410,
      });
    }
    try {
      const { ipHash } = await signInClientOf(c);
      const outcome = await confirmRegistration(c.get("scope"), { token: parsed.data.token, ipHash });
      const text = outcome === "registered" ? t.confirmedText : t.accountExistsText;
      return accountPage(
        c,
        locale,
        t.confirmedTitle,
        <>
          <MessageView title={t.confirmedTitle} text={text} locale={locale} />
          <p>
            <a href={sitePaths.signIn(locale)}>{t.signInTitle}</a>
          </p>
        </>,
      );
    } catch (error) {
      const { problem, status, headers } = problemOf(error);
      return accountPage(c, locale, t.confirmTitle, confirmPage(c, problem), { status, headers });
    }
  });
}
