import { useEffect, useState } from "preact/hooks";
import { request } from "../api";
import { formatDate, lang } from "../i18n";
import { SubjectPicker, subjectLabel } from "../subjects";
import type { AnpdForm, IncidentRiskLevel, IncidentStatus, IncidentView, SubjectMatch } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

// Words of this screen in each UI language (English, Portuguese, Spanish), in that order.
const L = (en: string, pt: string, es: string): string => ({ en, "pt-BR": pt, es })[lang()];

const STATUSES: readonly IncidentStatus[] = ["draft", "confirmed", "communicated", "closed", "dismissed"];
const RISK_LEVELS: readonly IncidentRiskLevel[] = ["low", "medium", "high"];

function statusName(status: IncidentStatus): string {
  return {
    draft: L("draft", "rascunho", "borrador"),
    confirmed: L("confirmed", "confirmado", "confirmado"),
    communicated: L("communicated", "comunicado", "comunicado"),
    closed: L("closed", "encerrado", "cerrado"),
    dismissed: L("dismissed", "descartado", "descartado"),
  }[status];
}

function riskName(level: IncidentRiskLevel): string {
  return { low: L("low", "baixo", "bajo"), medium: L("medium", "médio", "medio"), high: L("high", "alto", "alto") }[
    level
  ];
}

/** Calendar days from today (this browser's day) to the due day (`YYYY-MM-DD`); negative when past. */
function daysLeft(due: string): number {
  const today = new Date();
  const [year, month, day] = due.split("-").map(Number) as [number, number, number];
  return Math.round(
    (Date.UTC(year, month - 1, day) - Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) / 86_400_000,
  );
}

function Deadline(props: { incident: IncidentView }) {
  const { incident } = props;
  if (incident.anpdCommunicatedAt || incident.status === "closed" || incident.status === "dismissed")
    return <span>{incident.communicationDue}</span>;
  const left = daysLeft(incident.communicationDue);
  return (
    <span class={left < 0 ? "overdue" : left <= 1 ? "due-soon" : ""}>
      {incident.communicationDue} (
      {left < 0
        ? `${-left} ${L("days late", "dias de atraso", "días de retraso")}`
        : `${left} ${L("days left", "dias restantes", "días restantes")}`}
      )
    </span>
  );
}

const list = (text: string) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);

/** A `datetime-local` value (the browser's zone) for an ISO instant, blank for none. */
function localInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function CreateForm(props: { onCreated: (incident: IncidentView) => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [discoveredAt, setDiscoveredAt] = useState("");
  const action = useAction();
  return (
    <form
      class="card narrow"
      data-testid="incident-create"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          const created = await request<IncidentView>("POST", "/api/incidents", {
            body: {
              title: title.trim(),
              description: description.trim(),
              ...(discoveredAt ? { discoveredAt: new Date(discoveredAt).toISOString() } : {}),
            },
          });
          setTitle("");
          setDescription("");
          setDiscoveredAt("");
          props.onCreated(created.data);
        });
      }}
    >
      <h3>{L("Register an incident", "Registrar um incidente", "Registrar un incidente")}</h3>
      <ErrorNotice error={action.error} />
      <Field id="incident-title" label={L("Title", "Título", "Título")}>
        <input
          id="incident-title"
          required
          maxLength={200}
          value={title}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </Field>
      <Field id="incident-description" label={L("What happened", "O que aconteceu", "Qué pasó")}>
        <textarea
          id="incident-description"
          required
          maxLength={4000}
          rows={3}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </Field>
      <Field
        id="incident-discovered"
        label={L(
          "Discovered at (blank: now; the deadline counts from here)",
          "Descoberto em (em branco: agora; o prazo conta daqui)",
          "Descubierto el (vacío: ahora; el plazo cuenta desde aquí)",
        )}
      >
        <input
          id="incident-discovered"
          type="datetime-local"
          value={discoveredAt}
          onInput={(e) => setDiscoveredAt(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          {L("Register", "Registrar", "Registrar")}
        </button>
      </div>
    </form>
  );
}

