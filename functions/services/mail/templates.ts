import { z } from "zod";
import { contentTypes } from "../../content-types";
import {
  CONTENT_LOCALES,
  CONTENT_TYPES,
  PRIVACY_REQUEST_TYPES,
  type PrivacyRequestType,
  ROLES,
  type Role,
} from "../../contract";
import type { OutgoingMail } from "../../lib/mailer";
import { sitePaths } from "../../site/urls";
import {
  type ComplianceAlert,
  MAIL_LINK_PATHS,
  type MailLocale,
  type MailMessage,
  type MailTemplate,
  type WorkflowNotice,
} from "./messages";

/** What a template says, before it is laid out as plain text and HTML (each value escaped once, in `layout`). */
interface MailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action: { label: string; url: string };
  /** Why the reader got this, and what to do if it was not for them. */
  footnote: string;
}

type MailData<T extends MailTemplate> = Extract<MailMessage, { template: T }>["data"];
type When = (iso: string) => string;

/**
 * A template's words in one language: all that differs between templates. The greeting is the language's, the
 * action opens the message's link, and `renderMail` makes them one `MailContent`.
 */
interface Words<Data> {
  subject: (data: Data, when: When) => string;
  paragraphs: (data: Data, when: When) => string[];
  /** The label of the action that opens the message's link. */
  action: string;
  footnote: string | ((data: Data) => string);
}

/** A template: its words in each language. */
type Template<T extends MailTemplate> = Record<MailLocale, Words<MailData<T>>>;

const GREETINGS: Record<MailLocale, string> = { "pt-BR": "Olá,", en: "Hello,", es: "Hola:" };

/** How long a link with a one-time secret works (invitations and password resets). */
const LINK_ONCE: Record<MailLocale, (until: string) => string> = {
  "pt-BR": (until) => `O link vale até ${until} e funciona uma vez.`,
  en: (until) => `The link works once, until ${until}.`,
  es: (until) => `El enlace funciona una vez, hasta el ${until}.`,
};

/** The footnote of what only the compliance officers are told. */
const OFFICER_FOOTNOTE: Record<MailLocale, string> = {
  "pt-BR": "Você recebe esta mensagem porque é responsável pela conformidade desta clínica.",
  en: "You get this message because you are a compliance officer of this clinic.",
  es: "Recibe este mensaje porque es responsable de cumplimiento de esta clínica.",
};

const ROLE_NAMES: Record<MailLocale, Record<Role, string>> = {
  "pt-BR": {
    admin: "administração",
    editor: "edição",
    author: "autoria",
    medical_reviewer: "revisão médica",
    compliance_officer: "conformidade",
    reader_professional: "leitura profissional",
  },
  en: {
    admin: "administrator",
    editor: "editor",
    author: "author",
    medical_reviewer: "medical reviewer",
    compliance_officer: "compliance officer",
    reader_professional: "professional reader",
  },
  es: {
    admin: "administración",
    editor: "edición",
    author: "autoría",
    medical_reviewer: "revisión médica",
    compliance_officer: "cumplimiento",
    reader_professional: "lectura profesional",
  },
};

const roleList = (locale: MailLocale, roles: Role[]): string =>
  roles.map((role) => ROLE_NAMES[locale][role]).join(", ");

// Subjects name the clinic and the kind of message only: never the recipient, the inviter, a status or a token.
const invitation: Template<"invitation"> = {
  "pt-BR": {
    subject: (d) => `Convite para ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.inviterName ?? "A equipe"} convidou você para ${d.tenantName} (${roleList("pt-BR", d.roles)}).`,
      LINK_ONCE["pt-BR"](when(d.expiresAt)),
    ],
    action: "Aceitar o convite",
    footnote: "Se você não esperava este convite, ignore esta mensagem.",
  },
  en: {
    subject: (d) => `Invitation to ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.inviterName ?? "The team"} invited you to ${d.tenantName} (${roleList("en", d.roles)}).`,
      LINK_ONCE.en(when(d.expiresAt)),
    ],
    action: "Accept the invitation",
    footnote: "If you did not expect this invitation, ignore this message.",
  },
  es: {
    subject: (d) => `Invitación a ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.inviterName ?? "El equipo"} le invitó a ${d.tenantName} (${roleList("es", d.roles)}).`,
      LINK_ONCE.es(when(d.expiresAt)),
    ],
    action: "Aceptar la invitación",
    footnote: "Si no esperaba esta invitación, ignore este mensaje.",
  },
};

