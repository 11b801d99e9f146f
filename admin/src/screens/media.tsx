import { useEffect, useRef, useState } from "preact/hooks";
import { retentionClasses } from "../../../schema/retention-policies";
import { media as mediaApi, type MediaFilters } from "../api";
import { formatDate, t } from "../i18n";
import { rememberedSubject, SubjectPicker } from "../subjects";
import type { MediaItem, MediaListItem, MediaPage, Me, SubjectMatch, UploadKind } from "../types";
import { classify, UploadCancelled, uploadFile, type UploadProgress } from "../upload";
import { ErrorNotice, Field, navigate, useLang } from "../ui";

interface Job {
  key: number;
  file: File;
  kind: UploadKind;
  contentType: string;
  progress: UploadProgress;
  controller: AbortController;
  error: unknown;
  media: MediaItem | null;
}

const PHASE_KEYS = {
  hashing: "phaseHashing",
  authorising: "phaseAuthorising",
  uploading: "phaseUploading",
  verifying: "phaseVerifying",
  done: "phaseDone",
  failed: "phaseFailed",
  cancelled: "phaseCancelled",
} as const;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Whether an image is shown on the public site, and its alt text. The server decides what may be public (no data
 * subject, no PHI, within the pixel cap, with alt text) and says why not; this only asks.
 */
function PublicImageForm(props: { media: MediaItem; onSaved: (media: MediaItem) => void }) {
  const { media } = props;
  const [altText, setAltText] = useState(media.altText ?? "");
  const [shown, setShown] = useState(media.public);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  return (
    <form
      class="public-image"
      data-testid="public-image"
      onSubmit={async (event) => {
        event.preventDefault();
        setSaving(true);
        setError(null);
        try {
          props.onSaved(await mediaApi.update(media.id, { public: shown, altText: altText.trim() || null }));
        } catch (caught) {
          setError(caught);
        } finally {
          setSaving(false);
        }
      }}
    >
      <Field label={t("altTextLabel")} id={`alt-${media.id}`}>
        <input
          id={`alt-${media.id}`}
          maxLength={500}
          value={altText}
          onInput={(e) => setAltText(e.currentTarget.value)}
        />
      </Field>
      <label class="inline">
        <input type="checkbox" checked={shown} onChange={(e) => setShown(e.currentTarget.checked)} />{" "}
        {t("publicImageLabel")}
      </label>
      {media.publicRefusal && !media.public && (
        <p class="small muted">
          {t("publicRefusalHint")}: <code>{media.publicRefusal}</code>
        </p>
      )}
      <ErrorNotice error={error} />
      <button type="submit" disabled={saving}>
        {t("saveImage")}
      </button>
    </form>
  );
}

/** A media item's facts: DICOM header fields, PHI flags, retention class, checksum; an image's public face. */
export function MediaDetails(props: { media: MediaItem; mayPublish?: boolean }) {
  const [media, setMedia] = useState(props.media);
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="media-details" data-testid="media-details">
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{media.id}</code>
        </dd>
        <dt>{t("retentionClass")}</dt>
        <dd>{media.retentionClass}</dd>
        <dt>SHA-256</dt>
        <dd>
          <code class="hash">{media.sha256}</code>
        </dd>
      </dl>
      {media.blocked && <p class="notice notice-error">{t("blockedMedia")}</p>}
      {props.mayPublish && media.kind === "image" && !media.subjectId && !media.blocked && (
        <PublicImageForm media={media} onSaved={setMedia} />
      )}
      {props.mayPublish && media.kind === "image" && (media.subjectId || media.blocked) && media.publicRefusal && (
        // A patient's or a blocked image can never be public: why, instead of a form that could only be refused.
        <p class="small muted" data-testid="public-refusal">
          {t("publicRefusalHint")}: <code>{media.publicRefusal}</code>
        </p>
      )}
      {media.dicom && (
        <>
          <h3>{t("dicomMetadata")}</h3>
          <dl class="facts" data-testid="dicom-metadata">
            <dt>{t("modality")}</dt>
            <dd data-testid="dicom-modality">{media.dicom.modality ?? "—"}</dd>
            <dt>{t("studyDate")}</dt>
            <dd>
              {media.dicom.studyDate ? media.dicom.studyDate.replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3") : "—"}
            </dd>
            <dt>SOP Class UID</dt>
            <dd>
              <code>{media.dicom.sopClassUid ?? "—"}</code>
            </dd>
            <dt>Study Instance UID</dt>
            <dd>
              <code>{media.dicom.studyInstanceUid ?? "—"}</code>
            </dd>
            <dt>Transfer syntax</dt>
            <dd>
              <code>{media.dicom.transferSyntaxUid ?? "—"}</code>
            </dd>
          </dl>
        </>
      )}
      {media.kind === "dicom" &&
        (media.phiTags.length > 0 ? (
          <div class="notice notice-warn" data-testid="phi-flags">
            <strong>{t("phiFlags")}:</strong>{" "}
            {media.phiTags.map((tag) => (
              <span key={tag} class="badge sev-warning">
                {tag}
              </span>
            ))}
          </div>
        ) : (
          <p class="muted small">{t("noPhi")}</p>
        ))}
      <ErrorNotice error={error} />
      {!media.blocked && (
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            setError(null);
            try {
              const link = await mediaApi.download(media.id);
              window.open(link.url, "_blank", "noopener");
            } catch (caught) {
              setError(caught);
            }
          }}
        >
          {t("download")}
        </button>
      )}
    </div>
  );
}

