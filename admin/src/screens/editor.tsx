import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ANALYSED_STATES } from "../../../functions/contract";
import { ApiError, contentApi, media as mediaApi, terms } from "../api";
import { type ContentType, screenPath, TYPE_WORDS } from "../content-kinds";
import { type AnalysisView, locatedFindings, normaliseAnalysis, seoScore } from "../analysis";
import { diffRows } from "../diff";
import { segmentText } from "../highlight";
import { actionName, formatDate, lang, levelName, severityName, stateName, t } from "../i18n";
import { imageVersion, type SiteImage } from "../../../functions/image-urls";
import { mediaIdsIn, type PreviewImages, renderPreview } from "../markdown";
import { PublicImagePicker } from "./media";
import { type AvailableAction, availableActions } from "../workflow";
import {
  COMPLIANCE_LEVELS,
  type ContentItem,
  type ContentLocale,
  type ContentUpdate,
  type Finding,
  LOCALES,
  type Me,
  type Revision,
  type RevisionComparison,
  type Term,
} from "../types";
import { ErrorNotice, Field, Link, navigate, toProblem, useLang } from "../ui";

const AUTOSAVE_MS = 1_200;
/** How often, and how many times, to ask whether the server's own analysis of a saved revision is stored. */
const ANALYSIS_POLL_MS = 1_000;
const ANALYSIS_POLL_LIMIT = 120;
type SaveState = "saved" | "dirty" | "saving" | "failed";
type Draft = Required<
  Pick<
    ContentUpdate,
    | "title"
    | "slug"
    | "excerpt"
    | "bodyMarkdown"
    | "locale"
    | "complianceLevel"
    | "categoryIds"
    | "tagIds"
    | "metaTitle"
    | "metaDescription"
    | "focusKeyword"
    | "canonicalUrl"
    | "noindex"
    | "featuredMediaId"
  >
>;

function draftOf(item: ContentItem): Draft {
  return {
    title: item.title,
    slug: item.slug,
    excerpt: item.excerpt,
    bodyMarkdown: item.bodyMarkdown,
    locale: item.locale,
    complianceLevel: item.complianceLevel,
    categoryIds: item.categoryIds,
    tagIds: item.tagIds,
    // Blank fields are unset: the server stores an empty SEO text as null.
    metaTitle: item.metaTitle ?? "",
    metaDescription: item.metaDescription ?? "",
    focusKeyword: item.focusKeyword ?? "",
    canonicalUrl: item.canonicalUrl ?? "",
    noindex: item.noindex,
    featuredMediaId: item.featuredMediaId,
  };
}

function changedFields(item: ContentItem, draft: Draft): ContentUpdate {
  const base = draftOf(item);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(draft) as Array<keyof Draft>) {
    if (JSON.stringify(draft[key]) !== JSON.stringify(base[key])) out[key] = draft[key];
  }
  return out as ContentUpdate;
}

// ---- A new item ----

export function NewContentScreen(props: { type: ContentType; search: URLSearchParams }) {
  useLang();
  const translationGroupId = props.search.get("translationGroupId") ?? undefined;
  const [title, setTitle] = useState("");
  const [locale, setLocale] = useState<ContentLocale>(
    // The UI's languages are content locales too: a new item starts in the language the editor works in.
    (props.search.get("locale") as ContentLocale) || lang(),
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="card narrow"
      aria-labelledby="new-title"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const item = await contentApi(props.type).create({
            title: title.trim(),
            locale,
            ...(translationGroupId ? { translationGroupId } : {}),
          });
          navigate(`${screenPath(props.type)}/${item.id}`, { replace: true });
        } catch (caught) {
          setError(caught);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1 id="new-title">{t(TYPE_WORDS[props.type].create)}</h1>
      <ErrorNotice error={error} />
      <Field id="new-post-title" label={t("title")}>
        <input
          id="new-post-title"
          required
          maxLength={300}
          value={title}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </Field>
      <Field id="new-post-locale" label={t("locale")}>
        <select id="new-post-locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value as ContentLocale)}>
          {LOCALES.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t("create")}
        </button>
        <Link href={screenPath(props.type)} class="button secondary">
          {t("cancel")}
        </Link>
      </div>
    </form>
  );
}