const passwordReset: Template<"password-reset"> = {
  "pt-BR": {
    subject: (d) => `Redefinição de senha em ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Recebemos um pedido para redefinir a sua senha em ${d.tenantName}.`,
      LINK_ONCE["pt-BR"](when(d.expiresAt)),
    ],
    action: "Escolher uma nova senha",
    footnote: "Se não foi você, ignore esta mensagem: a sua senha continua a mesma.",
  },
  en: {
    subject: (d) => `Password reset at ${d.tenantName}`,
    paragraphs: (d, when) => [
      `We received a request to reset your password at ${d.tenantName}.`,
      LINK_ONCE.en(when(d.expiresAt)),
    ],
    action: "Choose a new password",
    footnote: "If this was not you, ignore this message: your password stays the same.",
  },
  es: {
    subject: (d) => `Restablecimiento de contraseña en ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Recibimos una solicitud para restablecer su contraseña en ${d.tenantName}.`,
      LINK_ONCE.es(when(d.expiresAt)),
    ],
    action: "Elegir una nueva contraseña",
    footnote: "Si no fue usted, ignore este mensaje: su contraseña sigue siendo la misma.",
  },
};

const professionalConfirmation: Template<"professional-confirmation"> = {
  "pt-BR": {
    subject: (d) => `Confirme seu e-mail em ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Recebemos um cadastro de profissional de saúde em ${d.tenantName} com este endereço.`,
      `Confirme o e-mail pelo link, que vale até ${when(d.expiresAt)} e funciona uma vez. Depois, a equipe verifica o seu registro no conselho antes de liberar o conteúdo profissional.`,
    ],
    action: "Confirmar o e-mail",
    footnote: "Se não foi você, ignore esta mensagem: nenhuma conta será criada.",
  },
  en: {
    subject: (d) => `Confirm your e-mail at ${d.tenantName}`,
    paragraphs: (d, when) => [
      `We received a health professional's registration at ${d.tenantName} with this address.`,
      `Confirm the address with the link, which works once, until ${when(d.expiresAt)}. The team then checks your council registration before professional content opens to you.`,
    ],
    action: "Confirm the e-mail",
    footnote: "If this was not you, ignore this message: no account will be created.",
  },
  es: {
    subject: (d) => `Confirme su correo en ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Recibimos un registro de profesional de la salud en ${d.tenantName} con esta dirección.`,
      `Confirme la dirección con el enlace, que funciona una vez, hasta el ${when(d.expiresAt)}. Después, el equipo verifica su registro en el consejo antes de abrirle el contenido profesional.`,
    ],
    action: "Confirmar el correo",
    footnote: "Si no fue usted, ignore este mensaje: no se creará ninguna cuenta.",
  },
};

const passwordChanged: Template<"password-changed"> = {
  "pt-BR": {
    subject: (d) => `Sua senha em ${d.tenantName} foi alterada`,
    paragraphs: (d, when) => [
      `A sua senha em ${d.tenantName} foi alterada em ${when(d.changedAt)}, e todas as sessões foram encerradas.`,
    ],
    action: "Entrar",
    footnote: "Se não foi você, fale com a administração da clínica agora.",
  },
  en: {
    subject: (d) => `Your password at ${d.tenantName} was changed`,
    paragraphs: (d, when) => [
      `Your password at ${d.tenantName} was changed on ${when(d.changedAt)}, and every session was ended.`,
    ],
    action: "Sign in",
    footnote: "If this was not you, contact the clinic's administrators now.",
  },
  es: {
    subject: (d) => `Su contraseña en ${d.tenantName} fue cambiada`,
    paragraphs: (d, when) => [
      `Su contraseña en ${d.tenantName} fue cambiada el ${when(d.changedAt)} y se cerraron todas las sesiones.`,
    ],
    action: "Iniciar sesión",
    footnote: "Si no fue usted, contacte ahora a la administración de la clínica.",
  },
};

const credentialReviewed: Template<"credential-reviewed"> = {
  "pt-BR": {
    subject: (d) => `Revisão do seu registro profissional em ${d.tenantName}`,
    paragraphs: (d) => [
      d.status === "verified"
        ? `O seu registro profissional foi verificado em ${d.tenantName}.`
        : `O seu registro profissional não foi aceito em ${d.tenantName}.`,
      `Observação da revisão: ${d.note}`,
    ],
    action: "Ver a sua conta",
    footnote: "Você recebe esta mensagem porque enviou um registro profissional para revisão.",
  },
  en: {
    subject: (d) => `Your professional credential review at ${d.tenantName}`,
    paragraphs: (d) => [
      d.status === "verified"
        ? `Your professional credential was verified at ${d.tenantName}.`
        : `Your professional credential was not accepted at ${d.tenantName}.`,
      `Reviewer's note: ${d.note}`,
    ],
    action: "Open your account",
    footnote: "You get this message because you sent a professional credential for review.",
  },
  es: {
    subject: (d) => `Revisión de su registro profesional en ${d.tenantName}`,
    paragraphs: (d) => [
      d.status === "verified"
        ? `Su registro profesional fue verificado en ${d.tenantName}.`
        : `Su registro profesional no fue aceptado en ${d.tenantName}.`,
      `Nota de la revisión: ${d.note}`,
    ],
    action: "Ver su cuenta",
    footnote: "Recibe este mensaje porque envió un registro profesional para revisión.",
  },
};

