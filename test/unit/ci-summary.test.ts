// The CI closing line ("N passed, N failed") must not under-report: a file whose beforeAll threw (its tests show as
// skipped), a file that failed to import (no tests at all) and skips without a reason all count as failed, and the
// script exits 1. Runs scripts/ci-summary.mjs as CI does, on throwaway reports shaped like vitest's JSON reporter.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const script = resolve(__dirname, "../../scripts/ci-summary.mjs");
const dir = mkdtempSync(join(tmpdir(), "ci-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Assertion = { title: string; status: string; meta?: Record<string, unknown> };
const file = (name: string, status: "passed" | "failed", tests: Assertion[], message = "") => ({
  name: `/repo/test/${name}`,
  status,
  message,
  assertionResults: tests.map((t) => ({ ancestorTitles: [], fullName: t.title, failureMessages: [], meta: {}, ...t })),
});

function run(report: unknown, name: string) {
  const path = join(dir, `${name}.json`);
  if (report !== undefined) writeFileSync(path, typeof report === "string" ? report : JSON.stringify(report));
  const out = spawnSync(process.execPath, [script, path], { encoding: "utf8" });
  const lines = out.stdout.trimEnd().split("\n");
  return { status: out.status, lines, last: lines.at(-1), counted: lines.at(-2) };
}

describe("CI summary", () => {
  it("a clean run prints the plain line and exits 0", () => {
    const r = run({ testResults: [file("a.test.ts", "passed", [{ title: "x", status: "passed" }])] }, "clean");
    expect(r.last).toBe("1 passed, 0 failed");
    expect(r.status).toBe(0);
  });

  it("counts a file whose beforeAll failed, and its skipped tests, as failed", () => {
    const report = {
      numPassedTests: 1,
      numFailedTests: 0,
      testResults: [
        file("ok.test.ts", "passed", [{ title: "fine", status: "passed" }]),
        file(
          "db.test.ts",
          "failed",
          [
            { title: "a", status: "skipped" },
            { title: "b", status: "skipped" },
          ],
          "connect ECONNREFUSED 127.0.0.1:5432",
        ),
      ],
    };
    const r = run(report, "beforeall");
    expect(r.last).toBe("1 passed, 3 failed");
    expect(r.counted).toBe(
      "counted as failed: 0 failed tests, 1 failed suites without a failed test, 2 skipped/pending/todo tests without a reason",
    );
    expect(r.lines).toContain("failed suite: /repo/test/db.test.ts — connect ECONNREFUSED 127.0.0.1:5432");
    expect(r.status).toBe(1);
  });

  it("counts a file that failed to import (no tests) as failed", () => {
    const r = run({ testResults: [file("broken.test.ts", "failed", [], "Cannot find module './gone'")] }, "import");
    expect(r.last).toBe("0 passed, 1 failed");
    expect(r.status).toBe(1);
  });

  it("does not count a failed suite twice when its tests failed", () => {
    const tests = [
      { title: "a", status: "failed" },
      { title: "b", status: "passed" },
    ];
    const r = run({ testResults: [file("f.test.ts", "failed", tests)] }, "failed-tests");
    expect(r.last).toBe("1 passed, 1 failed");
    expect(r.status).toBe(1);
  });

  it("counts skipped, pending and todo tests without a reason, and accepts a skip that declares one", () => {
    const tests = [
      { title: "s", status: "skipped" },
      { title: "p", status: "pending" },
      { title: "t", status: "todo" },
      { title: "why", status: "skipped", meta: { skipReason: "needs a GPU" } },
    ];
    const r = run({ testResults: [file("s.test.ts", "passed", tests)] }, "skips");
    expect(r.last).toBe("0 passed, 3 failed");
    expect(r.status).toBe(1);
  });

  it("a missing, unreadable or empty report is a failure", () => {
    for (const [name, report] of [
      ["missing", undefined],
      ["garbage", "{not json"],
      ["empty", { testResults: [] }],
    ] as const) {
      const r = run(report, name);
      expect(r.last, name).toBe("0 passed, 1 failed");
      expect(r.status, name).toBe(1);
    }
  });
});
