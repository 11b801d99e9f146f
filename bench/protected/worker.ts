// The same JSON endpoint twice in one Worker, built from the product's own middleware: `/open` without
// trust, `/protected` with it (at most one Redis command, shared by concurrent requests, + scoring),
// `/protected-logged` with the access log as well (one HTTP insert in waitUntil, after the response). All
// verify a bearer token when one is sent.
// Benchmark-only: production code has no switch that turns security off.
import { createRouter } from "../../functions/lib/router";
import type { AppBindings } from "../../functions/bindings";
import type { Context } from "hono";
import { accessLog } from "../../functions/middleware/access-log";
import { protect } from "../../functions/middleware/protect";
import { requestId } from "../../functions/middleware/request-id";
import { securityHeaders } from "../../functions/middleware/security-headers";
import { requestScope } from "../../functions/middleware/scope";
import { problemResponse, toAppError } from "../../functions/lib/problem";

const app = createRouter();
app.use("*", requestId(), securityHeaders(), requestScope());
const answer = (c: Context<AppBindings>) => c.json({ tenant: c.get("scope").tenant.slug, items: [1, 2, 3] });
app.get("/open", answer);
app.get("/protected", protect({ sensitivity: "restricted", action: "read" }), answer);
app.get("/protected-logged", accessLog(), protect({ sensitivity: "restricted", action: "read" }), answer);
app.onError((error, c) => problemResponse(c, toAppError(error)));

export default app;
