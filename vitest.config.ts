import { defineConfig } from "vitest/config";

// Two kinds of tests, one runner:
// - unit: pure logic in Node (no servers), plugins through Extism, Terraform parsed as JSON;
// - local-cloud: the stand-ins (Neon proxy, Upstash adapter, S3 server) against real servers;
// - integration: the real Worker in workerd plus the local cloud, against the machine's PostgreSQL and Redis.
//   The global setup creates a fresh database per run and drops it afterwards.
export default defineConfig({
  test: {
    reporters: ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/plugins/**/*.test.ts", "test/infra/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: files run one after another so the servers under test are not starved.
          fileParallelism: false,
        },
      },
      {
        test: {
          // The stand-ins start their own servers and talk to the machine's PostgreSQL and Redis directly.
          name: "local-cloud",
          include: ["test/local-cloud/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
