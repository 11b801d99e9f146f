// A protected JSON endpoint built from the product's own middleware (as bench/protected/worker.ts), with one
// step before `protect()`: the request reports its arrival to the test (`TRUST_ARRIVAL_URL`), so a test knows
// that every request it sent has reached the trust check before it lets the Redis command in flight answer.
// Test-only: the product has no such step.
import { createMiddleware } from "hono/factory";
import { createRouter } from "../../../functions/lib/router";
import type { AppBindings } from "../../../functions/bindings";
import { protect } from "../../../functions/middleware/protect";
import { requestId } from "../../../functions/middleware/request-id";
import { securityHeaders } from "../../../functions/middleware/security-headers";
import { requestScope } from "../../../functions/middleware/scope";
import { problemResponse, toAppError } from "../../../functions/lib/problem";

const reportArrival = createMiddleware<AppBindings>(async (c, next) => {
  const url = (c.env as unknown as { TRUST_ARRIVAL_URL: string }).TRUST_ARRIVAL_URL;
  const response = await fetch(url, { method: "POST" });
  await response.arrayBuffer();
  return next();
});

const app = createRouter();
app.use("*", requestId(), securityHeaders(), requestScope());
app.get("/protected", reportArrival, protect({ sensitivity: "restricted", action: "read" }), (c) =>
  c.json({ ok: true }),
);
app.onError((error, c) => problemResponse(c, toAppError(error)));

export default app;
