/**
 * The one door to the Worker's JSON API.
 * - The access token lives in this module's memory only (never localStorage/sessionStorage): a reload
 *   restores the session through the HttpOnly refresh cookie (`POST /api/auth/refresh`).
 * - 401 `invalid_token` (expired access token): one refresh, shared by concurrent callers, then a retry.
 * - 401 `step_up_required` (RFC 9470): the UI is asked to re-authenticate with the second factor, then the
 *   request is retried once.
 * - Errors are `ApiError`s carrying the problem+json document; errors.ts turns them into words.
 */
import { contentTypes } from "../../functions/content-types";
import type { ApiTokenScope, ContentType } from "../../functions/contract";
import type { ApiTokenView, CreatedApiToken } from "../../functions/services/identity/api-tokens";
import type { ServiceAccountView } from "../../functions/services/identity/service-accounts";
import type { Taxonomy } from "../../functions/services/content/taxonomy";
import type {
  MfaConfirmation,
  MfaEnrolInput,
  MfaEnrolment,
  NotificationPreferenceInput as NotificationPreference,
} from "../../functions/shapes/account";
import type { TenantSettings, TenantSettingsInput } from "../../functions/shapes/tenant-settings";
import type { Problem } from "./errors";
import type {
  AcceptedInvitation,
  CredentialQueueItem,
  InvitationView,
  Member,
  MemberPage,
} from "../../functions/shapes/members";
import type {
  AccessToken,
  ContentCreate,
  ContentLocale,
  ContentItem,
  ContentPage,
  ContentUpdate,
  CredentialView,
  LoginAnswer,
  MediaItem,
  MediaPage,
  Me,
  OutboxMessage,
  OutboxPage,
  OutboxStatus,
  Revision,
  RevisionComparison,
  Role,
  SubjectMatch,
  Term,
  TermInput,
  TransitionInput,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookEndpointWithSecret,
} from "./types";

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.code);
    this.name = "ApiError";
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let stepUpHandler: (() => Promise<boolean>) | null = null;
// Requests refused together (a screen loading two PHI-level resources) share one step-up prompt.
let steppingUp: Promise<boolean> | null = null;
let sessionEndedHandler: (() => void) | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}
export function hasSession(): boolean {
  return accessToken !== null;
}
/** The UI registers how to ask for the second factor again; resolves true when the user re-authenticated. */
export function onStepUp(handler: () => Promise<boolean>): void {
  stepUpHandler = handler;
}
/** Called when the session cannot be renewed (the UI goes back to the sign-in screen). */
export function onSessionEnded(handler: () => void): void {
  sessionEndedHandler = handler;
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body.code === "string") return { ...body, status: response.status, code: body.code } as Problem;
  } catch {
    // not JSON (a proxy's page, an HTML 404): fall through to a status-based problem
  }
  return { status: response.status, code: response.status >= 500 ? "internal_error" : `http_${response.status}` };
}

export interface Answer<T> {
  data: T;
  etag: string | null;
  status: number;
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** No bearer token, no refresh/step-up handling (sign-in endpoints). */
  anonymous?: boolean;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (!options.anonymous && accessToken) headers.authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "include",
      cache: "no-store",
    });
  } catch {
    throw new ApiError({ status: 0, code: "network_error" });
  }
}

/** Renews the access token from the refresh cookie; concurrent callers share one attempt. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await send("POST", "/api/auth/refresh", { anonymous: true });
      if (!response.ok) {
        accessToken = null;
        return false;
      }
      accessToken = ((await response.json()) as AccessToken).access_token;
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Sends with the bearer token; renews it or asks for a step-up once on a 401, and throws the problem otherwise. */
async function authorised(method: string, path: string, options: RequestOptions): Promise<Response> {
  let response = await send(method, path, options);
  if (response.status === 401 && !options.anonymous) {
    const problem = await readProblem(response);
    let retry = false;
    if (problem.code === "step_up_required" && stepUpHandler) {
      steppingUp ??= stepUpHandler().finally(() => {
        steppingUp = null;
      });
      retry = await steppingUp;
    } else if (problem.code === "invalid_token" || problem.code === "unauthenticated") {
      retry = await refreshSession();
      if (!retry) sessionEndedHandler?.();
    }
    if (!retry) throw new ApiError(problem);
    response = await send(method, path, options);
  }
  if (!response.ok) throw new ApiError(await readProblem(response));
  return response;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const response = await authorised(method, path, options);
  const etag = response.headers.get("etag");
  // 204, and a 202 such as the password-reset request's, carry no body.
  const text = await response.text();
  return { data: (text ? JSON.parse(text) : undefined) as T, etag, status: response.status };
}

