import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../bindings";
import { protect, type ProtectOptions, requiresBearer } from "../middleware/protect";

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

/** The OpenAPI security requirement of a route that needs `Authorization: Bearer <jwt>` (RFC 6750). */
export const BEARER_SECURITY = [{ bearer: [] as string[] }];

/** A route config for `protectedRoute`: `createRoute`'s, with the requirement instead of `security`. */
export type ProtectedRouteConfig = Omit<RouteConfig, "security" | "middleware"> & {
  /** What the route needs (middleware/protect.ts); it decides both the check and the documented security. */
  protect: ProtectOptions;
  /** More middleware, run after `protect()`. */
  middleware?: MiddlewareHandler<AppBindings>[];
};

/**
 * `createRoute` for a route behind `protect()`: one declaration gives both the middleware, run before any
 * other, and the OpenAPI `security` requirement, so what the document promises is what the route checks.
 * A public route open to anyone declares none; every other route declares the bearer scheme.
 */
export function protectedRoute<P extends string, R extends ProtectedRouteConfig & { path: P }>(config: R) {
  const { protect: requirement, middleware = [], ...route } = config;
  return createRoute({
    ...route,
    middleware: [protect(requirement), ...middleware] as const,
    ...(requiresBearer(requirement) ? { security: BEARER_SECURITY } : {}),
  });
}
