import { z } from "@hono/zod-openapi";

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

/** A required JSON request body validated by `schema` (the router's hook answers 422 when it fails). */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true as const, content: { "application/json": { schema } } };
}

/** A JSON response described by `schema`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