/**
 * Downloads a file the API answers with (a CSV export) as a Blob, with the bearer token from memory, and saves it
 * under the name of its Content-Disposition (else `fallbackName`): the token never goes into a URL.
 */
export async function saveDownload(path: string, accept: string, fallbackName: string): Promise<void> {
  const response = await authorised("GET", path, { headers: { accept } });
  const disposition = response.headers.get("content-disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

async function data<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
  return (await request<T>(method, path, options)).data;
}

const ifMatch = (version: number) => ({ "if-match": `"${version}"` });
const idempotent = () => ({ "idempotency-key": crypto.randomUUID() });

// ---- Authentication and account ----

export const auth = {
  login: (email: string, password: string) =>
    data<LoginAnswer>("POST", "/api/auth/login", { body: { email, password }, anonymous: true }),
  mfa: (mfaToken: string, code: string) =>
    data<AccessToken>("POST", "/api/auth/mfa", { body: { mfaToken, code }, anonymous: true }),
  /** The enrolment a tenant's policy forces at sign-in: the token opens only these two steps. */
  startForcedEnrolment: (enrolmentToken: string) =>
    data<MfaEnrolment>("POST", "/api/auth/mfa/enrol", { body: { enrolmentToken }, anonymous: true }),
  confirmForcedEnrolment: (enrolmentToken: string, code: string) =>
    data<AccessToken & { recoveryCodes: string[] }>("POST", "/api/auth/mfa/enrol/confirm", {
      body: { enrolmentToken, code },
      anonymous: true,
    }),
  logout: async () => {
    try {
      await request<void>("POST", "/api/auth/logout");
    } finally {
      accessToken = null;
    }
  },
};

export const me = {
  get: () => data<Me>("GET", "/api/me"),
  startEnrolment: (body: MfaEnrolInput) => data<MfaEnrolment>("POST", "/api/me/mfa/enrol", { body }),
  /** Every other session ends on confirmation; this one goes on with the fresh access token in the answer. */
  confirmEnrolment: async (code: string) => {
    const answer = await data<MfaConfirmation>("POST", "/api/me/mfa/confirm", { body: { code } });
    accessToken = answer.accessToken;
    return { recoveryCodes: answer.recoveryCodes };
  },
  submitCredential: (input: { crmNumber: string; crmUf: string; rqe: string[]; specialty?: string }) =>
    data<CredentialView>("PUT", "/api/me/credential", { body: input }),
  notifications: () => data<NotificationPreference>("GET", "/api/me/notifications"),
  setNotifications: (input: NotificationPreference) =>
    data<NotificationPreference>("PUT", "/api/me/notifications", { body: input }),
};

// ---- Members, invitations and the credential queue (admins), and the public pages ----

const member = (userId: string) => `/api/members/${encodeURIComponent(userId)}`;

export const members = {
  list: (filters: MemberFilters) => data<MemberPage>("GET", `/api/members${query(filters)}`),
  setRoles: (userId: string, roles: Role[]) => data<Member>("PATCH", member(userId), { body: { roles } }),
  remove: (userId: string) => data<void>("DELETE", member(userId)),
  suspend: (userId: string) => data<void>("POST", `${member(userId)}/suspend`),
  resume: (userId: string) => data<void>("POST", `${member(userId)}/resume`),
};

export const invitations = {
  open: () => data<{ items: InvitationView[] }>("GET", "/api/invitations"),
  create: (input: { email: string; roles: Role[]; locale?: ContentLocale }) =>
    data<InvitationView>("POST", "/api/invitations", { body: input }),
  revoke: (id: string) => data<void>("DELETE", `/api/invitations/${encodeURIComponent(id)}`),
  /** Public: the token from the link's fragment; an existing account sends its current password. */
  accept: (input: { token: string; password: string; displayName?: string }) =>
    data<AcceptedInvitation & { signIn?: LoginAnswer }>("POST", "/api/invitations/accept", {
      body: input,
      anonymous: true,
    }),
};

export const credentials = {
  queue: (status: "pending" | "verified" | "rejected") =>
    data<{ items: CredentialQueueItem[] }>("GET", `/api/credentials${query({ status })}`),
  review: (userId: string, status: "verified" | "rejected", note: string) =>
    data<CredentialView>("POST", `/api/users/${encodeURIComponent(userId)}/credential/review`, {
      body: { status, note },
    }),
};

export const tenantSettings = {
  get: () => data<TenantSettings>("GET", "/api/tenant/settings"),
  save: (input: TenantSettingsInput) => data<TenantSettings>("PUT", "/api/tenant/settings", { body: input }),
};

export const passwordReset = {
  request: (email: string) => data<void>("POST", "/api/auth/password-reset", { body: { email }, anonymous: true }),
  confirm: (token: string, password: string) =>
    data<void>("POST", "/api/auth/password-reset/confirm", { body: { token, password }, anonymous: true }),
};

// ---- Outgoing e-mail ----

export const outbox = {
  list: (query: { status?: OutboxStatus | undefined; page: number }) =>
    data<OutboxPage>(
      "GET",
      `/api/outbox?page=${query.page}&pageSize=25${query.status ? `&status=${encodeURIComponent(query.status)}` : ""}`,
    ),
  retry: (id: string) => data<OutboxMessage>("POST", `/api/outbox/${encodeURIComponent(id)}/retry`),
};

// ---- Webhooks ----

export const webhooks = {
  list: () => data<WebhookEndpoint[]>("GET", "/api/webhooks"),
  create: (input: WebhookEndpointInput) => data<WebhookEndpointWithSecret>("POST", "/api/webhooks", { body: input }),
  update: (id: string, patch: Partial<WebhookEndpointInput>) =>
    data<WebhookEndpoint>("PATCH", `/api/webhooks/${encodeURIComponent(id)}`, { body: patch }),
  remove: (id: string) => data<void>("DELETE", `/api/webhooks/${encodeURIComponent(id)}`),
  rotateSecret: (id: string, keepPrevious: boolean) =>
    data<WebhookEndpointWithSecret>("POST", `/api/webhooks/${encodeURIComponent(id)}/secret`, {
      body: { keepPrevious },
    }),
  deliveries: (id: string, page: number) =>
    data<WebhookDeliveryPage>("GET", `/api/webhooks/${encodeURIComponent(id)}/deliveries?page=${page}&pageSize=25`),
  redeliver: (id: string, deliveryId: string) =>
    data<void>(
      "POST",
      `/api/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`,
    ),
};

// ---- API tokens ----

export type { ApiTokenView, CreatedApiToken };

export const apiTokens = {
  list: () => data<ApiTokenView[]>("GET", "/api/tokens"),
  /** With `serviceAccountId` (admins): a service token, acting as that service account. */
  create: (input: { name: string; scopes: ApiTokenScope[]; expiresAt: string; serviceAccountId?: string }) =>
    data<CreatedApiToken>("POST", "/api/tokens", { body: input }),
  revoke: (id: string) => data<ApiTokenView>("DELETE", `/api/tokens/${encodeURIComponent(id)}`),
};

export type { ServiceAccountView };

export const serviceAccounts = {
  list: () => data<ServiceAccountView[]>("GET", "/api/service-accounts"),
  create: (input: { name: string }) => data<ServiceAccountView>("POST", "/api/service-accounts", { body: input }),
};

export type { Taxonomy };

// ---- Content ----

export interface MemberFilters {
  role?: Role;
  status?: "active" | "suspended";
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface ContentFilters {
  state?: string;
  locale?: string;
  category?: string;
  tag?: string;
  author?: string;
  complianceLevel?: string;
  q?: string;
  trashed?: "true";
  cursor?: string;
  limit?: number;
}

function query(filters: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The admin API of one content type, at the path the registry gives it (functions/content-types.ts). */
export function contentApi(type: ContentType) {
  const base = contentTypes[type].apiPath;
  return {
    list: (filters: ContentFilters) => data<ContentPage>("GET", `${base}${query(filters)}`),
    get: (id: string) => data<ContentItem>("GET", `${base}/${id}`),
    create: (input: ContentCreate) => data<ContentItem>("POST", base, { body: input, headers: idempotent() }),
    update: (id: string, version: number, changes: ContentUpdate) =>
      data<ContentItem>("PATCH", `${base}/${id}`, { body: changes, headers: ifMatch(version) }),
    trash: (id: string, version: number) => data<ContentItem>("DELETE", `${base}/${id}`, { headers: ifMatch(version) }),
    transition: (id: string, version: number, input: TransitionInput) =>
      data<ContentItem>("POST", `${base}/${id}/transitions`, {
        body: input,
        headers: { ...ifMatch(version), ...idempotent() },
      }),
    revisions: (id: string) => data<{ items: Revision[] }>("GET", `${base}/${id}/revisions`),
    compare: (id: string, from?: string, to?: string) =>
      data<RevisionComparison>("GET", `${base}/${id}/revisions/compare${query({ from, to })}`),
    restoreRevision: (id: string, revisionId: string, version: number) =>
      data<ContentItem>("POST", `${base}/${id}/revisions/${revisionId}/restore`, {
        headers: { ...ifMatch(version), ...idempotent() },
      }),
    analyse: (id: string) => data<unknown>("POST", `${base}/${id}/analysis`),
    analysis: (id: string) => data<unknown>("GET", `${base}/${id}/analysis`),
  };
}

const TAXONOMY_PATHS: Record<Taxonomy, string> = { category: "/api/categories", tag: "/api/tags" };

export const terms = {
  list: (taxonomy: Taxonomy) => data<{ items: Term[] }>("GET", TAXONOMY_PATHS[taxonomy]),
  create: (taxonomy: Taxonomy, input: TermInput) =>
    data<Term>("POST", TAXONOMY_PATHS[taxonomy], { body: input, headers: idempotent() }),
  update: (taxonomy: Taxonomy, id: string, changes: Partial<TermInput>) =>
    data<Term>("PATCH", `${TAXONOMY_PATHS[taxonomy]}/${id}`, { body: changes }),
  remove: (taxonomy: Taxonomy, id: string) =>
    data<{ deleted: true; detachedFrom: number }>("DELETE", `${TAXONOMY_PATHS[taxonomy]}/${id}`),
};

// ---- Media and data subjects ----

export interface MediaFilters {
  kind?: string;
  retentionClass?: string;
  subjectId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export const media = {
  list: (filters: MediaFilters) => data<MediaPage>("GET", `/api/media${query(filters)}`),
  get: (id: string) => data<MediaItem>("GET", `/api/media/${encodeURIComponent(id)}`),
  download: (id: string) =>
    data<{ url: string; expiresIn: number }>("GET", `/api/media/${encodeURIComponent(id)}/download`),
  /** Marks an image public (or not) and sets its alt text: editors and admins. */
  update: (id: string, body: { public?: boolean; altText?: string | null }) =>
    data<MediaItem>("PATCH", `/api/media/${encodeURIComponent(id)}`, { body }),
};

export const subjects = {
  /** By part of the name, or by CPF (the server compares its salted hash; the number is never stored). */
  search: (by: { name: string } | { cpf: string }) =>
    data<{ subjects: SubjectMatch[] }>("GET", `/api/privacy/subjects${query(by)}`),
};
