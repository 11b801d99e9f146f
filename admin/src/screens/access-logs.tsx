import { useEffect, useState } from "preact/hooks";
import { request, saveDownload } from "../api";
import { formatDate, lang } from "../i18n";
import type { AccessLogPage, AccessLogView } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

// Words of this screen in each UI language (English, Portuguese, Spanish), in that order.
const L = (en: string, pt: string, es: string): string => ({ en, "pt-BR": pt, es })[lang()];

const PAGE = 100;

/** A `datetime-local` value (the browser's zone) for an instant. */
function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

interface Filters {
  from: string;
  to: string;
  user: string;
}

/** The query of `GET /api/access-logs` for the filters (instants in UTC), without cursor and format. */
function queryOf(filters: Filters): URLSearchParams {
  const params = new URLSearchParams({
    from: new Date(filters.from).toISOString(),
    to: new Date(filters.to).toISOString(),
  });
  if (filters.user.trim()) params.set("user", filters.user.trim());
  return params;
}

/**
 * The access logs of a period (Marco Civil art. 15; `GET /api/access-logs`, compliance officers, every read
 * audited on the server): filtered by period and by user id or e-mail, paged by cursor, and exported as CSV.
 */
export function AccessLogsTab() {
  useLang();
  const now = new Date();
  const [draft, setDraft] = useState<Filters>({
    from: localInput(new Date(now.getTime() - 86_400_000)),
    to: localInput(new Date(now.getTime() + 3_600_000)),
    user: "",
  });
  const [filters, setFilters] = useState<Filters>(draft);
  const [entries, setEntries] = useState<AccessLogView[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const load = useAction();
  const csv = useAction();

  const fetchPage = (cursor: string | null) =>
    load.run(async () => {
      const params = queryOf(filters);
      params.set("limit", String(PAGE));
      if (cursor) params.set("cursor", cursor);
      const page = (await request<AccessLogPage>("GET", `/api/access-logs?${params}`)).data;
      setEntries((shown) => (cursor && shown ? [...shown, ...page.entries] : page.entries));
      setNextCursor(page.nextCursor);
    });

  useEffect(() => {
    void fetchPage(null);
  }, [filters]);

  return (
    <>
      <form
        class="filters card"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ ...draft });
        }}
      >
        <div class="row">
          <Field id="access-from" label={L("From", "De", "Desde")}>
            <input
              id="access-from"
              type="datetime-local"
              required
              value={draft.from}
              onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
            />
          </Field>
          <Field id="access-to" label={L("To", "Até", "Hasta")}>
            <input
              id="access-to"
              type="datetime-local"
              required
              value={draft.to}
              onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
            />
          </Field>
          <Field id="access-user" label={L("User (id or e-mail)", "Usuário (id ou e-mail)", "Usuario (id o e-mail)")}>
            <input
              id="access-user"
              maxLength={320}
              value={draft.user}
              onInput={(e) => setDraft({ ...draft, user: e.currentTarget.value })}
            />
          </Field>
        </div>
        <div class="actions">
          <button type="submit" disabled={load.busy}>
            {L("Show", "Mostrar", "Mostrar")}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={csv.busy}
            onClick={() =>
              csv.run(() => {
                const params = queryOf(filters);
                params.set("format", "csv");
                return saveDownload(`/api/access-logs?${params}`, "text/csv", "access-logs.csv");
              })
            }
          >
            {L("Download CSV", "Baixar CSV", "Descargar CSV")}
          </button>
        </div>
      </form>
      <ErrorNotice error={load.error ?? csv.error} />
      {entries && entries.length === 0 && (
        <p class="muted">
          {L("No access in this period.", "Nenhum acesso neste período.", "Ningún acceso en este período.")}
        </p>
      )}
      {entries && entries.length > 0 && (
        <table class="list" data-testid="access-logs">
          <thead>
            <tr>
              <th scope="col">{L("When", "Quando", "Cuándo")}</th>
              <th scope="col">{L("Kind", "Tipo", "Tipo")}</th>
              <th scope="col">{L("User", "Usuário", "Usuario")}</th>
              <th scope="col">{L("Address", "Endereço", "Dirección")}</th>
              <th scope="col">{L("Request", "Requisição", "Solicitud")}</th>
              <th scope="col">{L("Status", "Situação", "Estado")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-kind={entry.kind}>
                <td>{formatDate(entry.at)}</td>
                <td>
                  {entry.kind === "sign_in"
                    ? L("sign-in", "login", "inicio de sesión")
                    : L("request", "requisição", "solicitud")}
                </td>
                <td>
                  <code>{entry.userId ?? "—"}</code>
                  {entry.tokenId && (
                    <span class="muted small"> ({L("API token", "token de API", "token de API")})</span>
                  )}
                </td>
                <td>
                  <code>
                    {entry.ip}
                    {entry.port !== null && `:${entry.port}`}
                  </code>
                </td>
                <td>
                  <code>
                    {entry.method} {entry.route}
                  </code>
                </td>
                <td>{entry.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <div class="pager">
          <button type="button" class="secondary" disabled={load.busy} onClick={() => void fetchPage(nextCursor)}>
            {L("More", "Mais", "Más")}
          </button>
        </div>
      )}
    </>
  );
}
