/**
 * Types shared with the Worker. Every import here is `import type`: erased at build time, so the bundle
 * carries none of the Worker's code, and a change of a route's zod schema breaks `tsc -p admin` at once.
 */
import type { z } from "zod";
import type {
  contentCreateSchema,
  contentItemSchema,
  contentPageSchema,
  contentUpdateSchema,
  revisionComparisonSchema,
  revisionSchema,
  termSchema,
  transitionSchema,
} from "../../functions/routes/content/content.schemas";
import type { CredentialView, Me } from "../../functions/services/identity/accounts";
import type { Finding, Severity } from "../../functions/plugin-host/types";
import type { ComplianceLevel, ContentLocale, WorkflowState } from "../../schema/content-items";
import type { Role } from "../../schema/memberships";
import type {
  mediaListItemSchema,
  mediaPageSchema,
  mediaViewSchema,
} from "../../functions/routes/shared/media-schemas";
import type { uploadTicketSchema } from "../../functions/routes/uploads/schemas";
import type { UploadKind } from "../../schema/uploads";
import type { AuditEvent, AuditPage, AuditVerification } from "../../functions/routes/audit/schemas";
import type { ComplianceReport, LegalHold as HoldView } from "../../functions/routes/compliance/schemas";
import type { PrivacyRequest as PrivacyRequestView, SubjectMatch } from "../../functions/routes/privacy/schemas";
import type { OutboxMessage, OutboxPage } from "../../functions/routes/outbox/schemas";
import type { OutboxStatus } from "../../schema/outbox";
import type { AccessLogPage, AccessLogView } from "../../functions/services/access-logs";
import type { AnpdForm, IncidentView } from "../../functions/services/incidents";
import type { IncidentRiskLevel, IncidentStatus } from "../../schema/incidents";
import type {
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  webhookCreateSchema,
} from "../../functions/routes/webhooks/schemas";

export type ContentItem = z.infer<typeof contentItemSchema>;
export type ContentPage = z.infer<typeof contentPageSchema>;
export type ContentCreate = z.input<typeof contentCreateSchema>;
export type ContentUpdate = z.input<typeof contentUpdateSchema>;
export type Revision = z.infer<typeof revisionSchema>;
export type RevisionComparison = z.infer<typeof revisionComparisonSchema>;
export type Term = z.infer<typeof termSchema>;
/** What a category or tag form sends (`parentId` for categories only). */
export type TermInput = { name: string; slug?: string; description?: string; parentId?: string | null };
export type TransitionInput = z.input<typeof transitionSchema>;

export type MediaItem = z.infer<typeof mediaViewSchema>;
export type MediaListItem = z.infer<typeof mediaListItemSchema>;
export type MediaPage = z.infer<typeof mediaPageSchema>;
export type UploadTicket = z.infer<typeof uploadTicketSchema>;
export type { AuditEvent, AuditPage, AuditVerification, ComplianceReport, HoldView, PrivacyRequestView, SubjectMatch };
export type { OutboxMessage, OutboxPage, OutboxStatus };
export type { AccessLogPage, AccessLogView, AnpdForm, IncidentRiskLevel, IncidentStatus, IncidentView };
export type { WebhookDelivery, WebhookDeliveryPage, WebhookEndpoint, WebhookEndpointWithSecret };
export type WebhookEndpointInput = z.input<typeof webhookCreateSchema>;

export type { ComplianceLevel, ContentLocale, CredentialView, Finding, Me, Role, Severity, UploadKind, WorkflowState };

export type AccessToken = { access_token: string; token_type: "Bearer"; expires_in: number };
export type LoginAnswer =
  AccessToken | { mfaRequired: true; mfaToken: string } | { mfaEnrolmentRequired: true; enrolmentToken: string };

export const LOCALES: readonly ContentLocale[] = ["pt-BR", "en", "es"];
export const COMPLIANCE_LEVELS: readonly ComplianceLevel[] = ["public", "professional", "restricted", "phi"];
export const STATES: readonly WorkflowState[] = [
  "draft",
  "in_review",
  "medical_review",
  "approved",
  "scheduled",
  "published",
  "archived",
];
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ["pending", "sending", "sent", "dead"];
