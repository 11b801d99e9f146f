import { useRef, useState } from "preact/hooks";
import { request } from "../api";
import { t } from "../i18n";
import type { MediaItem, UploadKind } from "../types";
import { classify, UploadCancelled, uploadFile, type UploadProgress } from "../upload";
import { ErrorNotice, Field, useLang } from "../ui";

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

/** A media item's facts: DICOM header fields, PHI flags, retention class, checksum. */
export function MediaDetails(props: { media: MediaItem }) {
  const { media } = props;
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
              const link = (await request<{ url: string }>("GET", `/api/media/${media.id}/download`)).data;
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

export function MediaScreen() {
  useLang();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [subjectId, setSubjectId] = useState("");
  const [dragging, setDragging] = useState(false);
  const [rejected, setRejected] = useState<string[]>([]);
  const [lookupId, setLookupId] = useState("");
  const [opened, setOpened] = useState<MediaItem | null>(null);
  const [lookupError, setLookupError] = useState<unknown>(null);
  const counter = useRef(0);
  const jobsRef = useRef<Job[]>([]);

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
        ...(subjectId.trim() ? { subjectId: subjectId.trim() } : {}),
        signal: job.controller.signal,
        onProgress: (progress) => patch(job.key, { progress: { ...progress } }),
      });
      patch(job.key, { media });
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
      <p class="notice">{t("mediaListMissing")}</p>
      <div class="card">
        <Field id="upload-subject" label={t("subjectId")}>
          <input
            id="upload-subject"
            pattern="[0-9a-fA-F-]{36}"
            value={subjectId}
            onInput={(e) => setSubjectId(e.currentTarget.value)}
          />
        </Field>
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
              {job.media && <MediaDetails media={job.media} />}
            </li>
          );
        })}
      </ul>
      <form
        class="card narrow"
        onSubmit={async (event) => {
          event.preventDefault();
          setLookupError(null);
          setOpened(null);
          try {
            setOpened((await request<MediaItem>("GET", `/api/media/${encodeURIComponent(lookupId.trim())}`)).data);
          } catch (caught) {
            setLookupError(caught);
          }
        }}
      >
        <h2>{t("lookUpMedia")}</h2>
        <Field id="media-id" label={t("mediaId")}>
          <input
            id="media-id"
            required
            pattern="[0-9a-fA-F-]{36}"
            value={lookupId}
            onInput={(e) => setLookupId(e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit">{t("open")}</button>
        </div>
        <ErrorNotice error={lookupError} />
        {opened && <MediaDetails media={opened} />}
      </form>
    </section>
  );
}