// Workflow notices: the subject names the clinic and the kind of event; the item's title, the reason it was sent
// back and the finding codes are in the body only (none of them for a `phi` item: services/workflow-notices.ts).
type NoticeKind = WorkflowNotice["kind"];
interface NoticeWords {
  subject: Record<NoticeKind, (tenant: string) => string>;
  line: Record<NoticeKind, (item: string) => string>;
  /** How an item without a title in the message (a `phi` item) is named. */
  unnamed: string;
  reason: (text: string) => string;
  findings: (codes: string) => string;
  open: string;
  digestSubject: (tenant: string) => string;
  digestIntro: (count: number) => string;
  openAdmin: string;
  footnote: (tenant: string) => string;
}

const NOTICE_WORDS: Record<MailLocale, NoticeWords> = {
  "pt-BR": {
    subject: {
      medical_review: (tenant) => `Conteúdo aguardando revisão médica em ${tenant}`,
      sent_back: (tenant) => `Conteúdo devolvido para rascunho em ${tenant}`,
      published: (tenant) => `Conteúdo publicado em ${tenant}`,
      override_published: (tenant) => `Publicação apesar de achados bloqueantes em ${tenant}`,
    },
    line: {
      medical_review: (item) => `${item} aguarda revisão médica.`,
      sent_back: (item) => `${item} foi devolvido para rascunho.`,
      published: (item) => `${item} foi publicado.`,
      override_published: (item) =>
        `${item} foi liberado para publicação por um revisor médico, com justificativa, apesar de achados bloqueantes da análise.`,
    },
    unnamed: "Um conteúdo restrito",
    reason: (text) => `Motivo: ${text}`,
    findings: (codes) => `Achados: ${codes}. A justificativa está no registro de auditoria.`,
    open: "Abrir o conteúdo",
    digestSubject: (tenant) => `Resumo diário do fluxo editorial em ${tenant}`,
    digestIntro: (count) => (count === 1 ? "1 aviso desde o último resumo:" : `${count} avisos desde o último resumo:`),
    openAdmin: "Abrir o painel",
    footnote: (tenant) =>
      `Você recebe esta mensagem pela sua função em ${tenant}. Escolha entre e-mail imediato e resumo diário na sua conta.`,
  },
  en: {
    subject: {
      medical_review: (tenant) => `Content awaiting medical review at ${tenant}`,
      sent_back: (tenant) => `Content sent back to draft at ${tenant}`,
      published: (tenant) => `Content published at ${tenant}`,
      override_published: (tenant) => `Publication past blocking findings at ${tenant}`,
    },
    line: {
      medical_review: (item) => `${item} is awaiting medical review.`,
      sent_back: (item) => `${item} was sent back to draft.`,
      published: (item) => `${item} was published.`,
      override_published: (item) =>
        `${item} was cleared for publication by a medical reviewer, with a justification, past blocking findings of its analysis.`,
    },
    unnamed: "A restricted item",
    reason: (text) => `Reason: ${text}`,
    findings: (codes) => `Findings: ${codes}. The justification is in the audit log.`,
    open: "Open the item",
    digestSubject: (tenant) => `Daily editorial workflow digest at ${tenant}`,
    digestIntro: (count) =>
      count === 1 ? "1 notice since the last digest:" : `${count} notices since the last digest:`,
    openAdmin: "Open the admin",
    footnote: (tenant) =>
      `You get this message because of your role at ${tenant}. Choose immediate e-mail or a daily digest in your account.`,
  },
  es: {
    subject: {
      medical_review: (tenant) => `Contenido pendiente de revisión médica en ${tenant}`,
      sent_back: (tenant) => `Contenido devuelto a borrador en ${tenant}`,
      published: (tenant) => `Contenido publicado en ${tenant}`,
      override_published: (tenant) => `Publicación pese a hallazgos bloqueantes en ${tenant}`,
    },
    line: {
      medical_review: (item) => `${item} está pendiente de revisión médica.`,
      sent_back: (item) => `${item} fue devuelto a borrador.`,
      published: (item) => `${item} fue publicado.`,
      override_published: (item) =>
        `${item} fue liberado para publicación por un revisor médico, con una justificación, pese a hallazgos bloqueantes del análisis.`,
    },
    unnamed: "Un contenido restringido",
    reason: (text) => `Motivo: ${text}`,
    findings: (codes) => `Hallazgos: ${codes}. La justificación está en el registro de auditoría.`,
    open: "Abrir el contenido",
    digestSubject: (tenant) => `Resumen diario del flujo editorial en ${tenant}`,
    digestIntro: (count) =>
      count === 1 ? "1 aviso desde el último resumen:" : `${count} avisos desde el último resumen:`,
    openAdmin: "Abrir el panel",
    footnote: (tenant) =>
      `Recibe este mensaje por su función en ${tenant}. Elija entre correo inmediato y resumen diario en su cuenta.`,
  },
};

