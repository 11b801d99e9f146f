import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppBindings } from "../bindings";
import { AppError, BadRequestError, InternalError, PayloadTooLargeError, ValidationError } from "./errors";

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

/** Stable problem type URIs (RFC 9457 §3.1.1): one per machine code, never a page we do not control. */
export function problemType(code: string): string {
  return `urn:vitalis:problem:${code}`;
}

/** Turns anything thrown into an AppError: known errors keep their meaning, the rest become a generic 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new PayloadTooLargeError("The request body is too large.");
    if (error.status === 400) return new BadRequestError("malformed_request", "The request could not be read.");
    // The validator's answer to an optional JSON body sent as another type (lib/openapi.ts `optionalJsonBody`).
    if (error.status === 415) {
      return new ValidationError([{ path: "body", message: "Send the body as application/json." }]);
    }
    return new InternalError("Unexpected HTTP exception", { cause: error });
  }
  return new InternalError("Unexpected error", { cause: error });
}

/** Renders an AppError as `application/problem+json` with the request id as `instance`. */
export function problemResponse(c: Context<AppBindings>, error: AppError): Response {
  const body: ProblemDocument = {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.expose
      ? (error.detail ?? error.title)
      : "An unexpected error occurred. Quote the request id if you contact support.",
    instance: c.get("requestId") ?? "",
    ...(error.expose ? error.extensions : {}),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      "Content-Type": "application/problem+json; charset=utf-8",
      "Cache-Control": "no-store",
      ...error.headers,
    },
  });
}