function EditForm(props: { incident: IncidentView; onSaved: (incident: IncidentView) => void }) {
  const { incident } = props;
  const ended = incident.next.length === 0;
  const [status, setStatus] = useState<IncidentStatus | "">("");
  const [occurredAt, setOccurredAt] = useState(localInput(incident.occurredAt));
  const [dataCategories, setDataCategories] = useState(incident.dataCategories.join(", "));
  const [sensitiveData, setSensitiveData] = useState(incident.sensitiveData);
  const [subjectCategories, setSubjectCategories] = useState(incident.subjectCategories.join(", "));
  const [subjectsAffected, setSubjectsAffected] = useState(incident.subjectsAffected?.toString() ?? "");
  const [riskLevel, setRiskLevel] = useState<IncidentRiskLevel | "">(incident.riskLevel ?? "");
  const [riskAssessment, setRiskAssessment] = useState(incident.riskAssessment ?? "");
  const [measures, setMeasures] = useState(incident.measures ?? "");
  const action = useAction();
  return (
    <form
      class="workflow-form"
      data-testid="incident-edit"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          const saved = await request<IncidentView>("PATCH", `/api/incidents/${encodeURIComponent(incident.id)}`, {
            body: {
              ...(status ? { status } : {}),
              occurredAt: occurredAt ? new Date(occurredAt).toISOString() : null,
              dataCategories: list(dataCategories),
              sensitiveData,
              subjectCategories: list(subjectCategories),
              subjectsAffected: subjectsAffected.trim() ? Number(subjectsAffected) : null,
              riskLevel: riskLevel || null,
              riskAssessment: riskAssessment.trim() || null,
              measures: measures.trim() || null,
            },
          });
          setStatus("");
          props.onSaved(saved.data);
        });
      }}
    >
      <h3>{L("Assessment", "Avaliação", "Evaluación")}</h3>
      <ErrorNotice error={action.error} />
      {ended && (
        <p class="muted">
          {L(
            "This incident is ended and read-only.",
            "Este incidente está encerrado e só pode ser lido.",
            "Este incidente está cerrado y es de solo lectura.",
          )}
        </p>
      )}
      <fieldset disabled={ended || action.busy}>
        <div class="row">
          <Field id="incident-status" label={L("Move to", "Mover para", "Pasar a")}>
            <select
              id="incident-status"
              value={status}
              onChange={(e) => setStatus(e.currentTarget.value as IncidentStatus | "")}
            >
              <option value="">
                {L("(keep", "(manter", "(mantener")} {statusName(incident.status)})
              </option>
              {incident.next.map((next) => (
                <option key={next} value={next}>
                  {statusName(next)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="incident-occurred" label={L("Occurred at", "Ocorreu em", "Ocurrió el")}>
            <input
              id="incident-occurred"
              type="datetime-local"
              value={occurredAt}
              onInput={(e) => setOccurredAt(e.currentTarget.value)}
            />
          </Field>
          <Field id="incident-risk" label={L("Risk", "Risco", "Riesgo")}>
            <select
              id="incident-risk"
              value={riskLevel}
              onChange={(e) => setRiskLevel(e.currentTarget.value as IncidentRiskLevel | "")}
            >
              <option value="">—</option>
              {RISK_LEVELS.map((level) => (
                <option key={level} value={level}>
                  {riskName(level)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="incident-affected" label={L("Subjects affected", "Titulares afetados", "Titulares afectados")}>
            <input
              id="incident-affected"
              type="number"
              min={0}
              value={subjectsAffected}
              onInput={(e) => setSubjectsAffected(e.currentTarget.value)}
            />
          </Field>
        </div>
        <Field
          id="incident-data-categories"
          label={L(
            "Data categories (comma-separated)",
            "Categorias de dados (separadas por vírgula)",
            "Categorías de datos (separadas por comas)",
          )}
        >
          <input
            id="incident-data-categories"
            value={dataCategories}
            onInput={(e) => setDataCategories(e.currentTarget.value)}
          />
        </Field>
        <label class="inline">
          <input type="checkbox" checked={sensitiveData} onChange={(e) => setSensitiveData(e.currentTarget.checked)} />{" "}
          {L(
            "Sensitive data (LGPD art. 5 II) involved",
            "Envolve dados sensíveis (LGPD art. 5º II)",
            "Involucra datos sensibles (LGPD art. 5 II)",
          )}
        </label>
        <Field
          id="incident-subject-categories"
          label={L(
            "Subject categories (comma-separated)",
            "Categorias de titulares (separadas por vírgula)",
            "Categorías de titulares (separadas por comas)",
          )}
        >
          <input
            id="incident-subject-categories"
            value={subjectCategories}
            onInput={(e) => setSubjectCategories(e.currentTarget.value)}
          />
        </Field>
        <Field
          id="incident-risk-assessment"
          label={L("Risk assessment", "Avaliação de risco", "Evaluación del riesgo")}
        >
          <textarea
            id="incident-risk-assessment"
            maxLength={4000}
            rows={3}
            value={riskAssessment}
            onInput={(e) => setRiskAssessment(e.currentTarget.value)}
          />
        </Field>
        <Field id="incident-measures" label={L("Measures taken", "Medidas adotadas", "Medidas adoptadas")}>
          <textarea
            id="incident-measures"
            maxLength={4000}
            rows={3}
            value={measures}
            onInput={(e) => setMeasures(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit">{L("Save", "Salvar", "Guardar")}</button>
        </div>
      </fieldset>
    </form>
  );
}

function formValue(value: AnpdForm[keyof AnpdForm]): string {
  if (value === null) return "";
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? L("yes", "sim", "sí") : L("no", "não", "no");
  return String(value);
}

/** The ANPD communication form's fields as the register fills them, each with a copy button. */
function AnpdFormFields(props: { form: AnpdForm }) {
  const [copied, setCopied] = useState<string | null>(null);
  const rows: Array<[keyof AnpdForm, string]> = [
    ["controller", L("Controller", "Controlador", "Responsable")],
    ["dpoContact", L("DPO contact", "Contato do encarregado", "Contacto del encargado")],
    ["incidentDescription", L("Description", "Descrição", "Descripción")],
    ["occurredAt", L("Occurred at", "Data do incidente", "Fecha del incidente")],
    ["discoveredAt", L("Discovered at", "Data da ciência", "Fecha de conocimiento")],
    ["communicationDue", L("Communicate by", "Comunicar até", "Comunicar antes del")],
    ["lateCommunication", L("Late communication", "Comunicação fora do prazo", "Comunicación fuera de plazo")],
    ["dataCategories", L("Data categories", "Categorias de dados", "Categorías de datos")],
    ["sensitiveData", L("Sensitive data", "Dados sensíveis", "Datos sensibles")],
    ["subjectCategories", L("Subject categories", "Categorias de titulares", "Categorías de titulares")],
    ["subjectsAffected", L("Subjects affected", "Titulares afetados", "Titulares afectados")],
    ["riskLevel", L("Risk", "Risco", "Riesgo")],
    ["riskAssessment", L("Risk assessment", "Avaliação de risco", "Evaluación del riesgo")],
    ["measures", L("Measures taken", "Medidas adotadas", "Medidas adoptadas")],
  ];
  return (
    <section>
      <h3>
        {L(
          "ANPD communication form (read-only)",
          "Formulário de comunicação à ANPD (somente leitura)",
          "Formulario de comunicación a la ANPD (solo lectura)",
        )}
      </h3>
      <dl class="anpd-form" data-testid="anpd-form">
        {rows.map(([key, label]) => {
          const value = formValue(props.form[key]);
          return (
            <div key={key} class="field">
              <dt>{label}</dt>
              <dd>
                <output data-field={key}>{value || "—"}</output>{" "}
                {value && (
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`${L("Copy", "Copiar", "Copiar")}: ${label}`}
                    onClick={async () => {
                      await navigator.clipboard.writeText(value);
                      setCopied(key);
                    }}
                  >
                    {copied === key ? L("Copied", "Copiado", "Copiado") : L("Copy", "Copiar", "Copiar")}
                  </button>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

/** Queues the incident notice (LGPD art. 48 §1) to the subjects chosen by name or CPF. */
function NoticesForm(props: { incident: IncidentView; onQueued: () => void }) {
  const [picked, setPicked] = useState<SubjectMatch | null>(null);
  const [chosen, setChosen] = useState<SubjectMatch[]>([]);
  const [result, setResult] = useState<{ queued: number; withoutEmail: string[] } | null>(null);
  const action = useAction();
  useEffect(() => {
    if (picked && !chosen.some((subject) => subject.id === picked.id)) setChosen([...chosen, picked]);
    if (picked) setPicked(null);
  }, [picked]);
  return (
    <form
      class="workflow-form"
      data-testid="incident-notices"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          const answer = await request<{ queued: number; withoutEmail: string[] }>(
            "POST",
            `/api/incidents/${encodeURIComponent(props.incident.id)}/notices`,
            { body: { subjectIds: chosen.map((subject) => subject.id) } },
          );
          setResult(answer.data);
          setChosen([]);
          props.onQueued();
        });
      }}
    >
      <h3>
        {L("Notify affected data subjects", "Comunicar os titulares afetados", "Comunicar a los titulares afectados")}
      </h3>
      <ErrorNotice error={action.error} />
      {props.incident.subjectsNotifiedAt && (
        <p class="muted">
          {L("Last notices queued", "Últimos avisos enfileirados", "Últimos avisos encolados")}{" "}
          {formatDate(props.incident.subjectsNotifiedAt)}
        </p>
      )}
      <SubjectPicker
        id="notice-subject"
        label={L("Add a data subject", "Adicionar um titular", "Añadir un titular")}
        value={picked}
        onChange={setPicked}
      />
      {chosen.length > 0 && (
        <ul data-testid="notice-subjects">
          {chosen.map((subject) => (
            <li key={subject.id}>
              {subjectLabel(subject)}{" "}
              <button
                type="button"
                class="secondary small"
                onClick={() => setChosen(chosen.filter((other) => other.id !== subject.id))}
              >
                {L("Remove", "Remover", "Quitar")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {result && (
        <p role="status">
          {result.queued} {L("notices queued", "avisos enfileirados", "avisos encolados")}
          {result.withoutEmail.length > 0 &&
            `; ${result.withoutEmail.length} ${L("without an e-mail address", "sem endereço de e-mail", "sin dirección de e-mail")}`}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={chosen.length === 0 || action.busy}>
          {L("Queue notices", "Enfileirar avisos", "Encolar avisos")}
        </button>
      </div>
    </form>
  );
}

/**
 * The incident register (LGPD art. 48; `/api/incidents`, compliance officers, every write audited on the server):
 * the list with each communication deadline and the days left, registration, the assessment and status workflow,
 * the ANPD form's fields to copy, and the notices to affected subjects.
 */
export function IncidentsTab() {
  useLang();
  const [status, setStatus] = useState<IncidentStatus | "">("");
  const [incidents, setIncidents] = useState<IncidentView[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const reload = () => setTick((n) => n + 1);
  useEffect(() => {
    setError(null);
    request<IncidentView[]>("GET", `/api/incidents${status ? `?status=${status}` : ""}`)
      .then((answer) => setIncidents(answer.data))
      .catch(setError);
  }, [status, tick]);
  const current = incidents?.find((incident) => incident.id === selected) ?? null;
  return (
    <>
      <section class="card">
        <div class="heading-row">
          <h2>
            {L(
              "Incident register (LGPD art. 48)",
              "Registro de incidentes (LGPD art. 48)",
              "Registro de incidentes (LGPD art. 48)",
            )}
          </h2>
          <label class="inline">
            {L("Status", "Situação", "Estado")}{" "}
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value as IncidentStatus | "")}>
              <option value="">{L("any", "qualquer", "cualquiera")}</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {statusName(value)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ErrorNotice error={error} onRetry={reload} />
        {incidents && incidents.length === 0 && (
          <p class="muted">{L("No incidents.", "Nenhum incidente.", "No hay incidentes.")}</p>
        )}
        {incidents && incidents.length > 0 && (
          <table class="list" data-testid="incidents">
            <thead>
              <tr>
                <th scope="col">{L("Incident", "Incidente", "Incidente")}</th>
                <th scope="col">{L("Status", "Situação", "Estado")}</th>
                <th scope="col">{L("Discovered", "Descoberto", "Descubierto")}</th>
                <th scope="col">
                  {L(
                    "Communicate by (3 business days)",
                    "Comunicar até (3 dias úteis)",
                    "Comunicar antes del (3 días hábiles)",
                  )}
                </th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {incidents.map((incident) => (
                <tr key={incident.id} class={incident.id === selected ? "selected" : ""}>
                  <td>{incident.title}</td>
                  <td>{statusName(incident.status)}</td>
                  <td>{formatDate(incident.discoveredAt)}</td>
                  <td>
                    <Deadline incident={incident} />
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => setSelected(incident.id === selected ? null : incident.id)}
                    >
                      {incident.id === selected ? L("Close", "Fechar", "Cerrar") : L("Open", "Abrir", "Abrir")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {current && (
        <section class="card" data-testid="incident-detail">
          <h2>{current.title}</h2>
          <p>{current.description}</p>
          <EditForm key={current.updatedAt} incident={current} onSaved={reload} />
          <AnpdFormFields form={current.anpdForm} />
          {(current.status === "confirmed" || current.status === "communicated") && (
            <NoticesForm incident={current} onQueued={reload} />
          )}
        </section>
      )}
      <CreateForm
        onCreated={(incident) => {
          setStatus("");
          setSelected(incident.id);
          reload();
        }}
      />
    </>
  );
}
