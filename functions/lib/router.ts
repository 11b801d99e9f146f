import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../bindings";
import type { z } from "@hono/zod-openapi";
import { ValidationError } from "./errors";

/** A 422 naming each failing field under its request part (`json.email`, `param.slug`), never its value. */
export function validationError(target: string, issues: readonly z.core.$ZodIssue[]): ValidationError {
  return new ValidationError(
    issues.map((issue) => ({ path: [target, ...issue.path.map(String)].join("."), message: issue.message })),
  );
}

/**
 * Every resource router is made here, so invalid input is answered the same way everywhere: a 422 problem
 * naming each failing field (the value itself is never echoed: it may be personal data).
 */
export function createRouter(): OpenAPIHono<AppBindings> {
  return new OpenAPIHono<AppBindings>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error.issues);
    },
  });
}
