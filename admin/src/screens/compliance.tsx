import { useEffect, useState } from "preact/hooks";
// The retention policy table is the single source of truth the Worker, the sweeps and Terraform use; it is
// plain data (no imports), so the SPA shows exactly the rules that are enforced.
import { retentionPolicies } from "../../../schema/retention-policies";
import { PRIVACY_REQUEST_TYPES } from "../../../functions/contract";
import { request } from "../api";
import { formatDate, lang, t } from "../i18n";
import type {
  AuditEvent,
  AuditPage,
  AuditVerification,
  ComplianceReport,
  HoldView,
  PrivacyRequestView,
  SubjectMatch,
} from "../types";
import { SubjectPicker } from "../subjects";
import { AccessLogsTab } from "./access-logs";
import { ComplianceDashboardTab } from "./compliance-dashboard";
import { IncidentsTab } from "./incidents";
import { ErrorNotice, Field, Link, useLang } from "../ui";

type Tab = "dashboard" | "incidents" | "access-logs" | "audit" | "retention" | "requests" | "reports";

// Words of this screen in each UI language (English, Portuguese, Spanish), in that order.
const L = (en: string, pt: string, es: string): string => ({ en, "pt-BR": pt, es })[lang()];

/** Who acted, in the reader's words (the audit's actor types: schema/audit-events.ts). */
function actorTypeName(type: string): string {
  switch (type) {
    case "user":
      return L("person", "pessoa", "persona");
    case "service":
      return L("service account", "conta de serviço", "cuenta de servicio");
    case "system":
      return L("system job", "tarefa do sistema", "tarea del sistema");
    case "anonymous":
      return L("anonymous", "anônimo", "anónimo");
    case "platform":
      return L("platform operator", "operador da plataforma", "operador de la plataforma");
    default:
      return type;
  }
}

function useLoad<T>(path: string | null, deps: unknown[] = []): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    setError(null);
    request<T>("GET", path)
      .then((answer) => setData(answer.data))
      .catch(setError);
  }, [path, tick, ...deps]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

