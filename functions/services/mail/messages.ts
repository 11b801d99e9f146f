import type { ContentLocale, ContentType, PrivacyRequestType, Role } from "../../contract";

/**
 * One editorial-workflow notice (services/workflow-notices.ts): what happened to which item. The title is not
 * PHI by itself, but a `phi` item's title and reason are left out (null); findings are codes, never quoted text.
 */
// A type, not an interface: it is stored as a row's JSON parameters, which must have an index signature.
export type WorkflowNotice = {
  kind: "medical_review" | "sent_back" | "published" | "override_published";
  contentType: ContentType;
  contentId: string;
  title: string | null;
  reason: string | null;
  findings: string[];
};

/**
 * An operational alert to the compliance officers (services/compliance-alerts.ts): a job that keeps failing, the
 * audit chain failing verification, a spike of trust denials, an LGPD request near its deadline. Counts, codes
 * and instants only: never a person, an address or a message text.
 */
export type ComplianceAlert =
  | { kind: "job_failing"; job: string; failures: number; since: string; errorCode: string | null }
  /** `communicationDue`: the due day of the draft incident the break opened (absent in alerts queued before it). */
  | { kind: "audit_chain_broken"; detectedAt: string; communicationDue?: string }
  | { kind: "trust_denial_spike"; denials: number; baselinePerHour: number; since: string }
  | { kind: "privacy_request_due"; requestType: PrivacyRequestType; receivedAt: string; dueAt: string };

/**
 * Every e-mail the system sends, by template: what the template needs to render it. A new e-mail is one
 * variant here and its texts in the templates (pt-BR, en, es). Parameters never carry PHI, and subjects never
 * carry anything personal; a one-time token a message carries is its `secret` (sealed at rest, wiped once sent)
 * and is rendered only into the link's fragment.
 */
export type MailMessage =
  | {
      template: "invitation";
      /** `origin` is the tenant site the link opens (https://clinic.example); the token goes in the fragment. */
      data: { tenantName: string; roles: Role[]; inviterName: string | null; origin: string; expiresAt: string };
      secret: string;
    }
  | { template: "password-reset"; data: { tenantName: string; origin: string; expiresAt: string }; secret: string }
  | { template: "password-changed"; data: { tenantName: string; origin: string; changedAt: string } }
  /**
   * To a health professional who registered on the site: confirm the address. The link opens the site's
   * confirmation page in `siteLocale` (the language they registered in), with the token in the fragment.
   */
  | {
      template: "professional-confirmation";
      data: { tenantName: string; origin: string; expiresAt: string; siteLocale: ContentLocale };
      secret: string;
    }
  | {
      template: "credential-reviewed";
      data: { tenantName: string; origin: string; status: "verified" | "rejected"; note: string };
    }
  | { template: "workflow-notice"; data: WorkflowNotice & { tenantName: string; origin: string } }
  | { template: "workflow-digest"; data: { tenantName: string; origin: string; notices: WorkflowNotice[] } }
  | {
      /** A paper a published article cites was retracted after publication (the daily re-check, jobs/). */
      template: "reference-retracted";
      data: { tenantName: string; origin: string; articleTitle: string; reference: string; paperTitle: string | null };
    }
  /** To the compliance officers, at once: a staff member opened emergency access to PHI (never the justification). */
  | {
      template: "break-glass-opened";
      data: { tenantName: string; origin: string; userName: string; openedAt: string; expiresAt: string };
    }
  /** To the compliance officers: an incident's communication deadline is near or past. */
  | {
      template: "incident-deadline";
      data: { tenantName: string; origin: string; discoveredAt: string; due: string; overdue: boolean };
    }
  /** To the compliance officers: something an operator must look at (see ComplianceAlert). */
  | { template: "compliance-alert"; data: { tenantName: string; origin: string; alert: ComplianceAlert } }
  /** To a data subject (LGPD art. 48 §1; Res. CD/ANPD 15/2024 art. 9): what happened to their data, what was done. */
  | {
      template: "incident-notice";
      data: {
        tenantName: string;
        origin: string;
        description: string;
        dataCategories: string[];
        measures: string;
        contact: string;
      };
    };

export type MailTemplate = MailMessage["template"];
export type MailLocale = ContentLocale;

/** The link a templated message points to; the secret, when there is one, travels in the fragment only. */
export const MAIL_LINK_PATHS: Record<MailTemplate, string> = {
  invitation: "/admin/invitation",
  "password-reset": "/admin/reset-password",
  "password-changed": "/admin/login",
  // The site's own page, in the registration's language (`sitePaths.confirmRegistration`, `templates.ts`).
  "professional-confirmation": "/",
  "credential-reviewed": "/admin/account",
  // A notice opens its item's editor below this path (`templates.ts`, `mailLink`); a digest opens the admin.
  "workflow-notice": "/admin/",
  "workflow-digest": "/admin/",
  "reference-retracted": "/admin/",
  "break-glass-opened": "/admin/compliance",
  "incident-deadline": "/admin/compliance",
  "incident-notice": "/",
  "compliance-alert": "/admin/compliance",
};
