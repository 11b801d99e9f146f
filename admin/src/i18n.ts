/** The UI's two languages: Brazilian Portuguese and English, chosen from the browser and switchable. */
import type { Lang } from "./errors";

export type { Lang };

const en = {
  appName: "Vitalis admin",
  skipToContent: "Skip to content",
  language: "Language",
  signIn: "Sign in",
  signOut: "Sign out",
  email: "Email",
  password: "Password",
  mfaCode: "Authentication code",
  mfaCodeHint: "6 digits from your authenticator app, or a recovery code.",
  verify: "Verify",
  cancel: "Cancel",
  close: "Close",
  continue: "Continue",
  loading: "Loading…",
  save: "Save",
  reference: "Reference",
  stepUpTitle: "Confirm it is you",
  stepUpIntro:
    "This action needs a recent second-factor check. Type your password and the code from your authenticator app.",
  stepUpNoMfa:
    "This action needs two-factor authentication, which is not set up for your account yet. Set it up under Account, then try again.",
  navContent: "Content",
  navAccount: "Account",
  navUsers: "Users",
  navMedia: "Media",
  navCompliance: "Compliance",
  // Content list
  posts: "Posts",
  newPost: "New post",
  search: "Search",
  searchPlaceholder: "Words in the title or text",
  filterState: "State",
  filterLocale: "Locale",
  filterCategory: "Category",
  filterAuthor: "Author ID",
  filterCompliance: "Compliance level",
  any: "Any",
  apply: "Apply",
  clear: "Clear",
  nextPage: "Next page",
  firstPage: "First page",
  noItems: "Nothing matches these filters.",
  title: "Title",
  updated: "Updated",
  state: "State",
  locale: "Locale",
  compliance: "Compliance",
  // Editor
  slug: "Slug (address)",
  excerpt: "Excerpt",
  body: "Text (Markdown)",
  preview: "Preview",
  categories: "Categories",
  tags: "Tags",
  newTag: "New tag",
  add: "Add",
  translationGroup: "Translations",
  createTranslation: "Create a translation in",
  saving: "Saving…",
  saved: "Saved",
  unsaved: "Unsaved changes",
  saveFailed: "Not saved",
  reload: "Reload",
  readOnlyState: "This item is not editable in its current state; send it back to draft to change it.",
  create: "Create",
  backToList: "Back to the list",
  version: "Version",
  // Workflow
  workflow: "Workflow",
  reason: "Reason (the author will see it)",
  justification: "Justification for overriding the blocking findings (at least 20 characters; audited)",
  scheduleAt: "Publish at",
  noActions: "Your role has no workflow step to take here.",
  reviewedBy: "Medically reviewed by",
  // Analysis
  analysis: "Analysis",
  runAnalysis: "Analyse",
  analysing: "Analysing…",
  noAnalysis: "Not analysed yet. Save and press Analyse.",
  analysisUnavailable: "Analysis is not available on this server yet.",
  seoScore: "SEO score",
  blocksPublishing: "Blocks publishing",
  nothingBlocks: "Nothing blocks publishing.",
  suggestion: "Suggestion",
  showInText: "Show in text",
  highlighted: "Findings in the text",
  pluginFailed: "This analysis stage failed; its result blocks publishing until it runs again.",
  // Revisions
  revisions: "Revisions",
  compare: "Compare with current",
  restore: "Restore this revision",
  unchangedLines: "unchanged lines",
  noDifferences: "No differences in the text.",
  changedFields: "Changed fields",
  // Account
  account: "Account",
  roles: "Roles",
  mfa: "Two-factor authentication",
  mfaOn: "On",
  mfaOff: "Off",
  mfaSetup: "Set up two-factor authentication",
  mfaRequiredByPolicy:
    "Your role on this site reads health data, so it needs two-factor authentication. Set it up now to sign in.",
  mfaScan:
    "Scan this QR code with your authenticator app (Google Authenticator, Authy, 1Password, FreeOTP…), or type the key by hand.",
  mfaSecret: "Key for manual entry",
  mfaConfirm: "Type the 6-digit code the app shows to finish",
  mfaPasswordIntro: "To set up two-factor authentication, first confirm it is you: type your current password.",
  currentPassword: "Current password",
  mfaShowKey: "Show the QR code",
  recoveryTitle: "Recovery codes",
  recoveryIntro:
    "Each code signs you in once if you lose your phone. Store them somewhere safe now: they will not be shown again.",
  recoveryDone: "I have stored them",
  credential: "Professional credential (CRM)",
  crmNumber: "CRM number",
  crmUf: "UF (state council)",
  rqe: "RQE (comma-separated, for specialist claims)",
  specialty: "Specialty",
  credentialStatus: "Status",
  submitCredential: "Submit for verification",
  // Users
  usersTitle: "Users and roles",
  reviewCredentialTitle: "Verify a member's CRM",
  userId: "Member ID (UUID)",
  decision: "Decision",
  verifyCrm: "Verified",
  rejectCrm: "Rejected",
  note: "Note (kept in the audit log)",
  submitReview: "Record the decision",
  reviewRecorded: "Decision recorded.",
  usersListMissing: "The API has no member list yet; paste the member's ID from their Account page.",
  disableUser: "Disable this member",
  enableUser: "Enable this member",
  membershipTitle: "Access to this clinic",
  membershipHint:
    "Disabling ends the member's sign-in and sessions in this clinic only; other clinics they work for are not affected.",
  membershipDisabled: "Member disabled in this clinic.",
  membershipEnabled: "Member enabled in this clinic.",
  // Media
  mediaTitle: "Media and DICOM",
  dropHere: "Drag DICOM studies, images or PDFs here, or choose files",
  chooseFiles: "Choose files",
  subjectId: "Data subject ID (optional, links a study to a patient record)",
  phaseHashing: "Computing SHA-256…",
  phaseAuthorising: "Asking for permission…",
  phaseUploading: "Uploading",
  phaseVerifying: "Verifying size, checksum and DICOM header…",
  phaseDone: "Stored and verified",
  phaseFailed: "Failed",
  phaseCancelled: "Cancelled",
  retriesSoFar: "parts retried",
  retriedOne: "part retried",
  modality: "Modality",
  studyDate: "Study date",
  retry: "Try again",
  unsupportedFile: "This file type is not accepted (DICOM, PNG, JPEG, GIF, WebP or PDF).",
  dicomMetadata: "DICOM metadata",
  phiFlags: "Personal health data found in the header",
  noPhi: "No personal data tags found in the header.",
  retentionClass: "Retention class",
  download: "Download (link valid 5 minutes)",
  lookUpMedia: "Open a media item by ID",
  mediaId: "Media ID",
  open: "Open",
  mediaListMissing: "The API has no media listing yet: this page shows this session's uploads, and items opened by ID.",
  blockedMedia: "Blocked (retention or privacy rules): not served.",
  // Outgoing e-mail
  navOutbox: "E-mail",
  outboxTitle: "Outgoing e-mail",
  outboxIntro:
    "What this clinic sends: invitations, password resets and notices. A failed message is tried again after 1, 2, 4… minutes; after 8 failed attempts it is given up on until you retry it.",
  outboxStatus: "Status",
  outboxRecipient: "Recipient",
  outboxMessage: "Message",
  outboxAttempts: "Attempts",
  outboxNextAttempt: "Next attempt",
  outboxLastError: "Last error",
  outboxQueued: "Queued",
  outboxRetry: "Retry",
  outboxRetried: "Queued again: it is being sent now.",
  outboxEmpty: "No messages.",
  outboxCount: "messages",
  previousPage: "Previous page",
  outboxPending: "Waiting",
  outboxSending: "Sending",
  outboxSent: "Sent",
  outboxDead: "Given up",
  mailInvitation: "Invitation",
  mailPasswordReset: "Password reset",
  mailPasswordChanged: "Password changed",
  mailCredentialReviewed: "Credential review",
  // Generic
  notFound: "This page does not exist.",
  sessionEnded: "Your session ended. Sign in again.",
};