/** Who may link files to a patient, and so search data subjects (the privacy routes' registrars). */
const SUBJECT_ROLES = ["admin", "compliance_officer", "medical_reviewer"];
/** Who decides which images the public site shows (PATCH /api/media/{id}). */
const PUBLISHER_ROLES = ["admin", "editor"];

/**
 * The public images of the library as buttons, for the editor's featured image and "insert image": only images an
 * editor marked public can appear on the site (the publish gate refuses the rest).
 */
export function PublicImagePicker(props: { onPick: (media: MediaListItem) => void; onClose: () => void }) {
  const [items, setItems] = useState<MediaListItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    mediaApi
      .list({ kind: "image", limit: 100 })
      .then((page) => setItems(page.items.filter((item) => item.public && !item.publicRefusal)))
      .catch(setError);
  }, []);
  return (
    <div class="image-picker" data-testid="image-picker">
      <ErrorNotice error={error} />
      {items && items.length === 0 && <p class="muted">{t("noPublicImages")}</p>}
      <ul class="media-grid">
        {(items ?? []).map((item) => (
          <li key={item.id}>
            <button type="button" class="secondary" onClick={() => props.onPick(item)}>
              {item.thumbnailUrl && <img src={item.thumbnailUrl} alt="" loading="lazy" decoding="async" />}
              <span>{item.altText}</span>
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="link" onClick={props.onClose}>
        {t("hideDetails")}
      </button>
    </div>
  );
}

const KIND_WORDS = { dicom: "kindDicom", image: "kindImage", document: "kindDocument" } as const;
const FILTER_KEYS = ["kind", "retentionClass", "subject", "from", "to"] as const;

/** A day typed in a date input, as the instant its local midnight starts (`to` is exclusive: the next day). */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  date.setDate(date.getDate() + plusDays);
  return date.toISOString();
}

function LibraryItem(props: { item: MediaListItem; mayPublish: boolean }) {
  const { item } = props;
  const [open, setOpen] = useState(false);
  return (
    <li class="card media-card" data-testid="media-item" data-kind={item.kind}>
      <div class="media-thumb">
        {item.thumbnailUrl ? (
          <img src={item.thumbnailUrl} alt="" loading="lazy" decoding="async" data-testid="media-thumb" />
        ) : (
          <span class="media-kind">{item.kind === "dicom" ? "DICOM" : item.kind === "document" ? "PDF" : "—"}</span>
        )}
      </div>
      <p class="media-name">
        <strong>{item.filename}</strong>
      </p>
      <p class="small muted">
        {t(KIND_WORDS[item.kind])} · {formatBytes(item.size)} · {formatDate(item.createdAt)}
      </p>
      <p class="small">
        <code>{item.retentionClass}</code> {item.phi && <span class="badge badge-warn">{t("phiBadge")}</span>}
        {item.blocked && <span class="badge badge-rejected">{t("subjectBlocked")}</span>}
      </p>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? t("hideDetails") : t("details")}
      </button>
      {open && <MediaDetails media={item} mayPublish={props.mayPublish} />}
    </li>
  );
}

