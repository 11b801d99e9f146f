import { useEffect, useState } from "preact/hooks";
import { ROLES } from "../../../functions/contract";
import type { InvitationView, Member, MemberPage } from "../../../functions/shapes/members";
import { invitations, type MemberFilters, members } from "../api";
import { formatDate, roleName, t } from "../i18n";
import { type ContentLocale, LOCALES, type Role } from "../types";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

/**
 * The tenant's members (`GET /api/members`): filter by role and status, search by name or e-mail, change roles,
 * suspend, resume and remove; invite someone and revoke open invitations. What the server refuses (the last active
 * admin, oneself) comes back as a problem and is said in words by `ErrorNotice`.
 */
export function MembersScreen(props: { selfId: string }) {
  useLang();
  const [filters, setFilters] = useState<MemberFilters>({ page: 1, pageSize: 25 });
  const [draft, setDraft] = useState<{ role: string; status: string; q: string }>({ role: "", status: "", q: "" });
  const [page, setPage] = useState<MemberPage | null>(null);
  const [open, setOpen] = useState<InvitationView[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useAction();
  const action = useAction();

  const reload = () =>
    load.run(async () => {
      const [list, pending] = await Promise.all([members.list(filters), invitations.open()]);
      setPage(list);
      setOpen(pending.items);
    });
  useEffect(() => void reload(), [JSON.stringify(filters)]);

  const act = (work: () => Promise<void>, done: string) =>
    action.run(async () => {
      setNotice(null);
      await work();
      setNotice(done);
      await reload();
    });

  const pages = page ? Math.max(1, Math.ceil(page.total / page.pageSize)) : 1;
  return (
    <section>
      <h1>{t("membersTitle")}</h1>
      <p class="muted">{t("membershipHint")}</p>
      <form
        class="filters card"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({
            page: 1,
            pageSize: 25,
            ...(draft.role ? { role: draft.role as Role } : {}),
            ...(draft.status ? { status: draft.status as "active" | "suspended" } : {}),
            ...(draft.q.trim() ? { q: draft.q.trim() } : {}),
          });
        }}
      >
        <Field id="m-q" label={t("membersSearch")}>
          <input
            id="m-q"
            type="search"
            value={draft.q}
            onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })}
          />
        </Field>
        <Field id="m-role" label={t("membersFilterRole")}>
          <select id="m-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value })}>
            <option value="">{t("anyRole")}</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {roleName(role)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="m-status" label={t("membersFilterStatus")}>
          <select
            id="m-status"
            value={draft.status}
            onChange={(e) => setDraft({ ...draft, status: e.currentTarget.value })}
          >
            <option value="">{t("anyStatus")}</option>
            <option value="active">{t("statusActive")}</option>
            <option value="suspended">{t("statusSuspended")}</option>
          </select>
        </Field>
        <div class="actions">
          <button type="submit">{t("apply")}</button>
        </div>
      </form>

      <ErrorNotice error={load.error} onRetry={() => void reload()} />
      <ErrorNotice error={action.error} />
      {notice && (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      )}
      {page && page.items.length === 0 && <p class="muted">{t("noMembers")}</p>}
      {page && page.items.length > 0 && (
        <table class="list" data-testid="members">
          <thead>
            <tr>
              <th scope="col">{t("memberName")}</th>
              <th scope="col">{t("memberEmail")}</th>
              <th scope="col">{t("roles")}</th>
              <th scope="col">{t("memberStatus")}</th>
              <th scope="col">{t("memberMfa")}</th>
              <th scope="col">{t("memberActions")}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((m) => (
              <MemberRow
                key={m.userId}
                member={m}
                self={m.userId === props.selfId}
                busy={action.busy}
                onRoles={(roles) => act(async () => void (await members.setRoles(m.userId, roles)), t("rolesSaved"))}
                onSuspend={() => {
                  if (confirm(t("confirmSuspend"))) void act(() => members.suspend(m.userId), t("memberSuspended"));
                }}
                onResume={() => void act(() => members.resume(m.userId), t("memberResumed"))}
                onRemove={() => {
                  if (confirm(t("confirmRemove"))) void act(() => members.remove(m.userId), t("memberRemoved"));
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {page && page.total > page.pageSize && (
        <div class="pager">
          <button
            type="button"
            class="secondary"
            disabled={page.page <= 1}
            onClick={() => setFilters({ ...filters, page: page.page - 1 })}
          >
            {t("pagePrevious")}
          </button>
          <span class="muted">
            {t("pageOf")
              .replace("{page}", String(page.page))
              .replace("{pages}", String(pages))
              .replace("{total}", String(page.total))}
          </span>
          <button
            type="button"
            class="secondary"
            disabled={page.page >= pages}
            onClick={() => setFilters({ ...filters, page: page.page + 1 })}
          >
            {t("pageNext")}
          </button>
        </div>
      )}

      <InviteForm onInvited={() => void reload()} />

      <h2>{t("openInvitations")}</h2>
      {open.length === 0 && <p class="muted">{t("noInvitations")}</p>}
      {open.length > 0 && (
        <table class="list" data-testid="invitations">
          <thead>
            <tr>
              <th scope="col">{t("memberEmail")}</th>
              <th scope="col">{t("roles")}</th>
              <th scope="col">{t("invitedBy")}</th>
              <th scope="col">{t("expires")}</th>
              <th scope="col">{t("memberActions")}</th>
            </tr>
          </thead>
          <tbody>
            {open.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{invitation.roles.map(roleName).join(", ")}</td>
                <td>{invitation.invitedBy ?? "—"}</td>
                <td>{formatDate(invitation.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    disabled={action.busy}
                    onClick={() => void act(() => invitations.revoke(invitation.id), t("invitationRevoked"))}
                  >
                    {t("revokeInvitation")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RoleChoices(props: { idPrefix: string; value: Role[]; onChange: (roles: Role[]) => void }) {
  return (
    <>
      {ROLES.map((role) => (
        <label key={role} class="inline">
          <input
            type="checkbox"
            id={`${props.idPrefix}-${role}`}
            checked={props.value.includes(role)}
            onChange={(e) =>
              props.onChange(
                e.currentTarget.checked ? [...props.value, role] : props.value.filter((held) => held !== role),
              )
            }
          />{" "}
          {roleName(role)}
        </label>
      ))}
    </>
  );
}

function MemberRow(props: {
  member: Member;
  self: boolean;
  busy: boolean;
  onRoles: (roles: Role[]) => Promise<void>;
  onSuspend: () => void;
  onResume: () => void;
  onRemove: () => void;
}) {
  const { member } = props;
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState<Role[]>(member.roles);
  const suspended = member.status === "suspended";
  return (
    <tr data-member={member.email}>
      <td>
        {member.displayName}
        {member.kind === "service" && (
          <>
            {" "}
            <span class="badge" data-testid="member-service">
              {t("memberService")}
            </span>
          </>
        )}
      </td>
      <td>{member.email}</td>
      <td>
        {editing ? (
          <form
            class="role-editor"
            onSubmit={(event) => {
              event.preventDefault();
              void props.onRoles(roles).then(() => setEditing(false));
            }}
          >
            <fieldset>
              <legend class="visually-hidden">{t("editRoles")}</legend>
              <RoleChoices idPrefix={`roles-${member.userId}`} value={roles} onChange={setRoles} />
            </fieldset>
            <button type="submit" disabled={props.busy || roles.length === 0}>
              {t("saveRoles")}
            </button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              {t("cancel")}
            </button>
          </form>
        ) : (
          member.roles.map(roleName).join(", ")
        )}
      </td>
      <td>
        <span class={`badge ${suspended ? "sev-warning" : ""}`}>
          {suspended ? t("statusSuspended") : t("statusActive")}
        </span>
      </td>
      <td>{member.mfaEnabled ? t("mfaOn") : t("mfaOff")}</td>
      <td class="actions">
        {!editing && (
          <button
            type="button"
            class="secondary"
            disabled={props.busy}
            onClick={() => {
              setRoles(member.roles);
              setEditing(true);
            }}
          >
            {t("editRoles")}
          </button>
        )}
        {!props.self &&
          (suspended ? (
            <button type="button" class="secondary" disabled={props.busy} onClick={props.onResume}>
              {t("resumeMember")}
            </button>
          ) : (
            <button type="button" class="secondary" disabled={props.busy} onClick={props.onSuspend}>
              {t("suspendMember")}
            </button>
          ))}
        <button type="button" class="secondary" disabled={props.busy} onClick={props.onRemove}>
          {t("removeMember")}
        </button>
      </td>
    </tr>
  );
}

function InviteForm(props: { onInvited: () => void }) {
  const [email, setEmail] = useState("");
  const [roles, setRoles] = useState<Role[]>(["author"]);
  const [locale, setLocale] = useState<ContentLocale | "">("");
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();
  return (
    <form
      class="card narrow"
      aria-labelledby="invite-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          setSent(false);
          await invitations.create({ email: email.trim(), roles, ...(locale ? { locale } : {}) });
          setSent(true);
          // The next invitation starts from the defaults, not from this one's roles and language.
          setEmail("");
          setRoles(["author"]);
          setLocale("");
          props.onInvited();
        });
      }}
    >
      <h2 id="invite-title">{t("inviteTitle")}</h2>
      <ErrorNotice error={error} />
      {sent && (
        <p class="notice notice-ok" role="status">
          {t("invitationSent")}
        </p>
      )}
      <Field id="invite-email" label={t("inviteEmail")}>
        <input
          id="invite-email"
          type="email"
          required
          autocomplete="off"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </Field>
      <fieldset>
        <legend>{t("roles")}</legend>
        <RoleChoices idPrefix="invite-role" value={roles} onChange={setRoles} />
      </fieldset>
      <Field id="invite-locale" label={t("inviteLocale")}>
        <select id="invite-locale" value={locale} onChange={(e) => setLocale(e.currentTarget.value as ContentLocale)}>
          <option value="">—</option>
          {LOCALES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </Field>
      <div class="actions">
        <button type="submit" disabled={busy || roles.length === 0}>
          {t("sendInvitation")}
        </button>
      </div>
    </form>
  );
}