export type MessageKey = keyof typeof en;

const pt: Record<MessageKey, string> = {
  appName: "Vitalis admin",
  skipToContent: "Ir para o conteúdo",
  language: "Idioma",
  signIn: "Entrar",
  signOut: "Sair",
  email: "E-mail",
  password: "Senha",
  mfaCode: "Código de autenticação",
  mfaCodeHint: "6 dígitos do aplicativo autenticador, ou um código de recuperação.",
  verify: "Verificar",
  cancel: "Cancelar",
  close: "Fechar",
  continue: "Continuar",
  loading: "Carregando…",
  save: "Salvar",
  reference: "Referência",
  stepUpTitle: "Confirme que é você",
  stepUpIntro:
    "Esta ação exige uma verificação recente do segundo fator. Digite a sua senha e o código do aplicativo autenticador.",
  stepUpNoMfa:
    "Esta ação exige autenticação em dois fatores, que ainda não está configurada na sua conta. Configure-a em Conta e tente de novo.",
  navContent: "Conteúdo",
  navAccount: "Conta",
  navUsers: "Usuários",
  navMedia: "Mídia",
  navCompliance: "Conformidade",
  posts: "Posts",
  newPost: "Novo post",
  search: "Buscar",
  searchPlaceholder: "Palavras do título ou do texto",
  filterState: "Estado",
  filterLocale: "Idioma do conteúdo",
  filterCategory: "Categoria",
  filterAuthor: "ID do autor",
  filterCompliance: "Nível de conformidade",
  any: "Qualquer",
  apply: "Aplicar",
  clear: "Limpar",
  nextPage: "Próxima página",
  firstPage: "Primeira página",
  noItems: "Nada corresponde a estes filtros.",
  title: "Título",
  updated: "Atualizado",
  state: "Estado",
  locale: "Idioma",
  compliance: "Conformidade",
  slug: "Slug (endereço)",
  excerpt: "Resumo",
  body: "Texto (Markdown)",
  preview: "Pré-visualização",
  categories: "Categorias",
  tags: "Tags",
  newTag: "Nova tag",
  add: "Adicionar",
  translationGroup: "Traduções",
  createTranslation: "Criar uma tradução em",
  saving: "Salvando…",
  saved: "Salvo",
  unsaved: "Alterações não salvas",
  saveFailed: "Não salvo",
  reload: "Recarregar",
  readOnlyState: "Este item não é editável no estado atual; devolva-o para rascunho para alterá-lo.",
  create: "Criar",
  backToList: "Voltar para a lista",
  version: "Versão",
  workflow: "Fluxo editorial",
  reason: "Motivo (o autor verá)",
  justification: "Justificativa para autorizar apesar dos achados bloqueantes (mínimo de 20 caracteres; auditada)",
  scheduleAt: "Publicar em",
  noActions: "O seu papel não tem etapa do fluxo a executar aqui.",
  reviewedBy: "Revisão médica por",
  analysis: "Análise",
  runAnalysis: "Analisar",
  analysing: "Analisando…",
  noAnalysis: "Ainda não analisado. Salve e clique em Analisar.",
  analysisUnavailable: "A análise ainda não está disponível neste servidor.",
  seoScore: "Pontuação de SEO",
  blocksPublishing: "Bloqueia a publicação",
  nothingBlocks: "Nada bloqueia a publicação.",
  suggestion: "Sugestão",
  showInText: "Mostrar no texto",
  highlighted: "Achados no texto",
  pluginFailed: "Esta etapa da análise falhou; o resultado bloqueia a publicação até ela rodar de novo.",
  revisions: "Revisões",
  compare: "Comparar com a atual",
  restore: "Restaurar esta revisão",
  unchangedLines: "linhas inalteradas",
  noDifferences: "Nenhuma diferença no texto.",
  changedFields: "Campos alterados",
  account: "Conta",
  roles: "Papéis",
  mfa: "Autenticação em dois fatores",
  mfaOn: "Ativa",
  mfaOff: "Desativada",
  mfaSetup: "Configurar autenticação em dois fatores",
  mfaRequiredByPolicy:
    "Sua função neste site lê dados de saúde e por isso exige autenticação em dois fatores. Configure-a agora para entrar.",
  mfaScan:
    "Leia este QR code com o seu aplicativo autenticador (Google Authenticator, Authy, 1Password, FreeOTP…) ou digite a chave manualmente.",
  mfaSecret: "Chave para digitação manual",
  mfaConfirm: "Digite o código de 6 dígitos que o aplicativo mostra para concluir",
  mfaPasswordIntro:
    "Para configurar a autenticação em dois fatores, confirme primeiro que é você: digite sua senha atual.",
  currentPassword: "Senha atual",
  mfaShowKey: "Mostrar o QR code",
  recoveryTitle: "Códigos de recuperação",
  recoveryIntro:
    "Cada código permite entrar uma vez se você perder o celular. Guarde-os em lugar seguro agora: não serão mostrados de novo.",
  recoveryDone: "Já guardei",
  credential: "Registro profissional (CRM)",
  crmNumber: "Número do CRM",
  crmUf: "UF (conselho regional)",
  rqe: "RQE (separados por vírgula, para especialidade)",
  specialty: "Especialidade",
  credentialStatus: "Situação",
  submitCredential: "Enviar para verificação",
  usersTitle: "Usuários e papéis",
  reviewCredentialTitle: "Verificar o CRM de um membro",
  userId: "ID do membro (UUID)",
  decision: "Decisão",
  verifyCrm: "Verificado",
  rejectCrm: "Recusado",
  note: "Observação (fica no registro de auditoria)",
  submitReview: "Registrar a decisão",
  reviewRecorded: "Decisão registrada.",
  usersListMissing: "A API ainda não lista os membros; cole o ID do membro, mostrado na página Conta dele.",
  disableUser: "Desativar este membro",
  enableUser: "Reativar este membro",
  membershipTitle: "Acesso a esta clínica",
  membershipHint:
    "Desativar encerra o acesso e as sessões do membro apenas nesta clínica; outras clínicas em que ele atua não são afetadas.",
  membershipDisabled: "Membro desativado nesta clínica.",
  membershipEnabled: "Membro reativado nesta clínica.",
  mediaTitle: "Mídia e DICOM",
  dropHere: "Arraste estudos DICOM, imagens ou PDFs para cá, ou escolha arquivos",
  chooseFiles: "Escolher arquivos",
  subjectId: "ID do titular de dados (opcional, liga o estudo a um prontuário)",
  phaseHashing: "Calculando SHA-256…",
  phaseAuthorising: "Pedindo autorização…",
  phaseUploading: "Enviando",
  phaseVerifying: "Verificando tamanho, checksum e cabeçalho DICOM…",
  phaseDone: "Armazenado e verificado",
  phaseFailed: "Falhou",
  phaseCancelled: "Cancelado",
  retriesSoFar: "partes reenviadas",
  retriedOne: "parte reenviada",
  modality: "Modalidade",
  studyDate: "Data do estudo",
  retry: "Tentar de novo",
  unsupportedFile: "Este tipo de arquivo não é aceito (DICOM, PNG, JPEG, GIF, WebP ou PDF).",
  dicomMetadata: "Metadados DICOM",
  phiFlags: "Dados pessoais de saúde encontrados no cabeçalho",
  noPhi: "Nenhuma tag de dado pessoal no cabeçalho.",
  retentionClass: "Classe de retenção",
  download: "Baixar (link válido por 5 minutos)",
  lookUpMedia: "Abrir um item de mídia pelo ID",
  mediaId: "ID da mídia",
  open: "Abrir",
  mediaListMissing:
    "A API ainda não lista as mídias: esta página mostra os envios desta sessão e os itens abertos pelo ID.",
  blockedMedia: "Bloqueado (regras de retenção ou privacidade): não é servido.",
  navOutbox: "E-mails",
  outboxTitle: "E-mails enviados",
  outboxIntro:
    "O que esta clínica envia: convites, redefinições de senha e avisos. Uma mensagem que falha é tentada de novo após 1, 2, 4… minutos; depois de 8 tentativas, é abandonada até você tentar de novo.",
  outboxStatus: "Situação",
  outboxRecipient: "Destinatário",
  outboxMessage: "Mensagem",
  outboxAttempts: "Tentativas",
  outboxNextAttempt: "Próxima tentativa",
  outboxLastError: "Último erro",
  outboxQueued: "Na fila desde",
  outboxRetry: "Tentar de novo",
  outboxRetried: "De volta à fila: está sendo enviada agora.",
  outboxEmpty: "Nenhuma mensagem.",
  outboxCount: "mensagens",
  previousPage: "Página anterior",
  outboxPending: "Aguardando",
  outboxSending: "Enviando",
  outboxSent: "Enviada",
  outboxDead: "Abandonada",
  mailInvitation: "Convite",
  mailPasswordReset: "Redefinição de senha",
  mailPasswordChanged: "Senha alterada",
  mailCredentialReviewed: "Revisão de registro",
  notFound: "Esta página não existe.",
  sessionEnded: "Sua sessão terminou. Entre novamente.",
};

