import type { RetentionClass } from "../schema/retention-policies";
import type { ContentLocale } from "./contract";

/**
 * The record of processing operations (LGPD Art. 37), as data: what the Worker does with personal data, why, on
 * which legal basis, for how long (by retention class: schema/retention-policies.ts holds the periods) and which
 * outside services receive it. `GET /api/compliance/processing-register` and the privacy page's default notice are
 * generated from this table, and the configuration names its outside services through it: every variable of
 * `functions/env.ts` that points at a service outside the Worker maps to an entry of `RECIPIENTS`
 * (`OUTBOUND_ENDPOINTS`), and test/unit/processing-register.test.ts fails for a new endpoint without one.
 *
 * Pure data: no imports but types, so the Worker, the config and the tests share it.
 */

export type Localized = Readonly<Record<ContentLocale, string>>;

const l = (en: string, pt: string, es: string): Localized => ({ en, "pt-BR": pt, es });

/** LGPD Art. 5 VI–VII: the controller decides, an operator (processor) processes on its behalf. */
export type RecipientRole = "processor" | "recipient";

export interface Recipient {
  readonly name: string;
  readonly role: RecipientRole;
  readonly service: Localized;
  /** Where it processes the data; anything outside Brazil is an international transfer (LGPD Art. 33). */
  readonly location: string;
  readonly internationalTransfer: boolean;
  /** LGPD Art. 33 mechanism relied on; Resolução CD/ANPD 19/2024 sets the standard contractual clauses. */
  readonly transferSafeguard: Localized | null;
  /** What it receives, in the register's own categories. */
  readonly dataCategories: readonly DataCategory[];
  /** The public endpoint the Worker calls by default (none when the deployment supplies it). */
  readonly defaultEndpoint?: string;
}

const SCC = l(
  "Standard contractual clauses (LGPD Art. 33 II b; Resolução CD/ANPD 19/2024) in the data processing agreement; encryption in transit",
  "Cláusulas-padrão contratuais (LGPD art. 33, II, b; Resolução CD/ANPD 19/2024) no contrato de tratamento de dados; criptografia em trânsito",
  "Cláusulas contractuales tipo (LGPD art. 33 II b; Resolución CD/ANPD 19/2024) en el contrato de tratamiento; cifrado en tránsito",
);