function AuditTab() {
  const verify = useLoad<AuditVerification>("/api/audit/verify");
  const [action, setAction] = useState("");
  const [cursor, setCursor] = useState<number | null>(null);
  const [filter, setFilter] = useState("");
  const path = `/api/audit/events?limit=50${filter ? `&action=${encodeURIComponent(filter)}` : ""}${cursor ? `&cursor=${cursor}` : ""}`;
  const events = useLoad<AuditPage>(path);
  const v = verify.data;
  return (
    <>
      <section
        class={`card ${v && v.status !== "pending" ? (v.ok ? "chain-ok" : "chain-broken") : ""}`}
        data-testid="chain-status"
        aria-live="polite"
      >
        <div class="heading-row">
          <h2>{L("Audit chain", "Cadeia de auditoria", "Cadena de auditoría")}</h2>
          <button type="button" class="secondary" onClick={verify.reload}>
            {L("Reload", "Recarregar", "Recargar")}
          </button>
        </div>
        <ErrorNotice error={verify.error} />
        {v && v.status === "pending" && (
          <p>
            {L(
              "Not verified yet: the hourly verification job has not run for this clinic.",
              "Ainda não verificada: a verificação de hora em hora ainda não rodou para esta clínica.",
              "Aún no verificada: la verificación horaria todavía no se ejecutó para esta clínica.",
            )}
          </p>
        )}
        {v && v.status !== "pending" && (
          <p class="muted">
            {L("Verified at", "Verificada em", "Verificada el")} {new Date(v.computedAt).toLocaleString()}
          </p>
        )}
        {v && v.status !== "pending" && v.ok && (
          <p>
            {L("Intact", "Íntegra", "Íntegra")}: {v.chain.events}{" "}
            {L(
              "events, every link recomputed",
              "eventos, todos os elos recalculados",
              "eventos, todos los eslabones recalculados",
            )}
            ; {v.checkpoints.checked}{" "}
            {L(
              "signed checkpoints (Ed25519 + ML-DSA-65) valid.",
              "checkpoints assinados (Ed25519 + ML-DSA-65) válidos.",
              "puntos de control firmados (Ed25519 + ML-DSA-65) válidos.",
            )}
            {v.chain.ok && (
              <>
                {" "}
                {L("Head", "Topo", "Cabeza")}: <code class="hash">{v.chain.head.slice(0, 16)}…</code>
              </>
            )}
          </p>
        )}
        {v && v.status === "broken" && (
          <p>
            <strong>{L("Tampering detected.", "Adulteração detectada.", "Manipulación detectada.")}</strong>{" "}
            {!v.chain.ok &&
              `${L("First broken link at event", "Primeiro elo quebrado no evento", "Primer eslabón roto en el evento")} #${v.chain.brokenAt} (${v.chain.reason}). `}
            {v.checkpoints.failure &&
              `${L("Checkpoint", "Checkpoint", "Punto de control")} #${v.checkpoints.failure.seq}: ${v.checkpoints.failure.reason}.`}{" "}
            {L(
              "Preserve the database as it is and tell the security officer.",
              "Preserve o banco de dados como está e avise o encarregado de segurança.",
              "Conserva la base de datos tal como está y avisa al responsable de seguridad.",
            )}
          </p>
        )}
      </section>
      <form
        class="filters card"
        onSubmit={(event) => {
          event.preventDefault();
          setCursor(null);
          setFilter(action.trim());
        }}
      >
        <Field
          id="audit-action"
          label={L(
            "Action (e.g. content.transition)",
            "Ação (ex.: content.transition)",
            "Acción (p. ej., content.transition)",
          )}
        >
          <input id="audit-action" value={action} onInput={(e) => setAction(e.currentTarget.value)} />
        </Field>
        <div class="actions">
          <button type="submit">{t("apply")}</button>
        </div>
      </form>
      <ErrorNotice error={events.error} />
      {events.data && (
        <table class="list" data-testid="audit-events">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{L("When", "Quando", "Cuándo")}</th>
              <th scope="col">{L("Action", "Ação", "Acción")}</th>
              <th scope="col">{L("Actor", "Autor", "Autor")}</th>
              <th scope="col">{L("Target", "Alvo", "Objetivo")}</th>
            </tr>
          </thead>
          <tbody>
            {events.data.events.map((event: AuditEvent) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>{formatDate(event.occurredAt)}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>
                  {actorTypeName(event.actorType)}
                  {event.actorId && <code> {event.actorId.slice(0, 8)}</code>}
                </td>
                <td>
                  {event.targetType ?? ""} <code>{(event.targetId ?? "").slice(0, 8)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        {cursor && (
          <button type="button" class="secondary" onClick={() => setCursor(null)}>
            {t("firstPage")}
          </button>
        )}
        {events.data?.nextCursor && (
          <button type="button" class="secondary" onClick={() => setCursor(events.data!.nextCursor)}>
            {t("nextPage")}
          </button>
        )}
      </div>
    </>
  );
}

function days(n: number | null): string {
  if (n === null) return L("indefinitely", "indefinidamente", "indefinidamente");
  if (n >= 365) {
    const years = Math.round(n / 365.25);
    return `${years} ${years === 1 ? L("year", "ano", "año") : L("years", "anos", "años")}`;
  }
  return `${n} ${L("days", "dias", "días")}`;
}

function RetentionTab() {
  const holds = useLoad<{ holds: HoldView[] }>("/api/compliance/legal-holds");
  const [scope, setScope] = useState<"tenant" | "subject" | "user" | "item">("subject");
  const [target, setTarget] = useState("");
  const [subject, setSubject] = useState<SubjectMatch | null>(null);
  const [itemType, setItemType] = useState("media_item");
  // A data subject is found by name or CPF, never pasted: as the hold's whole scope or as the one item it keeps.
  const picksSubject = scope === "subject" || (scope === "item" && itemType === "data_subject");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <section class="card">
        <h2>{L("Retention policies", "Políticas de retenção", "Políticas de conservación")}</h2>
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{L("Class", "Classe", "Clase")}</th>
              <th scope="col">{L("Keep at least", "Manter no mínimo", "Conservar al menos")}</th>
              <th scope="col">{L("Act by", "Agir até", "Actuar antes de")}</th>
              <th scope="col">{L("Then", "Depois", "Después")}</th>
              <th scope="col">{L("Legal basis", "Base legal", "Base legal")}</th>
            </tr>
          </thead>
          <tbody>
            {Object.values(retentionPolicies).map((policy) => (
              <tr key={policy.retentionClass}>
                <td>
                  <code>{policy.retentionClass}</code>
                </td>
                <td>{days(policy.minAgeDays)}</td>
                <td>{days(policy.maxAgeDays)}</td>
                <td>
                  {
                    {
                      delete: L("delete", "excluir", "eliminar"),
                      anonymise: L("anonymise", "anonimizar", "anonimizar"),
                      keep: L("keep", "manter", "conservar"),
                    }[policy.action]
                  }
                </td>
                <td class="small">{policy.legalBasis}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>{L("Legal holds", "Retenções judiciais (legal holds)", "Retenciones legales (legal holds)")}</h2>
        <ErrorNotice error={holds.error} />
        {holds.data && holds.data.holds.length === 0 && (
          <p class="muted">{L("No legal holds.", "Nenhuma retenção judicial.", "No hay retenciones legales.")}</p>
        )}
        {holds.data && holds.data.holds.length > 0 && (
          <table class="list" data-testid="holds">
            <thead>
              <tr>
                <th scope="col">{L("Scope", "Escopo", "Alcance")}</th>
                <th scope="col">{L("Target", "Alvo", "Objetivo")}</th>
                <th scope="col">{L("Reason", "Motivo", "Motivo")}</th>
                <th scope="col">{L("Since", "Desde", "Desde")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {holds.data.holds.map((hold) => (
                <tr key={hold.id}>
                  <td>{hold.scope}</td>
                  <td>
                    <code>{hold.targetId ?? "—"}</code>
                  </td>
                  <td>{hold.reason}</td>
                  <td>{formatDate(hold.createdAt)}</td>
                  <td>
                    {hold.releasedAt ? (
                      <span class="muted small">
                        {L("released", "liberada", "liberada")} {formatDate(hold.releasedAt)}
                      </span>
                    ) : (
                      <button
                        type="button"
                        class="secondary"
                        onClick={async () => {
                          setError(null);
                          try {
                            await request("POST", `/api/compliance/legal-holds/${hold.id}/release`);
                            holds.reload();
                          } catch (caught) {
                            setError(caught);
                          }
                        }}
                      >
                        {L("Release", "Liberar", "Liberar")}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form
          class="workflow-form"
          onSubmit={async (event) => {
            event.preventDefault();
            setError(null);
            try {
              await request("POST", "/api/compliance/legal-holds", {
                body: {
                  scope,
                  ...(scope === "tenant" ? {} : { targetId: picksSubject ? (subject?.id ?? "") : target.trim() }),
                  ...(scope === "item" ? { itemType } : {}),
                  reason: reason.trim(),
                },
              });
              setReason("");
              setTarget("");
              setSubject(null);
              holds.reload();
            } catch (caught) {
              setError(caught);
            }
          }}
        >
          <h3>{L("Place a legal hold", "Aplicar uma retenção judicial", "Aplicar una retención legal")}</h3>
          <ErrorNotice error={error} />
          <div class="row">
            <Field id="hold-scope" label={L("Scope", "Escopo", "Alcance")}>
              <select id="hold-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as typeof scope)}>
                <option value="tenant">{L("The whole site", "O site inteiro", "Todo el sitio")}</option>
                <option value="subject">{L("A data subject", "Um titular de dados", "Un titular de datos")}</option>
                <option value="user">{L("A user", "Um usuário", "Un usuario")}</option>
                <option value="item">{L("One item", "Um item", "Un elemento")}</option>
              </select>
            </Field>
            {picksSubject && (
              <SubjectPicker
                id="hold-subject"
                label={L("Data subject", "Titular de dados", "Titular de datos")}
                value={subject}
                onChange={setSubject}
              />
            )}
            {scope !== "tenant" && !picksSubject && (
              <Field id="hold-target" label={L("Target ID", "ID do alvo", "ID del objetivo")}>
                <input
                  id="hold-target"
                  required
                  pattern="[0-9a-fA-F-]{36}"
                  value={target}
                  onInput={(e) => setTarget(e.currentTarget.value)}
                />
              </Field>
            )}
            {scope === "item" && (
              <Field id="hold-item-type" label={L("Item type", "Tipo de item", "Tipo de elemento")}>
                <select id="hold-item-type" value={itemType} onChange={(e) => setItemType(e.currentTarget.value)}>
                  <option value="media_item">media_item</option>
                  <option value="consent">consent</option>
                  <option value="data_subject">data_subject</option>
                </select>
              </Field>
            )}
          </div>
          <Field
            id="hold-reason"
            label={L(
              "Reason (order, case or request number)",
              "Motivo (ofício, processo ou pedido)",
              "Motivo (número de oficio, proceso o solicitud)",
            )}
          >
            <textarea
              id="hold-reason"
              required
              minLength={3}
              maxLength={1000}
              rows={2}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit">{L("Place hold", "Aplicar retenção", "Aplicar retención")}</button>
          </div>
        </form>
      </section>
    </>
  );
}

function deadline(request: PrivacyRequestView): { text: string; cls: string } {
  if (request.fulfilledAt)
    return { text: `${L("answered", "respondido", "respondida")} ${formatDate(request.fulfilledAt)}`, cls: "" };
  const ms = new Date(request.dueAt).getTime() - Date.now();
  const daysLeft = Math.ceil(ms / 86_400_000);
  if (request.overdue || ms < 0)
    return {
      text: `${L("overdue since", "vencido desde", "vencida desde")} ${formatDate(request.dueAt)}`,
      cls: "overdue",
    };
  return {
    text: `${formatDate(request.dueAt)} (${daysLeft} ${L("days left", "dias restantes", "días restantes")})`,
    cls: daysLeft <= 3 ? "due-soon" : "",
  };
}

function RequestsTab() {
  const [status, setStatus] = useState("");
  const list = useLoad<{ requests: PrivacyRequestView[] }>(`/api/privacy/requests${status ? `?status=${status}` : ""}`);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<unknown>(null);
  const [type, setType] = useState("access");
  const [email, setEmail] = useState("");
  const [cpf, setCpf] = useState("");
  return (
    <>
      <section class="card">
        <div class="heading-row">
          <h2>
            {L(
              "Data-subject requests (LGPD art. 18)",
              "Pedidos de titulares (LGPD art. 18)",
              "Solicitudes de titulares (LGPD art. 18)",
            )}
          </h2>
          <label class="inline">
            {t("filterState")}{" "}
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">{t("any")}</option>
              <option value="open">{L("open", "abertos", "abiertas")}</option>
              <option value="fulfilled">{L("fulfilled", "atendidos", "atendidas")}</option>
              <option value="partially_fulfilled">
                {L("partially fulfilled", "atendidos em parte", "atendidas en parte")}
              </option>
            </select>
          </label>
        </div>
        <ErrorNotice error={list.error ?? error} />
        {list.data && list.data.requests.length === 0 && (
          <p class="muted">{L("No requests.", "Nenhum pedido.", "No hay solicitudes.")}</p>
        )}
        {list.data && list.data.requests.length > 0 && (
          <table class="list" data-testid="privacy-requests">
            <thead>
              <tr>
                <th scope="col">{L("Type", "Tipo", "Tipo")}</th>
                <th scope="col">{L("Received", "Recebido", "Recibida")}</th>
                <th scope="col">
                  {L("Deadline (15 days, art. 19)", "Prazo (15 dias, art. 19)", "Plazo (15 días, art. 19)")}
                </th>
                <th scope="col">{L("Status", "Situação", "Situación")}</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {list.data.requests.map((item) => {
                const due = deadline(item);
                return (
                  <tr key={item.id}>
                    <td>{item.type}</td>
                    <td>{formatDate(item.receivedAt)}</td>
                    <td class={due.cls}>{due.text}</td>
                    <td>{item.status}</td>
                    <td>
                      {item.status === "open" && (
                        <button
                          type="button"
                          onClick={async () => {
                            setError(null);
                            try {
                              setAnswer((await request("POST", `/api/privacy/requests/${item.id}/fulfil`)).data);
                              list.reload();
                            } catch (caught) {
                              setError(caught);
                            }
                          }}
                        >
                          {L("Fulfil", "Atender", "Atender")}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {answer !== null && (
          <details class="report" open>
            <summary>{L("Answer to the data subject", "Resposta ao titular", "Respuesta al titular")}</summary>
            <pre class="highlighted">{JSON.stringify(answer, null, 2)}</pre>
          </details>
        )}
      </section>
      <form
        class="card narrow"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(null);
          try {
            await request("POST", "/api/privacy/requests", {
              body: {
                type,
                subject: {
                  ...(email.trim() ? { email: email.trim() } : {}),
                  ...(cpf.trim() ? { cpf: cpf.trim() } : {}),
                },
              },
            });
            setEmail("");
            setCpf("");
            list.reload();
          } catch (caught) {
            setError(caught);
          }
        }}
      >
        <h3>{L("Record a request", "Registrar um pedido", "Registrar una solicitud")}</h3>
        <Field id="dsr-type" label={L("Type", "Tipo", "Tipo")}>
          <select id="dsr-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {PRIVACY_REQUEST_TYPES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </Field>
        <Field id="dsr-email" label={t("email")}>
          <input id="dsr-email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <Field id="dsr-cpf" label="CPF">
          <input id="dsr-cpf" inputMode="numeric" value={cpf} onInput={(e) => setCpf(e.currentTarget.value)} />
        </Field>
        <div class="actions">
          <button type="submit">{L("Record", "Registrar", "Registrar")}</button>
        </div>
      </form>
    </>
  );
}

function ReportsTab() {
  const reports = useLoad<{ reports: ComplianceReport[] }>("/api/compliance/reports?limit=30");
  return (
    <section class="card">
      <h2>{L("Daily compliance reports", "Relatórios diários de conformidade", "Informes diarios de cumplimiento")}</h2>
      <ErrorNotice error={reports.error} />
      {reports.data && reports.data.reports.length === 0 && (
        <p class="muted">
          {L(
            "No report yet: the daily job writes one each night.",
            "Nenhum relatório ainda: a rotina diária gera um por noite.",
            "Aún no hay informes: la tarea diaria genera uno cada noche.",
          )}
        </p>
      )}
      {reports.data?.reports.map((report) => {
        const body = report.body as Record<string, unknown> & {
          deleted?: { total?: number };
          anonymised?: number;
          blocked?: number;
          held?: { activeHolds?: unknown[] };
          privacyRequests?: { open?: number; overdue?: number };
        };
        return (
          <details key={report.id} class="report">
            <summary>
              {report.reportDate} — {L("deleted", "excluídos", "eliminados")} {body.deleted?.total ?? 0},{" "}
              {L("anonymised", "anonimizados", "anonimizados")} {body.anonymised ?? 0},{" "}
              {L("blocked", "bloqueados", "bloqueados")} {body.blocked ?? 0}, {L("holds", "retenções", "retenciones")}{" "}
              {body.held?.activeHolds?.length ?? 0}, {L("open requests", "pedidos abertos", "solicitudes abiertas")}{" "}
              {body.privacyRequests?.open ?? 0}
              {(body.privacyRequests?.overdue ?? 0) > 0 && (
                <span class="overdue">
                  {" "}
                  ({body.privacyRequests?.overdue} {L("overdue", "vencidos", "vencidas")})
                </span>
              )}
            </summary>
            <pre class="highlighted">{JSON.stringify(report.body, null, 2)}</pre>
          </details>
        );
      })}
    </section>
  );
}

/**
 * `officer`: the signed-in member is a compliance officer, who alone sees the dashboard (its incidents and grants),
 * the incident register and the access logs.
 */
export function ComplianceScreen(props: { officer: boolean }) {
  useLang();
  const [tab, setTab] = useState<Tab>("audit");
  const tabs: Array<[Tab, string]> = [
    ...(props.officer
      ? ([
          ["dashboard", L("Dashboard", "Painel", "Panel")],
          ["incidents", t("navIncidents")],
          ["access-logs", t("navAccessLogs")],
        ] as Array<[Tab, string]>)
      : []),
    ["audit", L("Audit log", "Registro de auditoria", "Registro de auditoría")],
    ["retention", L("Retention and legal holds", "Retenção e legal holds", "Conservación y retenciones legales")],
    ["requests", L("Data-subject requests", "Pedidos de titulares", "Solicitudes de titulares")],
    ["reports", L("Daily reports", "Relatórios diários", "Informes diarios")],
  ];
  return (
    <section>
      <h1>{t("navCompliance")}</h1>
      <p>
        <Link href="/compliance/register">
          {L(
            "Record of processing operations (LGPD art. 37): view and print",
            "Registro das operações de tratamento (LGPD art. 37): ver e imprimir",
            "Registro de las operaciones de tratamiento (LGPD art. 37): ver e imprimir",
          )}
        </Link>
      </p>
      <div class="tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            aria-controls={`tab-${id}`}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div id={`tab-${tab}`} role="tabpanel">
        {tab === "dashboard" && <ComplianceDashboardTab />}
        {tab === "incidents" && <IncidentsTab />}
        {tab === "access-logs" && <AccessLogsTab />}
        {tab === "audit" && <AuditTab />}
        {tab === "retention" && <RetentionTab />}
        {tab === "requests" && <RequestsTab />}
        {tab === "reports" && <ReportsTab />}
      </div>
    </section>
  );
}