/** The admin editor of a notice's item, on the message's origin: `/admin/posts/<id>`. */
function noticeLink(origin: string, notice: WorkflowNotice): string {
  return new URL(
    `${MAIL_LINK_PATHS["workflow-notice"]}${contentTypes[notice.contentType].apiPath.slice("/api/".length)}/${notice.contentId}`,
    origin,
  ).toString();
}

/** A notice's sentences: what happened to which item, then the reason or the finding codes when there are any. */
function noticeSentences(words: NoticeWords, notice: WorkflowNotice): string[] {
  const item = notice.title === null ? words.unnamed : `“${notice.title}”`;
  return [
    words.line[notice.kind](item),
    ...(notice.reason ? [words.reason(notice.reason)] : []),
    ...(notice.findings.length > 0 ? [words.findings(notice.findings.join(", "))] : []),
  ];
}

function noticeWords(locale: MailLocale): Words<MailData<"workflow-notice">> {
  const words = NOTICE_WORDS[locale];
  return {
    subject: (d) => words.subject[d.kind](d.tenantName),
    paragraphs: (d) => noticeSentences(words, d),
    action: words.open,
    footnote: (d) => words.footnote(d.tenantName),
  };
}

function digestWords(locale: MailLocale): Words<MailData<"workflow-digest">> {
  const words = NOTICE_WORDS[locale];
  return {
    subject: (d) => words.digestSubject(d.tenantName),
    paragraphs: (d) => [
      words.digestIntro(d.notices.length),
      ...d.notices.map((notice) => `• ${noticeSentences(words, notice).join(" ")} ${noticeLink(d.origin, notice)}`),
    ],
    action: words.openAdmin,
    footnote: (d) => words.footnote(d.tenantName),
  };
}

const workflowNotice: Template<"workflow-notice"> = {
  "pt-BR": noticeWords("pt-BR"),
  en: noticeWords("en"),
  es: noticeWords("es"),
};
const workflowDigest: Template<"workflow-digest"> = {
  "pt-BR": digestWords("pt-BR"),
  en: digestWords("en"),
  es: digestWords("es"),
};

const workflowNoticeSchema = z.object({
  kind: z.enum(["medical_review", "sent_back", "published", "override_published"]),
  contentType: z.enum(CONTENT_TYPES),
  contentId: z.uuid(),
  title: z.string().min(1).max(500).nullable(),
  reason: z.string().min(1).max(2000).nullable(),
  findings: z.array(z.string().regex(/^[A-Za-z0-9_.:/-]{1,80}$/)).max(50),
});
// Names the article (already public) and the paper (public registry data); never a patient, never the text.
const referenceRetracted: Template<"reference-retracted"> = {
  "pt-BR": {
    subject: (d) => `Referência retratada em um artigo publicado em ${d.tenantName}`,
    paragraphs: (d) => [
      `O artigo publicado "${d.articleTitle}", cuja revisão médica está sob a sua responsabilidade, cita ${d.reference}${d.paperTitle ? ` ("${d.paperTitle}")` : ""}, que foi retratado depois da publicação.`,
      "Reveja o artigo: remova a referência e as afirmações que dependem dela, ou retire o artigo do ar.",
    ],
    action: "Abrir o painel",
    footnote: "Você recebe esta mensagem porque aprovou este artigo como revisor(a) médico(a) (CFM 2.336/2023).",
  },
  en: {
    subject: (d) => `Retracted reference in a published article at ${d.tenantName}`,
    paragraphs: (d) => [
      `The published article "${d.articleTitle}", which you reviewed medically, cites ${d.reference}${d.paperTitle ? ` ("${d.paperTitle}")` : ""}, which was retracted after publication.`,
      "Review the article: remove the reference and the claims that rely on it, or unpublish the article.",
    ],
    action: "Open the dashboard",
    footnote: "You get this message because you approved this article as its medical reviewer (CFM 2.336/2023).",
  },
  es: {
    subject: (d) => `Referencia retractada en un artículo publicado en ${d.tenantName}`,
    paragraphs: (d) => [
      `El artículo publicado "${d.articleTitle}", cuya revisión médica está a su cargo, cita ${d.reference}${d.paperTitle ? ` ("${d.paperTitle}")` : ""}, que fue retractado después de la publicación.`,
      "Revise el artículo: elimine la referencia y las afirmaciones que dependen de ella, o retire el artículo.",
    ],
    action: "Abrir el panel",
    footnote: "Recibe este mensaje porque aprobó este artículo como revisor(a) médico(a) (CFM 2.336/2023).",
  },
};

