import { useEffect, useRef, useState } from "preact/hooks";
import { auth, me as meApi, onSessionEnded, onStepUp, refreshSession, setAccessToken } from "./api";
import { type Lang, lang, LANGUAGES, setLang, t } from "./i18n";
import { AccountScreen } from "./screens/account";
import { ComplianceScreen } from "./screens/compliance";
import { ProcessingRegisterScreen } from "./screens/processing-register";
import { CONTENT_TYPES, contentRoute, screenPath, TYPE_WORDS } from "./content-kinds";
import { MediaScreen } from "./screens/media";
import { OutboxScreen } from "./screens/outbox";
import { TokensScreen } from "./screens/tokens";
import { WebhooksScreen } from "./screens/webhooks";
import { ContentList } from "./screens/list";
import { EditorScreen, NewContentScreen } from "./screens/editor";
import { SignIn } from "./screens/signin";
import { MembersScreen } from "./screens/members";
import { CredentialsScreen } from "./screens/credentials";
import { SettingsScreen } from "./screens/settings";
import { AcceptInvitationPage, ResetPasswordPage } from "./screens/public-pages";
import { SubjectsScreen } from "./screens/subjects";
import { TaxonomyScreen } from "./screens/taxonomy";
import type { Me } from "./types";
import { ErrorNotice, Field, Link, navigate, useLang, useRoute } from "./ui";