export const DATA_CATEGORIES = {
  identification: l("Name and e-mail address", "Nome e endereço de e-mail", "Nombre y correo electrónico"),
  credentials: l(
    "Password hash, second-factor secrets (encrypted), session tokens",
    "Hash de senha, segredos do segundo fator (cifrados), tokens de sessão",
    "Hash de contraseña, secretos del segundo factor (cifrados), tokens de sesión",
  ),
  professional_registration: l(
    "Medical council registration (CRM, UF, RQE)",
    "Registro no conselho de medicina (CRM, UF, RQE)",
    "Registro en el consejo de medicina (CRM, UF, RQE)",
  ),
  connection_data: l(
    "IP address, port, device cookie, network and approximate location, date and time of access",
    "Endereço IP, porta, cookie do dispositivo, rede e localização aproximada, data e hora do acesso",
    "Dirección IP, puerto, cookie del dispositivo, red y ubicación aproximada, fecha y hora del acceso",
  ),
  health_data: l(
    "Health data: medical records, clinical documents and images, DICOM studies (sensitive, LGPD Art. 5 II)",
    "Dados de saúde: prontuários, documentos e imagens clínicas, estudos DICOM (sensíveis, LGPD art. 5º, II)",
    "Datos de salud: historias clínicas, documentos e imágenes clínicas, estudios DICOM (sensibles, LGPD art. 5 II)",
  ),
  patient_identification: l(
    "Patient identification: name, CPF, CNS, date of birth, contact",
    "Identificação do paciente: nome, CPF, CNS, data de nascimento, contato",
    "Identificación del paciente: nombre, CPF, CNS, fecha de nacimiento, contacto",
  ),
  consent_records: l(
    "Consents given and withdrawn, data-subject requests and their answers",
    "Consentimentos dados e revogados, requisições de titulares e suas respostas",
    "Consentimientos dados y revocados, solicitudes de titulares y sus respuestas",
  ),
  activity_records: l(
    "Records of actions (audit trail) and security incidents",
    "Registros de ações (trilha de auditoria) e incidentes de segurança",
    "Registros de acciones (auditoría) e incidentes de seguridad",
  ),
  editorial_content: l(
    "Published content with its authors' and responsible physicians' names",
    "Conteúdo publicado com os nomes de seus autores e médicos responsáveis",
    "Contenido publicado con los nombres de sus autores y médicos responsables",
  ),
  bibliographic_identifiers: l(
    "Bibliographic identifiers cited in articles (DOI, PMID) and the operator's contact address; no data subject's data",
    "Identificadores bibliográficos citados nos artigos (DOI, PMID) e o contato do operador; nenhum dado de titular",
    "Identificadores bibliográficos citados en los artículos (DOI, PMID) y el contacto del operador; ningún dato de titulares",
  ),
  cache_tags: l(
    "Identifiers of changed pages (cache tags); no data subject's data",
    "Identificadores das páginas alteradas (cache tags); nenhum dado de titular",
    "Identificadores de las páginas modificadas (cache tags); ningún dato de titulares",
  ),
  public_item_events: l(
    "Events about what the public site shows (ids, slugs, titles, URLs, times) and the host names of their receivers; no data subject's data",
    "Eventos sobre o que o site público mostra (ids, slugs, títulos, URLs, horários) e os nomes de host dos receptores; nenhum dado de titular",
    "Eventos sobre lo que muestra el sitio público (ids, slugs, títulos, URLs, horas) y los nombres de host de sus receptores; ningún dato de titulares",
  ),
} as const satisfies Record<string, Localized>;
export type DataCategory = keyof typeof DATA_CATEGORIES;

export const DATA_SUBJECTS = {
  staff: l(
    "Staff: editors, authors, medical reviewers, compliance officers, administrators",
    "Equipe: editores, autores, revisores médicos, encarregados, administradores",
    "Personal: editores, autores, revisores médicos, encargados, administradores",
  ),
  professional_readers: l(
    "Verified health professionals who read restricted content",
    "Profissionais de saúde verificados que leem conteúdo restrito",
    "Profesionales de la salud verificados que leen contenido restringido",
  ),
  patients: l("Patients and other data subjects", "Pacientes e demais titulares", "Pacientes y demás titulares"),
  readers: l("Readers of the public site", "Leitores do site público", "Lectores del sitio público"),
} as const satisfies Record<string, Localized>;
export type DataSubject = keyof typeof DATA_SUBJECTS;

/**
 * Every outside service the Worker sends data to. Cloudflare runs the Worker itself (no variable names it); every
 * other entry is reached through a variable of the configuration (`OUTBOUND_ENDPOINTS` in functions/env.ts).
 */