const breakGlassOpened: Template<"break-glass-opened"> = {
  "pt-BR": {
    subject: (d) => `Acesso de emergência aberto em ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.userName} abriu acesso de emergência a dados de saúde em ${d.tenantName} em ${when(d.openedAt)}; o acesso termina em ${when(d.expiresAt)}.`,
      "Revise a justificativa e o que foi acessado.",
    ],
    action: "Revisar o acesso",
    footnote: OFFICER_FOOTNOTE["pt-BR"],
  },
  en: {
    subject: (d) => `Emergency access opened at ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.userName} opened emergency access to health data at ${d.tenantName} on ${when(d.openedAt)}; it ends on ${when(d.expiresAt)}.`,
      "Review the justification and what was accessed.",
    ],
    action: "Review the access",
    footnote: OFFICER_FOOTNOTE.en,
  },
  es: {
    subject: (d) => `Acceso de emergencia abierto en ${d.tenantName}`,
    paragraphs: (d, when) => [
      `${d.userName} abrió acceso de emergencia a datos de salud en ${d.tenantName} el ${when(d.openedAt)}; termina el ${when(d.expiresAt)}.`,
      "Revise la justificación y lo que se consultó.",
    ],
    action: "Revisar el acceso",
    footnote: OFFICER_FOOTNOTE.es,
  },
};

const incidentDeadline: Template<"incident-deadline"> = {
  "pt-BR": {
    subject: (d) => `Prazo de comunicação de incidente em ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Um incidente de segurança conhecido em ${when(d.discoveredAt)} ${d.overdue ? "devia ter sido comunicado" : "deve ser comunicado"} à ANPD e aos titulares até ${d.due} (três dias úteis).`,
    ],
    action: "Abrir o registro de incidentes",
    footnote: OFFICER_FOOTNOTE["pt-BR"],
  },
  en: {
    subject: (d) => `Incident communication deadline at ${d.tenantName}`,
    paragraphs: (d, when) => [
      `A security incident known since ${when(d.discoveredAt)} ${d.overdue ? "should have been" : "must be"} communicated to the ANPD and the data subjects by ${d.due} (three business days).`,
    ],
    action: "Open the incident register",
    footnote: OFFICER_FOOTNOTE.en,
  },
  es: {
    subject: (d) => `Plazo de comunicación de incidente en ${d.tenantName}`,
    paragraphs: (d, when) => [
      `Un incidente de seguridad conocido el ${when(d.discoveredAt)} ${d.overdue ? "debía haberse comunicado" : "debe comunicarse"} a la ANPD y a los titulares hasta el ${d.due} (tres días hábiles).`,
    ],
    action: "Abrir el registro de incidentes",
    footnote: OFFICER_FOOTNOTE.es,
  },
};

const incidentNotice: Template<"incident-notice"> = {
  "pt-BR": {
    subject: (d) => `Comunicado de incidente de segurança de ${d.tenantName}`,
    paragraphs: (d) => [
      `Comunicamos um incidente de segurança que pode afetar seus dados pessoais em ${d.tenantName}: ${d.description}`,
      `Dados envolvidos: ${d.dataCategories.join(", ")}.`,
      `Medidas adotadas: ${d.measures}`,
      `Contato do encarregado: ${d.contact}`,
    ],
    action: "Visitar o site",
    footnote: "Você recebe esta mensagem por exigência da LGPD (art. 48).",
  },
  en: {
    subject: (d) => `Security incident notice from ${d.tenantName}`,
    paragraphs: (d) => [
      `We are informing you of a security incident that may affect your personal data at ${d.tenantName}: ${d.description}`,
      `Data involved: ${d.dataCategories.join(", ")}.`,
      `Measures taken: ${d.measures}`,
      `Data protection officer: ${d.contact}`,
    ],
    action: "Visit the site",
    footnote: "You get this message as Brazil's data protection law requires (LGPD art. 48).",
  },
  es: {
    subject: (d) => `Aviso de incidente de seguridad de ${d.tenantName}`,
    paragraphs: (d) => [
      `Le informamos de un incidente de seguridad que puede afectar sus datos personales en ${d.tenantName}: ${d.description}`,
      `Datos involucrados: ${d.dataCategories.join(", ")}.`,
      `Medidas adoptadas: ${d.measures}`,
      `Contacto del encargado: ${d.contact}`,
    ],
    action: "Visitar el sitio",
    footnote: "Recibe este mensaje por exigencia de la LGPD de Brasil (art. 48).",
  },
};

