import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduled } from "./jobs";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): void {
    ctx.waitUntil(runScheduled(controller.cron, env, ctx));
  },
} satisfies ExportedHandler<Bindings>;
