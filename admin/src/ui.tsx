import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./api";
import { fieldErrors, problemMessage, type Problem } from "./errors";
import { lang, subscribeLang, t } from "./i18n";

/**
 * One user action at a time: `run` marks the form busy, clears the last error, and keeps the error the action
 * throws for `ErrorNotice`.
 */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: (action: () => Promise<void>) => Promise<void>;
  clearError: () => void;
} {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clearError: () => setError(null) };
}

/** Re-renders the calling component when the language changes. */
export function useLang(): string {
  const [value, setValue] = useState(lang());
  useEffect(() => subscribeLang(() => setValue(lang())), []);
  return value;
}

// ---- Routing (History API under /admin/) ----

export const BASE = "/admin";
const routeListeners = new Set<() => void>();

export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path === "" ? "/" : path;
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = `${BASE}${path}`;
  if (options.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const listener of routeListeners) listener();
}

export function useRoute(): { path: string; search: URLSearchParams } {
  const read = () => ({ path: currentPath(), search: new URLSearchParams(location.search) });
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const update = () => setRoute(read());
    routeListeners.add(update);
    addEventListener("popstate", update);
    return () => {
      routeListeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={`${BASE}${props.href}`}
      class={props.class}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

// ---- Errors ----

export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { status: 0, code: "internal_error", detail: error instanceof Error ? error.message : String(error) };
}

/** An API error in words, with what to do next, the field problems, and the request id as a reference. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void }) {
  useLang();
  if (!props.error) return null;
  const problem = toProblem(props.error);
  const fields = fieldErrors(problem);
  const findings = Array.isArray(problem.findings)
    ? (problem.findings as Array<{ stage?: string; code?: string; message?: string }>)
    : [];
  return (
    <div class="notice notice-error" role="alert" data-code={problem.code}>
      <p>{problemMessage(problem, lang())}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((field) => (
            <li key={field.field}>
              <strong>{field.field}</strong>: {field.message}
            </li>
          ))}
        </ul>
      )}
      {findings.length > 0 && (
        <ul>
          {findings.map((finding, index) => (
            <li key={index}>
              <strong>{finding.stage}</strong> — {finding.message ?? finding.code}
            </li>
          ))}
        </ul>
      )}
      {problem.instance && (
        <p class="muted small">
          {t("reference")}: <code>{problem.instance}</code>
        </p>
      )}
      {props.onRetry && (
        <button type="button" class="secondary" onClick={props.onRetry}>
          {t("reload")}
        </button>
      )}
    </div>
  );
}

export function Field(props: { id: string; label: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}