function LanguageSwitch() {
  useLang();
  return (
    <div class="lang-switch">
      <label for="ui-lang">{t("language")}</label>
      <select
        id="ui-lang"
        value={lang()}
        onChange={(event) => setLang((event.currentTarget as HTMLSelectElement).value as Lang)}
      >
        {LANGUAGES.map((choice) => (
          <option key={choice.lang} value={choice.lang} lang={choice.lang}>
            {choice.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The step-up prompt (RFC 9470): password + second factor again, then the failed request is retried. */
function StepUpDialog(props: { email: string; pending: ((ok: boolean) => void) | null; done: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [noMfa, setNoMfa] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.pending && !dialog.open) dialog.showModal();
    if (!props.pending && dialog.open) dialog.close();
  }, [props.pending]);
  const finish = (ok: boolean) => {
    props.pending?.(ok);
    setPassword("");
    setCode("");
    setError(null);
    setNoMfa(false);
    props.done();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await auth.login(props.email, password);
      if ("mfaRequired" in answer) {
        const session = await auth.mfa(answer.mfaToken, code.trim());
        setAccessToken(session.access_token);
        finish(true);
      } else if ("access_token" in answer) {
        setAccessToken(answer.access_token);
        setNoMfa(true);
      } else {
        // The tenant's policy now requires a factor this account lacks: it is enrolled at the next sign-in.
        setNoMfa(true);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="stepup-title" onCancel={() => finish(false)}>
      <form onSubmit={submit}>
        <h2 id="stepup-title">{t("stepUpTitle")}</h2>
        <p>{noMfa ? t("stepUpNoMfa") : t("stepUpIntro")}</p>
        <ErrorNotice error={error} />
        <Field id="stepup-password" label={t("password")}>
          <input
            id="stepup-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Field id="stepup-code" label={t("mfaCode")} hint={t("mfaCodeHint")}>
          <input
            id="stepup-code"
            class="short-input"
            inputMode="numeric"
            autocomplete="one-time-code"
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            aria-describedby="stepup-code-hint"
          />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t("verify")}
          </button>
          <button type="button" class="secondary" onClick={() => finish(false)}>
            {noMfa ? t("close") : t("cancel")}
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function App() {
  useLang();
  const route = useRoute();
  const [user, setUser] = useState<Me | null>(null);
  const [booting, setBooting] = useState(true);
  const [bootError, setBootError] = useState<unknown>(null);
  const [stepUp, setStepUp] = useState<((ok: boolean) => void) | null>(null);
  const [ended, setEnded] = useState(false);

  const loadMe = async () => {
    try {
      setUser(await meApi.get());
      setBootError(null);
    } catch (error) {
      setBootError(error);
    }
  };

  useEffect(() => {
    onStepUp(() => new Promise<boolean>((resolve) => setStepUp(() => resolve)));
    onSessionEnded(() => {
      setUser(null);
      setEnded(true);
    });
    void (async () => {
      if (await refreshSession()) await loadMe();
      setBooting(false);
    })();
  }, []);

  // Signed in at /login (a bookmark, the "password changed" e-mail's link): go to the dashboard.
  useEffect(() => {
    if (user && route.path === "/login") navigate("/", { replace: true });
  }, [user, route.path]);

  if (booting) return <p class="boot">{t("loading")}</p>;

  // The pages an e-mailed link opens work signed in or not: they act on the link's token only.
  const publicPage =
    route.path === "/invitation" ? (
      <AcceptInvitationPage />
    ) : route.path === "/reset-password" ? (
      <ResetPasswordPage />
    ) : null;
  if (publicPage) {
    return (
      <div class="signin-page">
        <header class="signin-header">
          <span class="brand">{t("appName")}</span>
          <LanguageSwitch />
        </header>
        <main id="main">{publicPage}</main>
      </div>
    );
  }

  if (!user) {
    return (
      <div class="signin-page">
        <header class="signin-header">
          <span class="brand">{t("appName")}</span>
          <LanguageSwitch />
        </header>
        <main id="main">
          {ended && <p class="notice">{t("sessionEnded")}</p>}
          <ErrorNotice error={bootError} />
          <SignIn
            onSignedIn={async () => {
              setEnded(false);
              if (route.path === "/login") navigate("/", { replace: true });
              await loadMe();
            }}
          />
        </main>
      </div>
    );
  }

  const isAdmin = user.roles.includes("admin");
  const has = (roles: string[]) => user.roles.some((role) => roles.includes(role));
  const mayMedia = has(["admin", "editor", "author", "medical_reviewer", "compliance_officer"]);
  const mayCompliance = has(["admin", "compliance_officer"]);
  // The roles the data-subject search serves (the privacy routes' registrars).
  const maySubjects = has(["admin", "compliance_officer", "medical_reviewer"]);
  const mayTaxonomy = has(["admin", "editor", "author"]);
  // API tokens are for staff (routes/tokens).
  const mayTokens = mayMedia;
  const [firstType] = CONTENT_TYPES;
  const content = contentRoute(route.path);
  let screen;
  if (route.path === "/" || route.path === "/login")
    screen = <ContentList type={firstType} me={user} search={route.search} />;
  else if (content?.screen === "list")
    screen = <ContentList key={content.type} type={content.type} me={user} search={route.search} />;
  else if (content?.screen === "new")
    screen = <NewContentScreen key={content.type} type={content.type} search={route.search} />;
  else if (content?.screen === "edit")
    screen = <EditorScreen key={content.id} type={content.type} id={content.id} me={user} />;
  else if (route.path === "/account") screen = <AccountScreen me={user} onChanged={loadMe} />;
  else if (route.path === "/members" && isAdmin) screen = <MembersScreen selfId={user.id} />;
  else if (route.path === "/credentials" && isAdmin) screen = <CredentialsScreen />;
  else if (route.path === "/outbox" && isAdmin) screen = <OutboxScreen />;
  else if (route.path === "/tokens" && mayTokens) screen = <TokensScreen selfId={user.id} isAdmin={isAdmin} />;
  else if (route.path === "/webhooks" && isAdmin) screen = <WebhooksScreen />;
  else if (route.path === "/settings" && isAdmin) screen = <SettingsScreen />;
  else if (route.path === "/taxonomy" && mayTaxonomy) screen = <TaxonomyScreen me={user} />;
  else if (route.path === "/media" && mayMedia) screen = <MediaScreen me={user} search={route.search} />;
  else if (route.path === "/subjects" && maySubjects) screen = <SubjectsScreen />;
  else if (route.path === "/compliance" && mayCompliance)
    screen = <ComplianceScreen officer={has(["compliance_officer"])} />;
  else if (route.path === "/compliance/register" && mayCompliance) screen = <ProcessingRegisterScreen />;
  else screen = <p>{t("notFound")}</p>;
  const activeType = route.path === "/" ? firstType : content?.type;

  return (
    <div class="layout">
      <a class="skip" href="#main">
        {t("skipToContent")}
      </a>
      <header class="topbar">
        <span class="brand">{t("appName")}</span>
        <nav aria-label="main">
          {CONTENT_TYPES.map((type) => (
            <Link key={type} href={screenPath(type)} class={activeType === type ? "active" : ""}>
              {t(TYPE_WORDS[type].plural)}
            </Link>
          ))}
          {mayTaxonomy && (
            <Link href="/taxonomy" class={route.path === "/taxonomy" ? "active" : ""}>
              {t("navTaxonomy")}
            </Link>
          )}
          {mayMedia && (
            <Link href="/media" class={route.path === "/media" ? "active" : ""}>
              {t("navMedia")}
            </Link>
          )}
          {maySubjects && (
            <Link href="/subjects" class={route.path === "/subjects" ? "active" : ""}>
              {t("navSubjects")}
            </Link>
          )}
          {mayCompliance && (
            <Link href="/compliance" class={route.path.startsWith("/compliance") ? "active" : ""}>
              {t("navCompliance")}
            </Link>
          )}
          {isAdmin && (
            <Link href="/members" class={route.path === "/members" ? "active" : ""}>
              {t("navMembers")}
            </Link>
          )}
          {isAdmin && (
            <Link href="/credentials" class={route.path === "/credentials" ? "active" : ""}>
              {t("navCredentials")}
            </Link>
          )}
          {isAdmin && (
            <Link href="/outbox" class={route.path === "/outbox" ? "active" : ""}>
              {t("navOutbox")}
            </Link>
          )}
          {isAdmin && (
            <Link href="/webhooks" class={route.path === "/webhooks" ? "active" : ""}>
              {t("navWebhooks")}
            </Link>
          )}
          {isAdmin && (
            <Link href="/settings" class={route.path === "/settings" ? "active" : ""}>
              {t("navSettings")}
            </Link>
          )}
          {mayTokens && (
            <Link href="/tokens" class={route.path === "/tokens" ? "active" : ""}>
              {t("navTokens")}
            </Link>
          )}
          <Link href="/account" class={route.path === "/account" ? "active" : ""}>
            {t("navAccount")}
          </Link>
        </nav>
        <div class="user">
          <span class="muted" data-testid="who">
            {user.displayName}
          </span>
          <LanguageSwitch />
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              await auth.logout().catch(() => undefined);
              setUser(null);
              navigate("/", { replace: true });
            }}
          >
            {t("signOut")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
      <StepUpDialog email={user.email} pending={stepUp} done={() => setStepUp(null)} />
    </div>
  );
}
