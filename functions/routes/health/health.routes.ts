import { createRoute, z } from "@hono/zod-openapi";
import { CONFIG_ONLY_SECTIONS, type ConfigOnlySection } from "../../services/readiness";

const dependencyCheck = z.object({
  status: z.enum(["up", "down"]),
  latencyMs: z.number().int().nonnegative(),
  reason: z.string().optional(),
});

const configCheck = z.object({ status: z.enum(["ok", "invalid"]), reason: z.string().optional() });

export const readinessSchema = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    down: z.array(z.enum(["postgres", "redis", "s3"])),
    checks: z.object({ postgres: dependencyCheck, redis: dependencyCheck, s3: dependencyCheck }),
    config: z.object(
      Object.fromEntries(CONFIG_ONLY_SECTIONS.map((name) => [name, configCheck])) as Record<
        ConfigOnlySection,
        typeof configCheck
      >,
    ),
    misconfigured: z.array(z.enum(CONFIG_ONLY_SECTIONS)),
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
    "Readiness: PostgreSQL (select 1), Redis (PING) and S3 (a probe read in the bucket), each with latency in ms, and every other configuration section (auth, audit, analysis, site, edge, mail, platform) that does not parse.",
  responses: {
    200: { description: "Every dependency is up.", content: { "application/json": { schema: readinessSchema } } },
    503: {
      description:
        "A dependency is down or misconfigured (`down` names which), or a configuration section does not parse (`misconfigured`).",
      content: { "application/json": { schema: readinessSchema } },
    },
  },
});
