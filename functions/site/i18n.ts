import type { ContentLocale } from "../../schema";

/**
 * The public site's locales: the URL segment (lower case, as readers type it), the content locale it
 * shows, the BCP 47 tag for `lang`/`hreflang`, and Open Graph's `og:locale` (language_TERRITORY).
 */
export const SITE_LOCALES = [
  { segment: "pt-br", locale: "pt-BR", og: "pt_BR", privacy: "privacidade" },
  { segment: "en", locale: "en", og: "en_US", privacy: "privacy" },
  { segment: "es", locale: "es", og: "es_ES", privacy: "privacidad" },
] as const satisfies ReadonlyArray<{ segment: string; locale: ContentLocale; og: string; privacy: string }>;

export type LocaleSegment = (typeof SITE_LOCALES)[number]["segment"];
export const DEFAULT_SEGMENT: LocaleSegment = "pt-br";

export function localeOfSegment(segment: string): ContentLocale | null {
  return SITE_LOCALES.find((entry) => entry.segment === segment)?.locale ?? null;
}

export function segmentOfLocale(locale: ContentLocale): LocaleSegment {
  return SITE_LOCALES.find((entry) => entry.locale === locale)?.segment ?? DEFAULT_SEGMENT;
}

/** The privacy page's slug in the locale's own language (`/pt-br/privacidade/`, `/en/privacy/`, `/es/privacidad/`). */
export function privacySlugOf(locale: ContentLocale): string {
  return SITE_LOCALES.find((entry) => entry.locale === locale)?.privacy ?? "privacidade";
}

export function ogLocale(locale: ContentLocale): string {
  return SITE_LOCALES.find((entry) => entry.locale === locale)?.og ?? "pt_BR";
}

/**
 * Picks the reader's locale from Accept-Language (RFC 9110 §12.5.4): language ranges by descending
 * weight, a range matching by primary subtag ("pt-PT" still reads the Brazilian edition, "en-GB" the
 * English one), `q=0` meaning "not this", and Portuguese (Brazil) when nothing matches.
 */
