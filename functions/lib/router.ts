import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../bindings";
import { ValidationError } from "./errors";

/**
 * Every resource router is made here, so invalid input is answered the same way everywhere: a 422 problem
 * naming each failing field (the value itself is never echoed: it may be personal data).
 */
export function createRouter(): OpenAPIHono<AppBindings> {
  return new OpenAPIHono<AppBindings>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationError(
          result.error.issues.map((issue) => ({
            path: [result.target, ...issue.path.map(String)].join("."),
            message: issue.message,
          })),
        );
      }
    },
  });
}
