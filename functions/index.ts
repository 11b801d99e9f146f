import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduled } from "./jobs";
import { isLivenessProbe, livenessResponse } from "./routes/health/liveness";

const app = createApp();

export default {
  // Liveness is answered before the app's middleware and router: a probe must cost no more than the smallest
  // Worker's request (docs/design-notes.md, "Request path").
  fetch: (request, env, ctx) => (isLivenessProbe(request) ? livenessResponse() : app.fetch(request, env, ctx)),
  scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): void {
    ctx.waitUntil(runScheduled(controller.cron, env));
  },
} satisfies ExportedHandler<Bindings>;
