import { createMiddleware } from "hono/factory";
import type { AppBindings } from "../bindings";
import { createLogger } from "../lib/logging";

// A client's own id is logged only if it is short and plain, so a log line cannot be forged or bloated through it.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `X-Request-Id` when it is safe to log; undefined when absent or not plain. */
export function clientRequestIdOf(header: string | undefined): string | undefined {
  return header !== undefined && CLIENT_REQUEST_ID.test(header) ? header : undefined;
}

/**
 * Gives every request an id of our own (echoed as `X-Request-Id`, used as the problem `instance` and written
 * into audit events) and a logger carrying it. A client's `X-Request-Id` never becomes that id: the audit
 * chain must not hold values a client chose, and two requests must never share one. The client's id is kept
 * apart, on the log lines only, as `clientRequestId`, so a caller's trace can still be matched to ours.
 */
export function requestId() {
  return createMiddleware<AppBindings>(async (c, next) => {
    const id = crypto.randomUUID();
    const clientRequestId = clientRequestIdOf(c.req.header("x-request-id"));
    c.set("requestId", id);
    c.set("logger", createLogger(clientRequestId ? { requestId: id, clientRequestId } : { requestId: id }));
    await next();
    // On the answer's own headers: `c.header` after the answer is made copies the whole Response first. The
    // security-headers middleware sets the answer's headers the same way, so every answer here has mutable ones.
    c.res.headers.set("X-Request-Id", id);
  });
}