export const RECIPIENTS = {
  cloudflare: {
    name: "Cloudflare, Inc.",
    role: "processor",
    service: l(
      "Runs the application (Workers), its CDN and cache, and the cache purge API",
      "Executa a aplicação (Workers), sua CDN e cache, e a API de limpeza de cache",
      "Ejecuta la aplicación (Workers), su CDN y caché, y la API de purga de caché",
    ),
    location: "Global edge network; United States",
    internationalTransfer: true,
    transferSafeguard: SCC,
    dataCategories: [
      "identification",
      "credentials",
      "connection_data",
      "health_data",
      "patient_identification",
      "editorial_content",
      "cache_tags",
    ],
    defaultEndpoint: "https://api.cloudflare.com",
  },
  neon: {
    name: "Neon (Databricks, Inc.)",
    role: "processor",
    service: l(
      "PostgreSQL database: every record of the application",
      "Banco de dados PostgreSQL: todos os registros da aplicação",
      "Base de datos PostgreSQL: todos los registros de la aplicación",
    ),
    location: "AWS region chosen for the project (sa-east-1, São Paulo, where available)",
    internationalTransfer: true,
    transferSafeguard: SCC,
    dataCategories: [
      "identification",
      "credentials",
      "professional_registration",
      "connection_data",
      "health_data",
      "patient_identification",
      "consent_records",
      "activity_records",
      "editorial_content",
    ],
  },
  upstash: {
    name: "Upstash, Inc.",
    role: "processor",
    service: l(
      "Redis: session revocation, rate limits, security signals, short-lived caches",
      "Redis: revogação de sessões, limites de requisições, sinais de segurança, caches de curta duração",
      "Redis: revocación de sesiones, límites de solicitudes, señales de seguridad, cachés de corta duración",
    ),
    location: "Region chosen for the database",
    internationalTransfer: true,
    transferSafeguard: SCC,
    dataCategories: ["connection_data", "credentials"],
  },
  aws_s3: {
    name: "Amazon Web Services, Inc. (S3)",
    role: "processor",
    service: l(
      "Object storage: media, clinical documents and DICOM studies, anchored audit checkpoints",
      "Armazenamento de objetos: mídia, documentos clínicos e estudos DICOM, checkpoints de auditoria ancorados",
      "Almacenamiento de objetos: medios, documentos clínicos y estudios DICOM, puntos de control de auditoría anclados",
    ),
    location: "sa-east-1 (São Paulo) unless the deployment chooses another region",
    internationalTransfer: false,
    transferSafeguard: null,
    dataCategories: ["health_data", "patient_identification", "editorial_content", "activity_records"],
  },
  smtp_relay: {
    name: "SMTP relay configured by the deployment (SMTP_HOST)",
    role: "processor",
    service: l(
      "Sends transactional e-mail: invitations, password resets, notices and alerts",
      "Envia e-mails transacionais: convites, redefinição de senha, avisos e alertas",
      "Envía correos transaccionales: invitaciones, restablecimiento de contraseña, avisos y alertas",
    ),
    location: "Depends on the relay contracted",
    internationalTransfer: true,
    transferSafeguard: SCC,
    dataCategories: ["identification"],
  },
  crossref: {
    name: "Crossref",
    role: "recipient",
    service: l(
      "Resolves DOIs cited in articles (reference checking)",
      "Resolve DOIs citados nos artigos (verificação de referências)",
      "Resuelve DOI citados en los artículos (verificación de referencias)",
    ),
    location: "United States / United Kingdom",
    internationalTransfer: false,
    transferSafeguard: null,
    dataCategories: ["bibliographic_identifiers"],
    defaultEndpoint: "https://api.crossref.org",
  },
  ncbi: {
    name: "U.S. National Center for Biotechnology Information (NCBI E-utilities)",
    role: "recipient",
    service: l(
      "Resolves PubMed and PMC identifiers cited in articles (reference checking)",
      "Resolve identificadores PubMed e PMC citados nos artigos (verificação de referências)",
      "Resuelve identificadores PubMed y PMC citados en los artículos (verificación de referencias)",
    ),
    location: "United States",
    internationalTransfer: false,
    transferSafeguard: null,
    dataCategories: ["bibliographic_identifiers"],
    defaultEndpoint: "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
  },
  webhook_receivers: {
    name: "Webhook endpoints the tenant's administrators register",
    role: "recipient",
    service: l(
      "Receive signed notices that content was published, unpublished or updated, or that a public image was added",
      "Recebem avisos assinados de que um conteúdo foi publicado, despublicado ou atualizado, ou de que uma imagem pública foi adicionada",
      "Reciben avisos firmados de que un contenido se publicó, despublicó o actualizó, o de que se añadió una imagen pública",
    ),
    location: "Chosen by the tenant's administrators",
    internationalTransfer: false,
    transferSafeguard: null,
    dataCategories: ["public_item_events"],
  },
  dns_resolver: {
    name: "DNS-over-HTTPS resolver (WEBHOOK_DNS_RESOLVER_URL; Cloudflare's by default)",
    role: "recipient",
    service: l(
      "Resolves the host names of webhook endpoints, to refuse private addresses",
      "Resolve os nomes de host dos endpoints de webhook, para recusar endereços privados",
      "Resuelve los nombres de host de los endpoints de webhook, para rechazar direcciones privadas",
    ),
    location: "Global anycast network",
    internationalTransfer: false,
    transferSafeguard: null,
    dataCategories: ["public_item_events"],
    defaultEndpoint: "https://cloudflare-dns.com/dns-query",
  },
} as const satisfies Record<string, Recipient>;
export type RecipientId = keyof typeof RECIPIENTS;

