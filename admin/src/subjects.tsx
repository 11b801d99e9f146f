/**
 * Finding a data subject instead of pasting their id: by part of the name, or by CPF (sent once to the
 * server, which compares its salted hash; the SPA keeps nothing). Used wherever the admin needs a subject.
 */
import { useState } from "preact/hooks";
import { subjects } from "./api";
import { formatDate, t } from "./i18n";
import type { SubjectMatch } from "./types";
import { ErrorNotice, useAction, useLang } from "./ui";

/** Eleven digits, punctuated or not, read as a CPF; anything else is part of a name. */
export function searchTerms(text: string): { name: string } | { cpf: string } {
  const trimmed = text.trim();
  return /^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$/.test(trimmed) ? { cpf: trimmed } : { name: trimmed };
}

// Subjects chosen in this page's life, so a screen opened with `?subject=<id>` can name them. Memory only: names
// never go into the URL or browser storage.
const chosen = new Map<string, SubjectMatch>();

export function rememberSubject(subject: SubjectMatch): void {
  chosen.set(subject.id, subject);
}

/** The subject chosen earlier with this id, or a stand-in that names only the start of the id. */
export function rememberedSubject(id: string): SubjectMatch {
  return (
    chosen.get(id) ?? {
      id,
      displayName: `${t("linkedSubject")} ${id.slice(0, 8)}`,
      email: null,
      blocked: false,
      anonymised: false,
      createdAt: "",
    }
  );
}

export function subjectLabel(subject: Pick<SubjectMatch, "displayName" | "email">): string {
  return [subject.displayName ?? t("noName"), subject.email].filter(Boolean).join(" · ");
}

/** A search form and its matches; `onPick` receives the chosen subject. */
export function SubjectSearch(props: { id: string; onPick: (subject: SubjectMatch) => void; pickLabel?: string }) {
  useLang();
  const [text, setText] = useState("");
  const [found, setFound] = useState<SubjectMatch[] | null>(null);
  const action = useAction();
  const search = () =>
    action.run(async () => {
      setFound(null);
      setFound((await subjects.search(searchTerms(text))).subjects);
    });
  return (
    <div class="subject-search" data-testid="subject-search">
      <div class="field">
        <label for={props.id}>{t("subjectSearchLabel")}</label>
        <div class="inline-form">
          <input
            id={props.id}
            type="search"
            autocomplete="off"
            minLength={2}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(event) => {
              // A picker sits inside other forms: Enter searches instead of submitting them.
              if (event.key === "Enter") {
                event.preventDefault();
                if (text.trim().length >= 2) void search();
              }
            }}
            aria-describedby={`${props.id}-hint`}
          />
          <button
            type="button"
            class="secondary"
            disabled={action.busy || text.trim().length < 2}
            onClick={() => void search()}
          >
            {t("findSubject")}
          </button>
        </div>
        <p class="hint" id={`${props.id}-hint`}>
          {t("subjectSearchHint")}
        </p>
      </div>
      <ErrorNotice error={action.error} />
      {found && found.length === 0 && <p class="muted">{t("noSubjects")}</p>}
      {found && found.length > 0 && (
        <ul class="subject-matches" data-testid="subject-matches">
          {found.map((subject) => (
            <li key={subject.id}>
              <span>
                <strong>{subject.displayName ?? t("noName")}</strong>
                {subject.email && <span class="muted"> · {subject.email}</span>}
                <span class="muted small"> · {formatDate(subject.createdAt)}</span>
                {subject.blocked && <span class="badge badge-warn">{t("subjectBlocked")}</span>}
                {subject.anonymised && <span class="badge">{t("subjectAnonymised")}</span>}
              </span>
              <button
                type="button"
                class="link"
                onClick={() => {
                  rememberSubject(subject);
                  props.onPick(subject);
                }}
              >
                {props.pickLabel ?? t("choose")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A form field holding a chosen subject: the search until one is chosen, then their name with "change". */
export function SubjectPicker(props: {
  id: string;
  label: string;
  value: SubjectMatch | null;
  onChange: (subject: SubjectMatch | null) => void;
}) {
  useLang();
  return (
    <fieldset class="subject-picker" data-testid={`${props.id}-picker`}>
      <legend>{props.label}</legend>
      {props.value ? (
        <p class="chosen-subject">
          <span data-testid={`${props.id}-chosen`}>{subjectLabel(props.value)}</span>{" "}
          <button type="button" class="link" onClick={() => props.onChange(null)}>
            {t("change")}
          </button>
        </p>
      ) : (
        <SubjectSearch id={props.id} onPick={props.onChange} />
      )}
    </fieldset>
  );
}
