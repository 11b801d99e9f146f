import { useEffect, useState } from "preact/hooks";
import { type ContentFilters, contentApi, terms } from "../api";
import { type ContentType, screenPath, TYPE_WORDS } from "../content-kinds";
import { formatDate, levelName, stateName, t } from "../i18n";
import { COMPLIANCE_LEVELS, type ContentPage, LOCALES, type Me, STATES, type Term } from "../types";
import { ErrorNotice, Field, Link, navigate, useLang } from "../ui";

const FILTER_KEYS = ["state", "locale", "category", "author", "complianceLevel", "q"] as const;

/** One type's items with filters, search and cursor pagination; the filters live in the URL (shareable, back button). */
export function ContentList(props: { type: ContentType; me: Me; search: URLSearchParams }) {
  useLang();
  const base = screenPath(props.type);
  const filters: ContentFilters = {};
  for (const key of FILTER_KEYS) {
    const value = props.search.get(key);
    if (value) filters[key] = value;
  }
  const cursor = props.search.get("cursor") ?? undefined;
  const [page, setPage] = useState<ContentPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [categories, setCategories] = useState<Term[]>([]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const key = props.search.toString();

  useEffect(() => {
    setDraft(Object.fromEntries(FILTER_KEYS.map((k) => [k, props.search.get(k) ?? ""])));
    setPage(null);
    setError(null);
    contentApi(props.type)
      .list({ ...filters, cursor, limit: 20 })
      .then(setPage)
      .catch(setError);
  }, [key, props.type]);
  useEffect(() => {
    terms
      .list("category")
      .then((answer) => setCategories(answer.items))
      .catch(() => undefined);
  }, []);

  const apply = (next: Record<string, string>, nextCursor?: string) => {
    const params = new URLSearchParams();
    for (const k of FILTER_KEYS) if (next[k]?.trim()) params.set(k, next[k]!.trim());
    if (nextCursor) params.set("cursor", nextCursor);
    const text = params.toString();
    navigate(text ? `${base}?${text}` : base);
  };
  const set = (k: string) => (event: Event) =>
    setDraft({ ...draft, [k]: (event.currentTarget as HTMLInputElement).value });
  const canWrite = props.me.roles.some((role) => ["admin", "editor", "author"].includes(role));

  return (
    <section>
      <div class="heading-row">
        <h1>{t(TYPE_WORDS[props.type].plural)}</h1>
        {canWrite && (
          <Link href={`${base}/new`} class="button">
            {t(TYPE_WORDS[props.type].create)}
          </Link>
        )}
      </div>
      <form
        class="filters card"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <Field id="f-q" label={t("search")}>
          <input id="f-q" type="search" placeholder={t("searchPlaceholder")} value={draft.q ?? ""} onInput={set("q")} />
        </Field>
        <Field id="f-state" label={t("filterState")}>
          <select id="f-state" value={draft.state ?? ""} onChange={set("state")}>
            <option value="">{t("any")}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {stateName(s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-locale" label={t("filterLocale")}>
          <select id="f-locale" value={draft.locale ?? ""} onChange={set("locale")}>
            <option value="">{t("any")}</option>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-category" label={t("filterCategory")}>
          <select id="f-category" value={draft.category ?? ""} onChange={set("category")}>
            <option value="">{t("any")}</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-level" label={t("filterCompliance")}>
          <select id="f-level" value={draft.complianceLevel ?? ""} onChange={set("complianceLevel")}>
            <option value="">{t("any")}</option>
            {COMPLIANCE_LEVELS.map((l) => (
              <option key={l} value={l}>
                {levelName(l)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="f-author" label={t("filterAuthor")}>
          <input id="f-author" pattern="[0-9a-fA-F-]{36}" value={draft.author ?? ""} onInput={set("author")} />
        </Field>
        <div class="actions">
          <button type="submit">{t("apply")}</button>
          <button type="button" class="secondary" onClick={() => apply({})}>
            {t("clear")}
          </button>
        </div>
      </form>
      <ErrorNotice error={error} />
      {!page && !error && <p>{t("loading")}</p>}
      {page && page.items.length === 0 && <p class="muted">{t("noItems")}</p>}
      {page && page.items.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t("title")}</th>
              <th scope="col">{t("state")}</th>
              <th scope="col">{t("locale")}</th>
              <th scope="col">{t("compliance")}</th>
              <th scope="col">{t("updated")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => (
              <tr key={item.id}>
                <td>
                  <Link href={`${base}/${item.id}`}>{item.title}</Link>
                </td>
                <td>
                  <span class={`badge state-${item.state}`}>{stateName(item.state)}</span>
                </td>
                <td>{item.locale}</td>
                <td>{levelName(item.complianceLevel)}</td>
                <td>{formatDate(item.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
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
