import { useEffect, useState } from "preact/hooks";
import { CONTENT_LOCALES, MAX_PRIVACY_NOTICE_LENGTH, UFS } from "../../../functions/contract";
import type { TenantSettings, TenantSettingsInput } from "../../../functions/shapes/tenant-settings";
import { tenantSettings } from "../api";
import { t } from "../i18n";
import { ErrorNotice, Field, useAction, useLang } from "../ui";

type Director = NonNullable<TenantSettingsInput["technicalDirector"]>;
type Dpo = NonNullable<TenantSettingsInput["dpo"]>;

const emptyDirector: Director = { name: "", crmNumber: "", crmUf: "SP" };
const emptyDpo: Dpo = { name: "", email: "", phone: "" };

/**
 * A person block left entirely blank is "not named yet" (null); anything typed is sent for the server to check.
 * A select's preset value (the UF) is not typing: a block whose only value is one stays blank.
 */
function orNull<T extends object>(value: T, presets: Array<keyof T> = []): T | null {
  return Object.entries(value).some(
    ([key, field]) => !presets.includes(key as keyof T) && typeof field === "string" && field.trim() !== "",
  )
    ? value
    : null;
}

/**
 * The site's settings (`GET`/`PUT /api/tenant/settings`, admins): name, logo, primary hostname, default locale, the
 * technical director (CFM 2.336/2023) and the DPO (LGPD Art. 41). The server validates every field and audits the
 * change; a refused field is named in the error below the form.
 */
export function SettingsScreen() {
  useLang();
  const [settings, setSettings] = useState<TenantSettings | null>(null);
  const [director, setDirector] = useState<Director>(emptyDirector);
  const [dpo, setDpo] = useState<Dpo>(emptyDpo);
  const [saved, setSaved] = useState(false);
  const load = useAction();
  const save = useAction();

  const show = (value: TenantSettings) => {
    setSettings(value);
    setDirector(value.technicalDirector ?? emptyDirector);
    setDpo(value.dpo ?? emptyDpo);
  };
  const reload = () => load.run(async () => show(await tenantSettings.get()));
  useEffect(() => void reload(), []);

  if (!settings) return <ErrorNotice error={load.error} onRetry={() => void reload()} />;
  const set = (change: Partial<TenantSettings>) => {
    setSaved(false);
    setSettings({ ...settings, ...change });
  };
  const text = (value: string) => (value.trim() === "" ? undefined : value.trim());

  return (
    <section>
      <h1>{t("settingsTitle")}</h1>
      <p class="muted">{t("settingsIntro")}</p>
      <form
        data-testid="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(false);
          void save.run(async () => {
            const { slug: _slug, hostnames: _hostnames, ...input } = settings;
            const technicalDirector = orNull(director, ["crmUf"]);
            show(
              await tenantSettings.save({
                ...input,
                logoMediaId: text(input.logoMediaId ?? "") ?? null,
                technicalDirector: technicalDirector && {
                  ...technicalDirector,
                  rqe: text(technicalDirector.rqe ?? ""),
                  phone: text(technicalDirector.phone ?? ""),
                },
                dpo: orNull(dpo),
              }),
            );
            setSaved(true);
          });
        }}
      >
        <Field id="settings-name" label={t("settingsName")}>
          <input id="settings-name" value={settings.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field id="settings-logo" label={t("settingsLogo")}>
          <input
            id="settings-logo"
            value={settings.logoMediaId ?? ""}
            onInput={(e) => set({ logoMediaId: e.currentTarget.value })}
          />
        </Field>
        <Field id="settings-host" label={t("settingsPrimaryHostname")}>
          <select
            id="settings-host"
            value={settings.primaryHostname}
            onChange={(e) => set({ primaryHostname: e.currentTarget.value })}
          >
            {settings.hostnames.map((host) => (
              <option key={host} value={host}>
                {host}
              </option>
            ))}
          </select>
        </Field>
        <Field id="settings-locale" label={t("settingsDefaultLocale")}>
          <select
            id="settings-locale"
            value={settings.defaultLocale}
            onChange={(e) => set({ defaultLocale: e.currentTarget.value as TenantSettings["defaultLocale"] })}
          >
            {CONTENT_LOCALES.map((locale) => (
              <option key={locale} value={locale}>
                {locale}
              </option>
            ))}
          </select>
        </Field>

        <fieldset>
          <legend>{t("settingsDirector")}</legend>
          <Field id="director-name" label={t("settingsPersonName")}>
            <input
              id="director-name"
              value={director.name}
              onInput={(e) => setDirector({ ...director, name: e.currentTarget.value })}
            />
          </Field>
          <Field id="director-crm" label="CRM">
            <input
              id="director-crm"
              inputMode="numeric"
              value={director.crmNumber}
              onInput={(e) => setDirector({ ...director, crmNumber: e.currentTarget.value })}
            />
          </Field>
          <Field id="director-uf" label="UF">
            <select
              id="director-uf"
              value={director.crmUf}
              onChange={(e) => setDirector({ ...director, crmUf: e.currentTarget.value as Director["crmUf"] })}
            >
              {UFS.map((uf) => (
                <option key={uf} value={uf}>
                  {uf}
                </option>
              ))}
            </select>
          </Field>
          <Field id="director-rqe" label={t("settingsRqe")}>
            <input
              id="director-rqe"
              inputMode="numeric"
              value={director.rqe ?? ""}
              onInput={(e) => setDirector({ ...director, rqe: e.currentTarget.value })}
            />
          </Field>
          <Field id="director-phone" label={t("settingsPhone")}>
            <input
              id="director-phone"
              type="tel"
              value={director.phone ?? ""}
              onInput={(e) => setDirector({ ...director, phone: e.currentTarget.value })}
            />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t("settingsDpo")}</legend>
          <Field id="dpo-name" label={t("settingsPersonName")}>
            <input id="dpo-name" value={dpo.name} onInput={(e) => setDpo({ ...dpo, name: e.currentTarget.value })} />
          </Field>
          <Field id="dpo-email" label={t("settingsEmail")}>
            <input
              id="dpo-email"
              type="email"
              value={dpo.email}
              onInput={(e) => setDpo({ ...dpo, email: e.currentTarget.value })}
            />
          </Field>
          <Field id="dpo-phone" label={t("settingsPhone")}>
            <input
              id="dpo-phone"
              type="tel"
              value={dpo.phone}
              onInput={(e) => setDpo({ ...dpo, phone: e.currentTarget.value })}
            />
          </Field>
        </fieldset>

        <fieldset>
          <legend>{t("settingsPrivacy")}</legend>
          <p class="muted">{t("settingsPrivacyHint")}</p>
          {CONTENT_LOCALES.map((locale) => (
            <Field key={locale} id={`privacy-${locale}`} label={locale}>
              <textarea
                id={`privacy-${locale}`}
                rows={8}
                maxLength={MAX_PRIVACY_NOTICE_LENGTH}
                value={settings.privacyNotices[locale] ?? ""}
                onInput={(e) =>
                  set({ privacyNotices: { ...settings.privacyNotices, [locale]: e.currentTarget.value } })
                }
              />
            </Field>
          ))}
        </fieldset>

        <ErrorNotice error={save.error} />
        {saved && (
          <p class="notice notice-ok" role="status">
            {t("settingsSaved")}
          </p>
        )}
        <button type="submit" disabled={save.busy}>
          {t("settingsSave")}
        </button>
      </form>
    </section>
  );
}
