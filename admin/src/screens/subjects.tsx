import { useState } from "preact/hooks";
import { formatDate, t } from "../i18n";
import { SubjectSearch, subjectLabel } from "../subjects";
import type { SubjectMatch } from "../types";
import { Link, useLang } from "../ui";

/** Data subjects: find one by name or CPF, then open what is held about them (their media). */
export function SubjectsScreen() {
  useLang();
  const [subject, setSubject] = useState<SubjectMatch | null>(null);
  return (
    <section>
      <h1>{t("subjectsTitle")}</h1>
      <div class="card narrow">
        <SubjectSearch id="subjects-q" onPick={setSubject} pickLabel={t("open")} />
      </div>
      {subject && (
        <div class="card narrow" data-testid="subject-card">
          <h2>{subjectLabel(subject)}</h2>
          <dl class="facts">
            <dt>ID</dt>
            <dd>
              <code>{subject.id}</code>
            </dd>
            <dt>{t("registeredAt")}</dt>
            <dd>{formatDate(subject.createdAt)}</dd>
          </dl>
          {subject.blocked && <p class="notice">{t("subjectBlockedHint")}</p>}
          <div class="actions">
            <Link href={`/media?subject=${subject.id}`} class="button secondary">
              {t("subjectMedia")}
            </Link>
          </div>
        </div>
      )}
    </section>
  );
}
