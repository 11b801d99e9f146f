import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../../functions/env.js";
import { jobsByCron, runScheduled } from "../../functions/jobs/index.js";
import type { Job } from "../../functions/jobs/run.js";
import { cronsFromWranglerToml } from "../../scripts/dev-cron.js";

// The bundled WASM plugins load only in workerd (CompiledWasm modules); routing never runs them.
vi.mock("../../functions/plugin-host/registry.js", () => ({ STAGE_ORDER: [], pluginRegistry: () => [] }));

const wrangler = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const declared = cronsFromWranglerToml(wrangler);
const jobNames = (cron: string) => (jobsByCron[cron] ?? []).map((job) => job.name);
/** Each trigger's job names as the table declares them (before any test swaps the jobs). */
const declaredJobs = new Map(declared.map((cron) => [cron, jobNames(cron)]));

describe("cron routing", () => {
  it("has jobs for every trigger of wrangler.toml, and no trigger wrangler.toml does not declare", () => {
    expect(Object.keys(jobsByCron).sort()).toEqual([...declared].sort());
    // Cloudflare allows an account five cron triggers.
    expect(declared.length).toBeLessThanOrEqual(5);
    for (const cron of declared) expect(jobsByCron[cron]?.length).toBeGreaterThan(0);
  });

  it("runs the retention sweep and the audit verification on triggers of their own minutes", () => {
    expect(jobNames("0 * * * *")).toContain("retention-sweep");
    expect(jobNames("0 * * * *")).not.toContain("audit-verify");
    expect(jobNames("45 * * * *")).toEqual(["audit-verify"]);
    // Each job runs from one trigger only.
    const all = Object.values(jobsByCron).flatMap((jobs) => jobs.map((job) => job.name));
    expect(new Set(all).size).toBe(all.length);
  });

  describe("runScheduled", () => {
    const saved = { ...jobsByCron };
    afterEach(() => {
      for (const cron of Object.keys(jobsByCron)) delete jobsByCron[cron];
      Object.assign(jobsByCron, saved);
    });

    /** Replaces every trigger's jobs with recorders of which trigger ran. */
    function recordRuns(): string[] {
      const ran: string[] = [];
      for (const cron of Object.keys(jobsByCron)) {
        jobsByCron[cron] = (jobsByCron[cron] ?? []).map((job): Job => {
          const recorder: Job = async () => void ran.push(`${cron} ${job.name}`);
          return recorder;
        });
      }
      return ran;
    }

    it("sends each trigger to its own jobs and no others", async () => {
      const ran = recordRuns();
      const env = {} as Bindings;
      for (const cron of declared) {
        ran.length = 0;
        await runScheduled(cron, env);
        expect(ran.sort()).toEqual((declaredJobs.get(cron) ?? []).map((name) => `${cron} ${name}`).sort());
      }
      ran.length = 0;
      await runScheduled("7 7 * * *", env);
      expect(ran).toEqual([]);
    });

    it("runs the other jobs of a trigger when one fails", async () => {
      const ran: string[] = [];
      jobsByCron["0 * * * *"] = [
        async () => {
          throw new Error("broken");
        },
        async () => void ran.push("second"),
      ];
      await runScheduled("0 * * * *", {} as Bindings);
      expect(ran).toEqual(["second"]);
    });
  });
});
