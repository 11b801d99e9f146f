import type { RouteHandler } from "@hono/zod-openapi";
import { getConfig } from "../../env";
import type { AppBindings } from "../../bindings";
import { checkReadiness } from "../../services/readiness";
import type { healthz, readyz } from "./health.routes";

export const getLiveness: RouteHandler<typeof healthz, AppBindings> = (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const }, 200);
};

export const getReadiness: RouteHandler<typeof readyz, AppBindings> = async (c) => {
  const logger = c.get("logger");
  const readiness = await checkReadiness(getConfig(c.env), {
    schedule: (promise) => c.executionCtx.waitUntil(promise),
    onFailure: (dependency, error) => logger.warn("dependency check failed", { dependency, error }),
  });
  c.header("Cache-Control", "no-store");
  if (readiness.status === "ready") return c.json(readiness, 200);
  logger.warn("readiness check failed", { down: readiness.down });
  return c.json(readiness, 503);
};