const REQUEST_NAMES: Record<MailLocale, Record<PrivacyRequestType, string>> = {
  "pt-BR": {
    access: "acesso",
    portability: "portabilidade",
    correction: "correção",
    anonymisation: "anonimização",
    deletion: "eliminação",
    consent_withdrawal: "revogação do consentimento",
  },
  en: {
    access: "access",
    portability: "portability",
    correction: "correction",
    anonymisation: "anonymisation",
    deletion: "deletion",
    consent_withdrawal: "consent withdrawal",
  },
  es: {
    access: "acceso",
    portability: "portabilidad",
    correction: "corrección",
    anonymisation: "anonimización",
    deletion: "eliminación",
    consent_withdrawal: "retirada del consentimiento",
  },
};

/** An alert's subject and first paragraph, per kind and language; the rest of the message is shared. */
function alertText(
  locale: MailLocale,
  alert: ComplianceAlert,
  tenant: string,
  when: (iso: string) => string,
): { subject: string; body: string } {
  switch (alert.kind) {
    case "job_failing": {
      const code = alert.errorCode ?? "—";
      return {
        "pt-BR": {
          subject: `Tarefa agendada falhando em ${tenant}`,
          body: `A tarefa "${alert.job}" falhou ${alert.failures} vezes seguidas em ${tenant} desde ${when(alert.since)} (código ${code}).`,
        },
        en: {
          subject: `Scheduled job failing at ${tenant}`,
          body: `The job "${alert.job}" has failed ${alert.failures} times in a row at ${tenant} since ${when(alert.since)} (code ${code}).`,
        },
        es: {
          subject: `Tarea programada fallando en ${tenant}`,
          body: `La tarea "${alert.job}" falló ${alert.failures} veces seguidas en ${tenant} desde el ${when(alert.since)} (código ${code}).`,
        },
      }[locale];
    }
    case "audit_chain_broken": {
      // The draft incident's deadline is told here: the officers get one message for the break, not two.
      const due = alert.communicationDue;
      return {
        "pt-BR": {
          subject: `Falha na verificação do registro de auditoria em ${tenant}`,
          body: `A verificação de ${when(alert.detectedAt)} encontrou o registro de auditoria de ${tenant} ou seus pontos de controle assinados alterados. Um incidente em rascunho foi aberto${due ? `: se confirmado, deve ser comunicado à ANPD e aos titulares até ${due} (três dias úteis).` : "."}`,
        },
        en: {
          subject: `Audit log failed verification at ${tenant}`,
          body: `The verification of ${when(alert.detectedAt)} found the audit log of ${tenant} or its signed checkpoints altered. A draft incident was opened${due ? `: if confirmed, it must be communicated to the ANPD and the data subjects by ${due} (three business days).` : "."}`,
        },
        es: {
          subject: `Falló la verificación del registro de auditoría en ${tenant}`,
          body: `La verificación del ${when(alert.detectedAt)} encontró alterado el registro de auditoría de ${tenant} o sus puntos de control firmados. Se abrió un incidente en borrador${due ? `: si se confirma, debe comunicarse a la ANPD y a los titulares hasta el ${due} (tres días hábiles).` : "."}`,
        },
      }[locale];
    }
    case "trust_denial_spike":
      return {
        "pt-BR": {
          subject: `Pico de acessos negados em ${tenant}`,
          body: `${alert.denials} acessos foram negados em ${tenant} na hora desde ${when(alert.since)}; o habitual é ${alert.baselinePerHour} por hora.`,
        },
        en: {
          subject: `Spike of denied access at ${tenant}`,
          body: `${alert.denials} requests were denied at ${tenant} in the hour since ${when(alert.since)}; the usual is ${alert.baselinePerHour} an hour.`,
        },
        es: {
          subject: `Pico de accesos denegados en ${tenant}`,
          body: `Se denegaron ${alert.denials} accesos en ${tenant} en la hora desde el ${when(alert.since)}; lo habitual es ${alert.baselinePerHour} por hora.`,
        },
      }[locale];
    case "privacy_request_due":
      return {
        "pt-BR": {
          subject: `Pedido de titular perto do prazo em ${tenant}`,
          body: `Um pedido de ${REQUEST_NAMES["pt-BR"][alert.requestType]} recebido em ${when(alert.receivedAt)} deve ser respondido até ${when(alert.dueAt)} (15 dias, LGPD art. 19).`,
        },
        en: {
          subject: `Data subject request near its deadline at ${tenant}`,
          body: `A ${REQUEST_NAMES.en[alert.requestType]} request received on ${when(alert.receivedAt)} must be answered by ${when(alert.dueAt)} (15 days, LGPD art. 19).`,
        },
        es: {
          subject: `Solicitud de titular cerca del plazo en ${tenant}`,
          body: `Una solicitud de ${REQUEST_NAMES.es[alert.requestType]} recibida el ${when(alert.receivedAt)} debe responderse antes del ${when(alert.dueAt)} (15 días, LGPD art. 19).`,
        },
      }[locale];
  }
}