// ---- Highlighted findings ----

function HighlightedText(props: {
  text: string;
  findings: Array<Finding & { plugin: string }>;
  onPick: (f: Finding) => void;
}) {
  const segments = useMemo(() => segmentText(props.text, props.findings), [props.text, props.findings]);
  return (
    <pre class="highlighted" data-testid="highlighted" aria-label={t("highlighted")}>
      {segments.map((segment) => {
        if (segment.findings.length === 0) return segment.text;
        const worst = segment.findings
          .map((index) => props.findings[index]!)
          .sort(
            (a, b) =>
              ["info", "warning", "blocking"].indexOf(b.severity) - ["info", "warning", "blocking"].indexOf(a.severity),
          )[0]!;
        return (
          <mark
            key={segment.start}
            class={`sev-${worst.severity}`}
            data-code={worst.code}
            title={`${worst.plugin}: ${worst.message}`}
            tabIndex={0}
            onClick={() => props.onPick(worst)}
            onKeyDown={(event) => {
              if (event.key === "Enter") props.onPick(worst);
            }}
          >
            {segment.text}
          </mark>
        );
      })}
    </pre>
  );
}

function AnalysisPanel(props: {
  view: AnalysisView | null;
  error: unknown;
  busy: boolean;
  /** The server is analysing the saved revision by itself. */
  pending: boolean;
  stale: boolean;
  onRun: () => void;
  onPick: (finding: Finding) => void;
}) {
  const view = props.view;
  const score = view ? seoScore(view) : null;
  const blocking = view
    ? view.reports.flatMap((r) =>
        r.findings.filter((f) => f.severity === "blocking").map((f) => ({ ...f, plugin: r.plugin })),
      )
    : [];
  return (
    <section class="panel" aria-labelledby="analysis-title" data-testid="analysis-panel">
      <div class="heading-row">
        <h2 id="analysis-title">{t("analysis")}</h2>
        <button type="button" onClick={props.onRun} disabled={props.busy || props.pending}>
          {props.busy ? t("analysing") : t("runAnalysis")}
        </button>
      </div>
      <ErrorNotice error={props.error} />
      {props.pending && (
        <p class="muted" role="status" aria-live="polite" data-testid="analysis-pending">
          {t("analysing")}
        </p>
      )}
      {!view && !props.error && !props.pending && <p class="muted">{t("noAnalysis")}</p>}
      {view && (
        <>
          {score !== null && (
            <p class="score">
              {t("seoScore")}: <strong data-testid="seo-score">{Math.round(score)}</strong>/100
              <meter min={0} max={100} low={50} high={80} optimum={100} value={score} aria-label={t("seoScore")} />
            </p>
          )}
          <div class={`gate ${blocking.length ? "gate-blocked" : "gate-open"}`} data-testid="publish-gate">
            {blocking.length === 0 ? (
              <p>{t("nothingBlocks")}</p>
            ) : (
              <>
                <h3>{t("blocksPublishing")}</h3>
                <ul>
                  {blocking.map((f, index) => (
                    <li key={index}>
                      <strong>{f.plugin}</strong>: {f.message}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
          {props.stale && <p class="muted small">{t("unsaved")}</p>}
          {view.reports.map((report) => (
            <details key={report.plugin} open={report.findings.length > 0} class="report">
              <summary>
                {report.plugin}
                {report.version && <span class="muted"> {report.version}</span>} — {report.findings.length}
                {report.score !== null && <span class="muted"> · {Math.round(report.score)}</span>}
              </summary>
              {!report.ok && <p class="notice notice-error">{t("pluginFailed")}</p>}
              <ul class="findings">
                {report.findings.map((finding, index) => (
                  <li key={index} class={`finding sev-${finding.severity}`} data-code={finding.code}>
                    <span class={`badge sev-${finding.severity}`}>{severityName(finding.severity)}</span>{" "}
                    {finding.message}
                    {finding.suggestion && (
                      <p class="suggestion">
                        {t("suggestion")}: {finding.suggestion}
                      </p>
                    )}
                    {finding.start !== undefined && (
                      <button type="button" class="link" onClick={() => props.onPick(finding)}>
                        {t("showInText")}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </>
      )}
    </section>
  );
}

// ---- Workflow ----

function WorkflowPanel(props: {
  item: ContentItem;
  me: Me;
  blocked: boolean;
  onMove: (
    action: AvailableAction,
    extra: { reason?: string; justification?: string; scheduledAt?: string },
  ) => Promise<void>;
}) {
  const actions = availableActions(props.item.state, props.me.roles, props.item.authorId === props.me.id).filter(
    // A reviewer publishes only to override blocking findings.
    (action) => !action.asOverride || props.blocked,
  );
  const [chosen, setChosen] = useState<AvailableAction | null>(null);
  const [reason, setReason] = useState("");
  const [justification, setJustification] = useState("");
  const [when, setWhen] = useState("");
  const [busy, setBusy] = useState(false);
  const needsJustification =
    chosen &&
    chosen.rule.publishGate &&
    (chosen.asOverride || (props.blocked && props.me.roles.includes("medical_reviewer")));
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    try {
      await props.onMove(chosen, {
        ...(chosen.rule.requiresReason ? { reason: reason.trim() } : {}),
        ...(needsJustification ? { justification: justification.trim() } : {}),
        ...(chosen.to === "scheduled" && when ? { scheduledAt: new Date(when).toISOString() } : {}),
      });
      setChosen(null);
      setReason("");
      setJustification("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="workflow-title">
      <h2 id="workflow-title">{t("workflow")}</h2>
      <p>
        <span class={`badge state-${props.item.state}`} data-testid="state">
          {stateName(props.item.state)}
        </span>{" "}
        <span class="muted small">
          {t("version")} {props.item.version}
        </span>
      </p>
      {props.item.stateReason && <p class="notice">{props.item.stateReason}</p>}
      {props.item.reviewer && (
        <p class="small">
          {t("reviewedBy")}: {props.item.reviewer.name} — CRM {props.item.reviewer.crm}/{props.item.reviewer.uf} (
          {formatDate(props.item.lastMedicallyReviewedAt)})
        </p>
      )}
      {actions.length === 0 && <p class="muted small">{t("noActions")}</p>}
      <div class="workflow-actions">
        {actions.map((action) => (
          <button
            key={action.to}
            type="button"
            class={action.to === "draft" ? "secondary" : ""}
            aria-pressed={chosen?.to === action.to}
            onClick={() => setChosen(chosen?.to === action.to ? null : action)}
          >
            {actionName(overrideName(action))}
          </button>
        ))}
      </div>
      {chosen && (
        <form class="workflow-form" onSubmit={submit}>
          {chosen.rule.requiresReason && (
            <Field id="wf-reason" label={t("reason")}>
              <textarea
                id="wf-reason"
                required
                rows={3}
                maxLength={2000}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </Field>
          )}
          {chosen.to === "scheduled" && (
            <Field id="wf-when" label={t("scheduleAt")}>
              <input
                id="wf-when"
                type="datetime-local"
                required
                value={when}
                onInput={(e) => setWhen(e.currentTarget.value)}
              />
            </Field>
          )}
          {needsJustification && (
            <Field id="wf-justification" label={t("justification")}>
              <textarea
                id="wf-justification"
                required
                minLength={20}
                rows={3}
                value={justification}
                onInput={(e) => setJustification(e.currentTarget.value)}
              />
            </Field>
          )}
          <div class="actions">
            <button type="submit" disabled={busy} data-testid="confirm-transition">
              {actionName(overrideName(chosen))}
            </button>
            <button type="button" class="secondary" onClick={() => setChosen(null)}>
              {t("cancel")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** An action's name: an override says what it does (schedule or publish), so the two never read the same. */
function overrideName(action: AvailableAction): string {
  if (!action.asOverride) return action.to;
  return action.to === "scheduled" ? "overrideSchedule" : "override";
}

// ---- Revisions ----

function DiffView(props: { comparison: RevisionComparison }) {
  const rows = diffRows(props.comparison.body.lines);
  const titleChanged = props.comparison.title.lines.some((line) => line.op !== "equal");
  return (
    <div class="diff" data-testid="diff">
      {props.comparison.changes.length > 0 && (
        <p class="small">
          {t("changedFields")}: {props.comparison.changes.map((change) => change.field).join(", ")}
        </p>
      )}
      {titleChanged && (
        <table class="diff-table">
          <tbody>
            {props.comparison.title.lines.map((line, index) => (
              <tr key={index} class={`diff-${line.op}`}>
                <td class="diff-op">{line.op === "insert" ? "+" : line.op === "delete" ? "−" : " "}</td>
                <td>{line.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.comparison.body.added + props.comparison.body.removed === 0 ? (
        <p class="muted small">{t("noDifferences")}</p>
      ) : (
        <table class="diff-table">
          <tbody>
            {rows.map((row, index) =>
              row.kind === "skip" ? (
                <tr key={index} class="diff-skip">
                  <td colSpan={4}>
                    … {row.count} {t("unchangedLines")}
                  </td>
                </tr>
              ) : (
                <tr key={index} class={`diff-${row.op}`}>
                  <td class="diff-no">{row.oldNo ?? ""}</td>
                  <td class="diff-no">{row.newNo ?? ""}</td>
                  <td class="diff-op">{row.op === "insert" ? "+" : row.op === "delete" ? "−" : " "}</td>
                  <td class="diff-text">{row.text}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

function RevisionsPanel(props: {
  type: ContentType;
  item: ContentItem;
  canWrite: boolean;
  onRestored: (item: ContentItem) => void;
}) {
  const api = contentApi(props.type);
  const [list, setList] = useState<Revision[] | null>(null);
  const [comparison, setComparison] = useState<{ id: string; data: RevisionComparison } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api
      .revisions(props.item.id)
      .then((answer) => setList(answer.items))
      .catch(setError);
  }, [props.item.id, props.item.currentRevisionId]);
  return (
    <section class="panel" aria-labelledby="revisions-title">
      <h2 id="revisions-title">{t("revisions")}</h2>
      <ErrorNotice error={error} />
      <ol class="revisions">
        {(list ?? []).map((revision) => (
          <li key={revision.id}>
            <span>
              v{revision.version} · {formatDate(revision.createdAt)}
            </span>
            {revision.id !== props.item.currentRevisionId && (
              <span class="revision-actions">
                <button
                  type="button"
                  class="link"
                  onClick={async () => {
                    setError(null);
                    try {
                      setComparison({
                        id: revision.id,
                        data: await api.compare(props.item.id, revision.id, props.item.currentRevisionId ?? undefined),
                      });
                    } catch (caught) {
                      setError(caught);
                    }
                  }}
                >
                  {t("compare")}
                </button>
                {props.canWrite && (
                  <button
                    type="button"
                    class="link"
                    onClick={async () => {
                      setError(null);
                      try {
                        props.onRestored(await api.restoreRevision(props.item.id, revision.id, props.item.version));
                        setComparison(null);
                      } catch (caught) {
                        setError(caught);
                      }
                    }}
                  >
                    {t("restore")}
                  </button>
                )}
              </span>
            )}
            {comparison?.id === revision.id && <DiffView comparison={comparison.data} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

// ---- The editor ----

export function EditorScreen(props: { type: ContentType; id: string; me: Me }) {
  useLang();
  const api = contentApi(props.type);
  const base = screenPath(props.type);
  const [item, setItem] = useState<ContentItem | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [error, setError] = useState<unknown>(null);
  const [categories, setCategories] = useState<Term[]>([]);
  const [tags, setTags] = useState<Term[]>([]);
  const [newTag, setNewTag] = useState("");
  const [analysis, setAnalysis] = useState<AnalysisView | null>(null);
  const [analysedText, setAnalysedText] = useState<string | null>(null);
  const [analysisError, setAnalysisError] = useState<unknown>(null);
  const [analysing, setAnalysing] = useState(false);
  const [analysisPending, setAnalysisPending] = useState(false);
  const pollTimer = useRef<number | null>(null);
  const [showPreview, setShowPreview] = useState(true);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const [picking, setPicking] = useState<"featured" | "inline" | null>(null);
  const [featuredAlt, setFeaturedAlt] = useState<string | null>(null);
  const [previewImages, setPreviewImages] = useState<PreviewImages>(new Map());
  // The latest values for the debounced save (closures would see stale state).
  const live = useRef<{
    item: ContentItem | null;
    draft: Draft | null;
    saving: Promise<void> | null;
    timer: number | null;
  }>({ item: null, draft: null, saving: null, timer: null });
  live.current.item = item;
  live.current.draft = draft;

  const canWrite = props.me.roles.some((role) => ["admin", "editor", "author"].includes(role));
  const editable = !!item && canWrite && (item.state === "draft" || item.state === "in_review") && !item.trashedAt;

  const load = async () => {
    setError(null);
    try {
      const loaded = await api.get(props.id);
      setItem(loaded);
      setDraft(draftOf(loaded));
      setSaveState("saved");
      watchAnalysis(loaded.bodyMarkdown);
    } catch (caught) {
      setError(caught);
    }
  };

  /**
   * Shows the stored analysis of the saved revision. In review the server analyses each saved revision by
   * itself; while that is `pending` the panel says "analysing…" and asks again, then shows the findings.
   */
  const watchAnalysis = (savedText: string, attempt = 0) => {
    if (pollTimer.current) clearTimeout(pollTimer.current);
    pollTimer.current = null;
    api
      .analysis(props.id)
      .then((body) => {
        const view = normaliseAnalysis(body);
        if (view.status === "pending" && attempt < ANALYSIS_POLL_LIMIT) {
          setAnalysisPending(true);
          pollTimer.current = window.setTimeout(() => watchAnalysis(savedText, attempt + 1), ANALYSIS_POLL_MS);
          return;
        }
        setAnalysisPending(false);
        if (view.reports.length) {
          setAnalysis(view);
          setAnalysedText(savedText);
        }
      })
      .catch(() => setAnalysisPending(false));
  };

  useEffect(() => {
    void load();
    terms
      .list("category")
      .then((a) => setCategories(a.items))
      .catch(() => undefined);
    terms
      .list("tag")
      .then((a) => setTags(a.items))
      .catch(() => undefined);
    return () => {
      if (live.current.timer) clearTimeout(live.current.timer);
      if (pollTimer.current) clearTimeout(pollTimer.current);
    };
  }, [props.id]);

  /** Saves what changed (PATCH with If-Match); a change made during the save is saved right after. */
  const save = async (): Promise<void> => {
    if (live.current.saving) await live.current.saving;
    const current = live.current.item;
    const wanted = live.current.draft;
    if (!current || !wanted) return;
    const changes = changedFields(current, wanted);
    if (Object.keys(changes).length === 0) {
      setSaveState("saved");
      return;
    }
    setSaveState("saving");
    const run = (async () => {
      try {
        const saved = await api.update(current.id, current.version, changes);
        live.current.item = saved;
        setItem(saved);
        // Rebase: fields not touched since this save was sent take the server's value (it may normalise
        // them, or fill the excerpt); fields edited meanwhile keep the user's newer text and save next.
        const latest = live.current.draft ?? wanted;
        const server = draftOf(saved);
        const rebased = { ...latest };
        for (const key of Object.keys(server) as Array<keyof Draft>) {
          if (JSON.stringify(latest[key]) === JSON.stringify(wanted[key]))
            (rebased as Record<string, unknown>)[key] = server[key];
        }
        live.current.draft = rebased;
        setDraft(rebased);
        if (ANALYSED_STATES.includes(saved.state)) watchAnalysis(saved.bodyMarkdown);
        const stillDirty = Object.keys(changedFields(saved, rebased)).length > 0;
        setSaveState(stillDirty ? "dirty" : "saved");
        if (stillDirty && !live.current.timer) {
          live.current.timer = window.setTimeout(() => {
            live.current.timer = null;
            void save();
          }, AUTOSAVE_MS);
        }
        setError(null);
      } catch (caught) {
        setSaveState("failed");
        setError(caught);
      }
    })();
    live.current.saving = run;
    await run;
    live.current.saving = null;
  };

  const flush = async () => {
    if (live.current.timer) {
      clearTimeout(live.current.timer);
      live.current.timer = null;
    }
    await save();
  };

  const update = (patch: Partial<Draft>) => {
    if (!draft) return;
    const next = { ...draft, ...patch };
    setDraft(next);
    live.current.draft = next;
    setSaveState("dirty");
    if (live.current.timer) clearTimeout(live.current.timer);
    live.current.timer = window.setTimeout(() => {
      live.current.timer = null;
      void save();
    }, AUTOSAVE_MS);
  };

  const runAnalysis = async () => {
    setAnalysing(true);
    setAnalysisError(null);
    try {
      await flush();
      const text = live.current.draft?.bodyMarkdown ?? "";
      const view = normaliseAnalysis(await api.analyse(props.id));
      setAnalysis(view);
      setAnalysedText(text);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 404 && caught.code === "not_found") {
        setAnalysisError(new Error(t("analysisUnavailable")));
      } else setAnalysisError(caught);
    } finally {
      setAnalysing(false);
    }
  };

  // The library images the body refers to, looked up once each for the preview (markdown.ts).
  const bodyMarkdown = draft?.bodyMarkdown ?? "";
  useEffect(() => {
    const unknown = mediaIdsIn(bodyMarkdown).filter((id) => !previewImages.has(id));
    if (unknown.length === 0) return;
    let current = true;
    void Promise.all(unknown.map(async (id) => [id, await previewImageOf(id)] as const)).then((found) => {
      if (current) setPreviewImages((known) => new Map([...known, ...found]));
    });
    return () => {
      current = false;
    };
  }, [bodyMarkdown, previewImages]);

  /** `![](media:<id>)` at the cursor: the page shows the image with the library's alt text. */
  const insertImage = (mediaId: string) => {
    const area = bodyRef.current;
    const text = live.current.draft?.bodyMarkdown ?? "";
    const at = area ? area.selectionStart : text.length;
    const snippet = `\n\n![](media:${mediaId})\n\n`;
    update({ bodyMarkdown: text.slice(0, at) + snippet + text.slice(at) });
    setPicking(null);
  };

  const pick = (finding: Finding) => {
    const area = bodyRef.current;
    if (!area || finding.start === undefined || finding.end === undefined) return;
    area.focus();
    area.setSelectionRange(finding.start, finding.end);
  };

  const move = async (
    action: AvailableAction,
    extra: { reason?: string; justification?: string; scheduledAt?: string },
  ) => {
    setError(null);
    try {
      await flush();
      const current = live.current.item!;
      const moved = await api.transition(current.id, current.version, { to: action.to, ...extra });
      setItem(moved);
      setDraft(draftOf(moved));
      if (ANALYSED_STATES.includes(moved.state)) watchAnalysis(moved.bodyMarkdown);
    } catch (caught) {
      setError(caught);
      const problem = toProblem(caught);
      if (problem.code === "publish_blocked" && Array.isArray(problem.findings)) {
        // Show the server's list of blocking findings in the panel too.
        setAnalysis((previous) => previous ?? normaliseAnalysis({ stages: [] }));
      }
    }
  };

  if (error && !item) return <ErrorNotice error={error} onRetry={() => void load()} />;
  if (!item || !draft) return <p>{t("loading")}</p>;

  const located = analysis && analysedText === draft.bodyMarkdown ? locatedFindings(analysis) : [];
  const blocked = !!analysis?.blocking;
  const saveLabel = { saved: t("saved"), dirty: t("unsaved"), saving: t("saving"), failed: t("saveFailed") }[saveState];

  return (
    <div class="editor">
      <div class="editor-main">
        <div class="heading-row">
          <Link href={base}>← {t("backToList")}</Link>
          <span
            class={`save-state save-${saveState}`}
            role="status"
            aria-live="polite"
            data-testid="save-state"
            data-state={saveState}
          >
            {saveLabel}
          </span>
        </div>
        <ErrorNotice
          error={error}
          onRetry={toProblem(error).code === "version_conflict" ? () => void load() : undefined}
        />
        {!editable && <p class="notice">{t("readOnlyState")}</p>}
        <fieldset disabled={!editable} class="editor-fields">
          <Field id="title" label={t("title")}>
            <input
              id="title"
              class="title-input"
              value={draft.title}
              maxLength={300}
              onInput={(e) => update({ title: e.currentTarget.value })}
            />
          </Field>
          <div class="row">
            <Field id="slug" label={t("slug")}>
              <input
                id="slug"
                value={draft.slug}
                pattern="[a-z0-9]+(-[a-z0-9]+)*"
                onInput={(e) => update({ slug: e.currentTarget.value })}
              />
            </Field>
            <Field id="locale" label={t("locale")}>
              <select
                id="locale"
                value={draft.locale}
                onChange={(e) => update({ locale: e.currentTarget.value as Draft["locale"] })}
              >
                {LOCALES.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="level" label={t("compliance")}>
              <select
                id="level"
                value={draft.complianceLevel}
                onChange={(e) => update({ complianceLevel: e.currentTarget.value as Draft["complianceLevel"] })}
              >
                {COMPLIANCE_LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {levelName(l)}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <div class="field featured-image" data-testid="featured-image">
            <span class="label">{t("featuredImage")}</span>
            {draft.featuredMediaId ? (
              <p>
                <code>{featuredAlt ?? draft.featuredMediaId}</code>{" "}
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    update({ featuredMediaId: null });
                    setFeaturedAlt(null);
                  }}
                >
                  {t("removeImage")}
                </button>
              </p>
            ) : null}
            <button type="button" class="secondary" onClick={() => setPicking("featured")}>
              {t("chooseImage")}
            </button>
            {picking === "featured" && (
              <PublicImagePicker
                onPick={(media) => {
                  update({ featuredMediaId: media.id });
                  setFeaturedAlt(media.altText);
                  setPicking(null);
                }}
                onClose={() => setPicking(null)}
              />
            )}
          </div>
          <Field id="excerpt" label={t("excerpt")}>
            <textarea
              id="excerpt"
              rows={2}
              maxLength={1000}
              value={draft.excerpt}
              onInput={(e) => update({ excerpt: e.currentTarget.value })}
            />
          </Field>
          <fieldset class="seo-fields" data-testid="seo-fields">
            <legend>{t("seo")}</legend>
            <Field id="meta-title" label={t("metaTitle")}>
              <input
                id="meta-title"
                maxLength={120}
                value={draft.metaTitle ?? ""}
                onInput={(e) => update({ metaTitle: e.currentTarget.value })}
              />
            </Field>
            <Field id="meta-description" label={t("metaDescription")}>
              <textarea
                id="meta-description"
                rows={2}
                maxLength={320}
                value={draft.metaDescription ?? ""}
                onInput={(e) => update({ metaDescription: e.currentTarget.value })}
              />
            </Field>
            <Field id="focus-keyword" label={t("focusKeyword")}>
              <input
                id="focus-keyword"
                maxLength={100}
                value={draft.focusKeyword ?? ""}
                onInput={(e) => update({ focusKeyword: e.currentTarget.value })}
              />
            </Field>
            <Field id="canonical-url" label={t("canonicalUrl")}>
              <input
                id="canonical-url"
                type="url"
                inputMode="url"
                maxLength={2048}
                placeholder="https://"
                value={draft.canonicalUrl ?? ""}
                onInput={(e) => update({ canonicalUrl: e.currentTarget.value })}
              />
            </Field>
            <label class="inline">
              <input
                type="checkbox"
                checked={draft.noindex}
                onChange={(e) => update({ noindex: e.currentTarget.checked })}
              />{" "}
              {t("noindex")}
            </label>
          </fieldset>
          <div class="body-row">
            <div class="field body-field">
              <div class="heading-row">
                <label for="body">{t("body")}</label>
                <label class="inline small">
                  <input
                    type="checkbox"
                    checked={showPreview}
                    onChange={(e) => setShowPreview(e.currentTarget.checked)}
                  />{" "}
                  {t("preview")}
                </label>
                <button type="button" class="secondary small" onClick={() => setPicking("inline")}>
                  {t("insertImage")}
                </button>
              </div>
              {picking === "inline" && (
                <PublicImagePicker onPick={(media) => insertImage(media.id)} onClose={() => setPicking(null)} />
              )}
              <textarea
                id="body"
                ref={bodyRef}
                rows={18}
                spellcheck
                value={draft.bodyMarkdown}
                onInput={(e) => update({ bodyMarkdown: e.currentTarget.value })}
              />
            </div>
            {showPreview && (
              // The preview is marked's output with raw HTML escaped, sanitized by DOMPurify with the server's rules (markdown.ts).
              <div
                class="preview prose"
                aria-label={t("preview")}
                data-testid="preview"
                dangerouslySetInnerHTML={{ __html: renderPreview(draft.bodyMarkdown, previewImages) }}
              />
            )}
          </div>
          {located.length > 0 && (
            <div class="field">
              <span class="label">{t("highlighted")}</span>
              <HighlightedText text={draft.bodyMarkdown} findings={located} onPick={pick} />
            </div>
          )}
          <div class="row">
            <fieldset class="terms">
              <legend>{t("categories")}</legend>
              {categories.map((category) => (
                <label key={category.id} class="inline">
                  <input
                    type="checkbox"
                    checked={draft.categoryIds.includes(category.id)}
                    onChange={(e) =>
                      update({
                        categoryIds: e.currentTarget.checked
                          ? [...draft.categoryIds, category.id]
                          : draft.categoryIds.filter((id) => id !== category.id),
                      })
                    }
                  />{" "}
                  {category.name}
                </label>
              ))}
            </fieldset>
            <fieldset class="terms">
              <legend>{t("tags")}</legend>
              {tags.map((tag) => (
                <label key={tag.id} class="inline">
                  <input
                    type="checkbox"
                    checked={draft.tagIds.includes(tag.id)}
                    onChange={(e) =>
                      update({
                        tagIds: e.currentTarget.checked
                          ? [...draft.tagIds, tag.id]
                          : draft.tagIds.filter((id) => id !== tag.id),
                      })
                    }
                  />{" "}
                  {tag.name}
                </label>
              ))}
              {props.me.roles.some((role) => role === "admin" || role === "editor") && (
                <div class="inline-form">
                  <label for="new-tag" class="visually-hidden">
                    {t("newTag")}
                  </label>
                  <input
                    id="new-tag"
                    placeholder={t("newTag")}
                    value={newTag}
                    onInput={(e) => setNewTag(e.currentTarget.value)}
                  />
                  <button
                    type="button"
                    class="secondary"
                    disabled={!newTag.trim()}
                    onClick={async () => {
                      try {
                        const created = await terms.create("tag", { name: newTag.trim() });
                        setTags([...tags, created]);
                        setNewTag("");
                        update({ tagIds: [...draft.tagIds, created.id] });
                      } catch (caught) {
                        setError(caught);
                      }
                    }}
                  >
                    {t("add")}
                  </button>
                </div>
              )}
            </fieldset>
          </div>
        </fieldset>
        <section class="translations small" aria-labelledby="translations-title">
          <h2 id="translations-title" class="small-heading">
            {t("translationGroup")}
          </h2>
          <p>
            {t("createTranslation")}{" "}
            {LOCALES.filter((l) => l !== item.locale).map((l) => (
              <Link key={l} href={`${base}/new?translationGroupId=${item.translationGroupId}&locale=${l}`} class="chip">
                {l}
              </Link>
            ))}
          </p>
        </section>
      </div>
      <aside class="editor-side">
        <WorkflowPanel item={item} me={props.me} blocked={blocked} onMove={move} />
        <AnalysisPanel
          view={analysis}
          error={analysisError}
          busy={analysing}
          pending={analysisPending}
          stale={!!analysis && analysedText !== draft.bodyMarkdown}
          onRun={() => void runAnalysis()}
          onPick={pick}
        />
        <RevisionsPanel
          type={props.type}
          item={item}
          canWrite={editable}
          onRestored={(restored) => {
            setItem(restored);
            setDraft(draftOf(restored));
          }}
        />
      </aside>
    </div>
  );
}

/**
 * A library image as the public page would show it, for the preview: only an image that is public there (its URLs
 * are public anyway); null for anything the page drops, which the preview then never loads.
 */
async function previewImageOf(id: string): Promise<SiteImage | null> {
  try {
    const item = await mediaApi.get(id);
    if (item.kind !== "image" || !item.public || item.publicRefusal || !item.width || !item.height) return null;
    return {
      id: item.id,
      contentType: item.contentType,
      version: imageVersion(item.sha256),
      width: item.width,
      height: item.height,
      alt: item.altText ?? "",
    };
  } catch {
    return null;
  }
}
