// The same JSON endpoint twice in one Worker, built from the product's own middleware: `/open` without
// authentication and trust, `/protected` with both (JWT verification + one Redis pipeline + scoring).
// Benchmark-only: production code has no switch that turns security off.
import { createRouter } from "../../functions/lib/router";
import type { AppBindings } from "../../functions/env";
import type { Context } from "hono";
import { authenticate } from "../../functions/middleware/authenticate";
import { protect } from "../../functions/middleware/protect";
import { requestId } from "../../functions/middleware/request-id";
import { securityHeaders } from "../../functions/middleware/security-headers";
import { services } from "../../functions/middleware/services";
import { tenant } from "../../functions/middleware/tenant";
import { problemResponse, toAppError } from "../../functions/lib/problem";

const app = createRouter();
app.use("*", requestId(), securityHeaders(), services(), tenant());
const answer = (c: Context<AppBindings>) => c.json({ tenant: c.var.tenant.slug, items: [1, 2, 3] });
app.get("/open", answer);
app.get("/protected", authenticate(), protect({ sensitivity: "restricted", action: "read" }), answer);
app.onError((error, c) => problemResponse(c, toAppError(error)));

export default app;