const STATE_NAMES: Record<Lang, Record<string, string>> = {
  en: {
    draft: "Draft",
    in_review: "In editorial review",
    medical_review: "In medical review",
    approved: "Approved",
    scheduled: "Scheduled",
    published: "Published",
    archived: "Archived",
  },
  "pt-BR": {
    draft: "Rascunho",
    in_review: "Em revisão editorial",
    medical_review: "Em revisão médica",
    approved: "Aprovado",
    scheduled: "Agendado",
    published: "Publicado",
    archived: "Arquivado",
  },
};

const ACTION_NAMES: Record<Lang, Record<string, string>> = {
  en: {
    in_review: "Submit for review",
    medical_review: "Send to medical review",
    approved: "Approve as medical reviewer",
    scheduled: "Schedule",
    published: "Publish",
    archived: "Archive",
    draft: "Request changes (back to draft)",
    override: "Publish with override",
  },
  "pt-BR": {
    in_review: "Enviar para revisão",
    medical_review: "Enviar para revisão médica",
    approved: "Aprovar como revisor médico",
    scheduled: "Agendar",
    published: "Publicar",
    archived: "Arquivar",
    draft: "Pedir alterações (voltar a rascunho)",
    override: "Publicar com autorização",
  },
};

const LEVEL_NAMES: Record<Lang, Record<string, string>> = {
  en: { public: "Public", professional: "Health professionals", restricted: "Staff only", phi: "Health data (PHI)" },
  "pt-BR": {
    public: "Público",
    professional: "Profissionais de saúde",
    restricted: "Somente equipe",
    phi: "Dados de saúde (PHI)",
  },
};

const SEVERITY_NAMES: Record<Lang, Record<string, string>> = {
  en: { info: "Info", warning: "Warning", blocking: "Blocking" },
  "pt-BR": { info: "Informação", warning: "Aviso", blocking: "Bloqueante" },
};

const TABLES: Record<Lang, Record<MessageKey, string>> = { en, "pt-BR": pt };

let current: Lang = detectLanguage();
const listeners = new Set<() => void>();

export function detectLanguage(
  languages: readonly string[] = typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]),
): Lang {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("pt")) return "pt-BR";
    if (lower.startsWith("en")) return "en";
  }
  return "pt-BR";
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  if (typeof document !== "undefined") document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function subscribeLang(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: MessageKey): string {
  return TABLES[current][key];
}
export const stateName = (state: string) => STATE_NAMES[current][state] ?? state;
export const actionName = (to: string) => ACTION_NAMES[current][to] ?? to;
export const levelName = (level: string) => LEVEL_NAMES[current][level] ?? level;
export const severityName = (severity: string) => SEVERITY_NAMES[current][severity] ?? severity;

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
