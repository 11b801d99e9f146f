import type { MiddlewareHandler } from "hono";
import type { AppBindings } from "../bindings";
import { ValidationError } from "../lib/errors";

// Half of a UTF-16 pair without the other half. JSON can spell one (`"\ud800"`), but it is no character:
// PostgreSQL would store U+FFFD in its place and RFC 8785 (the audit hash) refuses it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).some(([key, inner]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(inner));
  }
  return false;
}

/**
 * Refuses a JSON body whose text is not well-formed Unicode with 422 `validation_failed`, before any route reads
 * it, so it is never stored altered or half-written. The parsed body stays cached on the request: the route's
 * validator reads it without parsing again, and answers malformed JSON itself.
 */
export function wellFormedJson(): MiddlewareHandler<AppBindings> {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && /json/i.test(c.req.header("content-type") ?? "")) {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return next();
      }
      if (hasLoneSurrogate(body)) {
        throw new ValidationError([
          { path: "json", message: "Text must be well-formed Unicode (no lone surrogates)." },
        ]);
      }
    }
    await next();
  };
}
