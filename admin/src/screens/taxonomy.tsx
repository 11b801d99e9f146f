import { useEffect, useState } from "preact/hooks";
import { type Taxonomy, terms } from "../api";
import { t } from "../i18n";
import type { Me, Term, TermInput } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

const MANAGERS = ["admin", "editor"];

/** The fields of a category or tag; categories also choose a parent (never themselves). */
function TermForm(props: {
  taxonomy: Taxonomy;
  idPrefix: string;
  initial: TermInput;
  categories: Term[];
  selfId?: string;
  submitLabel: string;
  onSubmit: (input: TermInput) => Promise<void>;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(props.initial.name);
  const [slug, setSlug] = useState(props.initial.slug ?? "");
  const [description, setDescription] = useState(props.initial.description ?? "");
  const [parentId, setParentId] = useState(props.initial.parentId ?? "");
  const action = useAction();
  const id = (field: string) => `${props.idPrefix}-${field}`;
  return (
    <form
      class="term-form"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(async () => {
          await props.onSubmit({
            name: name.trim(),
            ...(slug.trim() ? { slug: slug.trim() } : {}),
            description: description.trim(),
            ...(props.taxonomy === "category" ? { parentId: parentId || null } : {}),
          });
          if (!props.onCancel) {
            setName("");
            setSlug("");
            setDescription("");
            setParentId("");
          }
        });
      }}
    >
      <ErrorNotice error={action.error} />
      <div class="row">
        <Field id={id("name")} label={t("name")}>
          <input
            id={id("name")}
            required
            maxLength={200}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field id={id("slug")} label={t("slugOptional")}>
          <input id={id("slug")} maxLength={200} value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />
        </Field>
        {props.taxonomy === "category" && (
          <Field id={id("parent")} label={t("parentCategory")}>
            <select id={id("parent")} value={parentId} onChange={(e) => setParentId(e.currentTarget.value)}>
              <option value="">{t("noParent")}</option>
              {props.categories
                .filter((category) => category.id !== props.selfId)
                .map((category) => (
                  <option key={category.id} value={category.id}>
                    {category.name}
                  </option>
                ))}
            </select>
          </Field>
        )}
      </div>
      <Field id={id("description")} label={t("description")}>
        <textarea
          id={id("description")}
          rows={2}
          maxLength={2000}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </Field>
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            {t("cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

function TermSection(props: { taxonomy: Taxonomy; canManage: boolean }) {
  useLang();
  const [items, setItems] = useState<Term[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);
  const action = useAction();
  const reload = () => setTick((n) => n + 1);
  useEffect(() => {
    setLoadError(null);
    terms
      .list(props.taxonomy)
      .then((answer) => setItems(answer.items))
      .catch(setLoadError);
  }, [tick]);
  const categories = props.taxonomy === "category" ? (items ?? []) : [];
  const nameOf = (id: string | null | undefined) => (id ? (items?.find((item) => item.id === id)?.name ?? "—") : "—");
  const heading = props.taxonomy === "category" ? t("categories") : t("tags");
  return (
    <section class="card" aria-labelledby={`${props.taxonomy}-title`} data-testid={`${props.taxonomy}-section`}>
      <h2 id={`${props.taxonomy}-title`}>{heading}</h2>
      <ErrorNotice error={loadError} />
      <ErrorNotice error={action.error} />
      {notice && (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      )}
      {items && items.length === 0 && <p class="muted">{t("noTerms")}</p>}
      {items && items.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("slug")}</th>
              {props.taxonomy === "category" && <th scope="col">{t("parentCategory")}</th>}
              <th scope="col">{t("description")}</th>
              {props.canManage && <th scope="col" />}
            </tr>
          </thead>
          <tbody>
            {items.map((item) =>
              editing === item.id ? (
                <tr key={item.id}>
                  <td colSpan={props.taxonomy === "category" ? 5 : 4}>
                    <TermForm
                      taxonomy={props.taxonomy}
                      idPrefix={`edit-${props.taxonomy}`}
                      initial={{
                        name: item.name,
                        slug: item.slug,
                        description: item.description,
                        parentId: item.parentId ?? null,
                      }}
                      categories={categories}
                      selfId={item.id}
                      submitLabel={t("save")}
                      onCancel={() => setEditing(null)}
                      onSubmit={async (input) => {
                        await terms.update(props.taxonomy, item.id, input);
                        setEditing(null);
                        reload();
                      }}
                    />
                  </td>
                </tr>
              ) : (
                <tr key={item.id} data-testid="term-row">
                  <td>{item.name}</td>
                  <td>
                    <code>{item.slug}</code>
                  </td>
                  {props.taxonomy === "category" && <td>{nameOf(item.parentId)}</td>}
                  <td class="small">{item.description}</td>
                  {props.canManage && (
                    <td class="row-actions">
                      <button type="button" class="link" onClick={() => setEditing(item.id)}>
                        {t("edit")}
                      </button>{" "}
                      <button
                        type="button"
                        class="link"
                        onClick={() => {
                          if (!confirm(t("confirmDeleteTerm"))) return;
                          setNotice(null);
                          void action.run(async () => {
                            const answer = await terms.remove(props.taxonomy, item.id);
                            setNotice(`${t("termDeleted")} ${answer.detachedFrom}`);
                            reload();
                          });
                        }}
                      >
                        {t("delete")}
                      </button>
                    </td>
                  )}
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {props.canManage && (
        <details class="new-term">
          <summary>{props.taxonomy === "category" ? t("newCategory") : t("newTag")}</summary>
          <TermForm
            taxonomy={props.taxonomy}
            idPrefix={`new-${props.taxonomy}`}
            initial={{ name: "" }}
            categories={categories}
            submitLabel={t("create")}
            onSubmit={async (input) => {
              await terms.create(props.taxonomy, input);
              setNotice(null);
              reload();
            }}
          />
        </details>
      )}
    </section>
  );
}

/** Categories (the medical specialties, hierarchical) and tags: everyone who writes sees them; editors manage. */
export function TaxonomyScreen(props: { me: Me }) {
  useLang();
  const canManage = props.me.roles.some((role) => MANAGERS.includes(role));
  return (
    <section>
      <h1>{t("taxonomyTitle")}</h1>
      {!canManage && <p class="notice">{t("readOnlyTaxonomy")}</p>}
      <TermSection taxonomy="category" canManage={canManage} />
      <TermSection taxonomy="tag" canManage={canManage} />
    </section>
  );
}