function alertWords(locale: MailLocale, action: string): Words<MailData<"compliance-alert">> {
  return {
    subject: (d, when) => alertText(locale, d.alert, d.tenantName, when).subject,
    paragraphs: (d, when) => [alertText(locale, d.alert, d.tenantName, when).body],
    action,
    footnote: OFFICER_FOOTNOTE[locale],
  };
}

const complianceAlert: Template<"compliance-alert"> = {
  "pt-BR": alertWords("pt-BR", "Abrir o painel de conformidade"),
  en: alertWords("en", "Open the compliance dashboard"),
  es: alertWords("es", "Abrir el panel de cumplimiento"),
};

const TEMPLATES: { [T in MailTemplate]: Template<T> } = {
  invitation,
  "password-reset": passwordReset,
  "password-changed": passwordChanged,
  "professional-confirmation": professionalConfirmation,
  "credential-reviewed": credentialReviewed,
  "workflow-notice": workflowNotice,
  "workflow-digest": workflowDigest,
  "reference-retracted": referenceRetracted,
  "break-glass-opened": breakGlassOpened,
  "incident-deadline": incidentDeadline,
  "incident-notice": incidentNotice,
  "compliance-alert": complianceAlert,
};

/** The parameters each template needs, checked again when a queued row is rendered (it may predate a change). */
const origin = z.url({ protocol: /^https?$/ }).refine((url) => new URL(url).origin === url, "must be an origin");
const isoInstant = z.iso.datetime({ offset: true });
const tenantName = z.string().min(1).max(200);
const mailDataSchemas: Record<MailTemplate, z.ZodType> = {
  invitation: z.object({
    tenantName,
    roles: z.array(z.enum(ROLES)).min(1),
    inviterName: z.string().max(200).nullable(),
    origin,
    expiresAt: isoInstant,
  }),
  "password-reset": z.object({ tenantName, origin, expiresAt: isoInstant }),
  "password-changed": z.object({ tenantName, origin, changedAt: isoInstant }),
  "professional-confirmation": z.object({
    tenantName,
    origin,
    expiresAt: isoInstant,
    siteLocale: z.enum(CONTENT_LOCALES),
  }),
  "credential-reviewed": z.object({
    tenantName,
    origin,
    status: z.enum(["verified", "rejected"]),
    note: z.string().max(1000),
  }),
  "workflow-notice": workflowNoticeSchema.extend({ tenantName, origin }),
  "workflow-digest": z.object({ tenantName, origin, notices: z.array(workflowNoticeSchema).min(1).max(200) }),
  "reference-retracted": z.object({
    tenantName,
    origin,
    articleTitle: z.string().min(1).max(500),
    reference: z.string().min(1).max(300),
    paperTitle: z.string().max(500).nullable(),
  }),
  "break-glass-opened": z.object({
    tenantName,
    origin,
    userName: z.string().min(1).max(200),
    openedAt: isoInstant,
    expiresAt: isoInstant,
  }),
  "incident-deadline": z.object({
    tenantName,
    origin,
    discoveredAt: isoInstant,
    due: z.iso.date(),
    overdue: z.boolean(),
  }),
  "incident-notice": z.object({
    tenantName,
    origin,
    description: z.string().min(1).max(4000),
    dataCategories: z.array(z.string().min(1).max(100)).min(1).max(30),
    measures: z.string().min(1).max(4000),
    contact: z.string().min(1).max(400),
  }),
  "compliance-alert": z.object({
    tenantName,
    origin,
    alert: z.discriminatedUnion("kind", [
      z.object({
        kind: z.literal("job_failing"),
        job: z.string().regex(/^[a-z0-9-]{1,64}$/),
        failures: z.number().int().min(1),
        since: isoInstant,
        errorCode: z.string().max(64).nullable(),
      }),
      z.object({
        kind: z.literal("audit_chain_broken"),
        detectedAt: isoInstant,
        communicationDue: z.iso.date().optional(),
      }),
      z.object({
        kind: z.literal("trust_denial_spike"),
        denials: z.number().int().min(0),
        baselinePerHour: z.number().min(0),
        since: isoInstant,
      }),
      z.object({
        kind: z.literal("privacy_request_due"),
        requestType: z.enum(PRIVACY_REQUEST_TYPES),
        receivedAt: isoInstant,
        dueAt: isoInstant,
      }),
    ]),
  }),
};

