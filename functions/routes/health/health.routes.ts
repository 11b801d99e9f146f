import { createRoute, z } from "@hono/zod-openapi";

const dependencyCheck = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number().int().nonnegative(),
  reason: z.string().optional(),
});

export const readinessSchema = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    down: z.array(z.enum(["postgres", "redis", "s3"])),
    checks: z.object({ postgres: dependencyCheck, redis: dependencyCheck, s3: dependencyCheck }),
  })
  .openapi("Readiness");

export const healthz = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["Operations"],
  summary: "Liveness: the Worker answers. Touches no dependency.",
  responses: {
    200: {
      description: "The Worker is running.",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }).openapi("Liveness") } },
    },
  },
});

export const readyz = createRoute({
  method: "get",
  path: "/readyz",
  tags: ["Operations"],
  summary:
    "Readiness: PostgreSQL (select 1), Redis (PING) and S3 (a probe read in the bucket), each with latency in ms.",
  responses: {
    200: { description: "Every dependency is up.", content: { "application/json": { schema: readinessSchema } } },
    503: {
      description: "At least one dependency is down or misconfigured; `down` names which.",
      content: { "application/json": { schema: readinessSchema } },
    },
  },
});
