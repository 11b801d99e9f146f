import { useEffect, useState } from "preact/hooks";
import type { ComplianceDashboard } from "../../../functions/shapes/compliance-dashboard";
import { request } from "../api";
import { formatDate, lang } from "../i18n";
import { ErrorNotice } from "../ui";

// Words of this screen in each UI language (English, Portuguese, Spanish), in that order.
const L = (en: string, pt: string, es: string): string => ({ en, "pt-BR": pt, es })[lang()];

/**
 * The compliance officer's dashboard tab (`GET /api/compliance/dashboard`, audited on the server): what needs
 * attention today, each list empty when nothing does.
 */
export function ComplianceDashboardTab() {
  const [data, setData] = useState<ComplianceDashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setError(null);
    request<ComplianceDashboard>("GET", "/api/compliance/dashboard")
      .then((answer) => setData(answer.data))
      .catch(setError);
  }, [tick]);
  const reload = () => setTick((n) => n + 1);
  const none = <p class="muted">{L("Nothing.", "Nada.", "Nada.")}</p>;
  const peak = Math.max(1, ...(data?.trustPerDay.flatMap((day) => [day.denials, day.stepUps]) ?? []));

  return (
    <div data-testid="compliance-dashboard">
      <ErrorNotice error={error} onRetry={reload} />
      {data && (
        <>
          <section class="card">
            <h2>{L("Data-subject requests", "Pedidos de titulares", "Solicitudes de titulares")}</h2>
            {data.privacyRequests.overdue.length + data.privacyRequests.dueSoon.length === 0 && none}
            <ul>
              {data.privacyRequests.overdue.map((r) => (
                <li key={r.id} class="overdue">
                  {r.type} — {L("overdue since", "vencido desde", "vencida desde")} {formatDate(r.dueAt)}
                </li>
              ))}
              {data.privacyRequests.dueSoon.map((r) => (
                <li key={r.id}>
                  {r.type} — {L("due", "prazo", "plazo")} {formatDate(r.dueAt)}
                </li>
              ))}
            </ul>
          </section>

          <section class="card">
            <h2>{L("Open incidents", "Incidentes abertos", "Incidentes abiertos")}</h2>
            {data.openIncidents.length === 0 && none}
            {data.openIncidents.length > 0 && (
              <table class="list" data-testid="dashboard-incidents">
                <thead>
                  <tr>
                    <th>{L("Incident", "Incidente", "Incidente")}</th>
                    <th>{L("Status", "Situação", "Estado")}</th>
                    <th>{L("Communicate by", "Comunicar até", "Comunicar antes del")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.openIncidents.map((incident) => (
                    <tr key={incident.id} class={incident.overdue ? "overdue" : ""}>
                      <td>{incident.title}</td>
                      <td>{incident.status}</td>
                      <td>
                        {incident.communicationDue}
                        {incident.overdue && ` (${L("late", "atrasado", "atrasado")})`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section class="card">
            <h2>
              {L(
                "Failing jobs and dead letters",
                "Rotinas falhando e mensagens mortas",
                "Tareas fallando y mensajes muertos",
              )}
            </h2>
            {data.failedJobs.length === 0 && data.deadLetters.total === 0 && none}
            <ul>
              {data.failedJobs.map((job) => (
                <li key={job.job}>
                  {job.job}: {job.consecutiveFailures} {L("failures in a row", "falhas seguidas", "fallos seguidos")} (
                  {job.errorCode ?? "—"}), {L("since", "desde", "desde")} {formatDate(job.failingSince)}
                </li>
              ))}
              {data.deadLetters.total > 0 && (
                <li>
                  {data.deadLetters.total}{" "}
                  {L("dead letters in the outbox", "mensagens mortas na fila", "mensajes muertos en la cola")}
                </li>
              )}
            </ul>
          </section>

          <section class="card">
            <h2>{L("Trust refusals per day", "Recusas de confiança por dia", "Rechazos de confianza por día")}</h2>
            <table class="list" data-testid="dashboard-trust">
              <thead>
                <tr>
                  <th>{L("Day (UTC)", "Dia (UTC)", "Día (UTC)")}</th>
                  <th>{L("Denials", "Negados", "Denegados")}</th>
                  <th>{L("Step-ups", "Reautenticações", "Reautenticaciones")}</th>
                </tr>
              </thead>
              <tbody>
                {data.trustPerDay.map((day) => (
                  <tr key={day.day}>
                    <td>{day.day}</td>
                    <td>
                      <meter min={0} max={peak} value={day.denials} /> {day.denials}
                    </td>
                    <td>
                      <meter min={0} max={peak} value={day.stepUps} /> {day.stepUps}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section class="card">
            <h2>{L("Audit verification", "Verificação da auditoria", "Verificación de la auditoría")}</h2>
            {!data.lastVerification && (
              <p class="muted">{L("Not verified yet.", "Ainda não verificado.", "Aún no verificado.")}</p>
            )}
            {data.lastVerification && (
              <p class={data.lastVerification.ok ? "" : "overdue"}>
                {data.lastVerification.ok ? L("Intact", "Íntegro", "Íntegro") : L("BROKEN", "QUEBRADO", "ROTO")} —{" "}
                {formatDate(data.lastVerification.computedAt)}; {L("event", "evento", "evento")} #
                {data.lastVerification.verifiedSeq}
                {data.lastVerification.lastCheckpoint &&
                  `; ${L("checkpoint", "ponto de controle", "punto de control")} #${data.lastVerification.lastCheckpoint.seq} (${formatDate(data.lastVerification.lastCheckpoint.signedAt)})`}
              </p>
            )}
          </section>

          <section class="card">
            <h2>
              {L(
                "Emergency access awaiting review",
                "Acessos de emergência aguardando revisão",
                "Accesos de emergencia pendientes de revisión",
              )}
            </h2>
            {data.breakGlassAwaitingReview.length === 0 && none}
            <ul>
              {data.breakGlassAwaitingReview.map((grant) => (
                <li key={grant.id}>
                  {grant.userName} — {formatDate(grant.openedAt)}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </div>
  );
}
