import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduled } from "./jobs";
import { isLivenessProbe, livenessResponse } from "./routes/health/liveness";
import { microCachedAnswer, rememberAnswer } from "./services/site-cache";

const app = createApp();

/** The app's answer; one given from the micro-cache is kept to be given again before the app (site-cache.ts). */
async function answer(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
  const response = await app.fetch(request, env, ctx);
  rememberAnswer(request, response);
  return response;
}

export default {
  // Liveness, and a page the app already answered from the micro-cache, are answered before the app's middleware
  // and router: a probe must cost no more than the smallest Worker's request (docs/design-notes.md, "Request path").
  fetch: (request, env, ctx) =>
    isLivenessProbe(request) ? livenessResponse() : (microCachedAnswer(request) ?? answer(request, env, ctx)),
  scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): void {
    ctx.waitUntil(runScheduled(controller.cron, env));
  },
} satisfies ExportedHandler<Bindings>;
