import { useEffect, useState } from "preact/hooks";
import { API_TOKEN_MAX_DAYS, API_TOKEN_SCOPES, type ApiTokenScope } from "../../../functions/contract";
import { apiTokens, type ApiTokenView, type CreatedApiToken, serviceAccounts, type ServiceAccountView } from "../api";
import { formatDate, type MessageKey, t } from "../i18n";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

const SCOPE_KEYS: Record<ApiTokenScope, MessageKey> = {
  "content:read": "tokenScopeContentRead",
  "content:write": "tokenScopeContentWrite",
  "media:write": "tokenScopeMediaWrite",
  "analysis:run": "tokenScopeAnalysisRun",
};

const DAY_MS = 86_400_000;
const dateInput = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * API tokens (`/api/tokens`): a member makes a personal one with scopes and an expiry, sees its secret once with a
 * copy button, and revokes it; an admin sees and revokes every member's, and also makes service accounts
 * (`/api/service-accounts`) and tokens that act as one of them. The secret is kept in this screen's state only until
 * the member dismisses it.
 */
export function TokensScreen(props: { selfId: string; isAdmin: boolean }) {
  useLang();
  const [tokens, setTokens] = useState<ApiTokenView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiTokenScope[]>(["content:read"]);
  const [expires, setExpires] = useState(dateInput(Date.now() + 90 * DAY_MS));
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [services, setServices] = useState<ServiceAccountView[]>([]);
  const [actsAs, setActsAs] = useState("");
  const [serviceName, setServiceName] = useState("");
  const [copied, setCopied] = useState(false);
  const { busy, error, run } = useAction();

  useEffect(() => {
    setLoadError(null);
    apiTokens.list().then(setTokens).catch(setLoadError);
    if (props.isAdmin) serviceAccounts.list().then(setServices).catch(setLoadError);
  }, [tick]);

  const toggle = (scope: ApiTokenScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  const create = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      setCopied(false);
      // The end of the chosen day, in UTC.
      const expiresAt = new Date(`${expires}T23:59:59Z`).toISOString();
      setCreated(await apiTokens.create({ name, scopes, expiresAt, ...(actsAs ? { serviceAccountId: actsAs } : {}) }));
      setName("");
      setTick((n) => n + 1);
    });
  };

  const createService = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const account = await serviceAccounts.create({ name: serviceName });
      setServiceName("");
      setActsAs(account.id);
      setTick((n) => n + 1);
    });
  };

  const revoke = (id: string) =>
    run(async () => {
      await apiTokens.revoke(id);
      setTick((n) => n + 1);
    });

  const copy = async (token: string) => {
    await navigator.clipboard.writeText(token);
    setCopied(true);
  };

  return (
    <section>
      <h1>{t("tokensTitle")}</h1>
      <p class="muted">{t("tokensIntro")}</p>
      {created && (
        <div class="card notice notice-ok" role="status" data-testid="token-created">
          <p>{t("tokenShownOnce")}</p>
          <p>
            <code data-testid="token-secret">{created.token}</code>
          </p>
          <button type="button" onClick={() => void copy(created.token)}>
            {copied ? t("tokenCopied") : t("tokenCopy")}
          </button>{" "}
          <button type="button" class="secondary" onClick={() => setCreated(null)}>
            {t("close")}
          </button>
        </div>
      )}
      {props.isAdmin && (
        <form class="card" onSubmit={createService} data-testid="service-accounts">
          <h2>{t("serviceAccountsTitle")}</h2>
          <p class="muted">{t("serviceAccountsIntro")}</p>
          {services.length === 0 ? (
            <p class="muted">{t("serviceAccountsEmpty")}</p>
          ) : (
            <ul>
              {services.map((account) => (
                <li key={account.id}>
                  {account.name} {account.status === "disabled" && <span class="badge">{account.status}</span>}
                </li>
              ))}
            </ul>
          )}
          <Field id="service-account-name" label={t("serviceAccountName")}>
            <input
              id="service-account-name"
              required
              maxLength={100}
              value={serviceName}
              onInput={(event) => setServiceName(event.currentTarget.value)}
            />
          </Field>
          <button type="submit" disabled={busy}>
            {t("serviceAccountCreate")}
          </button>
        </form>
      )}
      <form class="card" onSubmit={create}>
        <h2>{t("tokenNew")}</h2>
        {props.isAdmin && services.length > 0 && (
          <Field id="token-acts-as" label={t("tokenActsAs")}>
            <select id="token-acts-as" value={actsAs} onChange={(event) => setActsAs(event.currentTarget.value)}>
              <option value="">{t("tokenActsAsYou")}</option>
              {services
                .filter((account) => account.status === "active")
                .map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.name}
                  </option>
                ))}
            </select>
          </Field>
        )}
        <Field id="token-name" label={t("tokenName")}>
          <input
            id="token-name"
            required
            maxLength={100}
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </Field>
        <fieldset>
          <legend>{t("tokenScopes")}</legend>
          {API_TOKEN_SCOPES.map((scope) => (
            <label key={scope} class="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(event) => toggle(scope, event.currentTarget.checked)}
              />{" "}
              <code>{scope}</code> — {t(SCOPE_KEYS[scope])}
            </label>
          ))}
        </fieldset>
        <Field id="token-expires" label={t("tokenExpires")} hint={t("tokenExpiresHint")}>
          <input
            id="token-expires"
            type="date"
            required
            min={dateInput(Date.now() + DAY_MS)}
            max={dateInput(Date.now() + (API_TOKEN_MAX_DAYS - 1) * DAY_MS)}
            value={expires}
            onInput={(event) => setExpires(event.currentTarget.value)}
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy || scopes.length === 0}>
          {t("tokenCreate")}
        </button>
      </form>
      <ErrorNotice error={loadError} />
      {!tokens && !loadError && <p>{t("loading")}</p>}
      {tokens && tokens.length === 0 && <p class="muted">{t("tokensEmpty")}</p>}
      {tokens && tokens.length > 0 && (
        <table class="list" data-testid="tokens">
          <thead>
            <tr>
              <th scope="col">{t("tokenName")}</th>
              {props.isAdmin && <th scope="col">{t("tokenOwner")}</th>}
              <th scope="col">{t("tokenScopes")}</th>
              <th scope="col">{t("tokenExpires")}</th>
              <th scope="col">{t("tokenLastUsed")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("tokenRevoke")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                {props.isAdmin && (
                  <td>
                    {token.userId === props.selfId ? t("tokenYou") : token.userName}{" "}
                    {token.principal === "service" && <span class="badge">{t("tokenService")}</span>}
                  </td>
                )}
                <td>{token.scopes.join(", ")}</td>
                <td>{formatDate(token.expiresAt)}</td>
                <td>{token.lastUsedAt ? formatDate(token.lastUsedAt) : "—"}</td>
                <td>
                  {token.revokedAt ? (
                    <span class="badge">{t("tokenRevoked")}</span>
                  ) : (
                    <button type="button" class="secondary" disabled={busy} onClick={() => void revoke(token.id)}>
                      {t("tokenRevoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
