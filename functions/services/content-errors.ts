import { AppError } from "../lib/errors";

/**
 * Two statuses the shared error model (functions/lib/errors.ts) has no class for yet. They live here,
 * next to the only code that throws them, until the lead decides whether they belong in lib/errors.ts.
 */

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

/** RFC 6585 §3: the change must name the version it edits (If-Match), so lost updates cannot happen. */
export class PreconditionRequiredError extends AppError {
  readonly status = 428;
  readonly code = "if_match_required";
  readonly title = "Precondition required";
  constructor(
    message = 'Send the version you are editing in If-Match (e.g. If-Match: "3"), as given by the ETag of your last read.',
  ) {
    super(message);
  }
}
