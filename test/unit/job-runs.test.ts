import { describe, expect, it } from "vitest";
import { rotateTenants } from "../../functions/services/job-runs.js";

const tenant = (id: string) => ({ id, slug: `t-${id.slice(0, 4)}` });
const ids = (tenants: Array<{ id: string }>) => tenants.map((t) => t.id);
const [a, b, c, d] = [
  "1a000000-0000-4000-8000-000000000000",
  "2b000000-0000-4000-8000-000000000000",
  "3c000000-0000-4000-8000-000000000000",
  "4d000000-0000-4000-8000-000000000000",
] as const;

describe("the order a paced job visits tenants in", () => {
  it("is by id without a stored start, whatever order the tenants came in", () => {
    expect(ids(rotateTenants([tenant(c), tenant(a), tenant(d), tenant(b)], null))).toEqual([a, b, c, d]);
  });

  it("starts at the stored tenant and wraps around, each tenant once", () => {
    expect(ids(rotateTenants([tenant(c), tenant(a), tenant(d), tenant(b)], c))).toEqual([c, d, a, b]);
  });

  it("starts at the next tenant by id when the stored one is gone, and wraps past the last", () => {
    expect(ids(rotateTenants([tenant(a), tenant(b), tenant(d)], c))).toEqual([d, a, b]);
    expect(ids(rotateTenants([tenant(a), tenant(b), tenant(c)], d))).toEqual([a, b, c]);
  });
});