export interface ProcessingActivity {
  readonly title: Localized;
  readonly purpose: Localized;
  /** Citations of LGPD Art. 7 (personal data) and, where health data is processed, Art. 11. */
  readonly legalBases: readonly string[];
  readonly dataSubjects: readonly DataSubject[];
  readonly dataCategories: readonly DataCategory[];
  /** The retention classes its records fall under; their periods come from the retention table. */
  readonly retentionClasses: readonly RetentionClass[];
  /** What the retention table does not cover (data kept while a relationship lasts). */
  readonly retentionNote: Localized | null;
  readonly recipients: readonly RecipientId[];
}

const WHILE_MEMBER = l(
  "While the account or membership is active; its audit records follow the audit class",
  "Enquanto a conta ou o vínculo estiver ativo; os registros de auditoria seguem a classe de auditoria",
  "Mientras la cuenta o el vínculo esté activo; los registros de auditoría siguen la clase de auditoría",
);

export const PROCESSING_ACTIVITIES = {
  staff_accounts: {
    title: l(
      "Staff accounts and sign-in",
      "Contas da equipe e autenticação",
      "Cuentas del personal e inicio de sesión",
    ),
    purpose: l(
      "Identify and authenticate the clinic's staff, enforce roles, second factor and device checks",
      "Identificar e autenticar a equipe da clínica, aplicar papéis, segundo fator e verificação de dispositivo",
      "Identificar y autenticar al personal de la clínica, aplicar roles, segundo factor y verificación de dispositivo",
    ),
    legalBases: ["LGPD art. 7º, V (execução de contrato)", "LGPD art. 7º, II (obrigação legal: art. 46, segurança)"],
    dataSubjects: ["staff"],
    dataCategories: ["identification", "credentials", "professional_registration", "connection_data"],
    retentionClasses: ["audit_security"],
    retentionNote: WHILE_MEMBER,
    recipients: ["cloudflare", "neon", "upstash", "smtp_relay"],
  },
  medical_publishing: {
    title: l("Medical publishing", "Publicação médica", "Publicación médica"),
    purpose: l(
      "Publish health content that names its responsible physician, as medical advertising rules require",
      "Publicar conteúdo de saúde identificando o médico responsável, como exigem as regras de publicidade médica",
      "Publicar contenido de salud identificando al médico responsable, como exigen las normas de publicidad médica",
    ),
    legalBases: ["LGPD art. 7º, II (obrigação legal: CFM Resolução 2.336/2023)", "LGPD art. 7º, V"],
    dataSubjects: ["staff"],
    dataCategories: ["identification", "professional_registration", "editorial_content", "public_item_events"],
    retentionClasses: ["general_media"],
    retentionNote: null,
    recipients: ["cloudflare", "neon", "aws_s3", "crossref", "ncbi", "webhook_receivers", "dns_resolver"],
  },
  professional_access: {
    title: l(
      "Access of verified health professionals",
      "Acesso de profissionais de saúde verificados",
      "Acceso de profesionales de la salud verificados",
    ),
    purpose: l(
      "Verify the council registration of professionals who read content restricted to them",
      "Verificar o registro no conselho dos profissionais que leem conteúdo restrito a eles",
      "Verificar el registro en el consejo de los profesionales que leen contenido restringido a ellos",
    ),
    legalBases: [
      "LGPD art. 7º, I (consentimento dado no cadastro do site)",
      "LGPD art. 7º, V",
      "LGPD art. 7º, II (ANVISA RDC 96/2008: conteúdo restrito a prescritores)",
    ],
    dataSubjects: ["professional_readers"],
    dataCategories: ["identification", "credentials", "professional_registration", "connection_data"],
    retentionClasses: ["audit_security"],
    retentionNote: WHILE_MEMBER,
    recipients: ["cloudflare", "neon", "upstash", "smtp_relay"],
  },
  patient_records: {
    title: l(
      "Patient records and imaging",
      "Prontuários e exames de imagem",
      "Historias clínicas y estudios de imagen",
    ),
    purpose: l(
      "Keep patients' records, clinical documents and DICOM studies for care and for the legal retention period",
      "Guardar prontuários, documentos clínicos e estudos DICOM dos pacientes para a assistência e pelo prazo legal",
      "Conservar historias clínicas, documentos clínicos y estudios DICOM para la atención y durante el plazo legal",
    ),
    legalBases: [
      "LGPD art. 11, II, a (obrigação legal: Lei 13.787/2018; CFM Resolução 1.821/2007)",
      "LGPD art. 11, II, f (tutela da saúde, por profissionais de saúde)",
    ],
    dataSubjects: ["patients"],
    dataCategories: ["health_data", "patient_identification"],
    retentionClasses: ["medical_record", "medical_imaging", "upload_incomplete"],
    retentionNote: null,
    recipients: ["cloudflare", "neon", "aws_s3"],
  },
  data_subject_rights: {
    title: l(
      "Data-subject rights and consent",
      "Direitos dos titulares e consentimento",
      "Derechos de los titulares y consentimiento",
    ),
    purpose: l(
      "Answer requests for access, correction, portability, anonymisation and deletion; record consents and withdrawals",
      "Atender pedidos de acesso, correção, portabilidade, anonimização e eliminação; registrar consentimentos e revogações",
      "Atender solicitudes de acceso, corrección, portabilidad, anonimización y eliminación; registrar consentimientos y revocaciones",
    ),
    legalBases: [
      "LGPD art. 7º, II e art. 11, II, a (obrigação legal: arts. 18 e 19)",
      "LGPD art. 7º, I (consentimento)",
    ],
    dataSubjects: ["patients"],
    dataCategories: ["patient_identification", "consent_records"],
    retentionClasses: ["marketing_consent", "audit_security"],
    retentionNote: null,
    recipients: ["cloudflare", "neon", "smtp_relay"],
  },
  access_logs: {
    title: l("Access logs", "Registros de acesso", "Registros de acceso"),
    purpose: l(
      "Keep application access logs (who, IP address, date and time) as the Marco Civil da Internet requires",
      "Guardar os registros de acesso a aplicações (quem, IP, data e hora), como exige o Marco Civil da Internet",
      "Conservar los registros de acceso a la aplicación (quién, IP, fecha y hora), como exige el Marco Civil da Internet",
    ),
    legalBases: ["LGPD art. 7º, II (obrigação legal: Lei 12.965/2014, art. 15)"],
    dataSubjects: ["staff", "professional_readers"],
    dataCategories: ["identification", "connection_data"],
    retentionClasses: ["access_log"],
    retentionNote: null,
    recipients: ["cloudflare", "neon"],
  },
  security_and_audit: {
    title: l(
      "Security, audit trail and incidents",
      "Segurança, trilha de auditoria e incidentes",
      "Seguridad, auditoría e incidentes",
    ),
    purpose: l(
      "Detect misuse, record who read or changed what, and register and report security incidents",
      "Detectar uso indevido, registrar quem leu ou alterou o quê, e registrar e comunicar incidentes de segurança",
      "Detectar usos indebidos, registrar quién leyó o modificó qué, y registrar y comunicar incidentes de seguridad",
    ),
    legalBases: [
      "LGPD art. 7º, II (obrigação legal: arts. 46 a 49; Resolução CD/ANPD 15/2024)",
      "LGPD art. 11, II, g (prevenção à fraude e segurança do titular)",
    ],
    dataSubjects: ["staff", "professional_readers", "patients"],
    dataCategories: ["activity_records", "connection_data"],
    retentionClasses: ["audit_security", "hipaa_documentation"],
    retentionNote: null,
    recipients: ["cloudflare", "neon", "upstash", "aws_s3", "smtp_relay"],
  },
  public_site: {
    title: l("Public site", "Site público", "Sitio público"),
    purpose: l(
      "Deliver the public pages; searches are not stored and readers are not tracked",
      "Entregar as páginas públicas; as buscas não são guardadas e os leitores não são rastreados",
      "Entregar las páginas públicas; las búsquedas no se guardan y los lectores no son rastreados",
    ),
    legalBases: ["LGPD art. 7º, IX (legítimo interesse: entrega e segurança do site)"],
    dataSubjects: ["readers"],
    dataCategories: ["connection_data", "cache_tags"],
    retentionClasses: [],
    retentionNote: l(
      "Not stored by the application; the CDN keeps technical logs under its own terms",
      "Não guardados pela aplicação; a CDN mantém registros técnicos nos seus próprios termos",
      "No los guarda la aplicación; la CDN conserva registros técnicos según sus propios términos",
    ),
    recipients: ["cloudflare"],
  },
} as const satisfies Record<string, ProcessingActivity>;
export type ProcessingActivityId = keyof typeof PROCESSING_ACTIVITIES;

