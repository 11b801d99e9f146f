/**
 * The API's vocabulary, shared by the Worker, the database schema and the admin SPA. Plain constants and
 * types with no imports and no runtime dependencies, so the SPA bundles it as it is and never keeps a copy.
 */

/** Content types; what differs between them is in functions/content-types.ts. */
export const CONTENT_TYPES = ["post", "page"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const CONTENT_LOCALES = ["pt-BR", "en", "es"] as const;
export type ContentLocale = (typeof CONTENT_LOCALES)[number];

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
