import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ValidationError } from "./errors";

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string(),
  })
  .loose()
  .openapi("Problem");

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request.",
  401: "Not signed in, or the token is invalid, revoked, or needs step-up authentication.",
  403: "Not allowed: role, origin or trust policy.",
  404: "Not found.",
  409: "Conflict with the current state.",
  410: "Gone: a one-time link that was used, revoked or expired.",
  413: "Payload too large.",
  422: "Validation failed; `errors` names each field.",
  429: "Too many requests; see Retry-After.",
};

/** One problem+json response, with its description. */
export function problemResponse(description: string) {
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

/** The problem+json responses a route can give, for its OpenAPI description. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(DESCRIPTIONS[status] ?? "Error.")]));
}

/**
 * A JSON request body the client may leave out (then the route's defaults apply): described and validated like
 * `jsonBody` when it is sent. The handler asks `sentJson(c)` before reading it.
 */
export function optionalJsonBody<T extends z.ZodType>(schema: T) {
  return { required: false as const, content: { "application/json": { schema } } };
}

/**
 * Whether the request carries the JSON body of an `optionalJsonBody` route (validated by then); false when it
 * carries no body at all. A body of another type is refused (422), never read as no body: an option sent as text
 * (say, to stop a leaked secret at once) must not be silently dropped.
 */
export function sentJson(c: Context): boolean {
  if (/json/i.test(c.req.header("content-type") ?? "")) return true;
  const length = c.req.header("content-length");
  const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
  if (hasBody) throw new ValidationError([{ path: "body", message: "Send the body as application/json." }]);
  return false;
}

/** A required JSON request body validated by `schema` (the router's hook answers 422 when it fails). */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true as const, content: { "application/json": { schema } } };
}

/** A JSON response described by `schema`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
