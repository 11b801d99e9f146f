import { describe, expect, it } from "vitest";
import { assertDemoSeedAllowed } from "../../scripts/seed-demo.js";

// Demo accounts share a published password: seeding them anywhere but a developer's machine or a test run
// would hand out working credentials.
describe("demo seeding", () => {
  it.each([undefined, "", "production", "staging", "Development", "dev", " development"])(
    "refuses when ENVIRONMENT is %j",
    (environment) => {
      expect(() => assertDemoSeedAllowed(environment)).toThrow(/Refusing to seed demo accounts/);
    },
  );

  it.each(["development", "test"])("seeds when ENVIRONMENT is %s", (environment) => {
    expect(() => assertDemoSeedAllowed(environment)).not.toThrow();
  });
});