/** The library: `GET /api/media` with its filters in the URL (shareable, back button), a cursor page at a time. */
function MediaLibrary(props: {
  search: URLSearchParams;
  mayPickSubject: boolean;
  mayPublish: boolean;
  reloadKey: number;
}) {
  useLang();
  const read = (key: (typeof FILTER_KEYS)[number]) => props.search.get(key) ?? "";
  const cursor = props.search.get("cursor") ?? undefined;
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [subject, setSubject] = useState<SubjectMatch | null>(null);
  const [page, setPage] = useState<MediaPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = props.search.toString();

  useEffect(() => {
    setDraft(Object.fromEntries(FILTER_KEYS.map((k) => [k, read(k)])));
    setSubject(read("subject") ? rememberedSubject(read("subject")) : null);
    const filters: MediaFilters = {
      ...(read("kind") ? { kind: read("kind") } : {}),
      ...(read("retentionClass") ? { retentionClass: read("retentionClass") } : {}),
      ...(read("subject") ? { subjectId: read("subject") } : {}),
      ...(dayStart(read("from")) ? { from: dayStart(read("from")) } : {}),
      ...(dayStart(read("to"), 1) ? { to: dayStart(read("to"), 1) } : {}),
      ...(cursor ? { cursor } : {}),
      limit: 24,
    };
    setPage(null);
    setError(null);
    mediaApi.list(filters).then(setPage).catch(setError);
  }, [key, props.reloadKey]);

  const apply = (next: Record<string, string>, nextCursor?: string) => {
    const params = new URLSearchParams();
    for (const k of FILTER_KEYS) if (next[k]?.trim()) params.set(k, next[k]!.trim());
    if (nextCursor) params.set("cursor", nextCursor);
    const text = params.toString();
    navigate(text ? `/media?${text}` : "/media");
  };
  const set = (k: string) => (event: Event) =>
    setDraft({ ...draft, [k]: (event.currentTarget as HTMLInputElement).value });

  return (
    <section aria-labelledby="library-title">
      <h2 id="library-title">{t("mediaLibrary")}</h2>
      <form
        class="filters card"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <Field id="m-kind" label={t("filterKind")}>
          <select id="m-kind" value={draft.kind ?? ""} onChange={set("kind")}>
            <option value="">{t("any")}</option>
            {(Object.keys(KIND_WORDS) as Array<keyof typeof KIND_WORDS>).map((kind) => (
              <option key={kind} value={kind}>
                {t(KIND_WORDS[kind])}
              </option>
            ))}
          </select>
        </Field>
        <Field id="m-class" label={t("retentionClass")}>
          <select id="m-class" value={draft.retentionClass ?? ""} onChange={set("retentionClass")}>
            <option value="">{t("any")}</option>
            {retentionClasses.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="m-from" label={t("createdFrom")}>
          <input id="m-from" type="date" value={draft.from ?? ""} onInput={set("from")} />
        </Field>
        <Field id="m-to" label={t("createdTo")}>
          <input id="m-to" type="date" value={draft.to ?? ""} onInput={set("to")} />
        </Field>
        {props.mayPickSubject && (
          <SubjectPicker
            id="m-subject"
            label={t("filterSubject")}
            value={subject}
            onChange={(picked) => {
              setSubject(picked);
              setDraft({ ...draft, subject: picked?.id ?? "" });
            }}
          />
        )}
        <div class="actions">
          <button type="submit">{t("apply")}</button>
          <button type="button" class="secondary" onClick={() => apply({})}>
            {t("clear")}
          </button>
        </div>
      </form>
      <p class="muted small">{t("phiListedHint")}</p>
      <ErrorNotice error={error} />
      {!page && !error && <p>{t("loading")}</p>}
      {page && page.items.length === 0 && <p class="muted">{t("noMedia")}</p>}
      {page && page.items.length > 0 && (
        <ul class="media-grid" data-testid="media-library">
          {page.items.map((item) => (
            <LibraryItem key={item.id} item={item} mayPublish={props.mayPublish} />
          ))}
        </ul>
      )}
      <div class="pager">
        {cursor && (
          <button type="button" class="secondary" onClick={() => apply(draft)}>
            {t("firstPage")}
          </button>
        )}
        {page?.nextCursor && (
          <button type="button" class="secondary" onClick={() => apply(draft, page.nextCursor!)}>
            {t("nextPage")}
          </button>
        )}
      </div>
    </section>
  );
}

export function MediaScreen(props: { me: Me; search: URLSearchParams }) {
  useLang();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [subject, setSubject] = useState<SubjectMatch | null>(null);
  const [dragging, setDragging] = useState(false);
  const [rejected, setRejected] = useState<string[]>([]);
  const [reloadKey, setReloadKey] = useState(0);
  const counter = useRef(0);
  const jobsRef = useRef<Job[]>([]);
  const mayPickSubject = props.me.roles.some((role) => SUBJECT_ROLES.includes(role));
  const mayPublish = props.me.roles.some((role) => PUBLISHER_ROLES.includes(role));

  const patch = (key: number, change: Partial<Job>) => {
    jobsRef.current = jobsRef.current.map((job) => (job.key === key ? { ...job, ...change } : job));
    setJobs(jobsRef.current);
  };

  const run = async (job: Job) => {
    try {
      const media = await uploadFile({
        file: job.file,
        kind: job.kind,
        contentType: job.contentType,
        ...(subject ? { subjectId: subject.id } : {}),
        signal: job.controller.signal,
        onProgress: (progress) => patch(job.key, { progress: { ...progress } }),
      });
      patch(job.key, { media });
      setReloadKey((n) => n + 1);
    } catch (error) {
      if (!(error instanceof UploadCancelled))
        patch(job.key, { error, progress: { ...job.progress, phase: "failed" } });
    }
  };
  const addFiles = (files: FileList | File[]) => {
    const skipped: string[] = [];
    for (const file of Array.from(files)) {
      const kind = classify(file);
      if (!kind) {
        skipped.push(file.name);
        continue;
      }
      const job: Job = {
        key: ++counter.current,
        file,
        kind: kind.kind,
        contentType: kind.contentType,
        progress: { phase: "hashing", loaded: 0, total: file.size, retries: 0 },
        controller: new AbortController(),
        error: null,
        media: null,
      };
      jobsRef.current = [job, ...jobsRef.current];
      setJobs(jobsRef.current);
      void run(job);
    }
    setRejected(skipped);
  };

  return (
    <section>
      <h1>{t("mediaTitle")}</h1>
      <div class="card">
        <h2>{t("uploadTitle")}</h2>
        {mayPickSubject && (
          <SubjectPicker id="upload-subject" label={t("uploadSubject")} value={subject} onChange={setSubject} />
        )}
        <label
          class={`dropzone ${dragging ? "dropzone-active" : ""}`}
          data-testid="dropzone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            if (event.dataTransfer?.files) addFiles(event.dataTransfer.files);
          }}
        >
          <span>{t("dropHere")}</span>
          <span class="button secondary">{t("chooseFiles")}</span>
          <input
            id="upload-files"
            class="visually-hidden"
            type="file"
            multiple
            accept=".dcm,application/dicom,image/png,image/jpeg,image/gif,image/webp,application/pdf"
            onChange={(event) => {
              const input = event.currentTarget;
              if (input.files) addFiles(input.files);
              input.value = "";
            }}
          />
        </label>
        {rejected.length > 0 && (
          <p class="notice notice-error" role="alert">
            {t("unsupportedFile")} ({rejected.join(", ")})
          </p>
        )}
      </div>
      <ul class="uploads">
        {jobs.map((job) => {
          const percent = job.progress.total ? Math.floor((job.progress.loaded / job.progress.total) * 100) : 100;
          const active = ["hashing", "authorising", "uploading", "verifying"].includes(job.progress.phase);
          return (
            <li key={job.key} class="card upload" data-testid="upload" data-phase={job.progress.phase}>
              <div class="heading-row">
                <strong>{job.file.name}</strong>
                <span class="muted small">
                  {job.kind} · {formatBytes(job.file.size)}
                </span>
              </div>
              <progress max={100} value={percent} aria-label={`${job.file.name}: ${percent}%`} />
              <p class="small" role="status">
                {t(PHASE_KEYS[job.progress.phase])} — <span data-testid="upload-percent">{percent}%</span>
                {job.progress.retries > 0 && (
                  <span class="muted">
                    {" "}
                    · {job.progress.retries} {job.progress.retries === 1 ? t("retriedOne") : t("retriesSoFar")}
                  </span>
                )}
              </p>
              <ErrorNotice error={job.error} />
              <div class="actions">
                {active && (
                  <button type="button" class="secondary" onClick={() => job.controller.abort()}>
                    {t("cancel")}
                  </button>
                )}
                {(job.progress.phase === "failed" || job.progress.phase === "cancelled") && (
                  <button
                    type="button"
                    onClick={() => {
                      const retry: Job = {
                        ...job,
                        controller: new AbortController(),
                        error: null,
                        progress: { phase: "hashing", loaded: 0, total: job.file.size, retries: 0 },
                      };
                      jobsRef.current = jobsRef.current.map((j) => (j.key === job.key ? retry : j));
                      setJobs(jobsRef.current);
                      void run(retry);
                    }}
                  >
                    {t("retry")}
                  </button>
                )}
              </div>
              {job.media && <MediaDetails media={job.media} mayPublish={mayPublish} />}
            </li>
          );
        })}
      </ul>
      <MediaLibrary
        search={props.search}
        mayPickSubject={mayPickSubject}
        mayPublish={mayPublish}
        reloadKey={reloadKey}
      />
    </section>
  );
}