/** LGPD Art. 46–49 and Art. 37: the technical and organisational measures, as built. */
export const SECURITY_MEASURES: readonly Localized[] = [
  l(
    "Tenant isolation by PostgreSQL row-level security; least-privilege database roles",
    "Isolamento entre clientes por segurança em nível de linha do PostgreSQL; papéis de banco com privilégio mínimo",
    "Aislamiento entre clientes por seguridad a nivel de fila de PostgreSQL; roles de base de datos con privilegio mínimo",
  ),
  l(
    "Encryption in transit (TLS) and at rest; second-factor secrets sealed with AES-256-GCM",
    "Criptografia em trânsito (TLS) e em repouso; segredos do segundo fator cifrados com AES-256-GCM",
    "Cifrado en tránsito (TLS) y en reposo; secretos del segundo factor cifrados con AES-256-GCM",
  ),
  l(
    "Per-request zero-trust scoring; health data needs a second factor, a recent sign-in and a known device",
    "Avaliação de confiança a cada requisição; dados de saúde exigem segundo fator, login recente e dispositivo conhecido",
    "Evaluación de confianza en cada solicitud; los datos de salud exigen segundo factor, inicio reciente y dispositivo conocido",
  ),
  l(
    "Append-only audit trail with a hash chain and daily checkpoints signed (Ed25519, ML-DSA-65) and anchored under S3 Object Lock",
    "Trilha de auditoria só de inclusão, encadeada por hash, com checkpoints diários assinados (Ed25519, ML-DSA-65) e ancorados com S3 Object Lock",
    "Auditoría de solo inserción, encadenada por hash, con puntos de control diarios firmados (Ed25519, ML-DSA-65) y anclados con S3 Object Lock",
  ),
  l(
    "Retention periods enforced by hourly sweeps and bucket lifecycle rules; legal holds",
    "Prazos de retenção aplicados por varreduras horárias e regras de ciclo de vida do bucket; retenções legais",
    "Plazos de conservación aplicados por barridos horarios y reglas de ciclo de vida del bucket; retenciones legales",
  ),
  l(
    "Automatic detection of personal and health data before publication",
    "Detecção automática de dados pessoais e de saúde antes da publicação",
    "Detección automática de datos personales y de salud antes de la publicación",
  ),
  l(
    "Personal data redacted from logs; access logs kept six months",
    "Dados pessoais omitidos dos logs; registros de acesso guardados por seis meses",
    "Datos personales omitidos de los registros técnicos; registros de acceso conservados seis meses",
  ),
  l(
    "Incident register with the ANPD's three-business-day deadline; emergency access time-boxed and reviewed",
    "Registro de incidentes com o prazo de três dias úteis da ANPD; acesso de emergência limitado no tempo e revisado",
    "Registro de incidentes con el plazo de tres días hábiles de la ANPD; acceso de emergencia limitado en el tiempo y revisado",
  ),
];
