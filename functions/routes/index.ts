import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppBindings } from "../env";
import { authRouter } from "./auth";
import { meRouter } from "./me";
import { usersRouter } from "./users";

/**
 * Mounts the resource routers behind tenant resolution and authentication (see app.tsx for the order).
 * One line per resource; each router declares its routes' sensitivity with `protect()` (middleware/protect.ts).
 */
export function mountApiRoutes(app: OpenAPIHono<AppBindings>): void {
  app.route("/api", authRouter);
  app.route("/api", meRouter);
  app.route("/api", usersRouter);
}
