import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One field that failed validation, as answered in a 422 problem. */
export interface FieldProblem {
  path: string;
  message: string;
}

interface AppErrorOptions {
  detail?: string;
  cause?: unknown;
  /** Extra members of the problem document (RFC 9457 §3.2), e.g. the failing fields. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * The one error model. Each subclass knows its HTTP status, a stable machine code clients can switch on,
 * and whether its message may be shown to the caller; `onError` renders it as RFC 9457 problem+json.
 */
export abstract class AppError extends Error {
  abstract readonly status: ContentfulStatusCode;
  abstract readonly code: string;
  abstract readonly title: string;
  /** Whether `detail` is safe to show to the caller (no internals, no personal data). */
  readonly expose: boolean = true;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.detail = options.detail ?? message;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export class ValidationError extends AppError {
  readonly status = 422;
  readonly code = "validation_failed";
  readonly title = "The request is not valid";
  constructor(errors: FieldProblem[], detail = "Some fields are missing or invalid.") {
    super(detail, { extensions: { errors } });
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly title = "Bad request";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly title = "Authentication required";
  constructor(
    readonly code: string = "unauthenticated",
    message = "Sign in to continue.",
    options: AppErrorOptions = {},
  ) {
    super(message, options);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly title = "Not allowed";
  constructor(
    readonly code: string = "forbidden",
    message = "You are not allowed to do this.",
    options: AppErrorOptions = {},
  ) {
    super(message, options);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = "not_found";
  readonly title = "Not found";
  constructor(message = "Nothing was found at this address.") {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = "Conflict";
  constructor(
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** RFC 9110 §15.5.11: what the address named existed and is gone for good (a used or expired one-time link). */
export class GoneError extends AppError {
  readonly status = 410;
  readonly title = "Gone";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 9110 §15.5.21: the request is understood but cannot be processed as sent (e.g. a reused idempotency key). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly title = "The request cannot be processed";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = "payload_too_large";
  readonly title = "Payload too large";
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code = "rate_limited";
  readonly title = "Too many requests";
  constructor(retryAfterSeconds: number, message = "Too many requests. Try again later.") {
    super(message, { headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}

/** A required variable or secret is missing or malformed. The variable names are safe; values never appear. */
export class ConfigError extends AppError {
  readonly status = 500;
  readonly code = "config_invalid";
  readonly title = "The service is misconfigured";
  override readonly expose = false;
  constructor(
    readonly section: string,
    readonly problems: string[],
  ) {
    super(`${section} configuration is invalid: ${problems.join("; ")}`);
  }
}

/** A backing service (PostgreSQL, Redis, S3) could not be reached. */
export class DependencyUnavailableError extends AppError {
  readonly status = 503;
  readonly code = "dependency_unavailable";
  readonly title = "A service is temporarily unavailable";
  constructor(dependency: string, options: AppErrorOptions = {}) {
    super(`${dependency} is unavailable. Try again shortly.`, options);
  }
}

/**
 * The tenant published at this hostname is suspended by the platform operator: its site and API answer nothing
 * but this (RFC 9110 §15.6.4), and its data is kept as it is until it is resumed.
 */
export class TenantSuspendedError extends AppError {
  readonly status = 503;
  readonly code = "tenant_suspended";
  readonly title = "This site is suspended";
  constructor() {
    super("This site is temporarily unavailable.");
  }
}

/** The generic answer for anything unexpected; its details go to the log, never to the caller. */
export class InternalError extends AppError {
  readonly status = 500;
  readonly code = "internal_error";
  readonly title = "Something went wrong";
  override readonly expose = false;
}