export function negotiateSegment(header: string | undefined): LocaleSegment {
  if (!header) return DEFAULT_SEGMENT;
  const ranges = header
    .split(",")
    .map((part, index) => {
      const [range = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { range: range.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.range.length > 0 && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of ranges) {
    if (range === "*") return DEFAULT_SEGMENT;
    const primary = range.split("-")[0];
    const exact = SITE_LOCALES.find((entry) => entry.segment === range);
    if (exact) return exact.segment;
    const byPrimary = SITE_LOCALES.find((entry) => entry.segment.split("-")[0] === primary);
    if (byPrimary) return byPrimary.segment;
  }
  return DEFAULT_SEGMENT;
}

export interface SiteStrings {
  languageName: string;
  skipToContent: string;
  home: string;
  latest: string;
  search: string;
  searchLabel: string;
  searchResultsFor: (q: string) => string;
  noResults: string;
  noItems: string;
  by: string;
  publishedOn: string;
  updatedOn: string;
  categories: string;
  tags: string;
  category: string;
  tag: string;
  author: string;
  responsiblePhysician: string;
  lastMedicallyReviewed: string;
  /** The clinic's technical director in every page's footer (CFM 2.336/2023). */
  technicalDirector: string;
  references: string;
  /** Headings of the content-finalizer's summary and table of contents on an article. */
  summary: string;
  tableOfContents: string;
  disclaimer: string;
  translations: string;
  professionalOnlyTitle: string;
  professionalOnlyText: string;
  signIn: string;
  notFoundTitle: string;
  notFoundText: string;
  unavailableTitle: string;
  unavailableText: string;
  previous: string;
  next: string;
  pageOf: (page: number, total: number) => string;
  feeds: string;
  siteDescription: (site: string) => string;
  mainNavigation: string;
  languages: string;
  pagination: string;
  /** The privacy page (LGPD Art. 9): its title and the footer's link. */
  privacy: string;
  privacyIntro: (site: string) => string;
  dpo: string;
  dpoNotNamed: (site: string) => string;
  yourRights: string;
  rights: readonly string[];
  howToExercise: string;
  processingTitle: string;
  legalBasis: string;
  recipientsTitle: string;
  transfersTitle: string;
  retentionTitle: string;
  securityTitle: string;
  years: (n: number) => string;
  days: (n: number) => string;
  keptUntilRemoved: string;
}

/** The reader-account pages' texts: sign-in, sign-out, registration and its confirmation. */
export interface AccountStrings {
  signInTitle: string;
  signInIntro: string;
  email: string;
  password: string;
  submitSignIn: string;
  codeTitle: string;
  codeIntro: string;
  code: string;
  codeHint: string;
  submitCode: string;
  startAgain: string;
  signOut: string;
  signedInAs: (name: string) => string;
  noAccount: string;
  registerLink: string;
  registerTitle: string;
  registerIntro: string;
  name: string;
  newPassword: string;
  passwordHint: string;
  council: string;
  councilNumber: string;
  councilUf: string;
  consent: string;
  submitRegister: string;
  registeredTitle: string;
  registeredText: string;
  confirmTitle: string;
  confirmText: string;
  submitConfirm: string;
  confirmedTitle: string;
  confirmedText: string;
  accountExistsText: string;
  errorTitle: string;
  /** What went wrong, by the problem's code; `default` for anything else. */
  errors: { default: string; [code: string]: string };
}

export const ACCOUNT_STRINGS: Record<ContentLocale, AccountStrings> = {
  "pt-BR": {
    signInTitle: "Entrar",
    signInIntro: "Profissionais de saúde com registro verificado leem aqui o conteúdo profissional.",
    email: "E-mail",
    password: "Senha",
    submitSignIn: "Entrar",
    codeTitle: "Código de verificação",
    codeIntro: "Esta conta usa um segundo fator. Digite o código de seis dígitos do seu aplicativo autenticador.",
    code: "Código",
    codeHint: "Sem o aplicativo? Use um dos seus códigos de recuperação (como ABCDE-12345).",
    submitCode: "Confirmar",
    startAgain: "Recomeçar com e-mail e senha",
    signOut: "Sair",
    signedInAs: (name) => `Conectado como ${name}`,
    noAccount: "Ainda não tem conta?",
    registerLink: "Cadastre-se como profissional de saúde",
    registerTitle: "Cadastro de profissional de saúde",
    registerIntro: "Depois de confirmar o e-mail, a equipe verifica o seu registro no conselho.",
    name: "Nome completo",
    newPassword: "Senha (ao menos 12 caracteres)",
    passwordHint: "Use uma frase longa; senhas comuns são recusadas.",
    council: "Conselho profissional",
    councilNumber: "Número de registro",
    councilUf: "UF do registro",
    consent:
      "Concordo que a clínica trate o meu nome, e-mail e registro profissional para verificar o registro e me dar acesso ao conteúdo profissional (LGPD, art. 7º, I). Posso retirar o consentimento a qualquer momento.",
    submitRegister: "Cadastrar",
    registeredTitle: "Confira o seu e-mail",
    registeredText:
      "Se o cadastro puder seguir, enviamos um link de confirmação para o endereço informado. O link vale por 24 horas.",
    confirmTitle: "Confirmar o e-mail",
    confirmText: "Confirme o endereço para concluir o cadastro.",
    submitConfirm: "Confirmar o e-mail",
    confirmedTitle: "E-mail confirmado",
    confirmedText:
      "Você já pode entrar. O conteúdo profissional abre assim que a equipe verificar o seu registro no conselho.",
    accountExistsText: "Este endereço já tem uma conta. Entre com a sua senha ou peça uma nova à clínica.",
    errorTitle: "Não foi possível continuar",
    errors: {
      invalid_credentials: "E-mail ou senha incorretos.",
      account_locked: "Muitas tentativas. Aguarde alguns minutos e tente de novo.",
      rate_limited: "Muitas tentativas. Aguarde um minuto e tente de novo.",
      csrf_refused: "Este formulário não veio deste site. Recarregue a página e tente de novo.",
      registration_token_invalid: "Este link já foi usado, expirou ou não é válido. Cadastre-se de novo.",
      validation_failed: "Confira os campos destacados.",
      weak_password: "A senha é curta ou comum demais. Use ao menos 12 caracteres, de preferência uma frase.",
      mfa_enrolment_required:
        "Esta conta precisa primeiro configurar um segundo fator no aplicativo administrativo. Depois, entre aqui.",
      invalid_mfa_code: "O código não está correto.",
      mfa_code_replayed: "Este código já foi usado. Aguarde o próximo.",
      invalid_mfa_token: "Esta etapa expirou. Recomece com e-mail e senha.",
      mfa_locked: "Muitos códigos errados. A entrada com segundo fator está bloqueada por alguns minutos.",
      default: "Algo deu errado. Tente de novo em instantes.",
    },
  },
  en: {
    signInTitle: "Sign in",
    signInIntro: "Health professionals with a verified registration read professional content here.",
    email: "E-mail",
    password: "Password",
    submitSignIn: "Sign in",
    codeTitle: "Verification code",
    codeIntro: "This account uses a second factor. Enter the six-digit code from your authenticator app.",
    code: "Code",
    codeHint: "No app at hand? Use one of your recovery codes (like ABCDE-12345).",
    submitCode: "Confirm",
    startAgain: "Start again with e-mail and password",
    signOut: "Sign out",
    signedInAs: (name) => `Signed in as ${name}`,
    noAccount: "No account yet?",
    registerLink: "Register as a health professional",
    registerTitle: "Health professional registration",
    registerIntro: "Once you confirm your e-mail, the team checks your council registration.",
    name: "Full name",
    newPassword: "Password (at least 12 characters)",
    passwordHint: "Use a long phrase; common passwords are refused.",
    council: "Professional council",
    councilNumber: "Registration number",
    councilUf: "State (UF) of registration",
    consent:
      "I agree that the clinic processes my name, e-mail and professional registration to verify the registration and give me access to professional content (LGPD Art. 7 I). I may withdraw consent at any time.",
    submitRegister: "Register",
    registeredTitle: "Check your e-mail",
    registeredText:
      "If the registration can go ahead, we sent a confirmation link to the address you gave. The link works for 24 hours.",
    confirmTitle: "Confirm your e-mail",
    confirmText: "Confirm the address to finish registering.",
    submitConfirm: "Confirm the e-mail",
    confirmedTitle: "E-mail confirmed",
    confirmedText: "You can sign in now. Professional content opens once the team verifies your council registration.",
    accountExistsText:
      "This address already has an account. Sign in with your password, or ask the clinic for a new one.",
    errorTitle: "We could not go on",
    errors: {
      invalid_credentials: "The e-mail or password is incorrect.",
      account_locked: "Too many attempts. Wait a few minutes and try again.",
      rate_limited: "Too many attempts. Wait a minute and try again.",
      csrf_refused: "This form did not come from this site. Reload the page and try again.",
      registration_token_invalid: "This link was used, has expired or is not valid. Register again.",
      validation_failed: "Check the highlighted fields.",
      weak_password: "The password is too short or too common. Use at least 12 characters, ideally a phrase.",
      mfa_enrolment_required:
        "This account must first set up a second factor in the admin application. Then sign in here.",
      invalid_mfa_code: "The code is not correct.",
      mfa_code_replayed: "This code was already used. Wait for the next one.",
      invalid_mfa_token: "This step has expired. Start again with your e-mail and password.",
      mfa_locked: "Too many wrong codes. Two-factor sign-in is locked for a few minutes.",
      default: "Something went wrong. Try again in a moment.",
    },
  },
  es: {
    signInTitle: "Acceder",
    signInIntro: "Los profesionales de la salud con registro verificado leen aquí el contenido profesional.",
    email: "Correo electrónico",
    password: "Contraseña",
    submitSignIn: "Acceder",
    codeTitle: "Código de verificación",
    codeIntro: "Esta cuenta usa un segundo factor. Escriba el código de seis dígitos de su aplicación autenticadora.",
    code: "Código",
    codeHint: "¿Sin la aplicación? Use uno de sus códigos de recuperación (como ABCDE-12345).",
    submitCode: "Confirmar",
    startAgain: "Volver a empezar con correo y contraseña",
    signOut: "Salir",
    signedInAs: (name) => `Sesión iniciada como ${name}`,
    noAccount: "¿Aún no tiene cuenta?",
    registerLink: "Regístrese como profesional de la salud",
    registerTitle: "Registro de profesional de la salud",
    registerIntro: "Después de confirmar el correo, el equipo verifica su registro en el consejo.",
    name: "Nombre completo",
    newPassword: "Contraseña (al menos 12 caracteres)",
    passwordHint: "Use una frase larga; las contraseñas comunes se rechazan.",
    council: "Consejo profesional",
    councilNumber: "Número de registro",
    councilUf: "Estado (UF) del registro",
    consent:
      "Acepto que la clínica trate mi nombre, correo y registro profesional para verificar el registro y darme acceso al contenido profesional (LGPD art. 7 I). Puedo retirar el consentimiento en cualquier momento.",
    submitRegister: "Registrarse",
    registeredTitle: "Revise su correo",
    registeredText:
      "Si el registro puede seguir, enviamos un enlace de confirmación a la dirección indicada. El enlace funciona durante 24 horas.",
    confirmTitle: "Confirmar el correo",
    confirmText: "Confirme la dirección para terminar el registro.",
    submitConfirm: "Confirmar el correo",
    confirmedTitle: "Correo confirmado",
    confirmedText:
      "Ya puede acceder. El contenido profesional se abre cuando el equipo verifique su registro en el consejo.",
    accountExistsText: "Esta dirección ya tiene una cuenta. Acceda con su contraseña o pida una nueva a la clínica.",
    errorTitle: "No pudimos continuar",
    errors: {
      invalid_credentials: "El correo o la contraseña no son correctos.",
      account_locked: "Demasiados intentos. Espere unos minutos y vuelva a intentarlo.",
      rate_limited: "Demasiados intentos. Espere un minuto y vuelva a intentarlo.",
      csrf_refused: "Este formulario no vino de este sitio. Recargue la página y vuelva a intentarlo.",
      registration_token_invalid: "Este enlace ya se usó, expiró o no es válido. Regístrese de nuevo.",
      validation_failed: "Revise los campos señalados.",
      weak_password: "La contraseña es demasiado corta o común. Use al menos 12 caracteres, idealmente una frase.",
      mfa_enrolment_required:
        "Esta cuenta debe configurar primero un segundo factor en la aplicación de administración. Después, acceda aquí.",
      invalid_mfa_code: "El código no es correcto.",
      mfa_code_replayed: "Este código ya se usó. Espere al siguiente.",
      invalid_mfa_token: "Este paso expiró. Vuelva a empezar con correo y contraseña.",
      mfa_locked: "Demasiados códigos incorrectos. El acceso con segundo factor está bloqueado unos minutos.",
      default: "Algo salió mal. Vuelva a intentarlo en unos instantes.",
    },
  },
};

/**
 * The informative disclaimer matches the one the content-finalizer plugin writes, so the page and its
 * analysis say the same thing (CFM 2.336/2023: publicity is informative and never replaces a consultation).
 */
export const STRINGS: Record<ContentLocale, SiteStrings> = {
  "pt-BR": {
    languageName: "Português (Brasil)",
    skipToContent: "Pular para o conteúdo",
    home: "Início",
    latest: "Artigos recentes",
    search: "Buscar",
    searchLabel: "Buscar no site",
    searchResultsFor: (q) => `Resultados da busca por “${q}”`,
    noResults: "Nenhum resultado encontrado.",
    noItems: "Nada publicado aqui ainda.",
    by: "Por",
    publishedOn: "Publicado em",
    updatedOn: "Atualizado em",
    categories: "Categorias",
    tags: "Tags",
    category: "Categoria",
    tag: "Tag",
    author: "Autor",
    responsiblePhysician: "Médico responsável",
    lastMedicallyReviewed: "Última revisão médica",
    technicalDirector: "Diretor técnico médico",
    references: "Referências",
    summary: "Em resumo",
    tableOfContents: "Neste artigo",
    disclaimer:
      "Este conteúdo tem caráter exclusivamente informativo e educativo e não substitui a consulta médica. Em caso de dúvida ou sintomas, procure um médico.",
    translations: "Este artigo em outros idiomas",
    professionalOnlyTitle: "Conteúdo para profissionais de saúde",
    professionalOnlyText:
      "O texto completo está disponível apenas para profissionais de saúde com registro verificado.",
    signIn: "Entrar como profissional de saúde",
    notFoundTitle: "Página não encontrada",
    notFoundText: "O endereço pode ter mudado ou o conteúdo não está mais publicado.",
    unavailableTitle: "Serviço temporariamente indisponível",
    unavailableText: "Tente novamente em alguns instantes.",
    previous: "Anterior",
    next: "Próxima",
    pageOf: (page, total) => `Página ${page} de ${total}`,
    feeds: "Feeds",
    siteDescription: (site) => `Conteúdo de saúde de ${site}, revisado por médicos.`,
    mainNavigation: "Navegação principal",
    languages: "Idiomas",
    pagination: "Paginação",
    privacy: "Privacidade",
    privacyIntro: (site) =>
      `${site} é a controladora dos dados pessoais tratados neste site. Este aviso diz quais dados tratamos, para quê, com base em quê, com quem os compartilhamos e por quanto tempo os guardamos (Lei 13.709/2018, LGPD).`,
    dpo: "Encarregado pelo tratamento de dados pessoais (DPO)",
    dpoNotNamed: (site) => `${site} ainda não publicou o contato do encarregado; use os canais de contato deste site.`,
    yourRights: "Seus direitos",
    rights: [
      "confirmação da existência de tratamento e acesso aos dados",
      "correção de dados incompletos, inexatos ou desatualizados",
      "anonimização, bloqueio ou eliminação de dados desnecessários, excessivos ou tratados em desconformidade com a lei",
      "portabilidade dos dados",
      "eliminação dos dados tratados com consentimento, ressalvadas as hipóteses de guarda legal (art. 16)",
      "informação sobre com quem os dados são compartilhados e sobre a possibilidade de não consentir",
      "revogação do consentimento",
    ],
    howToExercise:
      "Para exercer esses direitos (LGPD art. 18), escreva ao encarregado. A confirmação e o acesso são respondidos em formato simplificado de imediato ou por declaração completa em até 15 dias (art. 19). Prontuários médicos são guardados por no mínimo 20 anos (Lei 13.787/2018): um pedido de eliminação antes disso é atendido com o bloqueio dos dados. Você também pode peticionar à Autoridade Nacional de Proteção de Dados (ANPD).",
    processingTitle: "O que tratamos e por quê",
    legalBasis: "Base legal",
    recipientsTitle: "Com quem compartilhamos",
    transfersTitle: "Transferências internacionais",
    retentionTitle: "Por quanto tempo guardamos",
    securityTitle: "Como protegemos os dados",
    years: (n) => (n === 1 ? "1 ano" : `${n} anos`),
    days: (n) => (n === 1 ? "1 dia" : `${n} dias`),
    keptUntilRemoved: "até a remoção editorial",
  },
  en: {
    languageName: "English",
    skipToContent: "Skip to content",
    home: "Home",
    latest: "Latest articles",
    search: "Search",
    searchLabel: "Search the site",
    searchResultsFor: (q) => `Search results for “${q}”`,
    noResults: "No results found.",
    noItems: "Nothing is published here yet.",
    by: "By",
    publishedOn: "Published on",
    updatedOn: "Updated on",
    categories: "Categories",
    tags: "Tags",
    category: "Category",
    tag: "Tag",
    author: "Author",
    responsiblePhysician: "Responsible physician",
    lastMedicallyReviewed: "Last medically reviewed",
    technicalDirector: "Medical technical director",
    references: "References",
    summary: "Key points",
    tableOfContents: "In this article",
    disclaimer:
      "This content is for information and education only and does not replace a consultation with a physician. If you have questions or symptoms, see a doctor.",
    translations: "This article in other languages",
    professionalOnlyTitle: "Content for health professionals",
    professionalOnlyText: "The full text is available only to health professionals with a verified registration.",
    signIn: "Sign in as a health professional",
    notFoundTitle: "Page not found",
    notFoundText: "The address may have changed, or the content is no longer published.",
    unavailableTitle: "Temporarily unavailable",
    unavailableText: "Please try again in a moment.",
    previous: "Previous",
    next: "Next",
    pageOf: (page, total) => `Page ${page} of ${total}`,
    feeds: "Feeds",
    siteDescription: (site) => `Health content from ${site}, reviewed by physicians.`,
    mainNavigation: "Main navigation",
    languages: "Languages",
    pagination: "Pagination",
    privacy: "Privacy",
    privacyIntro: (site) =>
      `${site} is the controller of the personal data processed on this site. This notice says what data we process, why, on which legal basis, who receives it and how long we keep it (Brazil's LGPD, Law 13,709/2018).`,
    dpo: "Data protection officer (encarregado)",
    dpoNotNamed: (site) =>
      `${site} has not published its data protection officer's contact yet; use this site's contact channels.`,
    yourRights: "Your rights",
    rights: [
      "confirmation that we process your data, and access to it",
      "correction of incomplete, inaccurate or outdated data",
      "anonymisation, blocking or deletion of unnecessary or excessive data, or data processed unlawfully",
      "portability of your data",
      "deletion of data processed on your consent, except where the law requires us to keep it (art. 16)",
      "information on who receives your data and on the option not to consent",
      "withdrawal of consent",
    ],
    howToExercise:
      "To exercise these rights (LGPD art. 18), write to the data protection officer. Confirmation and access are answered at once in simplified form, or by a full statement within 15 days (art. 19). Medical records are kept for at least 20 years (Law 13,787/2018): a request to delete one earlier is answered by blocking the data. You may also petition Brazil's data protection authority (ANPD).",
    processingTitle: "What we process and why",
    legalBasis: "Legal basis",
    recipientsTitle: "Who receives it",
    transfersTitle: "International transfers",
    retentionTitle: "How long we keep it",
    securityTitle: "How we protect it",
    years: (n) => (n === 1 ? "1 year" : `${n} years`),
    days: (n) => (n === 1 ? "1 day" : `${n} days`),
    keptUntilRemoved: "until removed by the editors",
  },
  es: {
    languageName: "Español",
    skipToContent: "Saltar al contenido",
    home: "Inicio",
    latest: "Artículos recientes",
    search: "Buscar",
    searchLabel: "Buscar en el sitio",
    searchResultsFor: (q) => `Resultados de la búsqueda de “${q}”`,
    noResults: "No se encontraron resultados.",
    noItems: "Todavía no hay nada publicado aquí.",
    by: "Por",
    publishedOn: "Publicado el",
    updatedOn: "Actualizado el",
    categories: "Categorías",
    tags: "Etiquetas",
    category: "Categoría",
    tag: "Etiqueta",
    author: "Autor",
    responsiblePhysician: "Médico responsable",
    lastMedicallyReviewed: "Última revisión médica",
    technicalDirector: "Director técnico médico",
    references: "Referencias",
    summary: "En resumen",
    tableOfContents: "En este artículo",
    disclaimer:
      "Este contenido es solo informativo y educativo y no sustituye la consulta médica. Ante dudas o síntomas, consulte a un médico.",
    translations: "Este artículo en otros idiomas",
    professionalOnlyTitle: "Contenido para profesionales de la salud",
    professionalOnlyText:
      "El texto completo está disponible solo para profesionales de la salud con registro verificado.",
    signIn: "Iniciar sesión como profesional de la salud",
    notFoundTitle: "Página no encontrada",
    notFoundText: "La dirección puede haber cambiado o el contenido ya no está publicado.",
    unavailableTitle: "Servicio temporalmente no disponible",
    unavailableText: "Inténtelo de nuevo en unos instantes.",
    previous: "Anterior",
    next: "Siguiente",
    pageOf: (page, total) => `Página ${page} de ${total}`,
    feeds: "Feeds",
    siteDescription: (site) => `Contenido de salud de ${site}, revisado por médicos.`,
    mainNavigation: "Navegación principal",
    languages: "Idiomas",
    pagination: "Paginación",
    privacy: "Privacidad",
    privacyIntro: (site) =>
      `${site} es el responsable de los datos personales tratados en este sitio. Este aviso indica qué datos tratamos, para qué, con qué base legal, con quién los compartimos y durante cuánto tiempo los conservamos (LGPD de Brasil, Ley 13.709/2018).`,
    dpo: "Encargado de protección de datos (DPO)",
    dpoNotNamed: (site) =>
      `${site} aún no ha publicado el contacto de su encargado; utilice los canales de contacto de este sitio.`,
    yourRights: "Sus derechos",
    rights: [
      "confirmación de que tratamos sus datos y acceso a ellos",
      "corrección de datos incompletos, inexactos o desactualizados",
      "anonimización, bloqueo o eliminación de datos innecesarios, excesivos o tratados en contra de la ley",
      "portabilidad de sus datos",
      "eliminación de los datos tratados con su consentimiento, salvo cuando la ley exige conservarlos (art. 16)",
      "información sobre con quién se comparten sus datos y sobre la posibilidad de no consentir",
      "revocación del consentimiento",
    ],
    howToExercise:
      "Para ejercer estos derechos (LGPD art. 18), escriba al encargado. La confirmación y el acceso se responden de inmediato en forma simplificada, o con una declaración completa en un plazo de 15 días (art. 19). Las historias clínicas se conservan al menos 20 años (Ley 13.787/2018): una solicitud de eliminación anterior se atiende bloqueando los datos. También puede presentar una petición ante la autoridad brasileña de protección de datos (ANPD).",
    processingTitle: "Qué tratamos y por qué",
    legalBasis: "Base legal",
    recipientsTitle: "Con quién los compartimos",
    transfersTitle: "Transferencias internacionales",
    retentionTitle: "Cuánto tiempo los conservamos",
    securityTitle: "Cómo los protegemos",
    years: (n) => (n === 1 ? "1 año" : `${n} años`),
    days: (n) => (n === 1 ? "1 día" : `${n} días`),
    keptUntilRemoved: "hasta su retirada editorial",
  },
};

/**
 * A physician's council registration as CFM 2.336/2023 has publicity show it: "CRM/SP 123456", and the RQE
 * numbers of a specialist ("RQE 18342"). The same form on the article and in the footer.
 */
export function councilRegistration(crmNumber: string, crmUf: string, rqe: readonly string[] = []): string {
  return [`CRM/${crmUf} ${crmNumber}`, ...(rqe.length > 0 ? [`RQE ${rqe.join(", ")}`] : [])].join(" — ");
}

/**
 * One formatter per locale and isolate: building an `Intl.DateTimeFormat` loads the locale's data and costs far
 * more than formatting with it (a page formats several dates).
 */
const dateFormats = new Map<ContentLocale, Intl.DateTimeFormat>();

/** Dates already written, by locale and UTC day: a page shows a few, a site a few thousand distinct days. */
const formattedDays = new Map<string, string>();
const DAY_MS = 86_400_000;

/** A date as readers of the locale write it. UTC, so the page and the JSON-LD's `lastReviewed` agree. */
export function formatDate(date: Date, locale: ContentLocale): string {
  // `dateStyle: "long"` in UTC names the UTC day and nothing finer, so the day is the whole key.
  const key = `${locale} ${Math.floor(date.getTime() / DAY_MS)}`;
  const known = formattedDays.get(key);
  if (known !== undefined) return known;
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
    dateFormats.set(locale, format);
  }
  const text = format.format(date);
  if (formattedDays.size >= 4096) formattedDays.clear();
  formattedDays.set(key, text);
  return text;
}