/** Templates whose link carries a one-time secret: a row of these without its secret cannot be sent. */
export const TEMPLATES_WITH_SECRET: ReadonlySet<MailTemplate> = new Set([
  "invitation",
  "password-reset",
  "professional-confirmation",
]);

/**
 * A queued row as the message it was queued as: its template, its parameters checked against the template, and
 * its secret when the template needs one. Null when the row cannot be a message (unknown template, bad data).
 */
export function messageFromRow(row: { template: string; data: unknown; secret: string | null }): MailMessage | null {
  if (!(row.template in mailDataSchemas)) return null;
  const template = row.template as MailTemplate;
  const data = mailDataSchemas[template].safeParse(row.data);
  if (!data.success) return null;
  if (TEMPLATES_WITH_SECRET.has(template) !== (row.secret !== null)) return null;
  return (
    row.secret === null ? { template, data: data.data } : { template, data: data.data, secret: row.secret }
  ) as MailMessage;
}

/**
 * The message's link: the tenant site's origin and the template's path, with the secret, when there is one, only
 * in the fragment (`#token=…`), which browsers never send to a server, so it stays out of access logs and
 * Referer headers (RFC 3986 §3.5).
 */
export function mailLink(message: MailMessage): string {
  if (message.template === "workflow-notice") return noticeLink(message.data.origin, message.data);
  const path =
    message.template === "professional-confirmation"
      ? sitePaths.confirmRegistration(message.data.siteLocale)
      : MAIL_LINK_PATHS[message.template];
  const url = new URL(path, message.data.origin);
  if ("secret" in message) url.hash = `token=${encodeURIComponent(message.secret)}`;
  return url.toString();
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);

function layout(content: MailContent, locale: MailLocale): Omit<OutgoingMail, "to"> {
  const text = [
    content.greeting,
    "",
    ...content.paragraphs.flatMap((paragraph) => [paragraph, ""]),
    `${content.action.label}:`,
    content.action.url,
    "",
    "--",
    content.footnote,
    "",
  ].join("\n");
  const p = (inner: string) => `<p style="margin:0 0 16px">${inner}</p>`;
  const html = [
    "<!doctype html>",
    `<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a;max-width:600px;margin:0 auto;padding:24px">',
    p(escapeHtml(content.greeting)),
    ...content.paragraphs.map((paragraph) => p(escapeHtml(paragraph))),
    p(
      `<a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(content.action.label)}</a>`,
    ),
    p(`<small>${escapeHtml(content.action.url)}</small>`),
    '<hr style="border:none;border-top:1px solid #ddd">',
    `<p style="color:#555;font-size:13px">${escapeHtml(content.footnote)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject: content.subject, text, html };
}

const DATE_LOCALES: Record<MailLocale, string> = { "pt-BR": "pt-BR", en: "en-GB", es: "es-ES" };

/** The subject, plain text and HTML of a message in the reader's language (pt-BR, en or es). */
export function renderMail(message: MailMessage, locale: MailLocale): Omit<OutgoingMail, "to"> {
  const format = new Intl.DateTimeFormat(DATE_LOCALES[locale], {
    dateStyle: "long",
    timeStyle: "short",
    timeZone: "UTC",
  });
  const when = (iso: string) => `${format.format(new Date(iso))} UTC`;
  // The message's template and data go together (MailMessage); TypeScript cannot follow that through the table.
  const words = TEMPLATES[message.template][locale] as Words<MailMessage["data"]>;
  const data = message.data;
  return layout(
    {
      subject: words.subject(data, when),
      greeting: GREETINGS[locale],
      paragraphs: words.paragraphs(data, when),
      action: { label: words.action, url: mailLink(message) },
      footnote: typeof words.footnote === "string" ? words.footnote : words.footnote(data),
    },
    locale,
  );
}
