import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../bindings";
import { createLogger } from "../lib/logging";

// An incoming id is kept only if it is short and plain, so it can be logged and echoed safely.
const ACCEPTABLE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Gives every request an id (echoed as `X-Request-Id`, used as the problem `instance`) and a logger carrying it. */
export function requestId() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && ACCEPTABLE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.set("logger", createLogger({ requestId: id }));
    await next();
    c.header("X-Request-Id", id);
  });
}
