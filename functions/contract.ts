/**
 * The API's vocabulary, shared by the Worker, the database schema and the admin SPA. Plain constants and
 * types with no imports and no runtime dependencies, so the SPA bundles it as it is and never keeps a copy.
 */

/** Content types; what differs between them is in functions/content-types.ts. */
export const CONTENT_TYPES = ["post", "page"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const CONTENT_LOCALES = ["pt-BR", "en", "es"] as const;
export type ContentLocale = (typeof CONTENT_LOCALES)[number];

/** The longest privacy notice of one locale in the tenant settings, in characters of Markdown (about 2,500 words). */
export const MAX_PRIVACY_NOTICE_LENGTH = 16_000;

/** The four compliance levels, from anyone to never-public. */
export const COMPLIANCE_LEVELS = ["public", "professional", "restricted", "phi"] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

/** The editorial workflow's states. */
export const WORKFLOW_STATES = [
  "draft",
  "in_review",
  "medical_review",
  "approved",
  "scheduled",
  "published",
  "archived",
] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

/** Roles a user may hold in a tenant. */
export const ROLES = [
  "admin",
  "editor",
  "author",
  "medical_reviewer",
  "compliance_officer",
  "reader_professional",
] as const;
export type Role = (typeof ROLES)[number];

/** The rights of LGPD art. 18 this system fulfils. */
export const PRIVACY_REQUEST_TYPES = [
  "access",
  "portability",
  "correction",
  "anonymisation",
  "deletion",
  "consent_withdrawal",
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export const PRIVACY_REQUEST_STATUSES = ["open", "fulfilled", "partially_fulfilled"] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];

/** The analysis pipeline's stages, in order (the plugin of each stage has the same name). */
/**
 * What a webhook endpoint may subscribe to (services/webhooks/): an item entering, leaving or changing on the public
 * site, and a new media item that names no data subject. Deliveries follow the Standard Webhooks specification.
 */
export const WEBHOOK_EVENTS = ["content.published", "content.unpublished", "content.updated", "media.created"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const ANALYSIS_STAGES = [
  "lgpd-analyzer",
  "medical-claims",
  "scientific-refs",
  "seo-optimizer",
  "content-finalizer",
] as const;
export type AnalysisStage = (typeof ANALYSIS_STAGES)[number];
/** The extra stage that scans the title and summary for personal data (they are published too). */
export const TITLE_EXCERPT_STAGE = "lgpd-analyzer:title-excerpt";

/** One step of the editorial workflow and who may take it. */
export interface TransitionRule {
  /** Roles that may take the step on any item. */
  roles: readonly Role[];
  /** Roles that may take the step only on items they wrote. */
  ownRoles?: readonly Role[];
  /** Roles that may take the step only to override a blocked publication (with a justification). */
  overrideRoles?: readonly Role[];
  /** A written reason is required (going back to draft: the author must know why). */
  requiresReason?: boolean;
  /** The actor must be a medical reviewer with a verified CRM, and not the item's author (four eyes). */
  medicalApproval?: boolean;
  /**
   * The compliance gate: needs an analysis of the exact current revision (409 `analysis_required` without
   * one) with no blocking findings, unless a verified medical reviewer overrides them with a justification.
   */
  publishGate?: boolean;
}

/**
 * States in which the analysis runs by itself: on entering them and on every save while there (the editor
 * shows "analysing…" until it is stored). Approval, scheduling and publishing then read its findings.
 */
export const ANALYSED_STATES: readonly WorkflowState[] = ["in_review", "medical_review"];

/** Whether a stored analysis covers the item's current revision, is on its way, or is neither. */
export const ANALYSIS_STATUSES = ["analysed", "pending", "missing"] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

const BACK_TO_DRAFT: TransitionRule = { roles: ["editor", "admin"], requiresReason: true };
const PUBLISH: TransitionRule = { roles: ["editor", "admin"], overrideRoles: ["medical_reviewer"], publishGate: true };

/**
 * The editorial workflow's permission matrix: from-state → to-state → rule. A step that is not here does
 * not exist. The Worker enforces it (services/workflow.ts); the admin SPA reads it to choose its buttons.
 *
 *   draft ─► in_review ─► medical_review ─► approved ─► scheduled ─► published ─► archived
 *     ▲__________│_______________│_______________│___________│____________│___________│  (with a reason)
 *
 * CFM 2.336/2023 makes the physician responsible for medical publicity: approval needs a verified
 * medical reviewer who is not the author, and the approval is recorded with their name and CRM/UF.
 */
export const TRANSITIONS: Readonly<Partial<Record<WorkflowState, Partial<Record<WorkflowState, TransitionRule>>>>> = {
  draft: {
    in_review: { roles: ["editor", "admin"], ownRoles: ["author"] },
  },
  in_review: {
    medical_review: { roles: ["editor", "admin"] },
    draft: { roles: ["editor", "admin"], ownRoles: ["author"], requiresReason: true },
  },
  medical_review: {
    approved: { roles: ["medical_reviewer"], medicalApproval: true, publishGate: true },
    draft: { roles: ["medical_reviewer", "editor", "admin"], requiresReason: true },
  },
  approved: {
    scheduled: PUBLISH,
    published: PUBLISH,
    draft: { roles: ["medical_reviewer", "editor", "admin"], requiresReason: true },
  },
  scheduled: {
    published: PUBLISH,
    draft: BACK_TO_DRAFT,
  },
  published: {
    archived: { roles: ["editor", "admin"] },
    draft: BACK_TO_DRAFT,
  },
  archived: {
    draft: BACK_TO_DRAFT,
  },
};

/** The 27 federative units: a CRM number is only meaningful with the council (state) that issued it. */
export const UFS = [
  "AC",
  "AL",
  "AP",
  "AM",
  "BA",
  "CE",
  "DF",
  "ES",
  "GO",
  "MA",
  "MT",
  "MS",
  "MG",
  "PA",
  "PB",
  "PR",
  "PE",
  "PI",
  "RJ",
  "RN",
  "RS",
  "RO",
  "RR",
  "SC",
  "SP",
  "SE",
  "TO",
] as const;
export type Uf = (typeof UFS)[number];

/**
 * What an API token may be used for (routes/tokens, `middleware/api-token-routes.ts` maps each route to one).
 * A token never reaches personal health data nor account and security operations, whatever its scopes.
 */
export const API_TOKEN_SCOPES = ["content:read", "content:write", "media:write", "analysis:run"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** The longest an API token may live, in days: every token has an expiry. */
export const API_TOKEN_MAX_DAYS = 366;
